"""OAuth dialog, code exchange, long-lived exchange, debug_token and permission removal."""

from urllib.parse import parse_qs, urlsplit

import pytest

REDIRECT = "https://adwright.test/oauth/callback/"


def _dialog_params(demo, **extra):
    params = {
        "client_id": demo["app_id"],
        "redirect_uri": REDIRECT,
        "state": "st-123",
        "scope": "ads_management,ads_read,business_management",
        "response_type": "code",
    }
    params.update(extra)
    return params


def _approve(http, demo, **extra):
    """Auto-approve through the control API; returns the redirect's query values."""
    r = http.get("/__sim__/dialog/approve", params=_dialog_params(demo, **extra))
    assert r.status_code == 302
    location = r.headers["location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _exchange(http, demo, code, **extra):
    params = {
        "client_id": demo["app_id"],
        "redirect_uri": REDIRECT,
        "client_secret": demo["app_secret"],
        "code": code,
    }
    params.update(extra)
    return http.get("/v25.0/oauth/access_token", params=params)


def test_dialog_page_lists_each_requested_permission_with_approve_and_decline(http, demo):
    # core-flows.md §1.5 step 1: the dialog with `scope`; the user can keep a subset.
    r = http.get("/v25.0/dialog/oauth", params=_dialog_params(demo))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "Dana Demo" in page
    for perm in ("ads_management", "ads_read", "business_management"):
        assert f'name="perm_{perm}"' in page
    assert 'id="approve"' in page and 'id="decline"' in page


def test_submitting_the_dialog_with_a_subset_grants_only_that_subset(http, demo):
    # core-flows.md §1.5 step 2: Allow → redirect to YOUR_URL?code=...
    form = _dialog_params(demo) | {"decision": "approve", "perm_ads_read": "on"}
    r = http.post("/v25.0/dialog/oauth", data=form)
    assert r.status_code == 302
    query = parse_qs(urlsplit(r.headers["location"]).query)
    assert query["state"] == ["st-123"]
    token = _exchange(http, demo, query["code"][0]).json()["access_token"]
    info = http.get("/debug_token", params={"input_token": token, "access_token": token}).json()
    assert info["data"]["scopes"] == ["ads_read"]


def test_declining_redirects_with_access_denied_and_state(http, demo):
    # Graph's decline redirect: error=access_denied&error_code=200&error_reason=user_denied.
    form = _dialog_params(demo) | {"decision": "decline"}
    r = http.post("/dialog/oauth", data=form)
    assert r.status_code == 302
    query = {k: v[0] for k, v in parse_qs(urlsplit(r.headers["location"]).query).items()}
    assert query == {
        "error": "access_denied",
        "error_code": "200",
        "error_description": "Permissions error",
        "error_reason": "user_denied",
        "state": "st-123",
    }


def test_code_exchange_returns_a_short_lived_bearer_token(http, demo, sim):
    # core-flows.md §1.5 step 3; the response shape is NOT IN SEEDS (typical Graph).
    code = _approve(http, demo)["code"]
    r = _exchange(http, demo, code)
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == int(sim.config.timings.short_lived_token)
    me = http.get("/me", params={"access_token": body["access_token"]})
    assert me.json()["id"] == demo["user_id"]


def test_a_code_can_be_exchanged_only_once(http, demo):
    # core-flows.md §8 item 5: a reused code → error (100/36009, DECISIONS.md).
    code = _approve(http, demo)["code"]
    assert _exchange(http, demo, code).status_code == 200
    again = _exchange(http, demo, code)
    assert again.status_code == 400
    assert (again.json()["error"]["code"], again.json()["error"]["error_subcode"]) == (100, 36009)


def test_redirect_uri_must_match_the_dialog_exactly_including_trailing_slash(http, demo):
    # core-flows.md §1.5 step 1 note and §8 item 5: exact match, trailing "/" included.
    code = _approve(http, demo)["code"]
    r = _exchange(http, demo, code, redirect_uri=REDIRECT.rstrip("/"))
    assert r.status_code == 400
    assert r.json()["error"]["error_subcode"] == 36008


def test_an_unknown_code_is_rejected(http, demo):
    # core-flows.md §8 item 5: invalid code → error; DECISIONS.md 100/36007.
    r = _exchange(http, demo, "AQnot-a-real-code")
    assert (r.json()["error"]["code"], r.json()["error"]["error_subcode"]) == (100, 36007)


def test_a_wrong_client_secret_is_rejected(http, demo):
    # core-flows.md §1.5 step 3: client_secret; DECISIONS.md 100/36010.
    code = _approve(http, demo)["code"]
    r = _exchange(http, demo, code, client_secret="0" * 32)
    assert r.status_code == 400
    assert (r.json()["error"]["code"], r.json()["error"]["error_subcode"]) == (100, 36010)


def test_codes_expire_after_ten_minutes(http, demo, sim):
    # DECISIONS.md "OAuth code exchange errors": codes live 10 minutes.
    code = _approve(http, demo)["code"]
    sim.clock.advance(sim.config.timings.oauth_code_ttl + 1)
    assert _exchange(http, demo, code).json()["error"]["error_subcode"] == 36007


def test_short_lived_token_exchanges_for_a_sixty_day_token(http, demo, sim):
    # core-flows.md §1.5 step 5 (NOT IN SEEDS): grant_type=fb_exchange_token.
    short = _exchange(http, demo, _approve(http, demo)["code"]).json()["access_token"]
    r = http.get(
        "/oauth/access_token",
        params={
            "grant_type": "fb_exchange_token",
            "client_id": demo["app_id"],
            "client_secret": demo["app_secret"],
            "fb_exchange_token": short,
        },
    )
    assert r.status_code == 200
    long = r.json()
    assert long["expires_in"] == 60 * 86400
    # The short token dies after ~2 h; the long one keeps working.
    sim.clock.advance(3 * 3600)
    assert http.get("/me", params={"access_token": short}).json()["error"]["error_subcode"] == 463
    assert http.get("/me", params={"access_token": long["access_token"]}).status_code == 200


def test_exchanging_an_expired_token_fails_with_190(http, demo, sim, mint):
    # core-flows.md §1.5 step 5; DECISIONS.md "Token lifetimes".
    expired = mint(long_lived=False)
    sim.clock.advance(3 * 3600)
    r = http.get(
        "/oauth/access_token",
        params={
            "grant_type": "fb_exchange_token",
            "client_id": demo["app_id"],
            "client_secret": demo["app_secret"],
            "fb_exchange_token": expired,
        },
    )
    assert r.json()["error"]["code"] == 190


def test_debug_token_with_an_app_token_describes_a_user_token(http, demo, token, sim):
    # core-flows.md §1.5 step 4 (NOT IN SEEDS) — shape in DECISIONS.md.
    app_token = f"{demo['app_id']}|{demo['app_secret']}"
    r = http.get("/debug_token", params={"input_token": token, "access_token": app_token})
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["app_id"] == demo["app_id"]
    assert data["type"] == "USER"
    assert data["application"] == "Adwright"
    assert data["is_valid"] is True
    assert data["user_id"] == demo["user_id"]
    assert set(data["scopes"]) == {"ads_management", "ads_read", "business_management"}
    assert data["expires_at"] == int(sim.clock.now() + 60 * 86400)
    assert isinstance(data["issued_at"], int) and isinstance(data["data_access_expires_at"], int)
    ads = next(g for g in data["granular_scopes"] if g["scope"] == "ads_management")
    assert sorted(ads["target_ids"]) == sorted(a[4:] for a in demo["ad_account_ids"])


def test_debug_token_reports_an_expired_token_as_invalid_with_its_error(http, demo, sim, mint):
    # core-flows.md §1.5 step 4; DECISIONS.md "debug_token shape".
    short = mint(long_lived=False)
    sim.clock.advance(3 * 3600)
    app_token = f"{demo['app_id']}|{demo['app_secret']}"
    data = http.get(
        "/debug_token", params={"input_token": short, "access_token": app_token}
    ).json()["data"]
    assert data["is_valid"] is False
    assert data["error"]["code"] == 190 and data["error"]["subcode"] == 463


def test_debug_token_reports_an_unknown_token_as_invalid(http, demo):
    # DECISIONS.md "debug_token shape": unknown → is_valid false.
    app_token = f"{demo['app_id']}|{demo['app_secret']}"
    data = http.get(
        "/debug_token", params={"input_token": "EAAbogus", "access_token": app_token}
    ).json()["data"]
    assert data["is_valid"] is False and data["error"]["code"] == 190


def test_system_user_tokens_never_expire(http, demo, sim, mint):
    # core-flows.md §1.6: a system user token "does not expire"; debug_token expires_at 0.
    system = mint(system_user=True)
    sim.clock.advance(400 * 86400)
    app_token = f"{demo['app_id']}|{demo['app_secret']}"
    data = http.get(
        "/debug_token", params={"input_token": system, "access_token": app_token}
    ).json()["data"]
    assert data["type"] == "SYSTEM_USER" and data["expires_at"] == 0 and data["is_valid"]
    accounts = http.get("/me/adaccounts", params={"access_token": system}).json()["data"]
    assert {a["id"] for a in accounts} == set(demo["ad_account_ids"])


def test_deleting_all_permissions_invalidates_the_token(http, token):
    # core-flows.md §1.7: "permissions revoked" makes even a persistent token invalid.
    r = http.delete("/me/permissions", params={"access_token": token})
    assert r.json() == {"success": True}
    after = http.get("/me", params={"access_token": token})
    assert after.status_code == 400
    assert (after.json()["error"]["code"], after.json()["error"]["error_subcode"]) == (190, 460)


def test_deleting_one_permission_drops_only_that_scope(http, token, demo):
    # core-flows.md §1.7: permissions can be revoked; §1.4 ads_read reads.
    r = http.delete("/me/permissions/ads_management", params={"access_token": token})
    assert r.json() == {"success": True}
    perms = http.get("/me/permissions", params={"access_token": token}).json()["data"]
    assert {p["permission"] for p in perms} == {"ads_read", "business_management"}
    # Reading still works with ads_read; writing to the account now needs ads_management.
    account = demo["active_ad_account_id"]
    assert http.get(f"/{account}", params={"access_token": token}).status_code == 200


@pytest.mark.parametrize("bad", [{"client_id": "999"}, {"scope": "ads_management,not_a_perm"}])
def test_dialog_with_a_bad_app_or_scope_shows_an_error_page(http, demo, bad):
    # DECISIONS.md "OAuth dialog": bad client_id/scope → HTML 400.
    r = http.get("/dialog/oauth", params=_dialog_params(demo, **bad))
    assert r.status_code == 400


def test_return_scopes_reports_granted_and_denied_permissions(http, demo):
    # DECISIONS.md "OAuth dialog"; core-flows.md §1.5 (subset grants).
    query = _approve(http, demo, grant="ads_read", return_scopes="true")
    assert query["granted_scopes"] == "ads_read"
    assert query["denied_scopes"] == "ads_management,business_management"
