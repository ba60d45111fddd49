"""Fault plans: transient errors, throttles, bad tokens, after-apply failures, drops and delays."""

import json

import httpx
import pytest

from graph_sim import Simulator


def test_transient_fault_fires_the_given_number_of_times(http, sim, token):
    # core-flows.md §8 item 55: transient codes with is_transient:true; HTTP 500 (DECISIONS.md).
    sim.faults.add("transient", path="/me", times=1)
    first = http.get("/me", params={"access_token": token})
    assert first.status_code == 500
    err = first.json()["error"]
    assert (err["code"], err["is_transient"]) == (2, True)
    assert http.get("/me", params={"access_token": token}).status_code == 200


def test_every_nth_matching_call_fails(http, sim, token):
    # core-flows.md §8 item 55: codes 1/2 with is_transient; README.md `every=N`.
    sim.faults.add("transient", code=1, path="/me", every=3)
    statuses = [http.get("/me", params={"access_token": token}).status_code for _ in range(6)]
    assert statuses == [200, 200, 500, 200, 200, 500]


def test_rate_faults_are_reproducible_from_the_seed(token):
    # README.md fault plans: `rate` uses a seeded RNG.
    def pattern():
        sim = Simulator(seed=7)
        sim.faults.add("transient", rate=0.5)
        fired = []
        for _ in range(20):
            fired.append(sim.faults.pick("GET", "/me", [], after_apply=False) is not None)
        return fired

    first = pattern()
    assert first == pattern()
    assert 0 < sum(first) < 20


def test_throttle_fault_sends_the_code_and_the_buc_header(http, sim, token, demo):
    # core-flows.md §6.4: 80004/2446079 with estimated_time_to_regain_access (minutes).
    act = demo["active_ad_account_id"]
    sim.faults.add("throttle", code=80004, path="/act_*", eta_minutes=7, times=1)
    r = http.get(f"/{act}", params={"access_token": token})
    err = r.json()["error"]
    assert (err["code"], err["error_subcode"]) == (80004, 2446079)
    entry = json.loads(r.headers["x-business-use-case-usage"])[act[4:]][0]
    assert entry["estimated_time_to_regain_access"] == 7
    assert http.get(f"/{act}", params={"access_token": token}).status_code == 200


@pytest.mark.parametrize(
    ("code", "subcode"), [(4, None), (17, 2446079), (613, None), (80000, 2446079)]
)
def test_throttle_fault_can_produce_any_throttling_code(http, sim, token, code, subcode):
    # core-flows.md §6.4: 4, 17/2446079, 613, 80000/2446079.
    sim.faults.add("throttle", code=code, subcode=subcode, path="/me", times=1)
    err = http.get("/me", params={"access_token": token}).json()["error"]
    assert err["code"] == code and err.get("error_subcode") == subcode


@pytest.mark.parametrize(
    ("effect", "subcode"), [("token_expired", 463), ("token_invalidated", 460)]
)
def test_token_faults_answer_190_with_their_subcode(http, sim, token, effect, subcode):
    # core-flows.md §8 item 3: expired 190/463, invalidated 190/460.
    sim.faults.add(effect, times=1)
    err = http.get("/me", params={"access_token": token}).json()["error"]
    assert (err["code"], err["error_subcode"]) == (190, subcode)


def test_after_apply_fault_returns_an_error_but_the_write_happened(http, sim, token, demo):
    # For duplicate-guard tests: the write lands, the client sees a failure.
    act = demo["active_ad_account_id"]
    sim.faults.add("transient", method="POST", path=f"/{act}", after_apply=True, times=1)
    r = http.post(f"/{act}", data={"access_token": token, "name": "Applied anyway"})
    assert r.status_code == 500
    body = http.get(f"/{act}", params={"access_token": token, "fields": "name"}).json()
    assert body["name"] == "Applied anyway"


def test_after_apply_drop_closes_the_connection_after_the_write(http, sim, token, demo):
    # README.md fault plans: `after_apply` + `drop` (duplicate guards).
    act = demo["active_ad_account_id"]
    sim.faults.add("drop", method="POST", after_apply=True, times=1)
    with pytest.raises(httpx.TransportError):
        http.post(f"/{act}", data={"access_token": token, "name": "Dropped"})
    body = http.get(f"/{act}", params={"access_token": token, "fields": "name"}).json()
    assert body["name"] == "Dropped"


def test_delay_fault_makes_the_response_slow(graph_url, sim, token):
    # README.md fault plans: `delay` (client timeouts).
    sim.faults.add("delay", delay=0.3, path="/me", times=1)
    with httpx.Client(base_url=graph_url, timeout=0.1) as client, pytest.raises(httpx.ReadTimeout):
        client.get("/me", params={"access_token": token})


def test_http_500_fault_is_not_graph_json(http, sim, token):
    # core-flows.md §7.1: status mapping undocumented; DECISIONS.md "HTTP statuses".
    sim.faults.add("http_500", times=1)
    r = http.get("/me", params={"access_token": token})
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("text/html")


def test_faults_match_on_node_type_kind(http, sim, token, demo):
    # core-flows.md §7.2: 368 temporarily blocked; README.md matching by `kind`.
    sim.faults.add("error", code=368, kind="adaccount")
    assert http.get("/me", params={"access_token": token}).status_code == 200
    r = http.get(f"/{demo['active_ad_account_id']}", params={"access_token": token})
    assert r.json()["error"]["code"] == 368


def test_calls_log_records_faults_and_redacts_secrets(http, sim, token):
    # README.md call log; STYLE.md: never log the token.
    sim.faults.add("transient", times=1)
    http.get("/me", params={"access_token": token, "appsecret_proof": sim.proof(token)})
    (call,) = sim.calls
    assert call.params == {"access_token": "REDACTED", "appsecret_proof": "REDACTED"}
    assert (call.status, call.error_code, call.fault_id) == (500, 2, 1)


def test_faults_match_on_a_route_kind_or_buc_type(http, sim, token, demo):
    # core-flows.md §6.4 (613, 80004); README.md matching by `kind`.
    sim.faults.add("error", code=613, kind="oauth_access_token", times=1)
    sim.faults.add("throttle", code=80004, kind="ads_management", times=1)
    r = http.get("/oauth/access_token", params={"client_id": demo["app_id"]})
    assert r.json()["error"]["code"] == 613
    r = http.get(f"/{demo['active_ad_account_id']}", params={"access_token": token})
    assert r.json()["error"]["code"] == 80004


def test_plugin_fault_kinds_fire_by_object_path_times_and_rate():
    # Plug-ins' own fault kinds (video_processing, batch_timeout, post_processing_<type>) share
    # the core's counting: path narrows to one object, times caps, rate is seeded.
    from graph_sim.faults import Faults

    faults = Faults(seed=1)
    faults.add("error", kind="video_processing", path="/42", times=2)
    assert faults.take("video_processing", "/7") is None
    assert [faults.take("video_processing", "/42") is not None for _ in range(3)] == [
        True,
        True,
        False,
    ]
    faults.add("error", kind="batch_timeout", rate=0.5)
    fired = sum(faults.take("batch_timeout", "*") is not None for _ in range(200))
    assert 70 < fired < 130
