"""Synchronous batch requests over HTTP: POST / with batch=[...] (core-flows.md §3.3, §3.4)."""

import json

from graph_sim.media.formats import build_mp4, build_png


def _batch(http, ops, token=None, files=None, path="/", **extra):
    data = {"batch": ops if isinstance(ops, str) else json.dumps(ops), **extra}
    if token is not None:
        data["access_token"] = token
    return http.post(path, data=data, files=files)


def test_results_come_back_in_input_order_with_code_headers_and_json_string_body(http, token, demo):
    # core-flows.md §3.3 "Response"; seeds L13403 (order) and L13468 (headers, body string).
    account = demo["active_ad_account_id"]
    response = _batch(
        http,
        [
            {"method": "GET", "relative_url": f"{account}?fields=account_id"},
            {"method": "GET", "relative_url": "me?fields=name"},
        ],
        token,
    )
    assert response.status_code == 200
    first, second = response.json()
    assert first["code"] == 200 and second["code"] == 200
    assert json.loads(first["body"]) == {"account_id": account.removeprefix("act_"), "id": account}
    assert json.loads(second["body"])["name"] == "Dana Demo"
    names = {h["name"]: h["value"] for h in first["headers"]}
    assert names["Content-Type"] == "text/javascript; charset=UTF-8"
    assert names["ETag"].startswith('"') and names["ETag"].endswith('"')


def test_include_headers_false_omits_headers(http, token):
    # seeds L13424: include_headers=false removes header information.
    response = _batch(
        http, [{"method": "GET", "relative_url": "me"}], token, include_headers="false"
    )
    assert set(response.json()[0]) == {"code", "body"}


def test_versioned_root_serves_batches_too(http, token):
    # core-flows.md §3.3: POST to the root or a versioned root (`/v12.0`).
    response = _batch(http, [{"method": "GET", "relative_url": "v25.0/me"}], token, path="/v12.0/")
    assert response.json()[0]["code"] == 200


def test_more_than_50_operations_is_error_100(http, token):
    # core-flows.md §8 item 31: "limited to 50 requests per batch".
    ops = [{"method": "GET", "relative_url": "me"}] * 51
    response = _batch(http, ops, token)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100


def test_top_level_token_is_required_even_when_every_operation_has_one(http, token):
    # core-flows.md §8 item 33; seeds "Using Multiple Access Tokens".
    response = _batch(http, [{"method": "GET", "relative_url": f"me?access_token={token}"}])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 104


def test_operation_token_overrides_the_top_level_token(http, token, mint, demo):
    # core-flows.md §8 item 33: per-operation access_token; the top-level one is the fallback.
    stranger = mint(user_id=demo["second_user_id"])
    account = demo["active_ad_account_id"]
    response = _batch(
        http,
        [
            {"method": "GET", "relative_url": f"{account}/adimages"},
            {"method": "GET", "relative_url": f"{account}/adimages?access_token={stranger}"},
            {"method": "GET", "relative_url": "me", "body": "ignored=1"},
        ],
        token,
    )
    own, foreign, me = response.json()
    assert own["code"] == 200
    assert foreign["code"] == 403
    assert json.loads(foreign["body"])["error"]["code"] == 200
    assert any(h["name"] == "WWW-Authenticate" for h in foreign["headers"])
    assert me["code"] == 200


def test_failing_operation_has_its_own_error_and_others_still_succeed(http, token, demo):
    # core-flows.md §8 item 31; seeds L13555 "Errors".
    response = _batch(
        http,
        [
            {"method": "GET", "relative_url": "me"},
            {"method": "GET", "relative_url": "999999999999/nothing"},
            {"method": "DELETE", "relative_url": f"{demo['active_ad_account_id']}/adimages"},
        ],
        token,
    )
    ok, missing, bad_delete = response.json()
    assert ok["code"] == 200
    assert missing["code"] == 400
    assert json.loads(missing["body"])["error"]["error_subcode"] == 33
    assert json.loads(bad_delete["body"])["error"]["code"] == 100


def test_attached_files_and_images_hash_reference_feed_a_later_operation(http, token, demo):
    # seeds/async-and-batch-requests.txt ad creation example: create_adimage with
    # attached_files, then {result=create_adimage:$.images.*.hash} (core-flows.md §3.3).
    account = demo["active_ad_account_id"]
    png = build_png(1200, 628)
    response = _batch(
        http,
        [
            {
                "method": "POST",
                "name": "create_adimage",
                "relative_url": f"v25.0/{account}/adimages",
                "attached_files": "test1",
            },
            {
                "method": "GET",
                "relative_url": f"{account}/adimages?fields=hash,width"
                '&hashes=["{result=create_adimage:$.images.*.hash}"]',
            },
        ],
        token,
        files={"test1": ("test1.jpg", png)},
    )
    upload, listing = response.json()
    # A successful operation whose result another one consumed is omitted by default.
    assert upload is None
    rows = json.loads(listing["body"])["data"]
    assert [(row["width"]) for row in rows] == [1200]


def test_omit_response_on_success_false_keeps_the_referenced_answer(http, token, demo):
    # core-flows.md §3.3 (NOT IN SEEDS: omit_response_on_success; DECISIONS.md).
    account = demo["active_ad_account_id"]
    response = _batch(
        http,
        [
            {
                "method": "POST",
                "name": "img",
                "relative_url": f"{account}/adimages",
                "attached_files": "file1",
                "omit_response_on_success": False,
            },
            {"method": "GET", "relative_url": "me?fields=id&x={result=img:$.images.*.hash}"},
        ],
        token,
        files={"file1": ("cat.png", build_png(4, 4))},
    )
    upload, _ = response.json()
    assert json.loads(upload["body"])["images"]["cat.png"]["width"] == 4


def test_body_references_chain_a_chunked_video_upload(http, token, demo, sim):
    # core-flows.md §8 item 32: {result=op:$.path} in a form-encoded body; attached_files.
    from graph_sim.media.images import media_settings

    media_settings(sim).chunk_size = 1 << 20
    account = demo["active_ad_account_id"]
    video = build_mp4()
    response = _batch(
        http,
        [
            {
                "method": "POST",
                "name": "start",
                "relative_url": f"{account}/advideos",
                "body": f"upload_phase=start&file_size={len(video)}",
                "omit_response_on_success": False,
            },
            {
                "method": "POST",
                "name": "chunk",
                "relative_url": f"{account}/advideos",
                "body": "upload_phase=transfer&start_offset=0"
                "&upload_session_id={result=start:$.upload_session_id}",
                "attached_files": "video_file_chunk",
            },
            {
                "method": "POST",
                "relative_url": f"{account}/advideos",
                "body": "upload_phase=finish&title=Batch%20clip"
                "&upload_session_id={result=start:$.upload_session_id}",
                "depends_on": "chunk",
            },
        ],
        token,
        files={"video_file_chunk": ("v.mp4", video)},
    )
    start, chunk, finish = response.json()
    assert chunk["code"] == 200
    assert json.loads(chunk["body"]) == {
        "start_offset": str(len(video)),
        "end_offset": str(len(video)),
    }
    assert json.loads(finish["body"]) == {"success": True}
    video_id = json.loads(start["body"])["video_id"]
    title = http.get(f"/{video_id}", params={"access_token": token, "fields": "title"}).json()
    assert title["title"] == "Batch clip"


def test_reference_to_a_failed_operation_fails_the_dependent(http, token):
    # core-flows.md §8 item 32: a reference to a failed operation fails the dependent one.
    response = _batch(
        http,
        [
            {"method": "GET", "name": "broken", "relative_url": "999999999999"},
            {"method": "GET", "relative_url": "{result=broken:$.id}?fields=name"},
            {"method": "GET", "relative_url": "me", "depends_on": "broken"},
        ],
        token,
    )
    broken, by_reference, by_depends_on = response.json()
    assert broken["code"] == 400
    for dependent in (by_reference, by_depends_on):
        assert dependent["code"] == 400
        assert json.loads(dependent["body"])["error"]["code"] == 100


def test_data_star_id_reference_expands_to_a_comma_list(http, token, demo):
    # core-flows.md §3.3: {result=create-ad:$.data.*.id} used in a list parameter.
    account = demo["ad_account_by_currency"]["EUR"]  # no seeded images
    for size in (5, 6):
        http.post(
            f"/{account}/adimages",
            params={"access_token": token},
            files={f"i{size}.png": build_png(size, size)},
        )
    response = _batch(
        http,
        [
            {"method": "GET", "name": "all", "relative_url": f"{account}/adimages?fields=hash"},
            {
                "method": "GET",
                "relative_url": f"{account}/adimages?hashes={{result=all:$.data.*.hash}}"
                "&fields=width&summary=total_count",
            },
        ],
        token,
    )
    assert json.loads(response.json()[1]["body"])["summary"]["total_count"] == 2


def test_dependent_operations_run_after_what_they_reference(http, token):
    # seeds L13400: dependent operations are processed sequentially after their parents.
    response = _batch(
        http,
        [
            {"method": "GET", "relative_url": "{result=me:$.id}?fields=name"},
            {"method": "GET", "name": "me", "relative_url": "me"},
        ],
        token,
    )
    dependent, _ = response.json()
    assert json.loads(dependent["body"])["name"] == "Dana Demo"


def test_timeout_leaves_unfinished_operations_null(http, token, sim):
    # core-flows.md §8 item 34; seeds "Timeouts": completed ones answer normally.
    sim.faults.add("error", kind="batch_timeout", every=2, times=1)
    response = _batch(http, [{"method": "GET", "relative_url": "me"}] * 3, token)
    first, second, third = response.json()
    assert first["code"] == 200
    assert second is None and third is None


def test_each_operation_counts_as_a_call(http, token, sim):
    # core-flows.md §8 item 35; seeds L13409: a batch of 10 counts as 10 calls.
    _batch(http, [{"method": "GET", "relative_url": "me"}] * 10, token)
    assert len([c for c in sim.calls if c.in_batch]) == 10


def test_etag_in_batch_gives_304_with_null_body(http, token):
    # core-flows.md §3.4 and §8 item 36: If-None-Match in an operation's headers.
    first = _batch(http, [{"method": "GET", "relative_url": "me"}], token).json()[0]
    etag = next(h["value"] for h in first["headers"] if h["name"] == "ETag")
    again = _batch(
        http,
        [{"method": "GET", "relative_url": "me", "headers": [f"If-None-Match: {etag}"]}],
        token,
    ).json()[0]
    assert again["code"] == 304
    assert again["body"] is None


def test_graphs_lenient_json_is_accepted(http, token):
    # seeds L13590: the binary-upload example ends its array with "},]".
    response = _batch(http, "[{'method':'GET','relative_url':'me'},]", token)
    assert response.json()[0]["code"] == 200


def test_jsonp_callback_wraps_the_answer(http, token):
    # seeds "Batch calls with JSONP".
    response = _batch(http, [{"method": "GET", "relative_url": "me"}], token, callback="cb")
    assert response.text.startswith("/**/ cb([")
    assert response.headers["content-type"].startswith("text/javascript")


def test_missing_batch_parameter_is_error_100(http, token):
    # seeds L13418: the batch parameter carries the operations.
    response = http.post("/", data={"access_token": token})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100


def test_sdk_style_batch_on_the_versioned_root_without_trailing_slash(http, token, demo):
    # What facebook-python-business-sdk's FacebookAdsApiBatch sends: the versioned root, an
    # urlencoded body with JSON values, attached files by name, include_headers=false.
    account = demo["ad_account_by_currency"]["EUR"]
    ops = [
        {
            "method": "POST",
            "relative_url": f"{account}/adimages",
            "attached_files": "/tmp/upload/hero.png",
        },
        {
            "method": "POST",
            "relative_url": f"{account}/advideos",
            "body": "upload_phase=start&file_size=5000",
        },
    ]
    response = http.post(
        "/v25.0",
        data={"access_token": token, "batch": json.dumps(ops), "include_headers": "False"},
        files={"/tmp/upload/hero.png": ("hero.png", build_png(30, 20))},
    )
    image, video = response.json()
    assert set(image) == {"code", "body"}
    assert json.loads(image["body"])["images"]["/tmp/upload/hero.png"]["width"] == 30
    assert json.loads(video["body"])["start_offset"] == "0"


def test_a_batch_inside_a_batch_is_refused(http, token):
    # DECISIONS.md "Sync batch": a batch inside a batch → 100.
    inner = json.dumps([{"method": "GET", "relative_url": "me"}])
    outer = [{"method": "POST", "relative_url": "/", "body": f"batch={inner}"}]
    (item,) = _batch(http, outer, token).json()
    assert item["code"] == 400
    assert json.loads(item["body"])["error"]["code"] == 100


def test_operations_without_a_version_run_under_the_batch_calls_version(http, token):
    # core-flows.md §5.4: the `facebook-api-version` header names the version that served it.
    response = _batch(
        http,
        [{"method": "GET", "relative_url": "me"}, {"method": "GET", "relative_url": "v24.0/me"}],
        token,
        path="/v21.0/",
    )
    versions = [
        next(h["value"] for h in item["headers"] if h["name"] == "facebook-api-version")
        for item in response.json()
    ]
    assert versions == ["v21.0", "v24.0"]


def test_a_throttled_operation_fails_alone(http, token, demo, sim):
    # core-flows.md §8 items 31 and 52: an operation past its quota gets 80004, the rest run.
    account = demo["active_ad_account_id"]
    sim.faults.add("throttle", code=80004, path="/act_*/adimages", times=1)
    response = _batch(
        http,
        [
            {"method": "GET", "relative_url": f"{account}/adimages"},
            {"method": "GET", "relative_url": f"{account}/adimages"},
        ],
        token,
    )
    throttled, fine = response.json()
    assert json.loads(throttled["body"])["error"]["code"] == 80004
    assert fine["code"] == 200


def test_two_ad_sets_under_one_campaign_in_one_batch_fail_the_second(http, token, demo):
    # seeds L13411: "Batch requests cannot include multiple Adsets under the same Campaign."
    # (the paused campaign is OUTCOME_AWARENESS: REACH, marketing-api-guide.txt L10746)
    account = demo["active_ad_account_id"]
    adset = (
        "name={name}&campaign_id={campaign}&daily_budget=5000&billing_event=IMPRESSIONS"
        "&optimization_goal=REACH&bid_amount=200&status=PAUSED"
        '&targeting={{"geo_locations":{{"countries":["US"]}}}}'
    )
    campaign = demo["paused_campaign_id"]
    response = _batch(
        http,
        [
            {
                "method": "POST",
                "relative_url": f"{account}/adsets",
                "body": adset.format(name="first", campaign=campaign),
            },
            {
                "method": "POST",
                "relative_url": f"{account}/adsets",
                "body": adset.format(name="second", campaign=campaign),
            },
        ],
        token,
    )
    first, second = response.json()
    assert first["code"] == 200, first["body"]
    assert second["code"] == 400
    assert json.loads(second["body"])["error"]["code"] == 100


def test_post_me_with_a_batch_parameter_runs_the_batch(http, token, sim):
    # core-flows.md §3.3: "Examples also post to `/me?batch=` and `/PAGE-ID?batch=`" (only /me
    # is served; DECISIONS.md "Sync batch: bodies, tokens, headers, limits").
    ops = [{"method": "GET", "relative_url": "me?fields=name"}]
    for path in ("/me", "/v25.0/me", "/me/"):
        response = _batch(http, ops, token, path=path)
        assert response.status_code == 200, response.text
        (item,) = response.json()
        assert item["code"] == 200 and json.loads(item["body"])["name"] == "Dana Demo"
    query = http.post("/me", params={"batch": json.dumps(ops), "access_token": token})
    assert json.loads(query.json()[0]["body"])["name"] == "Dana Demo"
    outer = [c for c in sim.calls if not c.in_batch]
    assert {(c.method, c.path.rstrip("/"), c.kind) for c in outer} == {("POST", "/me", "batch")}


def test_me_without_a_batch_keeps_its_answers_and_errors(http, token, sim, demo):
    # core-flows.md §8 item 2 (no token → 104) and DECISIONS.md "Missing access token: code
    # 104" / "Token errors and their subcodes" (an app token on /me → 2500): unchanged.
    ops = json.dumps([{"method": "GET", "relative_url": "me"}])
    assert http.get("/me").json()["error"]["code"] == 104
    assert http.post("/me", data={"batch": ops}).json()["error"]["code"] == 104
    app_token = f"{demo['app_id']}|{demo['app_secret']}"
    assert http.get("/me", params={"access_token": app_token}).json()["error"]["code"] == 2500
    assert http.post("/me", data={"access_token": app_token}).json()["error"]["code"] == 2500
    for method, data in (("POST", {}), ("POST", {"batch": ""}), ("DELETE", {})):
        error = http.request(method, "/me", params={"access_token": token, **data}).json()["error"]
        assert (error["code"], error["error_subcode"]) == (100, 33)
    read = http.get("/me", params={"access_token": token, "batch": ops, "fields": "name"})
    assert read.json() == {"id": demo["user_id"], "name": "Dana Demo"}
