"""Version history of campaign objects: who changed what, when, and from where."""

from __future__ import annotations

from typing import Any

from campaigns.models import Ad, AdCreative, AdSet, Campaign, ObjectVersion

KINDS: dict[type, str] = {Campaign: "campaign", AdSet: "adset", AdCreative: "creative", Ad: "ad"}
MODELS: dict[str, type] = {v: k for k, v in KINDS.items()}


def object_kind(obj: Any) -> str:
    return KINDS[type(obj)]


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def field_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def version_record(*, obj: Any, actor, source: str, diff: dict[str, Any]) -> ObjectVersion | None:
    """One history row for a change; nothing when nothing changed."""
    if not diff:
        return None
    return ObjectVersion.objects.create(
        agency_id=obj.agency_id,
        object_kind=object_kind(obj),
        object_id=obj.pk,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        source=source,
        diff=diff,
    )
