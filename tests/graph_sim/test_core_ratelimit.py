"""Rate limits: usage headers rising with calls, throttling past 100%, per-account buckets, ETag."""

import json


def _usage(response, header):
    return json.loads(response.headers[header])


def test_usage_headers_have_graphs_json_shapes(http, token, demo):
    # core-flows.md §6.2 items 1-3: exact header names and JSON keys.
    act = demo["active_ad_account_id"]
    r = http.get(f"/{act}", params={"access_token": token})
    assert set(_usage(r, "x-app-usage")) == {"call_count", "total_cputime", "total_time"}
    assert set(_usage(r, "x-ad-account-usage")) == {
        "acc_id_util_pct",
        "reset_time_duration",
        "ads_api_access_tier",
    }
    buc = _usage(r, "x-business-use-case-usage")
    assert list(buc) == [act[4:]]
    (entry,) = buc[act[4:]]
    assert entry["type"] == "ads_management"
    assert set(entry) == {
        "type",
        "call_count",
        "total_cputime",
        "total_time",
        "estimated_time_to_regain_access",
        "ads_api_access_tier",
    }
    assert entry["ads_api_access_tier"] in ("standard_access", "development_access")


def test_usage_rises_with_call_volume(http, sim, token, demo):
    # core-flows.md §8 items 50-51.
    sim.ratelimit.limits.ads_management = 10
    act = demo["active_ad_account_id"]
    counts = []
    for _ in range(3):
        r = http.get(f"/{act}", params={"access_token": token})
        counts.append(_usage(r, "x-business-use-case-usage")[act[4:]][0]["call_count"])
    assert counts == [10, 20, 30]
    assert _usage(r, "x-ad-account-usage")["acc_id_util_pct"] == 30.0


def test_past_100_percent_ads_management_is_throttled_with_80004(http, sim, token, demo):
    # core-flows.md §6.4 and §8 item 52: 80004/2446079 and estimated_time_to_regain_access > 0.
    sim.ratelimit.limits.ads_management = 3
    act = demo["active_ad_account_id"]
    for _ in range(3):
        assert http.get(f"/{act}", params={"access_token": token}).status_code == 200
    r = http.get(f"/{act}", params={"access_token": token})
    assert r.status_code == 400
    err = r.json()["error"]
    assert (err["code"], err["error_subcode"]) == (80004, 2446079)
    entry = _usage(r, "x-business-use-case-usage")[act[4:]][0]
    assert entry["estimated_time_to_regain_access"] > 0
    assert entry["call_count"] > 100


def test_calls_during_a_block_keep_failing_and_counting(http, sim, token, demo):
    # core-flows.md §6.1: continuing to call "will continue to increase your call count".
    sim.ratelimit.limits.ads_management = 2
    act = demo["active_ad_account_id"]
    for _ in range(2):
        http.get(f"/{act}", params={"access_token": token})
    sim.clock.advance(1800)
    blocked = [http.get(f"/{act}", params={"access_token": token}) for _ in range(2)]
    assert all(r.json()["error"]["code"] == 80004 for r in blocked)
    # The first two calls age out after the hour, but the two blocked ones still count.
    sim.clock.advance(1801)
    still = http.get(f"/{act}", params={"access_token": token})
    assert still.json()["error"]["code"] == 80004
    sim.clock.advance(3600)
    assert http.get(f"/{act}", params={"access_token": token}).status_code == 200


def test_throttling_one_account_leaves_another_alone(http, sim, token, demo):
    # core-flows.md §8 item 53: buckets are per ad account.
    sim.ratelimit.limits.ads_management = 1
    usd, eur = demo["ad_account_by_currency"]["USD"], demo["ad_account_by_currency"]["EUR"]
    http.get(f"/{usd}", params={"access_token": token})
    assert http.get(f"/{usd}", params={"access_token": token}).json()["error"]["code"] == 80004
    assert http.get(f"/{eur}", params={"access_token": token}).status_code == 200


def test_app_level_limit_is_code_4(http, sim, token):
    # core-flows.md §6.4: code 4, application request limit.
    sim.ratelimit.limits.app_calls = 2
    for _ in range(2):
        assert http.get("/me", params={"access_token": token}).status_code == 200
    r = http.get("/me", params={"access_token": token})
    assert r.json()["error"]["code"] == 4
    assert _usage(r, "x-app-usage")["call_count"] > 100


def test_user_level_limit_is_code_17(http, sim, token):
    # core-flows.md §6.4: 17 user reached their rate limit.
    sim.ratelimit.limits.user_calls = 1
    http.get("/me", params={"access_token": token})
    assert http.get("/me", params={"access_token": token}).json()["error"]["code"] == 17


def test_development_tier_uses_the_300_calls_formula(sim, demo):
    # core-flows.md §6.3: Ads Management, Standard Access = 300 + 40 x active ads.
    sim.ratelimit.limits.tier = "development_access"
    assert sim.ratelimit.limit_for(sim.world, "ads_management", "1") == 300
    assert sim.ratelimit.limit_for(sim.world, "ads_insights", "1") == 600
    sim.ratelimit.limits.tier = "standard_access"
    assert sim.ratelimit.limit_for(sim.world, "ads_management", "1") == 100000


def test_get_carries_a_quoted_etag_and_a_match_returns_304(http, token, demo):
    # core-flows.md §3.4: ETag quoted; If-None-Match match → 304, empty body.
    act = demo["active_ad_account_id"]
    first = http.get(f"/{act}", params={"access_token": token, "fields": "name"})
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 42
    again = http.get(
        f"/{act}", params={"access_token": token, "fields": "name"}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b""


def test_a_changed_resource_gets_a_new_etag_and_200(http, token, demo):
    # core-flows.md §3.4: "Otherwise it returns a normal 200 response".
    act = demo["active_ad_account_id"]
    params = {"access_token": token, "fields": "name"}
    etag = http.get(f"/{act}", params=params).headers["etag"]
    http.post(f"/{act}", data={"access_token": token, "name": "Changed"})
    r = http.get(f"/{act}", params=params, headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag


def test_a_304_still_counts_against_rate_limits(http, sim, token, demo):
    # core-flows.md §3.4: "If-None-Match GET still counts against rate limits for your app."
    sim.ratelimit.limits.ads_management = 2
    act = demo["active_ad_account_id"]
    etag = http.get(f"/{act}", params={"access_token": token}).headers["etag"]
    not_modified = http.get(
        f"/{act}", params={"access_token": token}, headers={"If-None-Match": etag}
    )
    assert not_modified.status_code == 304
    third = http.get(f"/{act}", params={"access_token": token}, headers={"If-None-Match": etag})
    assert third.json()["error"]["code"] == 80004


def test_development_tier_shows_in_headers_and_uses_the_smaller_quota(http, sim, token, demo):
    # core-flows.md §1.2: header tier "development_access" = Standard Access;
    # §6.3: 300 + 40 x active ads (the seeded account's running ads count too).
    sim.ratelimit.limits.tier = "development_access"
    act = demo["active_ad_account_id"]
    quota = sim.ratelimit.limit_for(sim.world, "ads_management", act[4:])
    assert quota >= 300 and (quota - 300) % 40 == 0
    r = http.get(f"/{act}", params={"access_token": token})
    assert _usage(r, "x-ad-account-usage")["ads_api_access_tier"] == "development_access"
    assert _usage(r, "x-ad-account-usage")["acc_id_util_pct"] == round(100 / quota, 2)


def test_one_account_can_have_its_own_tier(http, sim, token, demo):
    # core-flows.md §6.2 item 2: ads_api_access_tier per account header.
    act = demo["active_ad_account_id"]
    sim.world.ad_account(act).tier = "development_access"
    r = http.get(f"/{act}", params={"access_token": token})
    entry = _usage(r, "x-business-use-case-usage")[act[4:]][0]
    assert entry["ads_api_access_tier"] == "development_access"
    other = demo["ad_account_by_currency"]["EUR"]
    r = http.get(f"/{other}", params={"access_token": token})
    assert _usage(r, "x-ad-account-usage")["ads_api_access_tier"] == "standard_access"


def test_usage_headers_can_wait_until_enough_calls_were_made(http, sim, token):
    # core-flows.md §6.1: headers appear "once enough calls have been made" (threshold knob).
    sim.ratelimit.limits.header_threshold = 2
    seen = ["x-app-usage" in http.get("/me", params={"access_token": token}).headers for _ in "abc"]
    assert seen == [False, False, True]
