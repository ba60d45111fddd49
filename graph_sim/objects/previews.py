"""Ad previews: the `{"data": [{"body": "<iframe ...>"}]}` answers of generatepreviews and
/previews, and the HTML page the iframe points at (core-flows.md §2.7,
creatives-and-media.md §4)."""

from __future__ import annotations

import html
import secrets
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from graph_sim.errors import GraphError, invalid_parameter
from graph_sim.objects import enums
from graph_sim.objects import params as p
from graph_sim.objects.model import objects_state
from graph_sim.objects.reading import creative_content

if TYPE_CHECKING:
    from graph_sim.state import World

# iframe sizes per placement family when the caller gives no width/height [EXT: Graph's
# defaults are not in the seeds; these look like the placements].
_SIZES = {
    "RIGHT_COLUMN_STANDARD": (274, 213),
    "DESKTOP_FEED_STANDARD": (502, 580),
}
_TALL = ("STORY", "REELS")


def check_ad_format(raw: Any) -> str:
    if raw in (None, ""):
        # reference.md §3.10: ad_format is required; the preview references list 194.
        raise GraphError(
            "The parameter ad_format is required",
            code=194,
            user_title="Missing Parameter",
            user_msg="ad_format is required.",
            error_data={"blame_field_specs": [["ad_format"]]},
        )
    return p.enum(raw, enums.AD_FORMATS, "ad_format")


def check_combination(creative: Mapping[str, Any], ad_format: str, *, has_post: bool) -> None:
    """The creative/format rules the seeds state (reference.md §3.10, creatives-and-media.md
    §3.3): `post` is not for RIGHT_COLUMN_STANDARD; a link ad not connected to a page only
    previews in the right column; carousels are not supported in Facebook Stories."""
    if has_post and ad_format == "RIGHT_COLUMN_STANDARD":
        raise invalid_parameter(
            "The post parameter can't be used with ad_format RIGHT_COLUMN_STANDARD",
            error_data={"blame_field_specs": [["post"]]},
        )
    pageless = not creative.get("object_story_spec") and not creative.get("object_story_id")
    linked = creative.get("object_url") or creative.get("link_url")
    if pageless and linked and ad_format != "RIGHT_COLUMN_STANDARD":
        raise invalid_parameter(
            "A link ad not connected to a page can only be previewed as RIGHT_COLUMN_STANDARD",
            error_data={"blame_field_specs": [["ad_format"]]},
        )
    kind, content = creative_content(creative)
    if (
        kind == "link_data"
        and content.get("child_attachments")
        and ad_format.startswith("FACEBOOK_STORY")
    ):
        raise invalid_parameter(
            "Carousel ads is not supported for Facebook Stories",
            error_data={"blame_field_specs": [["ad_format"]]},
        )


def preview_response(
    world: World,
    *,
    account_id: str,
    creative: Mapping[str, Any],
    name: str,
    ad_format: str,
    params: Mapping[str, Any],
    now: float,
    base_url: str,
) -> dict[str, Any]:
    """Store a preview valid for 24 hours and answer with its iframe."""
    state = objects_state(world)
    width, height = _SIZES.get(
        ad_format, (320, 570) if any(t in ad_format for t in _TALL) else (540, 690)
    )
    if params.get("width") not in (None, ""):
        width = p.integer(params["width"], "width")
    if params.get("height") not in (None, ""):
        height = p.integer(params["height"], "height")
    token = secrets.token_urlsafe(18)
    state.previews[token] = {
        "account_id": account_id,
        "creative": dict(creative),
        "name": name,
        "ad_format": ad_format,
        "expires_at": now + state.config.preview_ttl_seconds,
    }
    src = f"{base_url}/_preview/{token}"
    body = (
        f"<iframe src='{src}' width='{width}' height='{height}' scrolling='yes' "
        "style='border: none;'></iframe>"
    )
    return {"data": [{"body": body}]}


def preview_page(
    world: World,
    token: str,
    now: float,
    image_url_for: Callable[[str, str], str | None],
) -> tuple[int, str]:
    """(HTTP status, HTML) of a preview page: the creative's page name, text, image(s) and
    call to action, laid out like a feed post. Expired or unknown → 404 page."""
    record = objects_state(world).previews.get(token)
    if record is None or now >= record["expires_at"]:
        return 404, _page("Preview expired", "<p class='gone'>This preview has expired.</p>")
    creative = record["creative"]
    account_id = record["account_id"]
    spec = creative.get("object_story_spec") or {}
    page = world.pages.get(str(spec.get("page_id") or creative.get("object_id") or ""))
    page_name = page.name if page else "Sponsored page"
    kind, content = creative_content(creative)
    message = content.get("message") or creative.get("body") or ""
    headline = content.get("name") or content.get("title") or creative.get("title") or ""
    description = content.get("description") or content.get("link_description") or ""
    link = content.get("link") or creative.get("link_url") or creative.get("object_url") or ""
    caption = content.get("caption") or _domain(link)
    cta = (content.get("call_to_action") or creative.get("call_to_action") or {}).get("type")

    def image(item: Mapping[str, Any]) -> str | None:
        url = item.get("picture") or item.get("image_url")
        if url is None and item.get("image_hash"):
            url = image_url_for(account_id, item["image_hash"])
        return url

    if kind == "link_data" and content.get("child_attachments"):
        cards = "".join(
            _card(image(card), card.get("name") or "", card.get("description") or "")
            for card in content["child_attachments"]
        )
        media = f"<div class='carousel'>{cards}</div>"
    else:
        media = _media(image(content) or image(creative), headline, video=kind == "video_data")
    story_id = creative.get("object_story_id")
    if story_id and not spec:
        # A boosted Page post shows the post (endpoints/page_content.py models them).
        post = world.get(str(story_id), "page_post")
        page = world.pages.get(str(story_id).split("_", 1)[0])
        page_name = page.name if page else page_name
        message = message or (post or {}).get("message") or f"Boosted post {story_id}"
        if post and post.get("full_picture"):
            media = _media(post["full_picture"], headline)
    media_id = creative.get("source_instagram_media_id")
    ig_media = world.get(str(media_id), "ig_media") if media_id else None
    if ig_media:
        # A boosted Instagram post shows its caption and media under the account's username.
        ig = world.instagram_accounts.get(str(ig_media.get("ig_user_id")))
        page_name = ig.username if ig else page_name
        message = message or ig_media.get("caption") or ""
        media = _media(
            f"https://scontent.example/ig/{ig_media['id']}.jpg",
            headline,
            video=ig_media.get("media_type") == "VIDEO",
        )
    button = f"<span class='cta'>{html.escape(_cta_label(cta))}</span>" if cta else ""
    body = f"""
<div class='post {html.escape(record["ad_format"].lower())}'>
  <div class='head'><span class='avatar'>{html.escape(page_name[:1])}</span>
    <div><strong>{html.escape(page_name)}</strong><br><small>Sponsored</small></div></div>
  <p class='message'>{html.escape(message)}</p>
  {media}
  <div class='foot'><div><small>{html.escape(caption.upper())}</small><br>
    <strong>{html.escape(headline)}</strong><br><small>{html.escape(description)}</small></div>
    {button}</div>
</div>"""
    return 200, _page(f"Preview: {record['name']}", body)


def _domain(link: str) -> str:
    return link.split("://", 1)[-1].split("/", 1)[0] if link else ""


def _cta_label(cta: str) -> str:
    return cta.replace("_", " ").title()


def _media(url: str | None, alt: str, *, video: bool = False) -> str:
    play = "<span class='play'>&#9654;</span>" if video else ""
    if not url:
        return f"<div class='media placeholder'>{html.escape(alt) or 'Image'}{play}</div>"
    return (
        f"<div class='media'><img src='{html.escape(url, quote=True)}' "
        f"alt='{html.escape(alt, quote=True)}'>{play}</div>"
    )


def _card(url: str | None, name: str, description: str) -> str:
    return (
        f"<div class='card'>{_media(url, name)}<strong>{html.escape(name)}</strong>"
        f"<br><small>{html.escape(description)}</small></div>"
    )


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html><head><meta charset='utf-8'><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; background: #f0f2f5; color: #1c1e21; }}
.post {{ background: #fff; margin: 8px; border-radius: 8px; padding: 12px; }}
.head {{ display: flex; gap: 8px; align-items: center; }}
.avatar {{ width: 40px; height: 40px; border-radius: 50%; background: #1877f2; color: #fff;
  display: flex; align-items: center; justify-content: center; font-weight: bold; }}
.media {{ position: relative; background: #dfe3e8; min-height: 120px; margin: 8px -12px; }}
.media img {{ width: 100%; display: block; }}
.placeholder {{ display: flex; align-items: center; justify-content: center; color: #65676b; }}
.play {{ position: absolute; inset: 0; display: flex; align-items: center;
  justify-content: center; font-size: 48px; color: #fff; }}
.carousel {{ display: flex; gap: 8px; overflow-x: auto; margin: 8px 0; }}
.card {{ min-width: 180px; background: #f7f8fa; }}
.card .media {{ margin: 0; }}
.foot {{ display: flex; justify-content: space-between; align-items: center; gap: 8px;
  background: #f7f8fa; margin: 0 -12px -12px; padding: 8px 12px; }}
.cta {{ background: #e4e6eb; border-radius: 6px; padding: 6px 12px; font-weight: 600; }}
.gone {{ padding: 24px; color: #65676b; }}
</style></head><body>{body}</body></html>"""
