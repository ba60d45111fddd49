"""The /__sim__/ control API, used by tests and demos that run the simulator in another process."""


def test_mint_a_token_with_chosen_scopes(http, demo):
    # README.md "The control API": POST /__sim__/tokens; core-flows.md §1.6 token lifetimes.
    r = http.post("/__sim__/tokens", json={"scopes": ["ads_read"], "long_lived": False})
    body = r.json()
    assert body["user_id"] == demo["user_id"] and body["scopes"] == ["ads_read"]
    assert body["expires_at"] - body["issued_at"] == 2 * 3600
    me = http.get("/me", params={"access_token": body["access_token"]})
    assert me.status_code == 200


def test_mint_a_system_user_token_for_a_form_post(http, demo):
    # core-flows.md §1.6: a system user token "does not expire".
    body = http.post("/__sim__/tokens", data={"system_user": "true"}).json()
    assert body["type"] == "system_user" and body["expires_at"] == 0
    assert body["user_id"] == demo["system_user_id"]


def test_expire_a_token(http, token):
    # core-flows.md §8 item 3: expired → 190/463.
    http.post("/__sim__/tokens/expire", json={"access_token": token})
    assert http.get("/me", params={"access_token": token}).json()["error"]["error_subcode"] == 463


def test_add_list_and_clear_faults(http, token):
    # core-flows.md §8 item 55: fault injection per endpoint; README.md fault plans.
    added = http.post("/__sim__/faults", json={"effect": "transient", "path": "/me", "times": 2})
    assert added.json()["times"] == 2
    assert http.get("/me", params={"access_token": token}).status_code == 500
    assert len(http.get("/__sim__/faults").json()["data"]) == 1
    http.delete("/__sim__/faults")
    assert http.get("/me", params={"access_token": token}).status_code == 200


def test_a_bad_fault_option_is_a_400_from_the_control_api(http):
    # README.md "The control API": options are validated.
    assert http.post("/__sim__/faults", json={"effect": "explode"}).status_code == 400
    assert http.post("/__sim__/faults", json={"colour": "red"}).status_code == 400


def test_advance_the_clock(http, sim):
    # README.md "The control API": the simulated clock (no sleeping).
    before = sim.clock.now()
    body = http.post("/__sim__/clock/advance", json={"seconds": 90}).json()
    assert body["now"] == before + 90
    assert http.get("/__sim__/clock").json()["now"] == before + 90


def test_list_and_clear_calls_with_secrets_redacted(http, token):
    # STYLE.md "How a request flows" 6: never log the token; README.md call log.
    http.get("/me", params={"access_token": token, "fields": "name"})
    calls = http.get("/__sim__/calls").json()["data"]
    assert [(c["method"], c["path"], c["status"]) for c in calls] == [("GET", "/me", 200)]
    assert calls[0]["params"] == {"access_token": "REDACTED", "fields": "name"}
    http.delete("/__sim__/calls")
    assert http.get("/__sim__/calls").json()["data"] == []


def test_list_objects_by_node_type(http, sim):
    # README.md "The control API": GET /__sim__/objects.
    sim.world.put({"id": "42", "node_type": "widget", "name": "w"})
    objects = http.get("/__sim__/objects", params={"node_type": "widget"}).json()["data"]
    assert objects == [
        {
            "id": "42",
            "node_type": "widget",
            "object": {"id": "42", "node_type": "widget", "name": "w"},
        }
    ]


def test_reset_rebuilds_the_same_world_and_forgets_tokens(http, token, demo):
    # README.md "The control API": reset is deterministic from the seed.
    before = dict(demo)
    body = http.post("/__sim__/reset").json()
    assert body["demo"]["user_id"] == before["user_id"]
    assert body["demo"]["ad_account_ids"] == before["ad_account_ids"]
    assert http.get("/me", params={"access_token": token}).json()["error"]["code"] == 190


def test_reset_with_another_seed_changes_ids(http, demo):
    # README.md "The control API": POST /__sim__/reset {seed}.
    body = http.post("/__sim__/reset", json={"seed": 5}).json()
    assert body["seed"] == 5 and body["demo"]["user_id"] != demo["user_id"]


def test_world_lists_the_demo_ids(http, demo):
    # README.md "The control API": GET /__sim__/world.
    assert http.get("/__sim__/world").json()["ad_account_ids"] == demo["ad_account_ids"]


def test_control_calls_are_not_logged_or_rate_limited(http, sim):
    # README.md "The control API": not Graph calls, so not counted (§6).
    sim.ratelimit.limits.app_calls = 1
    for _ in range(3):
        assert http.get("/__sim__/world").status_code == 200
    assert list(sim.calls) == []


def test_unknown_control_path_is_404(http):
    # README.md "The control API".
    assert http.get("/__sim__/nope").status_code == 404


def test_plugins_can_add_their_own_control_endpoints(http, sim):
    # CONTRACT.md §8: control_route.
    from graph_sim.core import control_route

    @control_route("POST", "/__sim__/coretest/echo")
    def _echo(sim, params):
        return {"seed": sim.seed, "got": params.get("value")}

    assert http.post("/__sim__/coretest/echo", json={"value": "x"}).json() == {
        "seed": 0,
        "got": "x",
    }


def test_reset_rewinds_a_manual_clock(http, sim):
    # README.md "The control API": reset rewinds a manual clock.
    start = sim.clock.now()
    http.post("/__sim__/clock/advance", json={"seconds": 500})
    http.post("/__sim__/reset")
    assert sim.clock.now() == start
