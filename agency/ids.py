"""Parsing object ids from untrusted input: one helper, used by every form, view and API field.

An id is a positive integer written in ASCII digits that fits PostgreSQL's bigint. Anything else
(letters, signs, spaces, Unicode digits such as "²" or "١٢", floats, booleans, 2**63) is not an
id: the caller answers 400 or 404, never 500, and never looks it up.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

MAX_ID = 2**63 - 1  # PostgreSQL bigint, Django's BigAutoField
_MAX_DIGITS = len(str(MAX_ID))


def parse_id(value: object) -> int | None:
    """The id `value` names, or None when it is not a valid id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str | bytes):
        text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
        if not text or len(text) > _MAX_DIGITS or not (text.isascii() and text.isdigit()):
            return None
        number = int(text)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


class IdChoiceMixin:
    """ModelChoiceField and friends: a value that is not an id is "not one of the choices"."""

    def _id_or_invalid(self, value):
        if value in self.empty_values:
            return value
        if self.to_field_name:
            return value
        parsed = parse_id(value)
        if parsed is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": str(value)[:40]})
        return parsed


class IdModelChoiceField(IdChoiceMixin, forms.ModelChoiceField):
    def to_python(self, value):
        return super().to_python(self._id_or_invalid(value))


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        try:
            value = frozenset(value)
        except TypeError:
            raise ValidationError(self.error_messages["invalid_list"],
                                  code="invalid_list") from None
        for item in value:
            if parse_id(item) is None and not self.to_field_name:
                raise ValidationError(self.error_messages["invalid_pk_value"],
                                      code="invalid_pk_value", params={"pk": str(item)[:40]})
        return super()._check_values(value)
