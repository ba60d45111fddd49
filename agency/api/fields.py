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


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """PrimaryKeyRelatedField whose value is parsed by `parse_id` first: "١٢" is not 12, and an id
    beyond bigint is "does not exist" without asking the database. Give it the tenant-scoped
    queryset (an access function's), so another agency's id is "does not exist" too."""

    def to_internal_value(self, data):
        if self.pk_field is None and parse_id(data) is None:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(parse_id(data) if self.pk_field is None else data)
