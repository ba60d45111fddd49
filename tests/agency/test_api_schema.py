"""The OpenAPI schema and docs: behind login, OPTIONS answered, generated without warnings, and
each endpoint's own request and response bodies are components of their own."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.views import APIView

from agency.api.schema import component_name_for


@pytest.mark.django_db
def test_schema_is_refused_to_a_signed_out_visitor(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "message" in body
    assert "/api/v1/" not in body and "paths" not in body


@pytest.mark.django_db
def test_docs_send_a_signed_out_visitor_to_sign_in(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["api:schema", "api:docs"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_options_on_schema_and_docs_is_answered_not_a_500(client, owner, name, signed_in):
    if signed_in:
        client.force_login(owner.user)
    response = client.options(reverse(name))
    assert response.status_code in {200, 204, 302, 403}
    if signed_in:
        assert response.status_code in {200, 204}


@pytest.mark.django_db
def test_docs_page_loads_its_script_as_a_file_not_inline(client, owner):
    client.force_login(owner.user)
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline <script>"
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_schema_generates_without_any_warning(tmp_path):
    out = tmp_path / "schema.json"
    # --fail-on-warn exits non-zero on any warning or error, --validate checks it against OpenAPI.
    call_command("spectacular", "--fail-on-warn", "--validate", "--format", "openapi-json",
                 "--file", str(out))
    assert json.loads(out.read_text())["paths"]


def _api_views(patterns=None):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _api_views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            cls = getattr(entry.callback, "cls", None)
            if cls is not None and issubclass(cls, APIView):
                yield cls


def test_no_two_views_share_a_component_name_for_their_own_serializers():
    owners: dict[str, type] = {}
    for view in set(_api_views()):
        for attr in vars(view).values():
            if isinstance(attr, type) and issubclass(attr, serializers.BaseSerializer):
                name = component_name_for(attr)
                assert name, f"{view.__name__}.{attr.__name__} is named after its view"
                assert owners.setdefault(name, attr) is attr, (
                    f"{name}: {owners[name].__qualname__} and {attr.__qualname__}")
    assert {"ClientListInput", "SystemUserTokenInput", "MeOutput", "MemberListOutput"} <= set(
        owners)


def _ref_name(body: dict | None) -> str | None:
    refs = re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(body or {}))
    return refs[0] if refs else None


def test_each_request_body_is_the_component_of_its_own_view():
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    generator._initialise_endpoints()
    seen: dict[str, str] = {}
    for path, _regex, method, view in generator.endpoints:
        operation = schema["paths"].get(path, {}).get(method.lower())
        if operation is None:
            continue  # excluded from the schema (the docs page itself)
        name = _ref_name(operation.get("requestBody"))
        if name is None:
            continue
        own = getattr(type(view), "InputSerializer", None)
        if own is not None:
            assert name == component_name_for(own), (path, method, name)
        owner = type(view).__name__
        assert seen.setdefault(name, owner) == owner, (
            f"{name} is the request body of {seen[name]} and {owner}")
    assert len(seen) >= 3, "the API has several request bodies, each its own"
