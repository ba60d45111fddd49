"""What a campaign can boost or collect leads with: Page posts, Instagram media, lead forms.

- `GET /<page_id>/posts`, `/<page_id>/published_posts`, `/<page_id>/feed`, `GET /<post_id>`
  (`<page_id>_<n>`): posts a creative boosts with `object_story_id`.
- `GET /<page_id>/instagram_accounts`: the Instagram account connected to the Page.
- `GET /<ig_user_id>/media`, `GET /<media_id>`: media a creative boosts with
  `source_instagram_media_id` (marketing-api-guide.txt L10862-L10880 "Repurpose an Existing
  Reel": `GET /{ig-business-account-user-id}/media`, `boost_eligibility_info`).
- `GET|POST /<page_id>/leadgen_forms`, `GET /<form_id>`: instant forms for lead ads.

The seeds name only the Instagram media path; shapes are Graph's (DECISIONS.md "Page posts,
Instagram media and lead forms").
"""

from __future__ import annotations

import json
from typing import Any

from graph_sim import references as refs
from graph_sim.core import SimRequest, node_edge, node_reader, paginate, render_fields, seeder
from graph_sim.errors import GraphError
from graph_sim.objects import params as p
from graph_sim.objects import validation as v
from graph_sim.state import InstagramAccount, Page, World

_QUESTION_TYPES = frozenset(
    {
        "CUSTOM",
        "EMAIL",
        "FULL_NAME",
        "FIRST_NAME",
        "LAST_NAME",
        "PHONE",
        "CITY",
        "STATE",
        "ZIP",
        "COUNTRY",
        "COMPANY_NAME",
        "JOB_TITLE",
        "WORK_EMAIL",
        "DATE_OF_BIRTH",
        "GENDER",
    }
)


def _iso(ts: float) -> str:
    return p.iso(ts, None) or ""


def page_access(req: SimRequest, page: Page) -> None:
    """The caller must admin the Page (or hold its Page token); else 200 like Graph."""
    token = req.token
    if token is not None and getattr(token, "page_id", None) == page.id:
        return
    user_id = req.user_id
    if user_id and page.id in req.world.user_pages.get(user_id, []):
        return
    user = req.world.users.get(user_id or "")
    business = req.world.businesses.get(user.business_id or "") if user else None
    if business is not None and page.id in business.owned_pages:
        return
    raise GraphError(
        "The user must be an admin of the Page to read its content",
        code=200,
        type="OAuthException",
    )


# --- posts -------------------------------------------------------------------------------------


def post_json(world: World, post: dict[str, Any]) -> dict[str, Any]:
    page = world.pages.get(post["page_id"])
    return {
        "id": post["id"],
        "message": post.get("message"),
        "created_time": _iso(post["created_time"]),
        "updated_time": _iso(post["created_time"]),
        "permalink_url": f"https://www.facebook.com/{post['page_id']}/posts/{post['id'].split('_')[1]}",
        "full_picture": post.get("full_picture"),
        "status_type": post.get("status_type", "added_photos"),
        "is_published": post.get("is_published", True),
        "is_hidden": False,
        "is_eligible_for_promotion": post.get("is_published", True),
        "promotable_id": post["id"],
        "from": {"id": post["page_id"], "name": page.name if page else None},
        "shares": {"count": post.get("shares", 0)},
    }


def page_posts(world: World, page_id: str, *, published_only: bool) -> list[dict[str, Any]]:
    posts = [p for p in world.all(refs.PAGE_POST) if p["page_id"] == page_id]
    if published_only:
        posts = [p for p in posts if p.get("is_published", True)]
    return sorted(posts, key=lambda p: -p["created_time"])


def _posts_edge(published_only: bool):
    def handler(req: SimRequest, page: Page) -> dict[str, Any]:
        page_access(req, page)
        posts = page_posts(req.world, page.id, published_only=published_only)
        return paginate(
            req,
            posts,
            render=lambda p: render_fields(
                post_json(req.world, p), req.fields, ("message", "created_time")
            ),
        )

    return handler


node_edge("page", "posts")(_posts_edge(True))
node_edge("page", "feed")(_posts_edge(True))
# published_posts lists the published ones; `posts` too (unpublished "dark" posts are only
# readable by id and through promotable_posts).
node_edge("page", "published_posts")(_posts_edge(True))
node_edge("page", "promotable_posts")(_posts_edge(False))


@node_reader(refs.PAGE_POST)
def read_post(req: SimRequest, post: dict[str, Any]) -> dict[str, Any]:
    return render_fields(post_json(req.world, post), req.fields, ("message", "created_time"))


# --- Instagram ---------------------------------------------------------------------------------


@node_edge("page", "instagram_accounts")
def page_instagram_accounts(req: SimRequest, page: Page) -> dict[str, Any]:
    from graph_sim.endpoints.audiences import ig_json

    page_access(req, page)
    accounts = [ig for ig in req.world.instagram_accounts.values() if ig.page_id == page.id]
    return paginate(
        req, accounts, render=lambda ig: render_fields(ig_json(ig), req.fields, ("id",))
    )


def media_json(world: World, media: dict[str, Any]) -> dict[str, Any]:
    ig = world.instagram_accounts.get(media["ig_user_id"])
    eligible = media.get("eligible", True)
    return {
        "id": media["id"],
        "caption": media.get("caption"),
        "media_type": media["media_type"],
        "media_product_type": media["media_product_type"],
        "media_url": f"https://scontent.example/ig/{media['id']}.jpg",
        "thumbnail_url": f"https://scontent.example/ig/{media['id']}_thumb.jpg",
        "permalink": f"https://www.instagram.com/p/{media['shortcode']}/",
        "shortcode": media["shortcode"],
        "timestamp": _iso(media["timestamp"]),
        "username": ig.username if ig else None,
        "like_count": media.get("like_count", 0),
        "comments_count": media.get("comments_count", 0),
        "owner": {"id": media["ig_user_id"]},
        "boost_eligibility_info": {
            "eligible_to_boost": eligible,
            **({} if eligible else {"reason": media.get("ineligible_reason")}),
        },
    }


@node_edge("instagram_account", "media")
def ig_media(req: SimRequest, ig: InstagramAccount) -> dict[str, Any]:
    page = req.world.pages.get(ig.page_id or "")
    if page is not None:
        page_access(req, page)
    media = sorted(
        (m for m in req.world.all(refs.IG_MEDIA) if m["ig_user_id"] == ig.id),
        key=lambda m: -m["timestamp"],
    )
    return paginate(
        req, media, render=lambda m: render_fields(media_json(req.world, m), req.fields, ())
    )


@node_reader(refs.IG_MEDIA)
def read_media(req: SimRequest, media: dict[str, Any]) -> dict[str, Any]:
    return render_fields(media_json(req.world, media), req.fields, ())


# --- lead forms -----------------------------------------------------------------------------


def form_json(world: World, form: dict[str, Any]) -> dict[str, Any]:
    page = world.pages.get(form["page_id"])
    return {
        "id": form["id"],
        "name": form["name"],
        "status": form.get("status", "ACTIVE"),
        "locale": form.get("locale", "en_US"),
        "created_time": _iso(form["created_time"]),
        "leads_count": form.get("leads_count", 0),
        "questions": form["questions"],
        "privacy_policy_url": form["privacy_policy"]["url"],
        "privacy_policy": form["privacy_policy"],
        "follow_up_action_url": form.get("follow_up_action_url"),
        "page": {"id": form["page_id"], "name": page.name if page else None},
        "page_id": form["page_id"],
    }


def _questions(raw: Any) -> list[dict[str, Any]]:
    questions = raw
    if isinstance(questions, str):
        try:
            questions = json.loads(questions)
        except ValueError:
            raise v.blamed("questions must be a JSON list", "questions") from None
    if not isinstance(questions, list) or not questions:
        raise v.blamed("questions must be a non-empty list", "questions")
    out = []
    for i, q in enumerate(questions):
        if not isinstance(q, dict) or q.get("type") not in _QUESTION_TYPES:
            raise v.blamed(
                f"questions[{i}].type must be one of {{{', '.join(sorted(_QUESTION_TYPES))}}}",
                ["questions", str(i), "type"],
            )
        if q["type"] == "CUSTOM" and not q.get("label"):
            raise v.blamed("A CUSTOM question needs a label", ["questions", str(i), "label"])
        key = q.get("key") or q["type"].lower()
        out.append(
            {
                "key": key,
                "label": q.get("label") or q["type"].replace("_", " ").title(),
                "type": q["type"],
                "id": str(1000 + i),
            }
        )
    return out


@node_edge("page", "leadgen_forms", methods=["GET", "POST"])
def page_leadgen_forms(req: SimRequest, page: Page) -> dict[str, Any]:
    page_access(req, page)
    if req.method == "POST":
        name = req.param("name")
        if name in (None, ""):
            raise v.blamed("The parameter name is required", "name", title="Missing Parameter")
        if len(name) > 200:
            raise v.blamed("name must be at most 200 characters", "name")
        if req.params.get("questions") in (None, ""):
            raise v.blamed(
                "The parameter questions is required", "questions", title="Missing Parameter"
            )
        policy = req.json_param("privacy_policy", None)
        if not isinstance(policy, dict) or not policy.get("url"):
            raise v.blamed(
                "privacy_policy with a url is required",
                ["privacy_policy", "url"],
                title="Privacy Policy Required",
            )
        v.url(policy["url"], ["privacy_policy", "url"])
        form = {
            "id": req.world.new_id(15),
            "page_id": page.id,
            "name": name,
            "status": "ACTIVE",
            "locale": req.param("locale") or "en_US",
            "created_time": req.now(),
            "questions": _questions(req.params["questions"]),
            "privacy_policy": {"url": policy["url"], "link_text": policy.get("link_text")},
            "follow_up_action_url": req.param("follow_up_action_url"),
        }
        req.world.put(form, refs.LEADGEN_FORM)
        return {"id": form["id"]}
    forms = sorted(
        (f for f in req.world.all(refs.LEADGEN_FORM) if f["page_id"] == page.id),
        key=lambda f: -f["created_time"],
    )
    return paginate(
        req, forms, render=lambda f: render_fields(form_json(req.world, f), req.fields, ("name",))
    )


@node_reader(refs.LEADGEN_FORM)
def read_form(req: SimRequest, form: dict[str, Any]) -> dict[str, Any]:
    page = req.world.pages.get(form["page_id"])
    if page is not None:
        page_access(req, page)
    return render_fields(form_json(req.world, form), req.fields, ("name",))


# --- checks used by creatives --------------------------------------------------------------


def post_available(world: World, story_id: str) -> bool:
    """A `<page>_<post>` a creative may boost: a post of that Page the simulator knows. Pages
    without any modelled post accept any id (older tests and clients made up post ids)."""
    page_id = story_id.split("_", 1)[0]
    if not any(p["page_id"] == page_id for p in world.all(refs.PAGE_POST)):
        return True
    post = world.get(story_id, refs.PAGE_POST)
    return post is not None


# --- seed ------------------------------------------------------------------------------------

_POSTS = [
    ("Our autumn blend is back. Warm spices, dark chocolate notes.", "added_photos", True),
    ("We're hiring baristas in Portland! Apply in store.", "mobile_status_update", True),
    ("Free shipping on every bag this weekend.", "shared_story", True),
    ("Behind the scenes at the roastery (video)", "added_video", True),
    ("Draft: holiday gift boxes (not published)", "added_photos", False),
]
_MEDIA = [
    ("Latte art Friday", "IMAGE", "FEED", True),
    ("How we roast, in 30 seconds", "VIDEO", "REELS", True),
    ("New mugs just dropped", "CAROUSEL_ALBUM", "FEED", True),
    ("Song from a third-party library", "VIDEO", "REELS", False),
]


@seeder(order=310)
def seed_page_content(world: World, rng) -> None:
    """Each Page gets posts (four published, one unpublished) and a lead form; the Instagram
    account gets four media (one not eligible to boost). `world.demo["page_post_ids"]` (by
    Page), `["instagram_media_ids"]`, `["leadgen_form_ids"]` (by Page)."""
    now = world.clock.now()  # type: ignore[attr-defined]
    demo = world.demo
    post_ids: dict[str, list[str]] = {}
    form_ids: dict[str, str] = {}
    for page_id in demo.get("page_ids", []):
        page = world.pages.get(page_id)
        if page is None:
            continue
        ids = []
        for index, (message, status_type, published) in enumerate(_POSTS):
            post = {
                "id": f"{page_id}_{world.new_id(15)}",
                "page_id": page_id,
                "message": message,
                "status_type": status_type,
                "is_published": published,
                "created_time": now - (index + 1) * 3 * 86400 - rng.randint(0, 3600),
                "full_picture": f"https://scontent.example/p/{page_id}/{index}.jpg",
                "shares": rng.randint(0, 40),
            }
            world.put(post, refs.PAGE_POST)
            ids.append(post["id"])
        post_ids[page_id] = ids
        form = {
            "id": world.new_id(15),
            "page_id": page_id,
            "name": f"{page.name} - Contact us",
            "status": "ACTIVE",
            "locale": "en_US",
            "created_time": now - 60 * 86400,
            "leads_count": rng.randint(5, 200),
            "questions": [
                {"key": "full_name", "label": "Full name", "type": "FULL_NAME", "id": "1000"},
                {"key": "email", "label": "Email", "type": "EMAIL", "id": "1001"},
            ],
            "privacy_policy": {"url": "https://example.com/privacy", "link_text": "Privacy"},
        }
        world.put(form, refs.LEADGEN_FORM)
        form_ids[page_id] = form["id"]
    media_ids: list[str] = []
    ig_id = demo.get("instagram_account_id")
    if ig_id:
        for index, (caption, media_type, product, eligible) in enumerate(_MEDIA):
            media = {
                "id": world.new_id(17),
                "ig_user_id": ig_id,
                "caption": caption,
                "media_type": media_type,
                "media_product_type": product,
                "shortcode": f"C{world.new_id(9)}",
                "timestamp": now - (index + 1) * 2 * 86400,
                "like_count": rng.randint(20, 900),
                "comments_count": rng.randint(0, 60),
                "eligible": eligible,
                "ineligible_reason": None if eligible else "This media contains copyrighted music.",
            }
            world.put(media, refs.IG_MEDIA)
            media_ids.append(media["id"])
    demo["page_post_ids"] = post_ids
    demo["leadgen_form_ids"] = form_ids
    demo["instagram_media_ids"] = media_ids
