"""Check with Meta (every object sent with `execution_options=["validate_only"]`, Graph's answer
put on the field it blames) and previews (`generatepreviews`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from accounts.services.graph import graph_for_connection
from agency.errors import ServiceError
from agency.graph import MAX_BATCH, BatchRequest, GraphValidationError
from campaigns import selectors
from campaigns.models import Campaign
from campaigns.services import payloads
from campaigns.services.graph_errors import graph_error_info
from campaigns.services.publish import EDGES, publish_order
from campaigns.services.versions import object_kind

VALIDATE_ONLY = ["validate_only"]
# The formats the builder previews: label → Graph's ad_format (reference.md §3.10).
PREVIEW_FORMATS = {
    "feed": ("Facebook feed", "MOBILE_FEED_STANDARD"),
    "story": ("Facebook story", "FACEBOOK_STORY_MOBILE"),
    "reels": ("Facebook Reels", "FACEBOOK_REELS_MOBILE"),
    "instagram": ("Instagram feed", "INSTAGRAM_STANDARD"),
    "instagram_story": ("Instagram story", "INSTAGRAM_STORY"),
    "instagram_reels": ("Instagram Reels", "INSTAGRAM_REELS"),
}
_SRC = re.compile(r"""src=['"]([^'"]+)['"]""")


class CheckUnavailableError(ServiceError):
    code = "check_unavailable"
    http_status = 409


def _validate_payload(obj: Any, campaign: Campaign) -> dict[str, Any]:
    """What the publish would send, with parents that are not on Graph yet inlined (Graph takes
    `campaign_spec` on ad sets, `adset_spec` and an inline creative on ads)."""
    if obj is campaign:
        data = payloads.campaign_payload(campaign)
    elif object_kind(obj) == "adset":
        data = payloads.adset_payload(obj, campaign_graph_id=campaign.graph_id or None)
        if not campaign.graph_id:
            data["campaign_spec"] = payloads.campaign_payload(campaign)
    elif object_kind(obj) == "creative":
        data = payloads.creative_payload(obj)
    else:
        adset = obj.adset
        data = payloads.ad_payload(
            obj, adset_graph_id=adset.graph_id or None,
            creative_graph_id=obj.creative.graph_id if obj.creative else None)
        if not adset.graph_id:
            spec = payloads.adset_payload(adset, campaign_graph_id=campaign.graph_id or None)
            if not campaign.graph_id:
                spec["campaign_spec"] = payloads.campaign_payload(campaign)
            data["adset_spec"] = spec
    return {**data, "execution_options": VALIDATE_ONLY}


@dataclass
class CheckResult:
    errors: dict[str, dict[str, str]]  # object key → {field: message}
    local: bool  # True when our own rules refused, nothing was sent
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def campaign_check_with_meta(*, campaign: Campaign, actor=None) -> CheckResult:
    """Our rules first; then every unpublished object validated by Graph in batches of 50.
    Each object's `graph_error` keeps Graph's answer for its page."""
    local = selectors.campaign_tree_errors(campaign=campaign)
    if local:
        return CheckResult(errors=local, local=True)
    objects = [o for o in publish_order(campaign) if not o.graph_id]
    requests, errors = [], {}
    prepared = []
    for obj in objects:
        try:
            payload = _validate_payload(obj, campaign)
        except payloads.MediaNotReadyError as exc:
            errors[selectors.object_key(obj)] = {exc.field or "spec": exc.message}
            continue
        kind = object_kind(obj)
        requests.append(BatchRequest("POST", f"{obj.ad_account.act_id}/{EDGES[kind]}",
                                     body=payload))
        prepared.append(obj)
    if errors:
        return CheckResult(errors=errors, local=True)
    with graph_for_connection(connection=campaign.ad_account.connection,
                              purpose="campaign_check", actor=actor) as client:
        results = []
        for start in range(0, len(requests), MAX_BATCH):
            results.extend(client.batch(requests[start:start + MAX_BATCH]))
    for obj, result in zip(prepared, results, strict=True):
        info = None
        if result.error is not None:
            info = graph_error_info(object_kind(obj), result.error)
            errors[selectors.object_key(obj)] = {info["field"]: info["message"]}
        elif result.timed_out:
            info = {"field": "__all__", "message": "Meta did not answer in time; check again.",
                    "title": "", "code": None, "subcode": None, "fbtrace_id": ""}
            errors[selectors.object_key(obj)] = {"__all__": info["message"]}
        type(obj).objects.filter(pk=obj.pk).update(graph_error=info)
    return CheckResult(errors=errors, local=False, checked=len(prepared))


@dataclass(frozen=True)
class Preview:
    key: str
    label: str
    ad_format: str
    src: str = ""
    error: str = ""


def _safe_src(src: str) -> str:
    """Only iframe sources on Meta (or the configured Graph host, the simulator) are shown."""
    parts = urlsplit(src)
    graph_host = urlsplit(getattr(settings, "GRAPH_API_BASE_URL", "")).netloc
    allowed = {"www.facebook.com", "facebook.com", "business.facebook.com", graph_host}
    if parts.scheme in ("https", "http") and parts.netloc in allowed:
        return src
    return ""


def creative_previews(*, creative, formats: list[str], actor=None) -> list[Preview]:
    """`generatepreviews` for each chosen format (the creative spec, or the published creative's
    own `previews` edge)."""
    chosen = [f for f in formats if f in PREVIEW_FORMATS] or ["feed"]
    try:
        spec = None if creative.graph_id else payloads.creative_payload(creative)
    except payloads.MediaNotReadyError as exc:
        return [Preview(k, *PREVIEW_FORMATS[k], error=exc.message) for k in chosen]
    if spec is not None:
        spec.pop("name", None)
    out = []
    with graph_for_connection(connection=creative.ad_account.connection,
                              purpose="creative_preview", actor=actor) as client:
        for key in chosen:
            label, ad_format = PREVIEW_FORMATS[key]
            try:
                if spec is None:
                    body = client.get(f"{creative.graph_id}/previews",
                                      params={"ad_format": ad_format})
                else:
                    body = client.get(f"{creative.ad_account.act_id}/generatepreviews",
                                      params={"creative": spec, "ad_format": ad_format})
            except GraphValidationError as exc:
                out.append(Preview(key, label, ad_format, error=exc.user_msg or exc.message))
                continue
            html = ((body or {}).get("data") or [{}])[0].get("body", "")
            match = _SRC.search(html or "")
            src = _safe_src(match.group(1)) if match else ""
            out.append(Preview(key, label, ad_format, src=src,
                               error="" if src else "Meta sent no preview."))
    return out
