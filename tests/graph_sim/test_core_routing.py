"""Routing, versions, the plug-in loader and Graph's response envelope."""

from graph_sim.endpoints import LOAD_ERRORS


def test_every_endpoint_module_imports():
    # CONTRACT.md §1: a module that fails to import is recorded, not fatal; keep it empty.
    assert LOAD_ERRORS == {}


def test_versioned_and_unversioned_paths_reach_the_same_handler(http, token, demo):
    # core-flows.md §8 item 1; §5.4: accept /vNN.N/... and unversioned paths.
    versioned = http.get("/v24.0/me", params={"access_token": token})
    plain = http.get("/me", params={"access_token": token})
    assert versioned.status_code == plain.status_code == 200
    assert versioned.json() == plain.json() == {"id": demo["user_id"], "name": "Dana Demo"}


def test_response_names_the_version_that_served_it(http, token):
    # core-flows.md §5.4: "facebook-api-version: v2.0" names the version that served the call.
    assert (
        http.get("/v21.0/me", params={"access_token": token}).headers["facebook-api-version"]
        == "v21.0"
    )
    assert (
        http.get("/me", params={"access_token": token}).headers["facebook-api-version"] == "v25.0"
    )
