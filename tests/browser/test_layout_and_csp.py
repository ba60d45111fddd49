"""Browser: long names do not push pages wider than the screen, and no page breaks the
Content-Security-Policy (no inline script or style refused in the console)."""

from __future__ import annotations

import pytest

from agency.demo import DEMO_PASSWORD, demo_seed
from agency.models import Agency, Client
from tests.browser.conftest import screenshot

# serialized_rollback: the flush after this test must not lose migration data (Celery beat
# schedules) that later tests in the same process read.
pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LONG = "Northwind" + "Outfitters" * 18  # one unbroken word of 189 characters


def _sign_in(page, url):
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email").fill("demo@adwright.local")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/clients/")


def test_long_names_wrap_and_no_page_breaks_the_content_security_policy(live_server, page):
    demo_seed()
    agency = Agency.objects.get(slug="demo-agency")
    Agency.objects.filter(pk=agency.pk).update(name="Agency" + "Name" * 30)
    client = Client.objects.unscoped().create(agency=agency, name=LONG, website="",
                                              notes="Notes" * 80)
    refused = []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.set_viewport_size({"width": 800, "height": 900})
    _sign_in(page, live_server.url)
    for path in ("/clients/", f"/clients/{client.pk}/", "/accounts/connections/",
                 "/accounts/team/", "/reports/", "/accounts/connections/onboarding-links/",
                 "/api/docs/"):
        page.goto(f"{live_server.url}{path}")
        too_wide = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert too_wide <= 1, f"{path} is {too_wide}px wider than the window"
    screenshot(page, "long-names")
    assert refused == []
