"""Access tokens (missing, invalid, expired, revoked, scopes), appsecret_proof and versions."""

import hashlib
import hmac

import pytest


def _error(response):
    err = response.json()["error"]
    return err["code"], err.get("error_subcode")


def test_missing_token_is_oauth_exception_104(http):
    # core-flows.md §8 item 2: missing token → OAuthException; code 104 (DECISIONS.md).
    r = http.get("/me")
    assert r.status_code == 400
    assert r.json()["error"]["type"] == "OAuthException"
    assert _error(r) == (104, None)


def test_unknown_token_is_190(http):
    # core-flows.md §8 item 2: unknown or invalid token → 190.
    r = http.get("/me", params={"access_token": "EAAnot-a-token"})
    assert _error(r) == (190, None)
    assert r.json()["error"]["message"].startswith("(#190) ")
    assert r.json()["error"]["fbtrace_id"]


def test_token_is_read_from_the_authorization_header(http, token):
    # Graph accepts `Authorization: OAuth <token>` (and Bearer) as well as access_token.
    for scheme in ("OAuth", "Bearer"):
        r = http.get("/me", headers={"Authorization": f"{scheme} {token}"})
        assert r.status_code == 200


def test_token_is_read_from_a_form_field_on_post(http, token, demo):
    # core-flows.md §8 item 2: token from the query or form parameter.
    r = http.post(f"/{demo['active_ad_account_id']}", data={"access_token": token, "name": "X"})
    assert r.json() == {"success": True}


def test_expired_token_is_190_subcode_463(http, sim, mint):
    # core-flows.md §8 item 3: expired → 190 with subcode 463.
    short = mint(long_lived=False)
    assert http.get("/me", params={"access_token": short}).status_code == 200
    sim.clock.advance(2 * 3600 + 1)
    assert _error(http.get("/me", params={"access_token": short})) == (190, 463)


@pytest.mark.parametrize("reason", ["revoked", "password_changed"])
def test_revoked_or_password_changed_token_is_190_subcode_460(http, token, reason):
    # core-flows.md §1.7 and §8 item 3: revoked / password changed → 190/460.
    r = http.post("/__sim__/tokens/revoke", json={"access_token": token, "reason": reason})
    assert r.status_code == 200
    assert _error(http.get("/me", params={"access_token": token})) == (190, 460)


def test_missing_scope_is_code_200(http, mint):
    # core-flows.md §8 item 3: missing scope → 200 "Permissions error".
    no_ads = mint(scopes=["business_management"])
    r = http.get("/me/adaccounts", params={"access_token": no_ads})
    assert r.status_code == 403
    assert _error(r) == (200, None)


def test_ads_read_alone_can_list_accounts(http, mint):
    # core-flows.md §1.4: ads_read reads.
    reader = mint(scopes=["ads_read"])
    assert http.get("/me/adaccounts", params={"access_token": reader}).status_code == 200


def _proof(secret, token):
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def test_appsecret_proof_required_rejects_a_missing_proof(http, sim, token):
    # reference.md §10 item 2; code 100 per DECISIONS.md.
    sim.config.require_appsecret_proof = True
    r = http.get("/me", params={"access_token": token})
    assert _error(r) == (100, None)
    assert "appsecret_proof" in r.json()["error"]["message"]


def test_appsecret_proof_required_rejects_a_wrong_proof(http, sim, token, demo):
    # reference.md §10 item 2: a proof ≠ HMAC fails; DECISIONS.md code 100.
    sim.config.require_appsecret_proof = True
    wrong = _proof("not-the-secret", token)
    r = http.get("/me", params={"access_token": token, "appsecret_proof": wrong})
    assert _error(r) == (100, None)


def test_appsecret_proof_is_hmac_sha256_of_the_token_keyed_with_the_secret(http, sim, token, demo):
    # reference.md §5.1: hash_hmac('sha256', $access_token, $app_secret).
    sim.config.require_appsecret_proof = True
    proof = _proof(demo["app_secret"], token)
    assert (
        http.get("/me", params={"access_token": token, "appsecret_proof": proof}).status_code == 200
    )
    # ...also as a form field, and alongside the Authorization header.
    r = http.post(
        f"/{demo['active_ad_account_id']}",
        data={"access_token": token, "appsecret_proof": proof, "name": "With proof"},
    )
    assert r.json() == {"success": True}
    r = http.get(
        "/me", params={"appsecret_proof": proof}, headers={"Authorization": f"OAuth {token}"}
    )
    assert r.status_code == 200


def test_a_wrong_proof_is_rejected_even_when_not_required(http, token):
    # DECISIONS.md "appsecret_proof": a proof that is sent is checked.
    r = http.get("/me", params={"access_token": token, "appsecret_proof": "00" * 32})
    assert _error(r) == (100, None)


def test_deprecated_version_is_error_2635(http, sim, token):
    # core-flows.md §5.4: deprecated Ads API version → 2635.
    sim.config.deprecated_versions = ("v21.0",)
    r = http.get("/v21.0/me", params={"access_token": token})
    assert _error(r) == (2635, None)
    assert http.get("/v25.0/me", params={"access_token": token}).status_code == 200


def test_app_token_cannot_use_me(http, demo):
    # DECISIONS.md "Token errors": /me with an app token → 2500.
    r = http.get("/me", params={"access_token": f"{demo['app_id']}|{demo['app_secret']}"})
    assert r.status_code == 400 and _error(r)[0] == 2500


def test_wrong_method_on_a_known_path_is_unsupported_request(http, token):
    # reference.md §8.2: 100 [33] unsupported request.
    r = http.put("/oauth/access_token", params={"access_token": token})
    assert _error(r) == (100, 33)
