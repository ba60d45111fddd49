"""Browser: the client viewer signs in and sees its dashboard with a chart; staff see the
ad account dashboard with the refresh control (screenshots for the README)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from agency.demo import DEMO_PASSWORD, demo_seed
from agency.models import Agency
from reporting.demo import demo_insights_seed
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS = Path(__file__).resolve().parents[2] / "docs"
# ADWRIGHT_SCREENSHOTS=1 also refreshes the README's screenshots in docs/ (else only
# test-artifacts/ is written, so a test run leaves the checkout clean).
UPDATE_DOCS = os.environ.get("ADWRIGHT_SCREENSHOTS") == "1"


def _sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def demo_with_insights():
    demo_seed()
    agency = Agency.objects.get(slug="demo-agency")
    rows = demo_insights_seed(agency=agency, days=60, clients=("Northwind Outfitters",))
    assert rows > 0
    return agency


def test_client_viewer_sees_its_dashboard_with_a_chart(live_server, page, demo_with_insights):
    _sign_in(page, live_server, "client@northwind.example")
    page.wait_for_url(f"{live_server.url}/reports/")
    page.get_by_test_id("report-clients").get_by_role("link", name="Northwind Outfitters").click()
    page.wait_for_selector("canvas[data-chart='series'][data-drawn='1']")
    assert page.get_by_test_id("report-title").inner_text() == "Northwind Outfitters"
    assert page.get_by_test_id("portal-brand").get_by_text("Demo Agency").first.is_visible()
    assert page.get_by_test_id("kpi-spend").inner_text().endswith("USD")
    assert page.get_by_test_id("refresh-now").count() == 0
    assert page.get_by_role("link", name="Clients").count() == 0
    assert page.get_by_text("Bluebird Coffee").count() == 0
    page.wait_for_selector("canvas[data-chart='breakdown'][data-drawn='1']")
    shot = screenshot(page, "portal")
    if UPDATE_DOCS:
        shutil.copy(shot, DOCS / "screenshot-portal.png")


def test_staff_see_the_ad_account_dashboard_with_refresh(live_server, page,
                                                          demo_with_insights):
    _sign_in(page, live_server, "demo@adwright.local")
    page.wait_for_url(f"{live_server.url}/clients/")
    page.goto(f"{live_server.url}/reports/")
    page.get_by_test_id("overview").get_by_role("link", name="Northwind Outfitters").click()
    page.get_by_test_id("table-account").locator("tbody a").first.click()
    page.wait_for_url("**/reports/accounts/**")
    page.wait_for_selector("canvas[data-chart='series'][data-drawn='1']")
    page.wait_for_selector("canvas[data-chart='breakdown'][data-drawn='1']")
    assert page.get_by_test_id("refresh-now").is_visible()
    assert "Up to date" in page.get_by_test_id("refresh-state").inner_text()
    shot = screenshot(page, "dashboard")
    if UPDATE_DOCS:
        shutil.copy(shot, DOCS / "screenshot-dashboard.png")
