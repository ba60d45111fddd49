"""Build `fields=` values: `fields("id", "name", Field("insights", "spend", limit=5))`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, init=False)
class Field:
    """One field with sub-fields and modifiers: `insights.limit(5).time_range({...}){spend}`."""

    name: str
    children: tuple[str | Field, ...] = ()
    modifiers: dict[str, Any] = field(default_factory=dict)

    def __init__(self, name: str, *children: str | Field, **modifiers: Any) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "children", children)
        object.__setattr__(self, "modifiers", modifiers)

    def __str__(self) -> str:
        text = self.name
        for key, value in self.modifiers.items():
            if isinstance(value, dict | list | tuple | bool):
                value = json.dumps(value, separators=(",", ":"))
            text += f".{key}({value})"
        if self.children:
            text += "{" + fields(*self.children) + "}"
        return text


def fields(*items: str | Field) -> str:
    """The comma list Graph expects; duplicates are dropped, order kept."""
    seen: list[str] = []
    for item in items:
        text = str(item)
        if text not in seen:
            seen.append(text)
    return ",".join(seen)
