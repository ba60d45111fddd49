"""Serializer fields for untrusted ids: parsed by `agency.ids.parse_id`, like forms and URLs."""

from __future__ import annotations

from rest_framework import serializers

from agency.ids import MAX_ID, parse_id


class IdField(serializers.IntegerField):
    """An object id: a JSON integer (or a string of ASCII digits) in 1..2**63-1. Floats, booleans,
    Unicode digits and out-of-range numbers are a 400, never a database error."""

    default_error_messages = {"invalid": "Not a valid id."}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        parsed = parse_id(data)
        if parsed is None:
            self.fail("invalid")
        return parsed
