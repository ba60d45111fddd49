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


def test_error_responses_also_name_the_version(http):
    # core-flows.md §8 item 1: the header is on every response.
    r = http.get("/v24.0/me")
    assert r.status_code == 400 and r.headers["facebook-api-version"] == "v24.0"


def test_errors_use_graphs_envelope_with_a_trace_id(http):
    # core-flows.md §7.1: {"error": {"message", "type", "code", "fbtrace_id"}}, "(#code) " prefix.
    r = http.get("/me", params={"access_token": "nope"})
    err = r.json()["error"]
    assert set(err) >= {"message", "type", "code", "fbtrace_id"}
    assert err["message"].startswith("(#190) ")
    assert r.headers["x-fb-trace-id"] == err["fbtrace_id"]


def test_json_request_bodies_are_read_like_form_fields(http, token, demo):
    # CONTRACT.md §3: params merge query, form and JSON bodies.
    act = demo["active_ad_account_id"]
    r = http.post(f"/{act}", json={"access_token": token, "name": "From JSON"})
    assert r.json() == {"success": True}
    assert (
        http.get(f"/{act}", params={"access_token": token, "fields": "name"}).json()["name"]
        == "From JSON"
    )


def test_a_crashing_handler_answers_code_1_and_the_server_keeps_serving(http, sim, token):
    # core-flows.md §7.2: 1 API Unknown; DECISIONS.md "HTTP statuses".
    from graph_sim.core import route

    @route("GET", "/coretest_crash")
    def _crash(req):
        raise RuntimeError("bug")

    r = http.get("/coretest_crash", params={"access_token": token})
    assert r.status_code == 500 and r.json()["error"]["code"] == 1
    assert http.get("/me", params={"access_token": token}).status_code == 200


def test_large_multipart_fields_are_accepted(http, token, demo):
    # Graph takes base64 image `bytes` in form fields next to file parts; no 413 at 500 kB.
    act = demo["active_ad_account_id"]
    r = http.post(
        f"/{act}",
        data={"access_token": token, "name": "x" * 1_200_000},
        files={"extra": ("a.bin", b"1" * 1_000_000)},
    )
    assert r.json() == {"success": True}
