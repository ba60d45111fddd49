"""Graph's `fields=` syntax (nested braces, `.limit(5)` modifiers) and rendering through it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph_sim.errors import GraphError


@dataclass
class FieldSpec:
    """One requested field: `insights{impressions}.limit(5)` → name "insights",
    children [FieldSpec("impressions")], modifiers {"limit": "5"}."""

    name: str
    children: list[FieldSpec] | None = None
    modifiers: dict[str, str] = field(default_factory=dict)

    def child_names(self) -> list[str]:
        return [c.name for c in self.children or []]


def _parse_error(raw: str) -> GraphError:
    # core-flows.md §7.2: 2500 "Error parsing graph query".
    return GraphError(f"Syntax error in fields: {raw!r}", code=2500)


def parse_fields(raw: str | None) -> list[FieldSpec] | None:
    """Parse a `fields` value. None/empty → None (meaning "defaults")."""
    if raw is None or not raw.strip():
        return None
    specs, pos = _parse_list(raw, 0, top=True)
    if pos != len(raw):
        raise _parse_error(raw)
    return specs


def _parse_list(raw: str, pos: int, *, top: bool) -> tuple[list[FieldSpec], int]:
    specs: list[FieldSpec] = []
    while pos < len(raw):
        while pos < len(raw) and raw[pos] in " \n\t":
            pos += 1
        start = pos
        while pos < len(raw) and raw[pos] not in ",{}().":
            pos += 1
        name = raw[start:pos].strip()
        if not name:
            raise _parse_error(raw)
        spec = FieldSpec(name=name)
        while pos < len(raw) and raw[pos] in "{.":
            if raw[pos] == "{":
                spec.children, pos = _parse_list(raw, pos + 1, top=False)
                if pos >= len(raw) or raw[pos] != "}":
                    raise _parse_error(raw)
                pos += 1
            else:  # .modifier(value)
                pos += 1
                mstart = pos
                while pos < len(raw) and raw[pos] != "(":
                    pos += 1
                mod_name = raw[mstart:pos]
                if pos >= len(raw) or not mod_name:
                    raise _parse_error(raw)
                depth, vstart = 0, pos + 1
                while pos < len(raw):
                    if raw[pos] == "(":
                        depth += 1
                    elif raw[pos] == ")":
                        depth -= 1
                        if depth == 0:
                            break
                    pos += 1
                if pos >= len(raw):
                    raise _parse_error(raw)
                spec.modifiers[mod_name] = raw[vstart:pos]
                pos += 1
        specs.append(spec)
        if pos < len(raw) and raw[pos] == ",":
            pos += 1
            continue
        if pos < len(raw) and raw[pos] == "}" and not top:
            return specs, pos
        if pos < len(raw):
            raise _parse_error(raw)
    if not top:
        raise _parse_error(raw)
    return specs, pos


def modifier_json(spec: FieldSpec, name: str, default: Any = None) -> Any:
    """A modifier's value, decoded when it is JSON (`.time_range({...})`), else the raw text."""
    if name not in spec.modifiers:
        return default
    raw = spec.modifiers[name]
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def render_fields(
    obj: Mapping[str, Any],
    requested: list[FieldSpec] | Iterable[str] | str | None,
    default_fields: Iterable[str] = ("id",),
    *,
    known_fields: Iterable[str] | None = None,
    node_type: str = "Node",
) -> dict[str, Any]:
    """Pick the fields Graph would return for one object.

    - `requested` None → `id` plus `default_fields` (core-flows.md §5.3: every field except `id`
      must be asked for, except documented defaults).
    - `id` is always included when the object has one.
    - Values that are None are omitted (Graph leaves unset fields out).
    - A value that is callable is called with its FieldSpec (for computed fields and embedded
      edges like `insights{impressions}`); a dict value with children specs is filtered by them;
      a list of dicts is filtered item by item.
    - With `known_fields`, asking for anything else → code 100, as Graph does
      ("Tried accessing nonexisting field").
    """
    specs = _as_specs(requested)
    if specs is None:
        specs = [FieldSpec(name) for name in dict.fromkeys(["id", *default_fields])]
    known = set(known_fields) if known_fields is not None else None
    out: dict[str, Any] = {}
    if "id" in obj and obj["id"] is not None:
        out["id"] = obj["id"]
    for spec in specs:
        if known is not None and spec.name not in known and spec.name != "id":
            raise GraphError(
                f"Tried accessing nonexisting field ({spec.name}) on node type ({node_type})",
                code=100,
            )
        if spec.name not in obj:
            continue
        value = obj[spec.name]
        if callable(value):
            value = value(spec)
        if value is None:
            continue
        out[spec.name] = _filter_nested(value, spec)
    return out


def _filter_nested(value: Any, spec: FieldSpec) -> Any:
    if not spec.children:
        return value
    if isinstance(value, Mapping):
        if "data" in value and isinstance(value["data"], list):  # an embedded edge
            filtered = dict(value)
            filtered["data"] = [_filter_nested(v, spec) for v in value["data"]]
            return filtered
        picked: dict[str, Any] = {"id": value["id"]} if "id" in value else {}
        for child in spec.children:
            if child.name in value and value[child.name] is not None:
                picked[child.name] = _filter_nested(value[child.name], child)
        return picked
    if isinstance(value, list):
        return [_filter_nested(v, spec) for v in value]
    return value


def _as_specs(requested: Any) -> list[FieldSpec] | None:
    if requested is None:
        return None
    if isinstance(requested, str):
        return parse_fields(requested)
    items = list(requested)
    if not items:
        return None
    return [i if isinstance(i, FieldSpec) else FieldSpec(str(i)) for i in items]


def format_fields(specs: list[FieldSpec] | None) -> str:
    """The inverse of `parse_fields`: `[FieldSpec("a", [FieldSpec("b")], {"limit": "5"})]` →
    `a.limit(5){b}`."""
    parts = []
    for spec in specs or []:
        text = spec.name + "".join(f".{k}({v})" for k, v in spec.modifiers.items())
        if spec.children:
            text += "{" + format_fields(spec.children) + "}"
        parts.append(text)
    return ",".join(parts)
