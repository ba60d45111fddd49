"""The API's JSON parser: hostile bodies are a 400, never a 500.

DRF's own parser lets a deeply nested document reach `json.loads`, whose RecursionError is a 500;
NUL characters would reach PostgreSQL, which refuses them in text.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

DEFAULT_MAX_DEPTH = 32


def _check(document, *, max_depth: int) -> None:
    """Walk without recursion: depth within the limit, no NUL in any key or string."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError("JSON strings must not contain NUL characters (\\u0000).")
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > max_depth:
            raise ParseError(f"JSON nested deeper than {max_depth} levels.")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(key, str) and "\x00" in key:
                raise ParseError("JSON keys must not contain NUL characters (\\u0000).")
            stack.append((item, depth + 1))


class SafeJSONParser(JSONParser):
    """JSONParser with a depth limit (API_JSON_MAX_DEPTH) and no NUL characters."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON nested too deeply.") from None
        _check(document, max_depth=getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH))
        return document
