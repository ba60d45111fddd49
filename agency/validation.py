"""Input bounds taken from the models, so that forms and serializers refuse what a column cannot
hold before the database does (PostgreSQL raises on an over-long value; that would be a 500)."""

from __future__ import annotations

from django.db import models

# A sane bound for free text stored in a TextField (notes, descriptions): a page of text.
TEXT_MAX_LENGTH = 10_000


def model_max_length(model: type[models.Model], field_name: str) -> int:
    """The column's max_length (TEXT_MAX_LENGTH for a TextField)."""
    field = model._meta.get_field(field_name)
    return getattr(field, "max_length", None) or TEXT_MAX_LENGTH
