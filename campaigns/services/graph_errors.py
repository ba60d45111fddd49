"""Graph's validation errors put back onto our fields: `blame_field_specs` paths become the
model field names the builder shows the message on."""

from __future__ import annotations

from typing import Any

from agency.graph import GraphError

_RENAMED = {
    "daily_budget": "daily_budget_minor",
    "lifetime_budget": "lifetime_budget_minor",
    "bid_amount": "bid_amount_minor",
    "spend_cap": "spend_cap_minor",
    "creative": "creative",
    "adset_id": "name",
    "campaign_id": "name",
}


def blamed_field(kind: str, path: list[str]) -> str:
    """One blame path → our field (`["object_story_spec", "link_data", "link"]` → `spec.link`)."""
    if not path:
        return "__all__"
    head = path[0]
    if kind == "creative" and head == "object_story_spec":
        rest = path[1:]
        if not rest:
            return "spec"
        if rest[0] in ("page_id", "instagram_user_id"):
            return rest[0]
        inner = rest[1:] if rest[0] in ("link_data", "video_data", "photo_data") else rest
        if not inner:
            return "spec"
        if inner[0] == "child_attachments" and len(inner) >= 2:
            tail = inner[2:] or ["link"]
            key = {"image_hash": "image", "picture": "image", "name": "headline"}.get(
                tail[0], tail[0])
            return f"spec.cards.{inner[1]}.{key}"
        key = {"image_hash": "image", "picture": "image", "name": "headline",
               "title": "headline", "video_id": "video", "link_description": "description"
               }.get(inner[0], inner[0])
        if key == "call_to_action":
            return "spec.link" if "link" in inner else "spec.call_to_action"
        return f"spec.{key}"
    if kind == "creative" and head in ("object_story_id", "source_instagram_media_id"):
        return f"spec.{head}"
    if head in ("targeting", "promoted_object"):
        return ".".join(path)
    return _RENAMED.get(head, head)


def graph_error_info(kind: str, error: GraphError) -> dict[str, Any]:
    """What we store in `graph_error` and show on the field."""
    paths = error.blame_fields
    field = blamed_field(kind, paths[0]) if paths else "__all__"
    return {
        "field": field,
        "title": error.user_title or "",
        "message": error.user_msg or error.message,
        "code": error.code,
        "subcode": error.subcode,
        "fbtrace_id": error.fbtrace_id or "",
    }
