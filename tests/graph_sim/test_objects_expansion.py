"""Field expansion of edges on ad accounts, campaigns and ad sets (structure sync in few calls)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.graph_sim.test_objects_create import Api, error


@pytest.fixture
def api(http, token, demo) -> Api:
    return Api(http, token, demo["active_ad_account_id"])


def test_campaign_expands_its_adsets_edge_with_subfields(api, demo):
    # marketing-api-guide.txt "Field Expansion" (L11401): fields of an edge inside braces,
    # the edge answered as {"data": [...], "paging": {...}} (core-flows.md §5.3)
    cid = demo["active_campaign_id"]
    r = api.get(f"/{cid}", fields="name,adsets{name,status}")
    assert r.status_code == 200, r.text
    body = r.json()
    listed = api.get(f"/{cid}/adsets", fields="name,status").json()["data"]
    assert body["adsets"]["data"] == listed
    assert set(body["adsets"]["data"][0]) == {"id", "name", "status"}
    assert "cursors" in body["adsets"]["paging"]


def test_adset_expands_ads_with_nested_creative(api, demo):
    # marketing-api-guide.txt L11401 "Field Expansion"; ad-reference.txt: `creative` is a link
    sid = demo["active_adset_id"]
    body = api.get(f"/{sid}", fields="ads{id,name,creative{id}}").json()
    ads = body["ads"]["data"]
    assert ads and all(set(a) == {"id", "name", "creative"} for a in ads)
    assert all(set(a["creative"]) == {"id"} for a in ads)


def test_account_expands_campaigns_adsets_ads_in_one_call(api, demo):
    # marketing-api-guide.txt L11401 "Field Expansion", nested: the whole structure in one call
    act = demo["active_ad_account_id"]
    r = api.get(
        f"/{act}", fields="campaigns{name,effective_status,adsets{name,ads{id,name,creative{id}}}}"
    )
    assert r.status_code == 200, r.text
    campaigns = r.json()["campaigns"]["data"]
    listed = {c["id"] for c in api.get(f"/{act}/campaigns").json()["data"]}
    assert {c["id"] for c in campaigns} == listed
    spring = next(c for c in campaigns if c["id"] == demo["active_campaign_id"])
    adsets = spring["adsets"]["data"]
    assert adsets and all("ads" in s for s in adsets)
    ad_ids = {a["id"] for s in adsets for a in s["ads"]["data"]}
    assert demo["active_ad_id"] in ad_ids


def test_expanded_edge_limit_modifier_pages_with_a_next_url_on_the_edge(api, demo):
    # core-flows.md §5.1 (cursor paging: `next` absent only on the last page) and §5.3
    # (modifiers on expanded edges, `.limit(n)`)
    cid = demo["active_campaign_id"]
    body = api.get(f"/{cid}", fields="adsets.limit(1){name}").json()
    page = body["adsets"]
    assert len(page["data"]) == 1
    nxt = urlsplit(page["paging"]["next"])
    assert nxt.path.endswith(f"/{cid}/adsets")
    query = parse_qs(nxt.query)
    assert query["limit"] == ["1"] and query["fields"] == ["name"]
    second = api.http.get(page["paging"]["next"]).json()
    assert second["data"][0]["id"] != page["data"][0]["id"]


def test_edge_list_items_expand_their_own_edges(api, demo):
    # marketing-api-guide.txt L11401: expansion works on every node of an edge listing too
    act = demo["active_ad_account_id"]
    data = api.get(f"/{act}/campaigns", fields="name,ads.limit(2){name}").json()["data"]
    spring = next(c for c in data if c["id"] == demo["active_campaign_id"])
    assert 1 <= len(spring["ads"]["data"]) <= 2


def test_unknown_field_inside_an_expansion_is_still_code_100(api, demo):
    # DECISIONS.md "Unknown fields and edges as fields": unknown fields answer 100
    r = api.get(f"/{demo['active_campaign_id']}", fields="adsets{nope}")
    err = error(r)
    assert err["code"] == 100 and "nope" in err["message"]


def test_expanded_edge_honours_effective_status_modifier(api, demo):
    # reference.md §3.2 `effective_status` filter on the edge, given as a modifier
    cid = demo["active_campaign_id"]
    body = api.get(f"/{cid}", fields='adsets.effective_status(["PAUSED"]){effective_status}')
    assert body.status_code == 200, body.text
    statuses = {s["effective_status"] for s in body.json()["adsets"]["data"]}
    assert statuses == {"PAUSED"}
