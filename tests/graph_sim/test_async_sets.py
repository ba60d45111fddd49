"""Async ad request sets over HTTP: /act_<id>/asyncadrequestsets, /<set>, /<set>/requests
(core-flows.md §3.1 and §8 items 25-29; reference.md §3.9, §7.6)."""

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from graph_sim.endpoints.async_sets import notifications


@pytest.fixture
def job(sim):
    """Seconds one request stays in progress (the set waits one job length before starting)."""
    return sim.config.timings.async_job


def _spec(demo, name, **extra):
    return {
        "name": name,
        "adset_id": demo["active_adset_id"],
        "creative": {"creative_id": demo["creative_id"]},
        "status": "PAUSED",
        **extra,
    }


def _create(http, token, demo, specs, **data):
    response = http.post(
        f"/{demo['active_ad_account_id']}/asyncadrequestsets",
        data={"access_token": token, "name": "spring ads", "ad_specs": json.dumps(specs), **data},
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


def _get(http, token, path, **params):
    return http.get(path, params={"access_token": token, **params}).json()


COUNTERS = "total_count,initial_count,in_progress_count,success_count,error_count,canceled_count"


def test_create_returns_an_id_and_default_fields_are_id_owner_name_is_completed(http, token, demo):
    # core-flows.md §3.1 (example `{"id","owner_id","name","is_completed"}`) and §8 item 26.
    set_id = _create(http, token, demo, [_spec(demo, "a1")])
    body = _get(http, token, f"/{set_id}")
    assert body == {
        "id": set_id,
        "owner_id": int(demo["active_ad_account_id"].removeprefix("act_")),
        "name": "spring ads",
        "is_completed": False,
    }


def test_requests_move_initial_in_progress_success_with_consistent_counters(
    http, token, demo, sim, job
):
    # core-flows.md §8 item 25.
    set_id = _create(http, token, demo, [_spec(demo, "a1"), _spec(demo, "a2")])
    seen = []
    for _ in range(4):
        counts = _get(http, token, f"/{set_id}", fields=f"is_completed,{COUNTERS}")
        seen.append(counts)
        assert (
            counts["total_count"]
            == sum(
                counts[k]
                for k in ("initial_count", "in_progress_count", "success_count", "error_count")
            )
            + counts["canceled_count"]
        )
        sim.clock.advance(job)
    assert [(c["initial_count"], c["in_progress_count"], c["success_count"]) for c in seen] == [
        (2, 0, 0),
        (1, 1, 0),
        (0, 1, 1),
        (0, 0, 2),
    ]
    assert [c["is_completed"] for c in seen] == [False, False, False, True]


def test_successful_requests_created_real_ads(http, token, demo, sim, job):
    # core-flows.md §8 item 27: result on success is {"id": "<new ad id>"}; the ad exists.
    set_id = _create(http, token, demo, [_spec(demo, "async ad one")])
    sim.clock.advance(2 * job)
    rows = _get(http, token, f"/{set_id}/requests", fields="id,status,result,scope_object_id")
    (row,) = rows["data"]
    assert row["status"] == "SUCCESS"
    assert row["scope_object_id"] == int(demo["active_adset_id"])
    ad = _get(http, token, f"/{row['result']['id']}", fields="name,adset_id")
    assert ad["name"] == "async ad one"
    assert ad["adset_id"] == demo["active_adset_id"]


def test_request_defaults_and_error_result(http, token, demo, sim, job):
    # core-flows.md §8 items 26-27: defaults id, scope_object_id, status; error_code/message.
    bad = _spec(demo, "orphan", adset_id="999999999999")
    set_id = _create(http, token, demo, [bad])
    sim.clock.advance(2 * job)
    (row,) = _get(http, token, f"/{set_id}/requests")["data"]
    assert set(row) == {"id", "scope_object_id", "status"}
    assert row["status"] == "ERROR"
    detail = _get(http, token, f"/{row['id']}", fields="result,input")
    assert detail["result"]["error_code"] == 100
    assert detail["result"]["error_message"]
    assert detail["input"]["name"] == "orphan"


def test_status_filter_is_case_insensitive(http, token, demo, sim, job):
    # core-flows.md §3.1: filter values are lowercase in the text, SUCCESS in the example.
    set_id = _create(
        http, token, demo, [_spec(demo, "ok"), _spec(demo, "bad", adset_id="999999999999")]
    )
    sim.clock.advance(3 * job)
    lower = _get(http, token, f"/{set_id}/requests", status="success")["data"]
    mixed = _get(http, token, f"/{set_id}/requests", status="Success,ERROR")["data"]
    assert [r["status"] for r in lower] == ["SUCCESS"]
    assert sorted(r["status"] for r in mixed) == ["ERROR", "SUCCESS"]
    wrong = http.get(f"/{set_id}/requests", params={"access_token": token, "status": "done"})
    assert wrong.status_code == 400


def test_delete_request_cancels_only_initial_ones(http, token, demo, sim, job):
    # core-flows.md §8 item 28: DELETE /<REQUEST_ID> → true only before processing.
    set_id = _create(http, token, demo, [_spec(demo, "a1"), _spec(demo, "a2")])
    sim.clock.advance(job)  # request 1 in progress, request 2 initial
    first, second = _get(http, token, f"/{set_id}/requests")["data"]
    busy = http.delete(f"/{first['id']}", params={"access_token": token})
    assert busy.status_code == 400 and busy.json()["error"]["code"] == 100
    canceled = http.delete(f"/{second['id']}", params={"access_token": token})
    assert canceled.status_code == 200 and canceled.json() is True
    sim.clock.advance(job)
    counts = _get(http, token, f"/{set_id}", fields=f"is_completed,{COUNTERS}")
    assert (counts["success_count"], counts["canceled_count"], counts["is_completed"]) == (
        1,
        1,
        True,
    )


def test_delete_set_cancels_every_unprocessed_request(http, token, demo):
    # core-flows.md §8 item 28: DELETE /<SET_ID> cancels all Initial requests → true.
    set_id = _create(http, token, demo, [_spec(demo, f"a{i}") for i in range(3)])
    response = http.delete(f"/{set_id}", params={"access_token": token})
    assert response.json() is True
    counts = _get(http, token, f"/{set_id}", fields=f"is_completed,{COUNTERS}")
    assert counts["canceled_count"] == 3 and counts["is_completed"] is True


def test_update_renames_and_refuses_notification_changes_after_sending(http, token, demo, sim, job):
    # core-flows.md §8 item 28: POST /<SET_ID> → true; notification_* only before it is sent.
    set_id = _create(http, token, demo, [_spec(demo, "a1")], notification_mode="ON_COMPLETE")
    renamed = http.post(f"/{set_id}", data={"access_token": token, "name": "renamed"})
    assert renamed.json() is True
    assert _get(http, token, f"/{set_id}")["name"] == "renamed"
    sim.clock.advance(2 * job)
    assert _get(http, token, f"/{set_id}")["is_completed"] is True
    late = http.post(f"/{set_id}", data={"access_token": token, "notification_mode": "OFF"})
    assert late.status_code == 400 and late.json()["error"]["code"] == 100


@contextmanager
def _receiver():
    received: list[dict] = []
    arrived = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            received.append(parse_qs(self.rfile.read(length).decode()))
            self.send_response(200)
            self.end_headers()
            arrived.set()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", received, arrived
    finally:
        server.shutdown()
        server.server_close()


def test_on_complete_posts_once_to_the_notification_uri(http, token, demo, sim, job):
    # core-flows.md §3.1 notification_uri / notification_mode, §8 item 29.
    with _receiver() as (uri, received, arrived):
        set_id = _create(
            http,
            token,
            demo,
            [_spec(demo, "a1")],
            notification_mode="ON_COMPLETE",
            notification_uri=uri,
        )
        sim.clock.advance(2 * job)
        _get(http, token, f"/{set_id}")
        assert arrived.wait(5)
        _get(http, token, f"/{set_id}")  # a later read does not notify again
    assert len(received) == 1
    assert received[0]["id"] == [set_id]
    assert [n["set_id"] for n in notifications(sim)] == [set_id]


def test_unreachable_notification_uri_does_not_fail_the_set(http, token, demo, sim, job):
    # core-flows.md §8 item 29; DECISIONS.md: an unreachable URI never fails the set.
    set_id = _create(
        http,
        token,
        demo,
        [_spec(demo, "a1")],
        notification_mode="ON_COMPLETE",
        notification_uri="http://127.0.0.1:9/unreachable",
    )
    sim.clock.advance(2 * job)
    body = _get(http, token, f"/{set_id}", fields="is_completed,success_count")
    assert body["is_completed"] is True and body["success_count"] == 1
    assert len(notifications(sim)) == 1


@pytest.mark.parametrize(
    "data",
    [
        {"ad_specs": "[{}]"},  # no name
        {"name": "x"},  # no ad_specs
        {"name": "x", "ad_specs": "{}"},  # not a list
        {"name": "x", "ad_specs": '[{"name": "a"}]', "notification_mode": "SOMETIMES"},
    ],
)
def test_invalid_create_is_error_100(http, token, demo, data):
    # reference.md §3.9: name and ad_specs required; error 100.
    response = http.post(
        f"/{demo['active_ad_account_id']}/asyncadrequestsets", data={"access_token": token, **data}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100


def test_account_lists_sets_with_is_completed_filter(http, token, demo, sim, job):
    # core-flows.md §3.1 "List sets ... ?is_completed=1".
    done = _create(http, token, demo, [_spec(demo, "a1")])
    sim.clock.advance(2 * job)
    pending = _create(http, token, demo, [_spec(demo, "a2")])
    account = demo["active_ad_account_id"]
    everything = _get(http, token, f"/{account}/asyncadrequestsets")["data"]
    completed = _get(http, token, f"/{account}/asyncadrequestsets", is_completed="1")["data"]
    assert {s["id"] for s in everything} == {done, pending}
    assert [s["id"] for s in completed] == [done]


def test_ad_set_lists_its_async_ad_requests(http, token, demo, sim, job):
    # core-flows.md §3.1: GET /<AD_SET_ID>/asyncadrequests?status=SUCCESS,ERROR.
    _create(http, token, demo, [_spec(demo, "a1"), _spec(demo, "a2")])
    sim.clock.advance(2 * job)
    rows = _get(http, token, f"/{demo['active_adset_id']}/asyncadrequests", status="SUCCESS,ERROR")[
        "data"
    ]
    assert [r["status"] for r in rows] == ["SUCCESS"]
    assert rows[0]["scope_object_id"] == int(demo["active_adset_id"])


def test_requests_fail_with_190_once_the_creators_token_is_revoked(
    http, token, mint, demo, sim, job
):
    # Each request runs with the token that created the set (core-flows.md §8 item 4: 190/460).
    set_id = _create(http, token, demo, [_spec(demo, "a1")])
    sim.world.tokens[token].invalidated = "password_changed"
    reader = mint()
    sim.clock.advance(2 * job)
    (row,) = _get(http, reader, f"/{set_id}/requests", fields="status,result")["data"]
    assert row["status"] == "ERROR"
    assert row["result"]["error_code"] == 190


def test_set_fields_expand_the_requests_edge(http, token, demo, sim, job):
    # CONTRACT.md "Edges as fields": fields=requests{status} embeds the edge.
    set_id = _create(http, token, demo, [_spec(demo, "a1")])
    sim.clock.advance(2 * job)
    body = _get(http, token, f"/{set_id}", fields="name,requests{status}")
    assert [r["status"] for r in body["requests"]["data"]] == ["SUCCESS"]


def test_control_api_advances_sets_and_lists_notifications(http, token, demo, sim, job):
    # CONTRACT.md §8: a plug-in's test switches live under /__sim__/.
    set_id = _create(http, token, demo, [_spec(demo, "a1")], notification_mode="ON_COMPLETE")
    sim.clock.advance(2 * job)
    advanced = http.post("/__sim__/async/advance").json()
    assert advanced == {"sets": 1, "completed": 1}
    sent = http.get("/__sim__/async/notifications").json()["data"]
    assert [n["set_id"] for n in sent] == [set_id]


def test_async_creative_set_creates_the_creative(http, token, demo, sim, job):
    # reference.md §3.8: POST /act_<id>/asyncadcreatives (creative_spec, name) → {"id"}.
    account = demo["active_ad_account_id"]
    spec = {
        "name": "async creative",
        "object_story_spec": {
            "page_id": demo["page_ids"][0],
            "link_data": {"link": "https://example.com", "message": "hello"},
        },
    }
    response = http.post(
        f"/{account}/asyncadcreatives",
        data={"access_token": token, "name": "creatives", "creative_spec": json.dumps(spec)},
    )
    set_id = response.json()["id"]
    sim.clock.advance(2 * job)
    (row,) = _get(http, token, f"/{set_id}/requests", fields="status,result")["data"]
    assert row["status"] == "SUCCESS"
    creative = _get(http, token, f"/{row['result']['id']}", fields="name")
    assert creative["name"] == "async creative"
    missing = http.post(
        f"/{account}/asyncadcreatives", data={"access_token": token, "name": "no spec"}
    )
    assert missing.status_code == 400 and missing.json()["error"]["code"] == 100


def _ad_names(http, token, account):
    return {
        ad["name"] for ad in _get(http, token, f"/{account}/ads", fields="name", limit=200)["data"]
    }


def test_ads_made_by_a_set_are_listed_on_the_account_without_reading_the_set(
    http, token, demo, sim, job
):
    # core-flows.md §3.1: ad_specs are "One spec per ad"; once a request has run its ad exists
    # for every reader (DECISIONS.md "Async request sets: states and timing": progress is
    # computed before each call, CONTRACT.md §6).
    account = demo["active_ad_account_id"]
    _create(http, token, demo, [_spec(demo, "listed async ad")])
    assert "listed async ad" not in _ad_names(http, token, account)
    sim.clock.advance(2 * job)
    assert "listed async ad" in _ad_names(http, token, account)


def test_a_set_completes_on_the_clock_and_notifies_whatever_is_called(http, token, demo, sim, job):
    # core-flows.md §3.1: ON_COMPLETE "notify when the whole set is done" — any call after the
    # set's time brings it up to date, not only calls to the set's own endpoints.
    set_id = _create(http, token, demo, [_spec(demo, "a1")], notification_mode="ON_COMPLETE")
    sim.clock.advance(2 * job)
    http.get("/me", params={"access_token": token})
    assert [n["set_id"] for n in notifications(sim)] == [set_id]
    in_set = [c for c in sim.calls if c.in_batch and c.path.endswith("/ads")]
    assert [c.status for c in in_set] == [200]
