"""Editing live objects from the live tree and the API: every field Graph lets us change, through
the builder's rules, sent to Graph (the simulator), versioned and audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from agency.models import AuditEvent
from campaigns.models import Ad, AdCreative, AdSet, Campaign, ObjectVersion
from campaigns.services.sync import ad_account_sync
from tests.campaigns.conftest import graph_calls
from tests.conftest import login

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _on_graph(behind, graph_id, fields):
    response = behind.http.get(f"/{graph_id}", params={"fields": fields})
    assert response.status_code == 200, response.text
    return response.json()


def _post_form(client, url, **data):
    return client.post(url, {k: v for k, v in data.items() if v is not None})


@pytest.fixture
def live(scoped, graph, sim_account):
    ad_account_sync(ad_account=sim_account)
    return sim_account


def test_live_adset_edit_changes_goal_schedule_and_audience_on_graph(client, manager, live, demo,
                                                                     behind):
    adset = AdSet.objects.get(graph_id=demo["active_adset_id"])
    login(client, manager)
    url = reverse("campaigns:adset-live-edit", args=[adset.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="form-live-edit"' in page.content
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    goals = [g for g, _ in form.fields["optimization_goal"].choices if g != adset.optimization_goal]
    data.update({"name": "Edited set", "optimization_goal": goals[0], "age_min": "30",
                 "age_max": "50", "countries": "US, CA", "end_time": "2030-01-31T23:00",
                 "billing_event": "IMPRESSIONS"})
    response = _post_form(client, url, **data)
    assert response.status_code == 302, response.context["general"]
    on_graph = _on_graph(behind, adset.graph_id, "name,optimization_goal,targeting,end_time")
    assert on_graph["name"] == "Edited set" and on_graph["optimization_goal"] == goals[0]
    assert on_graph["targeting"]["age_min"] == 30
    assert on_graph["targeting"]["geo_locations"]["countries"] == ["US", "CA"]
    assert on_graph["end_time"].startswith("2030-01-31")
    version = ObjectVersion.objects.filter(object_kind="adset", object_id=adset.pk).first()
    assert version.actor == manager.user and "optimization_goal" in version.diff
    assert AuditEvent.objects.filter(verb="adset.live_update").exists()


def test_live_campaign_budget_bid_strategy_and_spend_cap(client, manager, live, behind, demo):
    made = behind.post(f"{live.act_id}/campaigns", name="CBO", objective="OUTCOME_TRAFFIC",
                       special_ad_categories=[], daily_budget=5000, status="PAUSED",
                       bid_strategy="LOWEST_COST_WITHOUT_CAP")
    ad_account_sync(ad_account=live)
    campaign = Campaign.objects.get(graph_id=made["id"])
    login(client, manager)
    url = reverse("campaigns:campaign-live-edit", args=[campaign.pk])
    form = client.get(url).context["form"]
    assert form["budget"].value() == Decimal("50.00") and form["bid_strategy"].value() == ""
    data = {name: form[name].value() for name in form.fields}
    data.update({"budget": "60.00", "spend_cap": "250.00", "bid_strategy": "COST_CAP"})
    response = _post_form(client, url, **data)
    assert response.status_code == 302
    on_graph = _on_graph(behind, campaign.graph_id, "daily_budget,spend_cap,bid_strategy")
    assert int(on_graph["daily_budget"]) == 6000 and int(on_graph["spend_cap"]) == 25000
    assert on_graph["bid_strategy"] == "COST_CAP"
    campaign.refresh_from_db()
    assert campaign.spend_cap_minor == 25000 and campaign.bid_strategy == "COST_CAP"
    # The live tree shows the new figures in the account currency.
    tree = client.get(reverse("campaigns:account", args=[live.pk])).content.decode()
    assert "60.00 USD /day" in tree and "cap 250.00 USD" in tree


def test_live_edit_refused_by_the_rules_shows_on_the_field_and_sends_nothing(client, manager,
                                                                             live, demo, graph):
    adset = AdSet.objects.get(graph_id=demo["active_adset_id"])
    login(client, manager)
    url = reverse("campaigns:adset-live-edit", args=[adset.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update({"age_min": "70"})
    graph.sim.calls.clear()
    response = _post_form(client, url, **data)
    assert response.status_code == 200
    assert b'data-testid="error-age_min"' in response.content
    assert not graph_calls(graph, method="POST")


def test_live_ad_gets_another_creative_and_is_paused(client, manager, live, demo, behind):
    ad = Ad.objects.get(graph_id=demo["active_ad_id"])
    other = AdCreative.objects.exclude(graph_id="").exclude(pk=ad.creative_id).first()
    login(client, manager)
    url = reverse("campaigns:ad-live-edit", args=[ad.pk])
    response = _post_form(client, url, name="Swapped", creative=str(other.pk), status="PAUSED")
    assert response.status_code == 302
    on_graph = _on_graph(behind, ad.graph_id, "name,creative,status")
    assert on_graph["creative"]["id"] == other.graph_id and on_graph["status"] == "PAUSED"
    ad.refresh_from_db()
    assert ad.creative_id == other.pk and ad.status == "PAUSED" and ad.name == "Swapped"


def test_a_draft_creative_cannot_be_swapped_in(scoped, live, demo, manager):
    from campaigns.services.drafts import campaign_draft_create
    from campaigns.services.manage import LiveEditError, live_update

    ad = Ad.objects.get(graph_id=demo["active_ad_id"])
    draft = campaign_draft_create(ad_account=live, actor=manager.user, name="D")
    with pytest.raises(LiveEditError) as caught:
        live_update(obj=ad, actor=manager.user,
                    changes={"creative": AdCreative.objects.get(campaign=draft)})
    assert "publish it first" in caught.value.extra["errors"]["creative"]


def test_live_creative_name_only(client, manager, live, demo, behind):
    creative = AdCreative.objects.get(graph_id=demo["creative_id"])
    login(client, manager)
    url = reverse("campaigns:creative-live-edit", args=[creative.pk])
    assert _post_form(client, url, name="Renamed creative").status_code == 302
    assert _on_graph(behind, creative.graph_id, "name")["name"] == "Renamed creative"


def test_analyst_reads_the_live_edit_page_but_cannot_send(client, analyst, live, demo):
    adset = AdSet.objects.get(graph_id=demo["active_adset_id"])
    login(client, analyst)
    url = reverse("campaigns:adset-live-edit", args=[adset.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"live-edit-save" not in page.content
    assert client.post(url, {"name": "x"}).status_code == 403


def test_api_patch_swaps_a_live_ads_creative(client, manager, live, demo, behind):
    ad = Ad.objects.get(graph_id=demo["active_ad_id"])
    other = AdCreative.objects.exclude(graph_id="").exclude(pk=ad.creative_id).first()
    login(client, manager)
    response = client.patch(reverse("api:ad-detail", args=[ad.pk]),
                            {"creative_id": other.pk}, content_type=JSON)
    assert response.status_code == 200, response.json()
    assert _on_graph(behind, ad.graph_id, "creative")["creative"]["id"] == other.graph_id
    refused = client.patch(reverse("api:adset-detail", args=[ad.adset_id]),
                           {"targeting": {"geo_locations": {"countries": ["US"]},
                                          "age_min": 10}}, content_type=JSON)
    assert refused.status_code == 400


def test_graph_refusing_a_live_edit_is_shown_and_nothing_changes_locally(client, manager, live,
                                                                         demo, graph):
    adset = AdSet.objects.get(graph_id=demo["active_adset_id"])
    login(client, manager)
    url = reverse("campaigns:adset-live-edit", args=[adset.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update({"name": "Refused rename"})
    graph.sim.faults.add("error", method="POST", path=f"/{adset.graph_id}", code=100,
                         http_status=400, message="Invalid parameter")
    response = _post_form(client, url, **data)
    assert response.status_code == 200
    assert b'data-testid="general-errors"' in response.content
    adset.refresh_from_db()
    assert adset.name != "Refused rename"
    assert not ObjectVersion.objects.filter(object_kind="adset", object_id=adset.pk,
                                            actor=manager.user).exists()
    graph.sim.faults.clear()
    graph.sim.faults.add("transient", method="POST", path=f"/{adset.graph_id}")
    response = _post_form(client, url, **data)  # Meta down: a message, not a 500
    assert response.status_code == 200 and b'data-testid="general-errors"' in response.content
