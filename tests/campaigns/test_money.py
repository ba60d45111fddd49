"""Money in the account currency: the right number of decimals in the builder and live tree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from campaigns.models import AdSet, Campaign
from campaigns.money import exponent, format_money, from_minor, to_minor
from campaigns.services.sync import ad_account_sync
from tests.conftest import login


@pytest.mark.parametrize(("currency", "minor", "shown"), [
    ("USD", 123456, "1,234.56 USD"), ("EUR", 5, "0.05 EUR"), ("JPY", 1200, "1,200 JPY"),
    ("KRW", 50000, "50,000 KRW"), ("usd", 100, "1.00 USD"), ("HUF", 999, "999 HUF"),
])
def test_money_uses_the_currency_exponent(currency, minor, shown):
    assert format_money(minor, currency) == shown


def test_money_round_trips_and_refuses_junk():
    assert exponent("JPY") == 0 and exponent("USD") == 2
    assert to_minor("12.345", "USD") == 1235 and to_minor("12.6", "JPY") == 13
    assert from_minor(1250, "USD") == Decimal("12.50") and from_minor(1250, "JPY") == 1250
    for junk in ("", None, "abc", "NaN", "Infinity"):
        assert to_minor(junk, "USD") is None
    assert format_money(None, "USD") == "—"


def test_money_filter_in_templates():
    template = Template("{% load campaign_money %}{{ a|money:'JPY' }}|{{ b|money:'USD' }}|"
                        "{{ b|money_amount:'USD' }}|{{ n|money:'USD' }}")
    out = template.render(Context({"a": 5000, "b": 123456, "n": None}))
    assert out == "5,000 JPY|1,234.56 USD|1234.56|—"


@pytest.mark.django_db
def test_live_tree_shows_budgets_in_the_account_currency(client, scoped, graph, sim_account,
                                                         demo, manager):
    ad_account_sync(ad_account=sim_account)
    adset = AdSet.objects.get(graph_id=demo["active_adset_id"])
    AdSet.objects.filter(pk=adset.pk).update(daily_budget_minor=2550, lifetime_budget_minor=None)
    Campaign.objects.filter(pk=adset.campaign_id).update(spend_cap_minor=1000000)
    login(client, manager)
    body = client.get(reverse("campaigns:account", args=[sim_account.pk])).content.decode()
    assert "25.50 USD /day" in body and "cap 10,000.00 USD" in body

    # The same minor units on a yen account are whole yen.
    type(sim_account).objects.filter(pk=sim_account.pk).update(currency="JPY")
    body = client.get(reverse("campaigns:account", args=[sim_account.pk])).content.decode()
    assert "2,550 JPY /day" in body


@pytest.mark.django_db
def test_builder_money_inputs_say_the_currency_and_step(client, scoped, sim_account, manager):
    from campaigns.services.drafts import campaign_draft_create

    type(sim_account).objects.filter(pk=sim_account.pk).update(currency="JPY")
    sim_account.refresh_from_db()
    draft = campaign_draft_create(ad_account=sim_account, actor=manager.user, name="Yen")
    login(client, manager)
    body = client.get(reverse("campaigns:builder", args=[draft.pk])).content.decode()
    assert "Campaign budget (JPY)" in body and 'step="1"' in body
    review = client.get(reverse("campaigns:builder", args=[draft.pk]) + "?step=review",
                        HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="review-budget"' in review and "JPY a day" in review
