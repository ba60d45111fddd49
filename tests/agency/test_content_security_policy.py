"""The Content-Security-Policy: on every page, with no inline script or style allowed, and no
template that would need one (JavaScript lives in static/js/*.js, wired by data- attributes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]


def _directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def _assert_strict(response) -> None:
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in v or "nonce" in v for values in policy.values() for v in values)


@pytest.mark.django_db
def test_sign_in_page_carries_a_strict_content_security_policy(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    _assert_strict(response)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "agency:client-list", "accounts:connection-list",
                                  "accounts:team", "accounts:onboarding-link-create"])
def test_agency_pages_carry_a_strict_content_security_policy(owner_client, client_a, name):
    response = owner_client.get(reverse(name), follow=True)
    assert response.status_code == 200
    _assert_strict(response)


def _template_files() -> list[Path]:
    files = [p for d in TEMPLATE_DIRS if d.is_dir() for p in d.rglob("*.html")]
    assert len(files) > 20, "the scan found the templates"
    return files


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


@pytest.mark.parametrize(("what", "pattern"), [
    ("inline <script>", INLINE_SCRIPT),
    ("inline event handler (on*=)", EVENT_HANDLER),
    ("style= attribute", STYLE_ATTRIBUTE),
    ("<style> element", STYLE_ELEMENT),
    ("javascript: URL", JAVASCRIPT_URL),
])
def test_no_template_relies_on_inline_code_the_policy_refuses(what, pattern):
    offenders = [
        f"{path.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}"
        for path in _template_files()
        for text in [path.read_text()]
        for m in pattern.finditer(text)
    ]
    assert not offenders, f"{what} in {offenders}: move it to static/js or static/css"


def test_every_script_a_template_loads_is_a_static_file():
    sources = {m.group(1) for path in _template_files()
               for m in re.finditer(r"<script[^>]*\bsrc=\"\{% static '([^']+)' %\}\"",
                                    path.read_text())}
    assert "js/adwright.js" in sources
    for source in sources:
        assert (ROOT / "static" / source).is_file(), source
