"""Async batch requests over HTTP: /act_<id>/async_batch_requests and /act_<id>/async_requests
(core-flows.md §3.2 and §8 item 30; reference.md §3.7, §7.6)."""

import json
from urllib.parse import quote

import pytest


@pytest.fixture
def job(sim):
    return sim.config.timings.async_job


def _post(http, token, account, **data):
    return http.post(f"/{account}/async_batch_requests", data={"access_token": token, **data})


def _get(http, token, path, **params):
    return http.get(path, params={"access_token": token, **params}).json()


def _seed_style_adbatch(account: str) -> str:
    """The seed's example: single quotes, a trailing comma, whole bodies URL-encoded, and the
    ad set referring to the campaign through {result=create-campaign:$.id}."""
    campaign = quote(
        "name=Test Campaign&objective=OUTCOME_TRAFFIC&status=PAUSED&special_ad_categories=[]",
        safe="",
    )
    adset = quote(
        'targeting={"geo_locations":{"countries":["US"]}}&daily_budget=5000'
        "&campaign_id={result=create-campaign:$.id}&bid_amount=200&name=First Ad Set Test"
        "&billing_event=IMPRESSIONS&optimization_goal=LINK_CLICKS&status=PAUSED",
        safe="",
    )
    return (
        f"[ {{ 'name': 'create-campaign', 'relative_url': '{account}/campaigns', "
        f"'body': '{campaign}', }}, {{ 'name': 'create-adset', 'relative_url': "
        f"'{account}/adsets', 'body': '{adset}', }}, ]"
    )


def test_missing_name_or_adbatch_is_194(http, token, demo):
    # reference.md §3.7: errors 194, 100, 2500; core-flows.md §8 item 30.
    account = demo["active_ad_account_id"]
    for data in ({"adbatch": "[]"}, {"name": "n"}):
        response = _post(http, token, account, **data)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == 194


def test_malformed_adbatch_is_2500(http, token, demo):
    # core-flows.md §8 item 30: malformed JSON → 2500.
    response = _post(http, token, demo["active_ad_account_id"], name="n", adbatch="[{'name':")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 2500


def test_more_than_1000_operations_is_refused(http, token, demo):
    # core-flows.md §3.2: "Each API call can have a maximum of 1000 requests."
    ops = [{"name": f"op{i}", "relative_url": "me", "method": "GET"} for i in range(1001)]
    response = _post(http, token, demo["active_ad_account_id"], name="n", adbatch=json.dumps(ops))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100


def test_seed_example_creates_a_campaign_then_an_ad_set_that_references_it(
    http, token, demo, sim, job
):
    # seeds/async-and-batch-requests.txt "Batch API" example; core-flows.md §3.2.
    account = demo["active_ad_account_id"]
    response = _post(
        http, token, account, name="batchapiexample", adbatch=_seed_style_adbatch(account)
    )
    assert response.status_code == 200
    set_id = response.json()["id"]
    assert _get(http, token, f"/{set_id}", fields="initial_count")["initial_count"] == 2
    sim.clock.advance(3 * job)
    rows = _get(http, token, f"/{set_id}/requests", fields="status,result,input")["data"]
    assert [r["status"] for r in rows] == ["SUCCESS", "SUCCESS"]
    campaign_id = rows[0]["result"]["id"]
    adset = _get(http, token, f"/{rows[1]['result']['id']}", fields="campaign_id,name")
    assert adset == {
        "id": rows[1]["result"]["id"],
        "campaign_id": campaign_id,
        "name": "First Ad Set Test",
    }
    assert rows[1]["input"]["name"] == "create-adset"


def test_failed_operation_and_its_dependent_end_in_error(http, token, demo, sim, job):
    # core-flows.md §8 items 30 and 32.
    account = demo["active_ad_account_id"]
    adbatch = json.dumps(
        [
            {"name": "bad", "relative_url": f"{account}/campaigns", "body": "name=No objective"},
            {
                "name": "child",
                "relative_url": f"{account}/adsets",
                "body": "name=x&campaign_id={result=bad:$.id}",
            },
            {"name": "fine", "method": "GET", "relative_url": "me"},
        ]
    )
    set_id = _post(http, token, account, name="mixed", adbatch=adbatch).json()["id"]
    sim.clock.advance(4 * job)
    rows = _get(http, token, f"/{set_id}/requests", fields="status,result")["data"]
    assert [r["status"] for r in rows] == ["ERROR", "ERROR", "SUCCESS"]
    assert rows[0]["result"]["error_code"] == 100
    assert "bad" in rows[1]["result"]["error_message"]
    counts = _get(http, token, f"/{set_id}", fields="error_count,success_count,is_completed")
    assert (counts["error_count"], counts["success_count"], counts["is_completed"]) == (
        2,
        1,
        True,
    )


def test_sets_are_listed_under_async_requests_not_asyncadrequestsets(http, token, demo):
    # core-flows.md §3.2: "List: GET /act_<ID>/async_requests ... not async_batch_requests".
    account = demo["active_ad_account_id"]
    adbatch = json.dumps([{"name": "me", "method": "GET", "relative_url": "me"}])
    set_id = _post(http, token, account, name="listed", adbatch=adbatch).json()["id"]
    batch_sets = _get(http, token, f"/{account}/async_requests")["data"]
    ad_sets = _get(http, token, f"/{account}/asyncadrequestsets")["data"]
    assert [s["id"] for s in batch_sets] == [set_id]
    assert ad_sets == []


def test_batch_sets_report_notification_status(http, token, demo, sim, job):
    # reference.md §7.6: notification_result / notification_status for Batch API sets.
    account = demo["active_ad_account_id"]
    adbatch = json.dumps([{"name": "me", "method": "GET", "relative_url": "me"}])
    set_id = _post(
        http,
        token,
        account,
        name="notified",
        adbatch=adbatch,
        notification_mode="ON_COMPLETE",
    ).json()["id"]
    fields = "notification_status,notification_mode,is_completed"
    before = _get(http, token, f"/{set_id}", fields=fields)
    assert before["notification_status"] == "not_sent"
    sim.clock.advance(2 * job)
    after = _get(http, token, f"/{set_id}", fields=fields)
    assert after["is_completed"] is True
    assert after["notification_status"] in ("sending", "sent")


def test_independent_operations_run_in_parallel_and_dependent_ones_in_sequence(
    http, token, demo, sim, job
):
    # seeds/async-and-batch-requests.txt: "Facebook processes each independent operation in
    # parallel processes and your dependent operations sequentially."
    account = demo["active_ad_account_id"]
    ops = [{"name": f"me{i}", "method": "GET", "relative_url": "me"} for i in range(100)]
    ops += [
        {"name": "camp", "relative_url": f"{account}/campaigns",
         "body": "name=Chain&objective=OUTCOME_TRAFFIC&status=PAUSED&special_ad_categories=[]"},
        {"name": "rename", "relative_url": "{result=camp:$.id}", "body": "name=Chain 2"},
    ]
    set_id = _post(http, token, account, name="parallel", adbatch=json.dumps(ops)).json()["id"]
    counters = "initial_count,in_progress_count,success_count,is_completed"

    sim.clock.advance(1.5 * job)
    assert _get(http, token, f"/{set_id}", fields=counters) == {
        "id": set_id, "initial_count": 1, "in_progress_count": 101, "success_count": 0,
        "is_completed": False}
    sim.clock.advance(job)  # the 101 independent ones are done; the rename has just started
    mid = _get(http, token, f"/{set_id}", fields=counters)
    assert (mid["success_count"], mid["in_progress_count"]) == (101, 1)
    sim.clock.advance(job)
    done = _get(http, token, f"/{set_id}", fields=counters)
    assert done["success_count"] == 102 and done["is_completed"] is True
