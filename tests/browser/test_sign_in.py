"""Browser: the demo owner signs in and sees the agency's clients."""

from __future__ import annotations

import pytest

from agency.demo import DEMO_PASSWORD, demo_seed
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_owner_signs_in_and_sees_the_agency_clients(live_server, page):
    demo_seed()
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill("demo@adwright.local")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/clients/")
    clients = page.get_by_test_id("client-list")
    for name in ("Northwind Outfitters", "Bluebird Coffee", "Helios Solar"):
        assert clients.get_by_text(name).is_visible()
    assert page.get_by_test_id("current-agency").inner_text() == "Demo Agency"
    assert page.get_by_test_id("current-role").inner_text() == "Owner"
    screenshot(page, "clients")


def test_client_login_sees_only_its_reports(live_server, page):
    demo_seed()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("client@northwind.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/reports/")
    assert page.get_by_test_id("report-clients").inner_text().strip() == "Northwind Outfitters"
    assert page.get_by_role("link", name="Clients").count() == 0
