"""Ad previews over HTTP: generatepreviews, /previews on creatives and ads, the iframe page."""

from __future__ import annotations

import re

import pytest

from tests.graph_sim.test_objects_create import Api, error

SPEC = {
    "link_data": {
        "link": "https://shop.example.com/spring",
        "message": "Up to 30% off <this week>",
        "name": "Spring sale",
        "picture": "https://shop.example.com/spring.jpg",
        "call_to_action": {"type": "SHOP_NOW"},
    }
}


@pytest.fixture
def api(http, token, demo) -> Api:
    return Api(http, token, demo["active_ad_account_id"])


def iframe_src(body: dict) -> str:
    html = body["data"][0]["body"]
    match = re.fullmatch(
        r"<iframe src='([^']+)' width='\d+' height='\d+' scrolling='yes' "
        r"style='border: none;'></iframe>",
        html,
    )
    assert match, html
    return match.group(1)


def test_generatepreviews_with_a_spec_returns_an_iframe_to_a_rendered_page(api, demo):
    # core-flows.md §2.7; creatives-and-media.md §4.3 response shape
    creative = {"object_story_spec": {"page_id": demo["page_ids"][0], **SPEC}}
    r = api.get(f"/{api.act}/generatepreviews", creative=creative, ad_format="MOBILE_FEED_STANDARD")
    assert r.status_code == 200, r.text
    assert list(r.json()) == ["data"]
    page = api.http.get(iframe_src(r.json()))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "Northwind Coffee" in text and "Spring sale" in text and "Shop Now" in text
    assert "Up to 30% off &lt;this week&gt;" in text  # escaped, not injected
    assert "https://shop.example.com/spring.jpg" in text


def test_generatepreviews_requires_ad_format_and_creative_with_194(api, demo):
    # reference.md §3.10 (both Required); creatives-and-media.md §6.2 item 34
    creative = {"object_story_spec": {"page_id": demo["page_ids"][0], **SPEC}}
    assert error(api.get(f"/{api.act}/generatepreviews", creative=creative))["code"] == 194
    e = error(api.get(f"/{api.act}/generatepreviews", ad_format="MOBILE_FEED_STANDARD"))
    assert e["code"] == 194


def test_generatepreviews_ad_format_outside_the_enum_is_100(api, demo):
    # creatives-and-media.md §4.4: GROUPS_MOBILE is used in a guide but not in the enum
    creative = {"object_story_spec": {"page_id": demo["page_ids"][0], **SPEC}}
    e = error(api.get(f"/{api.act}/generatepreviews", creative=creative, ad_format="GROUPS_MOBILE"))
    assert e["code"] == 100 and e["error_data"]["blame_field_specs"] == [["ad_format"]]


def test_generatepreviews_validates_the_creative_spec(api):
    # creatives-and-media.md §6.2 item 20 applies to previews of unsaved specs too
    e = error(
        api.get(
            f"/{api.act}/generatepreviews",
            creative={"object_story_spec": SPEC},
            ad_format="MOBILE_FEED_STANDARD",
        )
    )
    assert e["code"] == 100


def test_generatepreviews_by_creative_id_and_object_story_id(api, demo):
    # core-flows.md §2.7 example creative={"object_story_id": ...}; {"creative_id": ...}
    crid = api.creative(demo["page_ids"][0])
    r = api.get(
        f"/{api.act}/generatepreviews",
        creative={"creative_id": crid},
        ad_format="DESKTOP_FEED_STANDARD",
    )
    assert "Buy now" in api.http.get(iframe_src(r.json())).text
    story = {"object_story_id": demo["page_post_ids"][demo["page_ids"][0]][0]}
    r = api.get(f"/{api.act}/generatepreviews", creative=story, ad_format="RIGHT_COLUMN_STANDARD")
    assert r.status_code == 200


def test_post_parameter_is_not_for_the_right_column(api, demo):
    # reference.md §3.10: `post` ... not for RIGHT_COLUMN_STANDARD
    creative = {"object_story_spec": {"page_id": demo["page_ids"][0], **SPEC}}
    e = error(
        api.get(
            f"/{api.act}/generatepreviews",
            creative=creative,
            ad_format="RIGHT_COLUMN_STANDARD",
            post={"message": "x"},
        )
    )
    assert e["code"] == 100


def test_carousel_is_not_previewed_in_facebook_stories(api, demo):
    # creatives-and-media.md §3.3: "Carousel ads is not supported for Facebook Stories"
    cards = [
        {
            "link": f"https://a.example/{i}",
            "picture": f"https://a.example/{i}.jpg",
            "name": f"Card {i}",
        }
        for i in range(3)
    ]
    creative = {
        "object_story_spec": {
            "page_id": demo["page_ids"][0],
            "link_data": {"link": "https://a.example", "child_attachments": cards},
        }
    }
    e = error(
        api.get(
            f"/{api.act}/generatepreviews", creative=creative, ad_format="FACEBOOK_STORY_MOBILE"
        )
    )
    assert e["code"] == 100
    r = api.get(f"/{api.act}/generatepreviews", creative=creative, ad_format="MOBILE_FEED_STANDARD")
    text = api.http.get(iframe_src(r.json())).text
    assert all(f"Card {i}" in text for i in range(3))


def test_link_ad_without_a_page_previews_only_in_the_right_column(api):
    # reference.md §3.10: "link ad not connected to a page → RIGHT_COLUMN_STANDARD"
    creative = {
        "object_url": "https://a.example",
        "title": "T",
        "body": "B",
        "image_url": "https://a.example/i.jpg",
    }
    ok = api.get(
        f"/{api.act}/generatepreviews", creative=creative, ad_format="RIGHT_COLUMN_STANDARD"
    )
    assert ok.status_code == 200
    e = error(
        api.get(f"/{api.act}/generatepreviews", creative=creative, ad_format="MOBILE_FEED_STANDARD")
    )
    assert e["code"] == 100


def test_creative_and_ad_previews_edges(api, demo):
    # core-flows.md §2.7: also /<AD_ID>/previews and /<CREATIVE_ID>/previews
    crid = api.creative(demo["page_ids"][0])
    aid = api.ad(api.adset(api.campaign()), crid)
    for obj in (crid, aid):
        r = api.get(f"/{obj}/previews", ad_format="INSTAGRAM_STANDARD")
        assert r.status_code == 200 and "Buy now" in api.http.get(iframe_src(r.json())).text
        assert error(api.get(f"/{obj}/previews"))["code"] == 194


def test_width_and_height_only_change_the_iframe(api, demo):
    # reference.md §3.10: height/width "iframe size only"
    crid = api.creative(demo["page_ids"][0])
    body = api.get(
        f"/{crid}/previews", ad_format="MOBILE_FEED_STANDARD", width="300", height="400"
    ).json()["data"][0]["body"]
    assert "width='300' height='400'" in body


def test_preview_page_expires_after_24_hours(api, demo, sim):
    # core-flows.md §2.7: "The body is an iframe valid for 24 hours"
    crid = api.creative(demo["page_ids"][0])
    src = iframe_src(api.get(f"/{crid}/previews", ad_format="MOBILE_FEED_STANDARD").json())
    sim.clock.advance(24 * 3600 - 1)
    assert api.http.get(src).status_code == 200
    sim.clock.advance(1)
    assert api.http.get(src).status_code == 404


def test_ad_preview_shareable_link_renders(api, demo):
    # ad-reference.txt field preview_shareable_link
    aid = api.ad(api.adset(api.campaign()), api.creative(demo["page_ids"][0]))
    link = api.get(f"/{aid}", fields="preview_shareable_link").json()["preview_shareable_link"]
    assert "Buy now" in api.http.get(link).text
