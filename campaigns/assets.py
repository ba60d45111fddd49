"""Selectors: what the ad account can use, listed from Graph for the builder's pickers (custom
audiences, pixels, Pages, apps, Instagram accounts, a Page's posts and an Instagram account's
media), cached briefly, and the listings the rule set checks chosen ids against."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from accounts.services.graph import ConnectionUnusableError, graph_for_connection
from agency.graph import GraphError
from agency.ids import parse_graph_id
from campaigns.models import AdAccount

CACHE_SECONDS = 300  # long enough for one builder session, short enough to see a new pixel
# After a failed listing the account's other listings are not tried for this long: one page
# renders several pickers, and each would otherwise wait through the client's retries.
DOWN_SECONDS = 30
MAX_ITEMS = 500


@dataclass(frozen=True)
class AssetKind:
    edge: str  # "{act}/..." on the ad account, "{parent}/..." on a Page or Instagram account
    fields: str
    label: str  # for messages: "custom audiences"


# The edges (reference.md §2.3 ad account edges; creatives-and-media.md §1 for boosting posts).
ASSET_KINDS: dict[str, AssetKind] = {
    "custom_audiences": AssetKind("{act}/customaudiences",
                                  "id,name,subtype,approximate_count_lower_bound",
                                  "custom audiences"),
    "pixels": AssetKind("{act}/adspixels", "id,name,last_fired_time", "pixels"),
    "pages": AssetKind("{act}/promote_pages", "id,name", "Pages"),
    "apps": AssetKind("{act}/advertisable_applications", "id,name,object_store_urls", "apps"),
    "instagram_accounts": AssetKind("{act}/instagram_accounts", "id,username",
                                    "Instagram accounts"),
    "page_posts": AssetKind("{parent}/promotable_posts", "id,message,created_time",
                            "posts of the Page"),
    "instagram_media": AssetKind("{parent}/media",
                                 "id,caption,media_type,timestamp,boost_eligibility_info",
                                 "Instagram posts"),
}
NEEDS_PARENT = frozenset({"page_posts", "instagram_media"})


class AssetsUnavailableError(Exception):
    """Graph could not list the assets (down, throttled, token refused): `message` says so."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _label(kind: str, item: dict[str, Any]) -> str:
    if kind == "instagram_accounts":
        return f"@{item.get('username') or item.get('id')}"
    if kind == "page_posts":
        text = str(item.get("message") or "").strip()
        return (text[:80] + "…" if len(text) > 80 else text) or f"Post {item.get('id')}"
    if kind == "instagram_media":
        text = str(item.get("caption") or "").strip()[:80]
        return text or f"{item.get('media_type') or 'Media'} {item.get('id')}"
    if kind == "custom_audiences" and item.get("subtype"):
        return f"{item.get('name') or item.get('id')} ({str(item['subtype']).lower()})"
    return str(item.get("name") or item.get("id"))


def _clean(kind: str, item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return None
    raw_id = str(item.get("id") or "")
    if kind == "page_posts":  # "<page>_<post>"
        parts = raw_id.split("_")
        if len(parts) != 2 or not all(parse_graph_id(p) for p in parts):
            return None
    elif not parse_graph_id(raw_id):
        return None
    out: dict[str, Any] = {"id": raw_id, "name": _label(kind, item)[:200]}
    if kind == "instagram_media":
        info = item.get("boost_eligibility_info")
        out["eligible"] = not isinstance(info, dict) or info.get("eligible_to_boost", True)
    if kind == "apps":
        urls = item.get("object_store_urls")
        out["store_urls"] = [u for u in (urls.values() if isinstance(urls, dict) else [])
                             if isinstance(u, str) and u][:4]
    return out


def _cache_key(ad_account: AdAccount, kind: str, parent_id: str) -> str:
    # The connection is part of the key: a reconnect as another Meta user sees other assets.
    who = hashlib.sha256(f"{ad_account.connection_id}".encode()).hexdigest()[:8]
    return f"campaigns:assets:{ad_account.pk}:{who}:{kind}:{parent_id}"


def account_assets(*, ad_account: AdAccount, kind: str, parent_id: str = "",
                   fetch: bool = True) -> list[dict] | None:
    """The assets of one kind, `[{"id", "name", ...}]`, from a short cache or from Graph
    (`fetch=False`: from the cache only, None when it has none).

    Raises AssetsUnavailableError with a readable message when Graph cannot list them."""
    spec = ASSET_KINDS[kind]
    if kind in NEEDS_PARENT and not parse_graph_id(parent_id or ""):
        return []
    key = _cache_key(ad_account, kind, parent_id)
    cached = cache.get(key)
    if cached is not None or not fetch:
        return cached
    down_key = _cache_key(ad_account, "down", "")
    down = cache.get(down_key)
    if down is not None:
        raise AssetsUnavailableError(down)
    path = spec.edge.format(act=ad_account.act_id, parent=parent_id)
    try:
        with graph_for_connection(connection=ad_account.connection,
                                  purpose=f"list_{kind}") as client:
            items = []
            for item in client.iterate(path, fields=spec.fields, limit=200,
                                       account_id=ad_account.account_id, max_pages=3):
                cleaned = _clean(kind, item)
                if cleaned is not None:
                    items.append(cleaned)
                if len(items) >= MAX_ITEMS:
                    break
    except ConnectionUnusableError as exc:
        cache.set(down_key, exc.message, DOWN_SECONDS)
        raise AssetsUnavailableError(exc.message) from exc
    except GraphError as exc:
        reason = (exc.user_msg or "Meta could not be reached").rstrip(".")
        message = f"Meta did not list the ad account's assets ({reason}). Try again in a minute."
        cache.set(down_key, message, DOWN_SECONDS)
        raise AssetsUnavailableError(message) from exc
    cache.set(key, items, CACHE_SECONDS)
    return items


def listed_ids(*, ad_account: AdAccount, wanted: Iterable[tuple[str, str]],
               fetch: bool = True) -> dict[str, frozenset[str] | None]:
    """For the rule set: `{kind or "kind:parent": ids Graph listed, or None when unknown}`."""
    out: dict[str, frozenset[str] | None] = {}
    for kind, parent in wanted:
        key = f"{kind}:{parent}" if kind in NEEDS_PARENT else kind
        if key in out:
            continue
        try:
            items = account_assets(ad_account=ad_account, kind=kind, parent_id=parent,
                                   fetch=fetch)
        except AssetsUnavailableError:
            items = None  # not judged here; Check with Meta and Graph at publish still are
        out[key] = None if items is None else frozenset(i["id"] for i in items)
    return out


def asset_errors(*, obj, kind: str, fetch: bool = True) -> dict[str, str]:
    """The listed-ids rule for one ad set or creative (campaigns.validation)."""
    from campaigns.validation import asset_listings_needed, listed_asset_errors

    data = {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    wanted = asset_listings_needed(kind=kind, data=data)
    if not wanted:
        return {}
    listed = listed_ids(ad_account=obj.ad_account, wanted=wanted, fetch=fetch)
    return listed_asset_errors(kind=kind, data=data, listed=listed)
