"""Page posts, Instagram media and lead forms, and boosting them in creatives."""

from __future__ import annotations

import pytest

from tests.graph_sim.test_objects_create import Api, error


@pytest.fixture
def api(http, token, demo) -> Api:
    return Api(http, token, demo["active_ad_account_id"])


def test_page_posts_and_published_posts(api, demo):
    # DECISIONS.md "Page posts, Instagram media and lead forms"
    page = demo["page_ids"][0]
    posts = api.get(f"/{page}/published_posts", fields="message,is_published").json()["data"]
    assert len(posts) == 4 and all(p["is_published"] for p in posts)
    assert all(p["id"].startswith(f"{page}_") for p in posts)
    every = api.get(f"/{page}/promotable_posts", fields="is_published").json()["data"]
    assert len(every) == 5
    one = api.get(f"/{posts[0]['id']}", fields="message,permalink_url").json()
    assert one["message"] == posts[0]["message"]


def test_page_content_needs_a_page_admin(api, demo, mint, sim):
    # DECISIONS.md "Page posts...": other users get 200 (permissions)
    other = mint(user_id=sim.world.demo["second_user_id"])
    r = api.http.get(f"/v25.0/{demo['page_ids'][0]}/posts", params={"access_token": other})
    assert r.status_code >= 400 and r.json()["error"]["code"] == 200


def test_boosting_a_seeded_post_and_an_unknown_post(api, demo):
    # core-flows.md §2.3 (object_story_id); marketing-api-guide.txt L13740: 1885557 "Your ad
    # is promoting an unavailable post."
    page = demo["page_ids"][0]
    story = demo["page_post_ids"][page][1]
    r = api.post(f"/{api.act}/adcreatives", name="Boost", object_story_id=story)
    assert r.status_code == 200, r.text
    err = error(api.post(f"/{api.act}/adcreatives", name="x", object_story_id=f"{page}_1"))
    assert err["error_subcode"] == 1885557
    assert err["error_data"]["blame_field_specs"] == [["object_story_id"]]


def test_instagram_media_and_boosting_it(api, demo):
    # marketing-api-guide.txt L10862-L10880: GET /{ig-user}/media, boost_eligibility_info,
    # creative with instagram_user_id + source_instagram_media_id (object_id = the Page)
    ig = demo["instagram_account_id"]
    media = api.get(f"/{ig}/media", fields="caption,boost_eligibility_info").json()["data"]
    eligible = [m for m in media if m["boost_eligibility_info"]["eligible_to_boost"]]
    blocked = [m for m in media if not m["boost_eligibility_info"]["eligible_to_boost"]]
    assert eligible and blocked
    base = {
        "name": "IG boost",
        "object_id": demo["page_ids"][0],
        "instagram_user_id": ig,
        "call_to_action": {"type": "LEARN_MORE", "value": {"link": "https://example.com"}},
    }
    r = api.post(f"/{api.act}/adcreatives", **base, source_instagram_media_id=eligible[0]["id"])
    assert r.status_code == 200, r.text
    got = api.get(f"/{r.json()['id']}", fields="source_instagram_media_id").json()
    assert got["source_instagram_media_id"] == eligible[0]["id"]
    # L13747: 2446289 "The {post_type} you selected for your ad is not available."
    for media_id in (blocked[0]["id"], "123"):
        err = error(api.post(f"/{api.act}/adcreatives", **base, source_instagram_media_id=media_id))
        assert err["error_subcode"] == 2446289
    # L13743: 2238055 both instagram_user_id and instagram_actor_id
    err = error(
        api.post(
            f"/{api.act}/adcreatives",
            **base,
            instagram_actor_id=ig,
            source_instagram_media_id=eligible[0]["id"],
        )
    )
    assert err["error_subcode"] == 2238055


def test_unknown_instagram_account_in_a_creative_is_rejected(api, demo):
    # DECISIONS.md "Page posts, Instagram media and lead forms"
    page = demo["page_ids"][0]
    spec = {
        "page_id": page,
        "instagram_user_id": "999",
        "link_data": {"link": "https://example.com", "message": "hi"},
    }
    err = error(api.post(f"/{api.act}/adcreatives", name="x", object_story_spec=spec))
    assert err["error_data"]["blame_field_specs"] == [["object_story_spec", "instagram_user_id"]]


def test_lead_forms_list_and_create(api, demo):
    # DECISIONS.md "Page posts, Instagram media and lead forms": <page>/leadgen_forms
    page = demo["page_ids"][0]
    listed = api.get(f"/{page}/leadgen_forms", fields="name,status,questions").json()["data"]
    assert [f["id"] for f in listed] == [demo["leadgen_form_ids"][page]]
    r = api.post(
        f"/{page}/leadgen_forms",
        name="Trial signup",
        questions=[{"type": "EMAIL"}, {"type": "CUSTOM", "label": "Company size?"}],
        privacy_policy={"url": "https://example.com/privacy"},
    )
    assert r.status_code == 200, r.text
    form = api.get(f"/{r.json()['id']}", fields="name,questions,privacy_policy_url").json()
    assert [q["type"] for q in form["questions"]] == ["EMAIL", "CUSTOM"]
    err = error(api.post(f"/{page}/leadgen_forms", name="x", questions=[{"type": "EMAIL"}]))
    assert err["error_data"]["blame_field_specs"] == [["privacy_policy", "url"]]


def test_previews_of_boosted_post_and_instagram_media_show_their_content(api, demo):
    # core-flows.md §2.7 previews; creatives-and-media.md §4.3 iframe bodies
    page = demo["page_ids"][0]
    post_id = demo["page_post_ids"][page][0]
    post = api.get(f"/{post_id}", fields="message").json()["message"]
    crid = api.post(f"/{api.act}/adcreatives", name="b", object_story_id=post_id).json()["id"]
    r = api.get(f"/{crid}/previews", ad_format="MOBILE_FEED_STANDARD")
    src = r.json()["data"][0]["body"].split("src='", 1)[1].split("'", 1)[0]
    assert post.split(".")[0] in api.http.get(src).text
    media_id = demo["instagram_media_ids"][0]
    crid = api.post(
        f"/{api.act}/adcreatives",
        name="ig",
        object_id=page,
        instagram_user_id=demo["instagram_account_id"],
        source_instagram_media_id=media_id,
    ).json()["id"]
    for ad_format in ("INSTAGRAM_STANDARD", "INSTAGRAM_STORY", "INSTAGRAM_REELS"):
        r = api.get(f"/{crid}/previews", ad_format=ad_format)
        src = r.json()["data"][0]["body"].split("src='", 1)[1].split("'", 1)[0]
        text = api.http.get(src).text
        assert "Latte art Friday" in text and "northwind.coffee" in text


def test_lead_ad_creative_needs_a_form_of_its_page(api, demo):
    # DECISIONS.md "Page posts, Instagram media and lead forms": lead_gen_form_id checked
    page = demo["page_ids"][0]

    def creative(form_id: str, page_id: str = page):
        spec = {
            "page_id": page_id,
            "link_data": {
                "link": "http://fb.me/",
                "message": "Sign up",
                "call_to_action": {"type": "SIGN_UP", "value": {"lead_gen_form_id": form_id}},
            },
        }
        return api.post(f"/{api.act}/adcreatives", name="lead", object_story_spec=spec)

    ok = creative(demo["leadgen_form_ids"][page])
    assert ok.status_code == 200, ok.text
    for bad in (creative("1"), creative(demo["leadgen_form_ids"][demo["page_ids"][1]])):
        assert error(bad)["error_data"]["blame_field_specs"] == [
            ["object_story_spec", "link_data", "call_to_action", "value", "lead_gen_form_id"]
        ]


def test_minimum_budgets_promote_pages_and_advertisable_applications(api, demo):
    # marketing-api-guide.txt L14244 minimum_budgets, L14245 promote_pages; reference.md §2.3
    # advertisable_applications
    rows = api.get(f"/{api.act}/minimum_budgets", limit=100).json()["data"]
    usd = next(r for r in rows if r["currency"] == "USD")
    assert usd["min_daily_budget_imp"] == 100
    jpy = api.get(f"/{demo['ad_account_by_currency']['JPY']}/minimum_budgets", limit=100).json()
    assert next(r for r in jpy["data"] if r["currency"] == "JPY")["min_daily_budget_imp"] == 150
    pages = api.get(f"/{api.act}/promote_pages", fields="name").json()["data"]
    assert demo["page_ids"][0] in {p["id"] for p in pages}
    apps = api.get(f"/{api.act}/advertisable_applications").json()["data"]
    assert [a["id"] for a in apps] == [demo["app_id"]]


def test_page_and_instagram_reads_expand_their_edges(api, demo):
    # marketing-api-guide.txt L11401 "Field Expansion", on the Page and IG user nodes
    page = api.get(
        f"/{demo['page_ids'][0]}",
        fields="name,published_posts.limit(2){message},leadgen_forms{name}",
    ).json()
    assert len(page["published_posts"]["data"]) == 2 and "next" in page["published_posts"]["paging"]
    assert page["leadgen_forms"]["data"][0]["name"].endswith("Contact us")
    ig = api.get(f"/{demo['instagram_account_id']}", fields="username,media{caption}").json()
    assert ig["username"] == "northwind.coffee" and len(ig["media"]["data"]) == 4
