"""Ad images over HTTP: /act_<id>/adimages upload, library, copy and delete."""

import base64
import hashlib
import io
import json
import struct
import zipfile

from graph_sim.media.formats import build_png
from graph_sim.media.images import media_settings


def _jpeg(width: int, height: int) -> bytes:
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + sof0 + b"\xff\xd9"


def _upload(http, token, account, files, **data):
    return http.post(
        f"/v25.0/{account}/adimages", params={"access_token": token}, files=files, data=data
    )


def test_multipart_upload_returns_the_documented_images_map(http, token, demo):
    # creatives-and-media.md §1.1 and §6.2 item 1; reference.md §3.5 (return struct).
    account = demo["active_ad_account_id"]
    png = build_png(1200, 628)
    response = _upload(http, token, account, {"banner_1200x628.png": ("banner.png", png)})
    assert response.status_code == 200
    images = response.json()["images"]
    assert list(images) == ["banner_1200x628.png"]
    image = images["banner_1200x628.png"]
    assert image["hash"] == hashlib.md5(png).hexdigest()
    assert (image["width"], image["height"]) == (1200, 628)
    assert (image["url_256_width"], image["url_256_height"]) == ("256", "134")
    assert image["name"] == "banner_1200x628.png"
    assert set(image) == {
        "hash", "url", "url_128", "url_256", "url_256_height", "url_256_width",
        "height", "width", "name",
    }  # fmt: skip


def test_jpeg_dimensions_come_from_the_file_header(http, token, demo):
    # reference.md §3.5 return struct: height and width (int32) of the uploaded image.
    response = _upload(http, token, demo["active_ad_account_id"], {"photo.jpg": _jpeg(640, 480)})
    image = response.json()["images"]["photo.jpg"]
    assert (image["width"], image["height"]) == (640, 480)


def test_same_bytes_twice_give_the_same_hash_and_one_library_entry(http, token, demo):
    # creatives-and-media.md §6.2 item 1: deterministic per byte content.
    account = demo["ad_account_by_currency"]["EUR"]  # no seeded images
    png = build_png(300, 300)
    first = _upload(http, token, account, {"a.png": png}).json()["images"]["a.png"]["hash"]
    second = _upload(http, token, account, {"b.png": png}).json()["images"]["b.png"]["hash"]
    assert first == second
    listing = http.get(
        f"/{account}/adimages", params={"access_token": token, "summary": "total_count"}
    ).json()
    assert listing["summary"]["total_count"] == 1


def test_bytes_upload_returns_the_same_shape_under_the_key_bytes(http, token, demo):
    # creatives-and-media.md §6.2 item 2; reference.md §3.5 `bytes` (Base64).
    png = build_png(50, 40)
    response = http.post(
        f"/{demo['active_ad_account_id']}/adimages",
        data={"access_token": token, "bytes": base64.b64encode(png).decode()},
    )
    image = response.json()["images"]["bytes"]
    assert image["hash"] == hashlib.md5(png).hexdigest()
    assert (image["width"], image["height"]) == (50, 40)


def test_undecodable_bytes_or_non_image_is_error_100(http, token, demo):
    # creatives-and-media.md §6.2 item 2: undecodable or non-image payload → 100.
    account = demo["active_ad_account_id"]
    bad_base64 = http.post(
        f"/{account}/adimages", data={"access_token": token, "bytes": "not base64!!"}
    )
    not_image = http.post(
        f"/{account}/adimages",
        data={"access_token": token, "bytes": base64.b64encode(b"plain text").decode()},
    )
    for response in (bad_base64, not_image):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == 100


def test_file_part_without_an_extension_is_error_100(http, token, demo):
    # creatives-and-media.md §1.1 [EXT]: "You must include a filename extension".
    response = _upload(
        http, token, demo["active_ad_account_id"], {"sample": ("sample", build_png(5, 5))}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100


def test_zip_upload_returns_one_entry_per_image(http, token, demo):
    # creatives-and-media.md §6.2 item 3.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("one.png", build_png(10, 10))
        archive.writestr("two.jpg", _jpeg(20, 30))
    response = _upload(http, token, demo["active_ad_account_id"], {"pack.zip": buffer.getvalue()})
    images = response.json()["images"]
    assert set(images) == {"one.png", "two.jpg"}
    assert (images["two.jpg"]["width"], images["two.jpg"]["height"]) == (20, 30)


def test_image_over_the_size_limit_is_error_100(http, token, demo, sim):
    # reference.md §10 item 41: image > 8 MB → 100 (the limit is lowered to keep the test fast).
    media_settings(sim).image_max_bytes = 1000
    big = build_png(2000, 2000)
    assert len(big) > 1000
    response = _upload(http, token, demo["active_ad_account_id"], {"big.png": big})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100


def test_list_filters_by_hashes_and_rows_carry_account_hash_ids(http, token, demo):
    # creatives-and-media.md §6.2 item 5; reference.md §3.5 GET params.
    account = demo["ad_account_by_currency"]["EUR"]  # no seeded images
    small = _upload(http, token, account, {"s.png": build_png(100, 100)}).json()
    _upload(http, token, account, {"l.png": build_png(800, 600)})
    small_hash = small["images"]["s.png"]["hash"]
    filtered = http.get(
        f"/{account}/adimages",
        params={"access_token": token, "hashes": f'["{small_hash}"]', "fields": "hash,name"},
    ).json()
    assert filtered["data"] == [
        {"id": f"{account.removeprefix('act_')}:{small_hash}", "hash": small_hash, "name": "s.png"}
    ]
    wide = http.get(
        f"/{account}/adimages",
        params={"access_token": token, "minwidth": "500", "fields": "width,height"},
    ).json()
    assert [(row["width"], row["height"]) for row in wide["data"]] == [(800, 600)]


def test_list_pages_with_cursors(http, token, demo):
    # core-flows.md §5.1: `limit`, `paging.next` until the last page.
    account = demo["ad_account_by_currency"]["EUR"]  # no seeded images
    for size in (10, 11, 12):
        _upload(http, token, account, {f"i{size}.png": build_png(size, size)})
    first = http.get(f"/{account}/adimages", params={"access_token": token, "limit": "2"}).json()
    assert len(first["data"]) == 2 and "next" in first["paging"]
    second = http.get(first["paging"]["next"]).json()
    assert len(second["data"]) == 1 and "next" not in second["paging"]


def test_delete_requires_hash_then_removes_the_image(http, token, demo):
    # creatives-and-media.md §6.2 item 6; reference.md §3.5 DELETE.
    account = demo["ad_account_by_currency"]["EUR"]  # no seeded images
    image_hash = _upload(http, token, account, {"x.png": build_png(7, 7)}).json()["images"][
        "x.png"
    ]["hash"]
    missing = http.delete(f"/{account}/adimages", params={"access_token": token})
    assert missing.status_code == 400 and missing.json()["error"]["code"] == 100
    deleted = http.delete(
        f"/{account}/adimages", params={"access_token": token, "hash": image_hash}
    )
    assert deleted.json() == {"success": True}
    listing = http.get(f"/{account}/adimages", params={"access_token": token}).json()
    assert listing["data"] == []


def test_copy_from_copies_an_image_between_accessible_accounts(http, token, demo):
    # creatives-and-media.md §6.2 item 4; reference.md §10 item 43.
    source, dest = demo["ad_account_by_currency"]["USD"], demo["ad_account_by_currency"]["EUR"]
    image_hash = _upload(http, token, source, {"c.png": build_png(9, 9)}).json()["images"]["c.png"][
        "hash"
    ]
    copy_from = f'{{"source_account_id": "{source.removeprefix("act_")}", "hash": "{image_hash}"}}'
    response = http.post(f"/{dest}/adimages", data={"access_token": token, "copy_from": copy_from})
    assert response.status_code == 200
    assert [i["hash"] for i in response.json()["images"].values()] == [image_hash]
    listing = http.get(f"/{dest}/adimages", params={"access_token": token, "fields": "hash"}).json()
    assert [row["hash"] for row in listing["data"]] == [image_hash]


def test_copy_from_unknown_hash_is_100_and_foreign_account_is_200(http, token, demo):
    # creatives-and-media.md §6.2 item 4: else 100/200.
    dest = demo["active_ad_account_id"]
    own = demo["ad_account_by_currency"]["EUR"].removeprefix("act_")
    foreign = demo["foreign_ad_account_id"].removeprefix("act_")
    unknown = http.post(
        f"/{dest}/adimages",
        data={"access_token": token, "copy_from": f'{{"source_account_id": "{own}", "hash": "0"}}'},
    )
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == 100
    no_access = http.post(
        f"/{dest}/adimages",
        data={
            "access_token": token,
            "copy_from": f'{{"source_account_id": "{foreign}", "hash": "0"}}',
        },
    )
    assert no_access.status_code == 403 and no_access.json()["error"]["code"] == 200


def test_upload_needs_ads_management(http, mint, demo):
    # core-flows.md §8 item 3: ads_read can read but not POST.
    read_only = mint(scopes=["ads_read"])
    response = _upload(http, read_only, demo["active_ad_account_id"], {"r.png": build_png(3, 3)})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == 200


def test_image_url_serves_the_uploaded_bytes(http, token, demo):
    # reference.md §3.5 `url`; DECISIONS.md: the simulator serves the media it links to.
    png = build_png(12, 8)
    image = _upload(http, token, demo["active_ad_account_id"], {"u.png": png}).json()["images"][
        "u.png"
    ]
    assert http.get(image["url"]).content == png


def test_image_used_by_a_creative_lists_it_and_cannot_be_deleted(http, token, demo):
    # reference.md §3.5 AdImage `creatives`; creatives-and-media.md §7 item 35 [VAGUE]: we
    # refuse to delete an image a creative still uses (DECISIONS.md "Media uploads").
    account = demo["ad_account_by_currency"]["EUR"]  # no seeded images
    image_hash = _upload(http, token, account, {"hero.png": build_png(600, 600)}).json()["images"][
        "hero.png"
    ]["hash"]
    spec = {
        "page_id": demo["page_ids"][0],
        "link_data": {"image_hash": image_hash, "link": "https://example.com", "message": "hi"},
    }
    creative = http.post(
        f"/{account}/adcreatives",
        data={"access_token": token, "name": "hero", "object_story_spec": json.dumps(spec)},
    ).json()
    row = http.get(
        f"/{account}/adimages", params={"access_token": token, "fields": "creatives"}
    ).json()["data"][0]
    assert row["creatives"] == [creative["id"]]
    refused = http.delete(
        f"/{account}/adimages", params={"access_token": token, "hash": image_hash}
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 100


def test_demo_account_has_a_seeded_image_library(http, token, demo):
    # CONTRACT.md §5 seeding: feed, square and story images in the active account.
    listing = http.get(
        f"/{demo['active_ad_account_id']}/adimages",
        params={"access_token": token, "fields": "hash,width,height"},
    ).json()
    sizes = {row["hash"]: (row["width"], row["height"]) for row in listing["data"]}
    assert [sizes[h] for h in demo["image_hashes"]] == [(1200, 628), (1080, 1080), (1080, 1920)]
