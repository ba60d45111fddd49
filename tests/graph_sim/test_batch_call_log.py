"""The call log keeps secrets out of batch parameters too: `POST /` with `batch=[...]` and
`POST /act_<id>/async_batch_requests` with `adbatch=[...]` (README "The control API": the log has
params with `access_token`, `appsecret_proof`, ... REDACTED)."""

import json
from urllib.parse import quote


def _calls(http):
    response = http.get("/__sim__/calls")
    assert response.status_code == 200
    return response


def test_per_operation_tokens_in_the_logged_batch_parameter_are_redacted(http, token, mint, demo):
    # core-flows.md §3.3 operation fields: "`access_token` | Per-operation token, in the query
    # string or body"; the outer call's `batch` parameter carries them, so it is redacted too.
    other = mint()
    campaign = demo["active_campaign_id"]
    ops = [
        {"method": "GET", "relative_url": f"me?fields=name&access_token={other}"},
        {"method": "POST", "relative_url": campaign, "body": f"name=Renamed&access_token={other}"},
        {"method": "GET", "relative_url": "me", "headers": [f"Authorization: OAuth {other}"]},
        {
            "method": "POST",
            "relative_url": campaign,
            "body": {"name": "Again", "access_token": other},
        },
    ]
    response = http.post("/", data={"batch": json.dumps(ops), "access_token": token})
    assert response.status_code == 200
    assert [item["code"] for item in response.json()] == [200, 200, 200, 200]

    log = _calls(http)
    assert other not in log.text and token not in log.text
    outer = [c for c in log.json()["data"] if c["kind"] == "batch"]
    assert len(outer) == 1
    logged = json.loads(outer[0]["params"]["batch"])
    assert logged[0]["relative_url"] == "me?fields=name&access_token=REDACTED"
    assert logged[1]["body"] == "name=Renamed&access_token=REDACTED"
    assert logged[2]["headers"] == ["Authorization: REDACTED"]
    assert logged[3]["body"] == {"name": "Again", "access_token": "REDACTED"}
    assert outer[0]["params"]["access_token"] == "REDACTED"


def test_each_batch_operation_is_logged_with_its_own_token_redacted(http, token, mint, sim):
    # core-flows.md §8 item 33: "Batch per-operation `access_token` overrides the top-level
    # token"; every operation is also a logged call of its own (in_batch).
    other = mint()
    ops = [
        {"method": "GET", "relative_url": f"me?access_token={other}"},
        {"method": "GET", "relative_url": "me"},
    ]
    http.post("/", data={"batch": json.dumps(ops), "access_token": token})
    inner = [c for c in sim.calls if c.in_batch]
    assert len(inner) == 2
    assert all(c.params["access_token"] == "REDACTED" for c in inner)
    assert not any(other in json.dumps(c.as_json()) for c in sim.calls)


def test_a_batch_without_secrets_is_logged_exactly_as_sent(http, token, sim):
    # README "The control API": only the secret values are replaced.
    raw = "[{method: 'GET', relative_url: 'me?fields=name'},]"  # Graph's lenient JSON
    http.post("/", data={"batch": raw, "access_token": token})
    (outer,) = [c for c in sim.calls if c.kind == "batch"]
    assert outer.params["batch"] == raw


def test_an_unparseable_batch_is_logged_with_its_secrets_scrubbed(http, token, sim):
    # core-flows.md §3.3: `batch=<JSON array>`; a malformed one fails with 100 but is logged.
    raw = f'[{{"relative_url": "me?access_token={token}", ]]'
    response = http.post("/", data={"batch": raw, "access_token": token})
    assert response.json()["error"]["code"] == 100
    (outer,) = [c for c in sim.calls if c.kind == "batch"]
    assert token not in outer.params["batch"]
    assert "access_token=REDACTED" in outer.params["batch"]


def test_tokens_inside_an_async_adbatch_are_redacted_in_the_log(http, token, mint, demo, sim):
    # core-flows.md §3.2: the seed's adbatch bodies are whole URL-encoded form strings, and a
    # per-operation token may sit inside one.
    other = mint()
    account = demo["active_ad_account_id"]
    body = quote(
        "name=Logged Campaign&objective=OUTCOME_TRAFFIC&status=PAUSED&special_ad_categories=[]"
        f"&access_token={other}",
        safe="",
    )
    adbatch = json.dumps([{"name": "c", "relative_url": f"{account}/campaigns", "body": body}])
    response = http.post(
        f"/{account}/async_batch_requests",
        data={"access_token": token, "name": "logged", "adbatch": adbatch},
    )
    assert response.status_code == 200, response.text
    sim.clock.advance(3 * sim.config.timings.async_job)
    http.get("/me", params={"access_token": token})  # any call lets the set run
    log = _calls(http)
    assert other not in log.text and token not in log.text
    (outer,) = [c for c in sim.calls if c.kind == "async_batch_requests"]
    (op,) = json.loads(outer.params["adbatch"])
    assert op["body"].endswith("&access_token=REDACTED")
    created = [c for c in sim.calls if c.in_batch and c.path.endswith("/campaigns")]
    assert created and created[0].status == 200
