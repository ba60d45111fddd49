"""Input is bounded and parsed before it reaches the database: ids, lengths, JSON depth, NUL.

The bound checks walk every form and input serializer of the project (found by class, so a new
form is checked without being listed) and compare each text field with the columns of its app.
"""

from __future__ import annotations

import importlib
import io
import json
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import models
from rest_framework import serializers
from rest_framework.exceptions import ParseError

from agency.api.fields import IdField, IdRelatedField
from agency.api.parsers import SafeJSONParser
from agency.ids import MAX_ID, IdModelChoiceField, IdModelMultipleChoiceField, parse_id
from agency.models import Client
from agency.validation import TEXT_MAX_LENGTH
from tests.factories.agency import ClientFactory


@pytest.mark.parametrize("value, expected", [
    ("1", 1), ("42", 42), (42, 42), (str(MAX_ID), MAX_ID), (MAX_ID, MAX_ID),
    ("0", None), (0, None), ("-1", None), (-1, None), (str(MAX_ID + 1), None), (MAX_ID + 1, None),
    ("9" * 400, None), ("", None), (" 1", None), ("1 ", None), ("+1", None), ("1_000", None),
    ("1.0", None), (1.0, None), ("1e3", None), ("²", None), ("\u0661\u0662", None),
    ("\uff11\uff12", None),
    (True, None), (False, None), (None, None), ([1], None), ({"id": 1}, None), ("0x10", None),
    ("abc", None), ("1\x00", None), (b"12", 12),
])
def test_parse_id_accepts_only_ascii_digits_within_bigint(value, expected):
    assert parse_id(value) == expected


class _IdInput(serializers.Serializer):
    client_id = IdField()


@pytest.mark.parametrize("value", ["²", "\u0661\u0662", 1.5, True, 2**63, 2**64, -1, 0, "1e3",
                                   [], {}, ""])
def test_id_field_refuses_what_is_not_an_id(value):
    data = _IdInput(data={"client_id": value})
    assert not data.is_valid()
    assert "client_id" in data.errors


def test_id_field_takes_json_ints_and_digit_strings():
    for value in (7, "7"):
        data = _IdInput(data={"client_id": value})
        assert data.is_valid(), data.errors
        assert data.validated_data["client_id"] == 7


@pytest.mark.django_db
@pytest.mark.parametrize("value", [str(2**63), str(10**30), "²", "\u0661", "-1", "abc", "1.0"])
def test_model_choice_fields_answer_invalid_choice_for_non_ids(value, agency):
    client = ClientFactory(agency=agency)
    single = IdModelChoiceField(queryset=Client.objects.unscoped().all())
    multiple = IdModelMultipleChoiceField(queryset=Client.objects.unscoped().all())
    with pytest.raises(forms.ValidationError):
        single.clean(value)
    with pytest.raises(forms.ValidationError):
        multiple.clean([str(client.pk), value])
    assert single.clean(str(client.pk)) == client


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["\u0661", "²", 2**63, 10**30, 1.5, True, "1.0", "", [], {}])
def test_id_related_field_refuses_non_ids_without_a_database_error(value, agency):
    client = ClientFactory(agency=agency)

    class Input(serializers.Serializer):
        client = IdRelatedField(queryset=Client.objects.unscoped().all())

    assert not Input(data={"client": value}).is_valid()
    ok = Input(data={"client": str(client.pk)})
    assert ok.is_valid(), ok.errors
    assert ok.validated_data["client"] == client


def _parse(raw: str | bytes):
    stream = io.BytesIO(raw.encode() if isinstance(raw, str) else raw)
    return SafeJSONParser().parse(stream, "application/json", {})


@pytest.mark.parametrize("raw", [
    "[" * 100_000 + "]" * 100_000,  # RecursionError inside json.loads
    "[" * 40 + "]" * 40,  # deeper than the limit, shallow enough for json
    '{"a":' * 40 + "1" + "}" * 40,
    '{"name": "a\\u0000b"}', '{"a\\u0000": 1}', '["\\u0000"]',
    '{"name": "a\\ud800b"}', '{"\\udfff": 1}',
])
def test_safe_json_parser_refuses_deep_nesting_and_nul(raw):
    with pytest.raises(ParseError):
        _parse(raw)


def test_safe_json_parser_keeps_ordinary_documents():
    document = {"assignments": [{"account_id": "1", "client_id": 2}], "name": "Café ☕"}
    assert _parse(json.dumps(document)) == document


def test_safe_json_parser_is_the_api_default():
    assert settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"][0] == \
        "agency.api.parsers.SafeJSONParser"


# --- every text field is bounded, and no longer than its column ---------------------------------

def _project_configs():
    root = Path(settings.BASE_DIR).resolve()
    return [c for c in apps.get_app_configs()
            if Path(c.path).resolve().is_relative_to(root) and "site-packages" not in c.path]


def _import_project_modules() -> None:
    for config in _project_configs():
        for module in pkgutil.walk_packages([config.path], prefix=f"{config.name}."):
            # Where forms and serializers live (a package of them counts too).
            parts = module.name.split(".")[1:]
            if any(p.startswith(("forms", "api", "views", "serializers")) for p in parts):
                importlib.import_module(module.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ours(cls) -> bool:
    return cls.__module__.split(".")[0] in {c.name.split(".")[0] for c in _project_configs()}


def _columns(owner) -> dict[str, int]:
    """Text column name -> max_length: of the model a ModelForm/ModelSerializer names, else the
    largest among the models of the owner's app (a plain form does not say which it writes; the
    bad-input suite proves the exact bound by posting over-long values on PostgreSQL)."""
    model = getattr(getattr(owner, "Meta", None), "model", None)
    if model is not None:
        candidates = [model]
    else:
        candidates = apps.get_app_config(owner.__module__.split(".")[0]).get_models()
    found: dict[str, int] = {}
    for model in candidates:
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField) and field.max_length:
                found[field.name] = max(found.get(field.name, 0), field.max_length)
            elif isinstance(field, models.TextField):
                found.setdefault(field.name, TEXT_MAX_LENGTH)
    return found


def _text_fields():
    """(owner class, field name, max_length, stored as typed?) of every text input field."""
    _import_project_modules()
    for form in {c for c in _subclasses(forms.BaseForm) if _ours(c)}:
        try:  # the fields as __init__ leaves them (AuthenticationForm sets max_length there)
            fields = form().fields
        except (TypeError, ValueError):  # needs arguments (the membership...): as declared
            fields = form.base_fields
        for name, field in fields.items():
            if isinstance(field, forms.CharField):
                # Passwords are stored hashed: bounded, but not by a column of their name.
                hashed = isinstance(field.widget, forms.PasswordInput)
                yield form, name, field.max_length, not hashed
    for serializer in {c for c in _subclasses(serializers.Serializer) if _ours(c)}:
        if "Input" not in serializer.__qualname__:
            continue  # output serializers read our rows; they take no input
        for name, field in serializer._declared_fields.items():
            if isinstance(field, serializers.CharField) and not field.read_only:
                yield serializer, name, field.max_length, True


def test_every_form_and_input_serializer_text_field_is_bounded_by_its_column():
    unbounded, too_long, checked = [], [], 0
    for owner, name, max_length, stored in _text_fields():
        checked += 1
        where = f"{owner.__module__}.{owner.__qualname__}.{name}"
        if max_length is None:
            unbounded.append(where)
            continue
        column = _columns(owner).get(name) if stored else None
        if column is not None and max_length > column:
            too_long.append(f"{where} allows {max_length}, the column holds {column}")
    assert checked >= 10, "the walk found too few form fields: is it broken?"
    assert not unbounded, f"Text fields without max_length (bound them by the model): {unbounded}"
    assert not too_long, f"Text fields longer than their column: {too_long}"


def test_every_id_field_of_a_form_or_input_serializer_parses_with_parse_id():
    """Ids in forms and bodies go through agency.ids.parse_id: IdModelChoiceField,
    IdModelMultipleChoiceField, IdField, IdRelatedField (never int() on a raw value)."""
    _import_project_modules()
    loose = []
    for form in {c for c in _subclasses(forms.BaseForm) if _ours(c)}:
        try:
            fields = form().fields
        except (TypeError, ValueError):
            fields = form.base_fields
        for name, field in fields.items():
            if isinstance(field, forms.ModelChoiceField) and not field.to_field_name and \
                    not isinstance(field, IdModelChoiceField | IdModelMultipleChoiceField):
                loose.append(f"{form.__module__}.{form.__qualname__}.{name}")
    for serializer in {c for c in _subclasses(serializers.Serializer) if _ours(c)}:
        if "Input" not in serializer.__qualname__:
            continue
        for name, field in serializer._declared_fields.items():
            if isinstance(field, serializers.PrimaryKeyRelatedField | serializers.ManyRelatedField):
                child = getattr(field, "child_relation", field)
                if not isinstance(child, IdRelatedField):
                    loose.append(f"{serializer.__module__}.{serializer.__qualname__}.{name}")
            elif (name == "id" or name.endswith("_id")) and isinstance(
                    field, serializers.IntegerField) and not isinstance(field, IdField):
                loose.append(f"{serializer.__module__}.{serializer.__qualname__}.{name}")
    assert not loose, f"Id fields not parsed by agency.ids.parse_id: {loose}"


def test_no_view_parses_an_id_by_hand():
    """`int(request.POST[...])` raises on "abc" (a 500) and takes "١٢" and 2**64; `.isdigit()`
    says yes to "²", which int() refuses. Ids from requests go through agency.ids.parse_id."""
    import re

    pattern = re.compile(r"int\(\s*(self\.)?request\.|\.isdigit\(\)|\.isnumeric\(\)")
    offenders = []
    for config in _project_configs():
        for path in Path(config.path).rglob("*.py"):
            if "migrations" in path.parts or path.name == "ids.py":
                continue  # agency/ids.py is the one place that does it
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: "
                                     f"{line.strip()}")
    assert not offenders, f"Parse ids with agency.ids.parse_id: {offenders}"
