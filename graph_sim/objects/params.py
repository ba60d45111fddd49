"""Decoding Graph request parameters: JSON inside form fields, integers, enums, datetimes.

Graph clients send every parameter as a string (query string, form field or multipart part);
structured values (`targeting`, `creative`, `special_ad_categories`...) are JSON strings, and the
reference's curl examples even quote scalars (`-F 'status="PAUSED"'`), which Graph decodes as a
JSON string. Values that are already decoded (a batch body, an internal call) pass through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from graph_sim.errors import GraphError, invalid_parameter

MISSING = object()


def decode_json(raw: Any, name: str) -> Any:
    """A JSON-valued parameter (`targeting={"geo_locations":...}`) as Python data."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise invalid_parameter(
            f"Param {name} must be a valid JSON object or array",
            user_title="Invalid JSON",
            user_msg=f"The value of {name} could not be parsed as JSON.",
        ) from None


def scalar(raw: Any) -> Any:
    """A scalar as Graph reads it: `"PAUSED"` (with the quotes) is the string PAUSED."""
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
            try:
                return json.loads(text)
            except ValueError:
                return raw
    return raw


def string(params: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    raw = params.get(name, MISSING)
    if raw is MISSING or raw is None:
        if required:
            raise GraphError(f"The parameter {name} is required", code=100)
        return None
    value = scalar(raw)
    if not isinstance(value, str):
        value = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    return value


def integer(raw: Any, name: str, *, minimum: int | None = 0) -> int:
    """An int64 parameter such as a budget in minor units; `10.5` or `ten` → error 100."""
    value = scalar(raw)
    if isinstance(value, bool):
        value = None
    elif (isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value)) or (
        isinstance(value, float) and value.is_integer()
    ):
        value = int(value)
    if not isinstance(value, int):
        raise invalid_parameter(
            f"Param {name} must be an integer",
            user_title="Invalid Value",
            user_msg=f"{name} must be a whole number (budgets are in the currency's minor units).",
            error_data={"blame_field_specs": [[name]]},
        )
    if minimum is not None and value < minimum:
        raise invalid_parameter(
            f"Param {name} must be a non-negative integer",
            error_data={"blame_field_specs": [[name]]},
        )
    return value


def boolean(raw: Any, name: str) -> bool:
    value = scalar(raw)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true"}:
        return True
    if text in {"0", "false", ""}:
        return False
    raise invalid_parameter(f"Param {name} must be a boolean")


def enum(raw: Any, allowed: Iterable[str], name: str) -> str:
    value = scalar(raw)
    allowed = sorted(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise invalid_parameter(
            f"Param {name} must be one of {{{', '.join(allowed)}}}",
            user_title="Invalid Value",
            user_msg=f"{value!r} is not a valid value for {name}.",
            error_data={"blame_field_specs": [[name]]},
        )
    return value


def string_list(raw: Any, name: str) -> list[str]:
    """A list parameter: a JSON array (`["ACTIVE","PAUSED"]`) or a comma-separated string."""
    value = scalar(raw)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            value = decode_json(text, name)
        elif text == "":
            value = []
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid_parameter(f"Param {name} must be an array of strings")
    return value


def enum_list(raw: Any, allowed: Iterable[str], name: str) -> list[str]:
    values = string_list(raw, name)
    allowed = frozenset(allowed)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise invalid_parameter(
            f"Param {name}[{values.index(bad[0])}] must be one of {{{', '.join(sorted(allowed))}}}",
            error_data={"blame_field_specs": [[name]]},
        )
    return values


# Time-zone abbreviations the reference's datetime examples use ("2015-03-12 23:59:59 PDT").
_TZ_ABBREVIATIONS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "PST": -8,
    "PDT": -7,
    "MST": -7,
    "MDT": -6,
    "CST": -6,
    "CDT": -5,
    "EST": -5,
    "EDT": -4,
    "CET": 1,
    "CEST": 2,
    "BST": 1,
}
_DATETIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?$"
)


def timestamp(raw: Any, name: str, tz_name: str | None = None) -> float | None:
    """A datetime parameter as Unix seconds; `0` (an ongoing end_time) → None.

    Accepts the reference's formats: ISO 8601 with or without `T` and an offset (`-0800`,
    `-07:00`, `Z`), a zone abbreviation (`PDT`), or a UTC Unix timestamp. Without an offset the
    time is read in `tz_name` (the ad account's zone, as Graph does), else UTC.
    """
    value = scalar(raw)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None if value == 0 else float(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            number = float(text)
            return None if number == 0 else number
        match = _DATETIME.match(text)
        if match:
            time_part = match.group("time") or "00:00:00"
            if time_part.count(":") == 1:
                time_part += ":00"
            parsed = datetime.fromisoformat(f"{match.group('date')}T{time_part}")
            if match.group("tz") is None:
                zone = _zone(tz_name) if tz_name else None
                return parsed.replace(tzinfo=zone or UTC).timestamp()
            tz_text = match.group("tz")
            offset: timedelta | None
            if tz_text.upper() in _TZ_ABBREVIATIONS:
                offset = timedelta(hours=_TZ_ABBREVIATIONS[tz_text.upper()])
            elif tz_text[0] in "+-":
                digits = tz_text[1:].replace(":", "")
                offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
                if tz_text[0] == "-":
                    offset = -offset
            else:
                offset = None
            if offset is not None:
                return parsed.replace(tzinfo=timezone(offset)).timestamp()
    raise invalid_parameter(
        f"Param {name} must be a valid datetime",
        user_title="Invalid Date",
        user_msg=f"{value!r} is not a date and time Graph understands.",
        error_data={"blame_field_specs": [[name]]},
    )


def iso(ts: float | None, tz_name: str | None = None) -> str | None:
    """Graph's datetime output format, in the ad account's time zone when given:
    `2026-05-31T17:00:00-0700`; UTC (`+0000`) otherwise."""
    if ts is None:
        return None
    zone = _zone(tz_name) if tz_name else None
    return datetime.fromtimestamp(ts, tz=zone or UTC).strftime("%Y-%m-%dT%H:%M:%S%z")


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
