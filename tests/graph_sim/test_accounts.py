"""Reads of /me, /me/adaccounts, businesses, pages and GET/POST /act_<id>."""

from urllib.parse import parse_qs, urlsplit

import httpx


def test_me_returns_id_and_name(http, token, demo):
    # reference.md §1.1: the user node /{AD_ACCOUNT_USER_ID}; /me is the token's user.
    assert http.get("/me", params={"access_token": token}).json() == {
        "id": demo["user_id"],
        "name": "Dana Demo",
    }


def test_ad_account_read_without_fields_returns_id_and_account_id(http, token, demo):
    # reference.md §2.3 / §10 item 5: defaults are `id` (act_-prefixed) and `account_id`.
    act = demo["active_ad_account_id"]
    body = http.get(f"/v25.0/{act}", params={"access_token": token}).json()
    assert body == {"id": act, "account_id": act[4:]}


def test_ad_account_fields_have_graph_types(http, token, demo):
    # reference.md §10 item 6: status codes are integers, money is numeric strings.
    act = demo["ad_account_by_currency"]["JPY"]
    fields = (
        "name,currency,timezone_name,timezone_offset_hours_utc,account_status,amount_spent,"
        "balance,business{name},owner"
    )
    body = http.get(f"/{act}", params={"access_token": token, "fields": fields}).json()
    assert body["currency"] == "JPY"
    assert body["timezone_name"] == "Asia/Tokyo"
    assert body["timezone_offset_hours_utc"] == 9.0
    assert body["account_status"] == 1
    # JPY has no minor unit: amounts are whole yen, still as strings.
    assert body["amount_spent"] == "1830000" and body["balance"] == "0"
    assert set(body["business"]) == {"id", "name"}


def test_unsettled_and_disabled_accounts_show_their_status_codes(http, token, demo):
    # reference.md §2.3: account_status 2 DISABLED, 3 UNSETTLED (integers).
    for key, status in (("unsettled_ad_account_id", 3), ("disabled_ad_account_id", 2)):
        body = http.get(
            f"/{demo[key]}", params={"access_token": token, "fields": "account_status"}
        ).json()
        assert body["account_status"] == status


def test_me_adaccounts_lists_owned_and_client_accounts_with_requested_fields(http, token, demo):
    # reference.md §1.1: /adaccounts is the onboarding account picker.
    r = http.get(
        "/me/adaccounts",
        params={
            "access_token": token,
            "fields": "name,account_id,currency,timezone_name,account_status,business",
        },
    )
    accounts = r.json()["data"]
    assert [a["id"] for a in accounts] == demo["ad_account_ids"]
    assert {a["currency"] for a in accounts} == {"USD", "EUR", "GBP", "JPY"}
    assert all(set(a) >= {"id", "name", "account_id", "currency", "business"} for a in accounts)


def test_me_adaccounts_pages_with_cursors_until_next_is_absent(http, token, demo):
    # core-flows.md §5.1: follow `next` until it is absent; `previous` absent on page one.
    first = http.get("/me/adaccounts", params={"access_token": token, "limit": 2}).json()
    assert len(first["data"]) == 2
    assert "previous" not in first["paging"]
    seen = [a["id"] for a in first["data"]]
    page = first
    while "next" in page["paging"]:
        page = httpx.get(page["paging"]["next"]).json()  # followed verbatim, token included
        seen += [a["id"] for a in page["data"]]
    assert seen == demo["ad_account_ids"]
    assert "previous" in page["paging"]


def test_before_cursor_goes_back_a_page(http, token):
    # core-flows.md §5.1: cursor paging with `before`, `after`, `limit`.
    first = http.get("/me/adaccounts", params={"access_token": token, "limit": 2}).json()
    second = httpx.get(first["paging"]["next"]).json()
    back = httpx.get(second["paging"]["previous"]).json()
    assert back["data"] == first["data"]


def test_summary_total_count_counts_every_item_not_just_the_page(http, token, demo):
    # core-flows.md §8 item 49.
    body = http.get(
        "/me/adaccounts", params={"access_token": token, "limit": 1, "summary": "total_count"}
    ).json()
    assert body["summary"] == {"total_count": len(demo["ad_account_ids"])}


def test_an_invalid_cursor_is_error_100(http, token):
    # core-flows.md §8 item 48.
    r = http.get("/me/adaccounts", params={"access_token": token, "after": "garbage!"})
    assert r.status_code == 400 and r.json()["error"]["code"] == 100


def test_next_url_keeps_the_version_prefix(http, token):
    # core-flows.md §5.1: `next` is a full URL; §5.4: always specify the version.
    body = http.get("/v24.0/me/adaccounts", params={"access_token": token, "limit": 1}).json()
    assert urlsplit(body["paging"]["next"]).path == "/v24.0/me/adaccounts"
    assert parse_qs(urlsplit(body["paging"]["next"]).query)["limit"] == ["1"]


def test_a_user_cannot_read_an_account_not_granted_to_them(http, token, demo):
    # core-flows.md §1.7 [002:L12552] and §8 item 6: another user's account → 200.
    r = http.get(f"/{demo['foreign_ad_account_id']}", params={"access_token": token})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == 200


def test_second_user_sees_only_their_own_account(http, mint, demo):
    # core-flows.md §1.7 [002:L12552]: accounts belong to the user whose token is used.
    sam = mint(user_id=demo["second_user_id"])
    accounts = http.get("/me/adaccounts", params={"access_token": sam}).json()["data"]
    assert [a["id"] for a in accounts] == [demo["foreign_ad_account_id"]]


def test_me_businesses_and_business_account_edges(http, token, demo):
    # core-flows.md §1.4: business_management; DECISIONS.md: owned vs client ad accounts.
    businesses = http.get("/me/businesses", params={"access_token": token}).json()["data"]
    assert businesses == [{"id": demo["business_id"], "name": "Northwind Agency"}]
    owned = http.get(
        f"/{demo['business_id']}/owned_ad_accounts",
        params={"access_token": token, "fields": "name,currency"},
    ).json()["data"]
    client = http.get(
        f"/{demo['business_id']}/client_ad_accounts",
        params={"access_token": token, "fields": "name,currency"},
    ).json()["data"]
    assert [a["id"] for a in owned] == demo["owned_ad_account_ids"]
    assert [a["id"] for a in client] == demo["client_ad_account_ids"]
    assert client[0]["currency"] == "JPY"


def test_businesses_need_business_management(http, mint):
    # core-flows.md §1.4 and §8 item 3: a missing permission → 200.
    ads_only = mint(scopes=["ads_management", "ads_read"])
    r = http.get("/me/businesses", params={"access_token": ads_only})
    assert r.json()["error"]["code"] == 200


def test_me_accounts_lists_pages_and_a_page_reads_by_id(http, token, demo):
    # reference.md §1.1: User edge /accounts = Pages the person admins.
    pages = http.get("/me/accounts", params={"access_token": token}).json()["data"]
    assert [p["id"] for p in pages] == demo["page_ids"]
    assert all(p["access_token"] for p in pages)
    page = http.get(
        f"/{demo['page_ids'][0]}",
        params={"access_token": token, "fields": "name,instagram_business_account"},
    ).json()
    assert page["instagram_business_account"] == {"id": demo["instagram_account_id"]}


def test_multi_id_read_is_keyed_by_id(http, token, demo):
    # core-flows.md §5.2: GET /?ids=id1,id2 → {"id1": {...}, "id2": {...}}.
    a, b = demo["ad_account_ids"][:2]
    body = http.get("/", params={"access_token": token, "ids": f"{a},{b}", "fields": "name"}).json()
    assert set(body) == {a, b} and body[a]["id"] == a and "name" in body[b]


def test_updating_an_ad_account_name_and_spend_cap(http, token, demo):
    # reference.md §2.5: spend_cap is written in standard denomination, read in the basic unit.
    act = demo["ad_account_by_currency"]["USD"]
    r = http.post(f"/{act}", data={"access_token": token, "name": "Renamed", "spend_cap": "23.50"})
    assert r.json() == {"success": True}
    body = http.get(f"/{act}", params={"access_token": token, "fields": "name,spend_cap"}).json()
    assert body["name"] == "Renamed" and body["spend_cap"] == "2350"


def test_dsa_defaults_must_be_set_together(http, token, demo):
    # reference.md §10 item 7.
    act = demo["active_ad_account_id"]
    r = http.post(f"/{act}", data={"access_token": token, "default_dsa_payor": "payor2"})
    assert r.json()["error"]["code"] == 100


def test_ads_read_token_can_read_but_not_update_an_account(http, mint, demo):
    # core-flows.md §8 item 3: ads_read reads; POST needs ads_management.
    reader = mint(scopes=["ads_read"])
    act = demo["active_ad_account_id"]
    assert http.get(f"/{act}", params={"access_token": reader}).status_code == 200
    r = http.post(f"/{act}", data={"access_token": reader, "name": "Nope"})
    assert r.status_code == 403 and r.json()["error"]["code"] == 200


def test_unknown_id_is_100_with_subcode_33(http, token):
    # reference.md §8.2: 100 [33] unsupported request; DECISIONS.md "Unknown paths".
    r = http.get("/123456789", params={"access_token": token})
    assert r.status_code == 400
    err = r.json()["error"]
    assert (err["code"], err["error_subcode"], err["type"]) == (100, 33, "GraphMethodException")


def test_limit_zero_with_summary_gives_only_the_count(http, token, demo):
    # core-flows.md §5.1: `summary=total_count` on edges.
    body = http.get(
        "/me/adaccounts", params={"access_token": token, "limit": 0, "summary": "total_count"}
    ).json()
    assert body == {"data": [], "summary": {"total_count": len(demo["ad_account_ids"])}}


def test_page_tokens_from_me_accounts_act_as_the_page(http, token, demo):
    # core-flows.md §6.1 (page tokens); DECISIONS.md "Page tokens".
    pages = http.get("/me/accounts", params={"access_token": token}).json()["data"]
    page_token = pages[0]["access_token"]
    me = http.get("/me", params={"access_token": page_token}).json()
    assert me["id"] == demo["page_ids"][0]
    app_token = f"{demo['app_id']}|{demo['app_secret']}"
    data = http.get(
        "/debug_token", params={"input_token": page_token, "access_token": app_token}
    ).json()["data"]
    assert data["type"] == "PAGE" and data["profile_id"] == demo["page_ids"][0]
    assert data["expires_at"] == 0
    # A page token has no ads permissions.
    r = http.get(f"/{demo['active_ad_account_id']}", params={"access_token": page_token})
    assert r.json()["error"]["code"] == 200


def test_injected_short_and_empty_pages_still_lead_to_every_item(http, sim, token, demo):
    # core-flows.md §5.1: "A page may be empty and still have `next`, and may hold fewer than
    # `limit` items. Stop only when `next` is absent." (§8 item 48: injectable).
    sim.faults.add("empty_page", path="/me/adaccounts", times=1)
    sim.faults.add("short_page", path="/me/adaccounts", times=1)
    first = http.get("/me/adaccounts", params={"access_token": token, "limit": 2}).json()
    assert first["data"] == [] and "next" in first["paging"]
    second = httpx.get(first["paging"]["next"]).json()
    assert len(second["data"]) == 1 and "next" in second["paging"]
    seen, page = [a["id"] for a in second["data"]], second
    while "next" in page["paging"]:
        page = httpx.get(page["paging"]["next"]).json()
        seen += [a["id"] for a in page["data"]]
    assert seen == demo["ad_account_ids"]
