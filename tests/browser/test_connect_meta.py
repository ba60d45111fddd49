"""Browser: the demo owner connects Meta in the simulator's dialog and imports an ad account."""

from __future__ import annotations

import pytest

from agency.demo import DEMO_PASSWORD, demo_seed
from campaigns.models import AdAccount
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("demo@adwright.local")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/clients/")


def test_owner_connects_meta_and_imports_an_ad_account(live_server, graph, page):
    demo_seed()
    _sign_in(page, live_server.url)
    page.get_by_role("link", name="Connections").click()
    page.get_by_test_id("connect-meta").click()

    # Meta's consent page (served by the simulator): every permission ticked, then Continue.
    page.wait_for_url(f"{graph.base_url}/**/dialog/oauth**")
    assert page.locator("input[type=checkbox]").count() == 3
    screenshot(page, "meta-consent")
    page.locator("#approve").click()

    page.wait_for_url(f"{live_server.url}/accounts/connections/*/import/")
    rows = page.get_by_test_id("reachable-accounts").locator("tbody tr")
    assert rows.count() >= 3
    first = rows.first
    account_id = first.get_attribute("data-account")
    first.locator("input[type=checkbox]").check()
    first.locator("select").select_option(label="Northwind Outfitters")
    screenshot(page, "import-ad-accounts")
    page.get_by_role("button", name="Import selected").click()

    page.wait_for_url(f"{live_server.url}/accounts/connections/*/")
    assert page.get_by_text("Imported 1 ad account(s).").is_visible()
    assert page.get_by_test_id("connection-status").inner_text() == "Active"
    imported = AdAccount.objects.unscoped().get()
    assert imported.account_id == account_id
    assert imported.client.name == "Northwind Outfitters"
    screenshot(page, "connection-detail")


def test_declining_the_dialog_connects_nothing(live_server, graph, page):
    demo_seed()
    _sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/accounts/connections/")
    page.get_by_test_id("connect-meta").click()
    page.wait_for_url(f"{graph.base_url}/**/dialog/oauth**")
    page.locator("#decline").click()
    page.wait_for_url(f"{live_server.url}/accounts/connections/")
    assert page.get_by_text("you declined the dialog").is_visible()
