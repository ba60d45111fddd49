"""The status model over HTTP: post-processing, review, propagation, archive and delete, edges."""

from __future__ import annotations

import pytest

from tests.graph_sim.test_objects_create import Api, error

IN_PROCESS, REVIEW = 30.0, 60.0  # graph_sim.app.Timings defaults (in_process, review)


@pytest.fixture
def api(http, token, demo) -> Api:
    return Api(http, token, demo["active_ad_account_id"])


@pytest.fixture
def tree(api, demo):
    cid = api.campaign(status="ACTIVE")
    sid = api.adset(cid, status="ACTIVE")
    crid = api.creative(demo["page_ids"][0])
    aid = api.ad(sid, crid, status="ACTIVE")
    return cid, sid, crid, aid


def status_of(api: Api, obj_id: str) -> tuple[str, str, str]:
    got = api.get(f"/{obj_id}", fields="status,configured_status,effective_status").json()
    return got["status"], got["configured_status"], got["effective_status"]


def test_new_ad_goes_in_process_then_pending_review_then_active(api, tree, sim):
    # post-processing.txt; core-flows.md §2.5 and §8 item 18
    cid, _sid, _, aid = tree
    assert status_of(api, aid) == ("ACTIVE", "ACTIVE", "IN_PROCESS")
    assert status_of(api, cid)[2] == "IN_PROCESS"
    sim.clock.advance(IN_PROCESS)
    assert status_of(api, aid) == ("ACTIVE", "ACTIVE", "PENDING_REVIEW")
    assert status_of(api, cid) == ("ACTIVE", "ACTIVE", "ACTIVE")
    sim.clock.advance(REVIEW)
    assert status_of(api, aid) == ("ACTIVE", "ACTIVE", "ACTIVE")


def test_ad_paused_when_it_enters_review_stays_paused(api, demo, sim):
    # core-flows.md §2.5: "if an ad enters Ad Review with the run status of 'Paused', then it
    # will remain Paused upon exiting Ad Review."
    sid = api.adset(api.campaign(status="ACTIVE"), status="ACTIVE")
    aid = api.ad(sid, api.creative(demo["page_ids"][0]), status="PAUSED")
    sim.clock.advance(IN_PROCESS)
    assert status_of(api, aid)[2] == "PENDING_REVIEW"
    sim.clock.advance(REVIEW)
    assert status_of(api, aid) == ("PAUSED", "PAUSED", "PAUSED")


def test_paused_campaign_gives_children_campaign_paused_and_their_status_is_unchanged(
    api, tree, sim
):
    # reference.md §7.5; core-flows.md §8 item 17
    cid, sid, _, aid = tree
    sim.clock.advance(IN_PROCESS + REVIEW)
    assert api.post(f"/{cid}", status="PAUSED").json() == {"success": True}
    assert status_of(api, cid) == ("PAUSED", "PAUSED", "PAUSED")
    assert status_of(api, sid) == ("ACTIVE", "ACTIVE", "CAMPAIGN_PAUSED")
    assert status_of(api, aid) == ("ACTIVE", "ACTIVE", "CAMPAIGN_PAUSED")
    api.post(f"/{cid}", status="ACTIVE")
    assert status_of(api, aid)[2] == "ACTIVE"


def test_paused_adset_gives_ads_adset_paused_and_nothing_propagates_up(api, tree, sim):
    # reference.md §7.5: ad set PAUSED → ADSET_PAUSED; no upward propagation
    cid, sid, _, aid = tree
    sim.clock.advance(IN_PROCESS + REVIEW)
    api.post(f"/{sid}", status="PAUSED")
    assert status_of(api, aid)[2] == "ADSET_PAUSED"
    api.post(f"/{aid}", status="ARCHIVED")
    assert status_of(api, sid)[2] == "PAUSED" and status_of(api, cid)[2] == "ACTIVE"


def test_post_processing_fault_ends_with_issues_and_issues_info(api, http, demo, sim):
    # post-processing.txt (WITH_ISSUES + issues_info); core-flows.md §8 item 19
    r = http.post("/_sim/objects/post_processing_faults", data={"node_type": "ad", "count": "1"})
    assert r.json()["success"] is True
    sid = api.adset(api.campaign(status="ACTIVE"), status="ACTIVE")
    crid = api.creative(demo["page_ids"][0])
    bad, good = api.ad(sid, crid, status="ACTIVE"), api.ad(sid, crid, status="ACTIVE")
    assert status_of(api, bad)[2] == "IN_PROCESS"
    assert "issues_info" not in api.get(f"/{bad}", fields="issues_info").json()
    sim.clock.advance(IN_PROCESS)
    got = api.get(f"/{bad}", fields="effective_status,issues_info,status").json()
    assert got["effective_status"] == "WITH_ISSUES" and got["status"] == "ACTIVE"
    assert got["issues_info"] == [
        {
            "level": "AD",
            "error_code": 1815869,
            "error_summary": "Ad post is not available",
            "error_message": "The Facebook post associated with your ad is not available. It may "
            "have been removed, or you may not have permission to view it.",
        }
    ]
    assert status_of(api, good)[2] == "PENDING_REVIEW"
    # ad-level issues do not change the parents (reference.md §7.5)
    assert status_of(api, sid)[2] == "ACTIVE"


def test_campaign_with_issues_is_inherited_by_children(api, demo, sim):
    # reference.md §7.5: a campaign "with_issues" → all objects below inherit it
    sim_faults = sim.world
    from graph_sim.objects.model import objects_state

    objects_state(sim_faults).fail_next("campaign")
    cid = api.campaign(status="ACTIVE")
    sid = api.adset(cid, status="ACTIVE")
    aid = api.ad(sid, api.creative(demo["page_ids"][0]), status="ACTIVE")
    sim.clock.advance(IN_PROCESS + REVIEW)
    assert [status_of(api, i)[2] for i in (cid, sid, aid)] == ["WITH_ISSUES"] * 3


def test_creative_reports_post_processing_on_status(api, demo, sim):
    # post-processing.txt: creatives show it in `status`: IN_PROCESS → ACTIVE or WITH_ISSUES
    crid = api.creative(demo["page_ids"][0])
    assert api.get(f"/{crid}", fields="status").json() == {"status": "IN_PROCESS", "id": crid}
    sim.clock.advance(IN_PROCESS)
    assert api.get(f"/{crid}", fields="status").json()["status"] == "ACTIVE"


def test_creative_in_process_literal_can_match_the_seed_example(api, http, demo, sim):
    # post-processing.txt prints "IN-PROCESS"; a knob switches to that spelling
    r = http.post("/_sim/objects/config", data={"creative_in_process_status": "IN-PROCESS"})
    assert r.json()["config"]["creative_in_process_status"] == "IN-PROCESS"
    crid = api.creative(demo["page_ids"][0])
    assert api.get(f"/{crid}", fields="status").json()["status"] == "IN-PROCESS"


def test_failed_creative_reads_with_issues_and_cannot_be_previewed(api, http, demo, sim):
    # post-processing.txt creative example; reference.md §3.10 error 2606
    http.post("/_sim/objects/post_processing_faults", data={"node_type": "adcreative"})
    crid = api.creative(demo["page_ids"][0])
    sim.clock.advance(IN_PROCESS)
    got = api.get(f"/{crid}", fields="status,issues_info").json()
    assert got["status"] == "WITH_ISSUES" and got["issues_info"][0]["level"] == "CREATIVE"
    assert error(api.get(f"/{crid}/previews", ad_format="MOBILE_FEED_STANDARD"))["code"] == 2606


def test_updates_are_allowed_while_in_process_and_restart_post_processing(api, tree, sim):
    # post-processing.txt: "When an ad object is IN_PROCESS, you can still make regular updates"
    _, sid, _, _ = tree
    assert status_of(api, sid)[2] == "IN_PROCESS"
    r = api.post(f"/{sid}", daily_budget=3000)
    assert r.json() == {"success": True}
    sim.clock.advance(IN_PROCESS - 1)
    assert status_of(api, sid)[2] == "IN_PROCESS"  # the edit restarted post-processing
    sim.clock.advance(1)
    assert status_of(api, sid)[2] == "ACTIVE"
    assert api.get(f"/{sid}", fields="daily_budget").json()["daily_budget"] == "3000"


def test_name_only_edit_does_not_restart_post_processing(api, tree, sim):
    _, sid, _, _ = tree
    sim.clock.advance(IN_PROCESS)
    api.post(f"/{sid}", name="Renamed")
    assert status_of(api, sid)[2] == "ACTIVE"


def test_targeting_change_sends_the_ads_back_to_review(api, tree, sim):
    # core-flows.md §2.5: targeting changes trigger review; budget changes do not
    _, sid, _, aid = tree
    sim.clock.advance(IN_PROCESS + REVIEW)
    api.post(f"/{sid}", daily_budget=4000)
    assert status_of(api, aid)[2] == "ACTIVE"
    api.post(f"/{sid}", targeting={"geo_locations": {"countries": ["CA"]}})
    assert status_of(api, aid)[2] == "PENDING_REVIEW"


def test_adset_update_keeps_budget_rules(api, tree):
    # core-flows.md §8 item 10 on update: a campaign budget conflicts with ad set budgets
    cid, sid, _, _ = tree
    e = error(api.post(f"/{cid}", daily_budget=5000))
    assert e["error_subcode"] == 1885621
    e = error(api.post(f"/{sid}", daily_budget=10))
    assert e["code"] == 1487901


def test_ad_adset_id_cannot_be_updated(api, tree):
    # ad-reference.txt: "adset_id and social_prefs can not be updated"
    cid, _sid, _, aid = tree
    other = api.adset(cid)
    e = error(api.post(f"/{aid}", adset_id=other))
    assert e["code"] == 100 and e["error_data"]["blame_field_specs"] == [["adset_id"]]


def test_legacy_adgroup_status_updates_the_status(api, tree):
    # ad-reference.txt "Update the status": -F 'adgroup_status="PAUSED"'
    _, _, _, aid = tree
    assert api.post(f"/{aid}", adgroup_status='"PAUSED"').json() == {"success": True}
    assert status_of(api, aid)[0] == "PAUSED"


def test_ad_creative_swap_sends_the_ad_back_to_review(api, tree, demo, sim):
    # creatives-and-media.md §2.0: change an ad's creative with creative={"creative_id"}
    _, _, _, aid = tree
    sim.clock.advance(IN_PROCESS + REVIEW)
    new = api.creative(demo["page_ids"][0])
    assert api.post(f"/{aid}", creative={"creative_id": new}).json() == {"success": True}
    assert api.get(f"/{aid}", fields="creative").json()["creative"] == {"id": new}
    assert status_of(api, aid)[2] == "IN_PROCESS"


# --- archive and delete --------------------------------------------------------------------


def test_archived_ad_accepts_only_name_and_deleted(api, tree):
    # core-flows.md §2.6: error 1885088; reference.md §7.2
    _, _, _, aid = tree
    api.post(f"/{aid}", status="ARCHIVED")
    e = error(api.post(f"/{aid}", status="ACTIVE"))
    assert e["code"] == 100 and e["error_subcode"] == 1885088
    e = error(api.post(f"/{aid}", tracking_specs=[{"action.type": ["offsite_conversion"]}]))
    assert e["error_subcode"] == 1885088
    assert api.post(f"/{aid}", name="Old ad").json() == {"success": True}
    assert api.post(f"/{aid}", status="DELETED").json() == {"success": True}
    assert status_of(api, aid) == ("DELETED", "DELETED", "DELETED")


@pytest.mark.parametrize("which,subcode", [(0, 1487566), (1, 1487056)])
def test_deleted_campaign_or_adset_accepts_only_name(api, tree, which, subcode):
    # core-flows.md §2.6: 1487566 (campaign), 1487056 (ad set); DELETED is terminal
    obj = tree[which]
    assert api.delete(f"/{obj}").json() == {"success": True}
    for change in ({"status": "ARCHIVED"}, {"status": "ACTIVE"}, {"daily_budget": 2000}):
        e = error(api.post(f"/{obj}", **change))
        assert (e["code"], e["error_subcode"]) == (100, subcode)
    assert api.post(f"/{obj}", name="gone").json() == {"success": True}


def test_deleted_objects_stay_readable_by_id(api, tree):
    # reference.md §7.4: "Query by its own ID: Yes" for DELETED
    cid, sid, _, aid = tree
    assert api.delete(f"/{cid}").json() == {"success": True}
    got = api.get(f"/{cid}", fields="name,status,effective_status").json()
    assert got["status"] == "DELETED" and got["effective_status"] == "DELETED"
    # children inherit it and stay readable by id (core-flows.md §8 item 22)
    assert status_of(api, aid) == ("ACTIVE", "ACTIVE", "DELETED")
    assert status_of(api, sid)[2] == "DELETED"


def test_status_deleted_by_update_is_the_same_as_http_delete(api, tree):
    # reference.md §7.2: "status=DELETED or HTTP DELETE /<ID>"
    _, sid, _, _ = tree
    assert api.post(f"/{sid}", status="DELETED").json() == {"success": True}
    assert status_of(api, sid)[0] == "DELETED"


def test_archived_cap_is_1487990(api, tree, http):
    # reference.md §7.2/§7.3: archived cap → 1487990 (configurable)
    _cid, sid, crid, aid = tree
    http.post("/_sim/objects/config", data={"max_archived_per_account": "1"})
    assert api.post(f"/{aid}", status="ARCHIVED").json() == {"success": True}
    other = api.ad(sid, crid)
    e = error(api.post(f"/{other}", status="ARCHIVED"))
    assert e["error_subcode"] == 1487990


# --- edges ---------------------------------------------------------------------------------


def _ids(resp) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [row["id"] for row in resp.json()["data"]]


def test_edges_hide_archived_and_deleted_unless_filtered(api, tree, demo):
    # reference.md §7.4 table; core-flows.md §8 item 21
    cid, sid, crid, aid = tree
    archived = api.ad(sid, crid)
    deleted = api.ad(sid, crid)
    api.post(f"/{archived}", status="ARCHIVED")
    api.delete(f"/{deleted}")
    assert _ids(api.get(f"/{sid}/ads")) == [aid]
    assert _ids(api.get(f"/{sid}/ads", effective_status='["ARCHIVED"]')) == [archived]
    both = _ids(api.get(f"/{cid}/ads", effective_status="ARCHIVED,IN_PROCESS"))
    assert set(both) == {archived, aid}
    e = error(api.get(f"/{sid}/ads", effective_status='["ACTIVE","DELETED"]'))
    assert e["code"] == 100
    assert api.get(f"/{deleted}", fields="status").json()["status"] == "DELETED"


def test_effective_status_filter_on_campaigns_is_the_enum(api, tree):
    # reference.md §3.1: effective_status is a list of the 12-value enum
    assert error(api.get(f"/{api.act}/campaigns", effective_status='["RUNNING"]'))["code"] == 100


def test_filtering_param_selects_by_field(api, tree, demo):
    # core-flows.md §2.6: filtering=[{field, operator, value}]
    _cid, sid, crid, _aid = tree
    other = api.ad(sid, crid, name="Second ad")
    rule = [
        {"field": "ad.effective_status", "operator": "IN", "value": ["IN_PROCESS"]},
        {"field": "name", "operator": "CONTAIN", "value": "second"},
    ]
    assert _ids(api.get(f"/{api.act}/ads", filtering=rule)) == [other]
    deleted_rule = [{"field": "ad.effective_status", "operator": "IN", "value": ["DELETED"]}]
    assert error(api.get(f"/{api.act}/ads", filtering=deleted_rule))["code"] == 100


def test_deleting_a_campaign_hides_its_children_from_every_edge(api, tree):
    # reference.md §7.5: a deleted campaign's ad sets and ads only by explicit id
    cid, sid, _, aid = tree
    api.delete(f"/{cid}")
    assert sid not in _ids(api.get(f"/{api.act}/adsets"))
    assert aid not in _ids(api.get(f"/{api.act}/ads", effective_status='["ARCHIVED","ACTIVE"]'))
    assert _ids(api.get(f"/{cid}/adsets")) == []


def test_edge_summary_total_count_and_paging(api, tree):
    # core-flows.md §8 items 48-49; date_format is accepted and ignored
    _, sid, crid, _ = tree
    for _ in range(3):
        api.ad(sid, crid)
    first = api.get(f"/{sid}/ads", limit=2, summary="total_count", date_format="U").json()
    assert first["summary"] == {"total_count": 4} and len(first["data"]) == 2
    second = api.http.get(first["paging"]["next"]).json()
    assert len(second["data"]) == 2 and "next" not in second["paging"]


def test_edges_of_every_parent(api, tree):
    # reference.md §1.1 root edges; core-flows.md §2.4 "Read"
    cid, sid, crid, aid = tree
    assert _ids(api.get(f"/{cid}/adsets")) == [sid]
    assert _ids(api.get(f"/{cid}/ads")) == [aid]
    assert _ids(api.get(f"/{sid}/adcreatives")) == [crid]
    assert _ids(api.get(f"/{aid}/adcreatives")) == [crid]
    assert crid in _ids(api.get(f"/{api.act}/adcreatives"))
    assert _ids(api.get(f"/{api.act}/ads", adset_ids=f'["{sid}"]')) == [aid]


def test_unknown_field_is_code_100(api, tree):
    # CONTRACT.md §4 / Graph "Tried accessing nonexisting field"
    e = error(api.get(f"/{tree[0]}", fields="name,colour"))
    assert e["code"] == 100 and "(colour)" in e["message"] and "(Campaign)" in e["message"]


def test_nested_fields_expand_linked_objects(api, tree):
    # core-flows.md §5.3 field expansion: creative{name,object_story_spec}
    cid, _, crid, aid = tree
    got = api.get(f"/{aid}", fields="creative{name,object_story_spec},campaign{name}").json()
    assert got["creative"]["id"] == crid and got["creative"]["name"] == "Cr"
    assert "link_data" in got["creative"]["object_story_spec"]
    assert got["campaign"] == {"id": cid, "name": "C"}


def test_bulk_campaign_delete_needs_a_strategy(api, tree):
    # reference.md §3.1 DELETE /act_<id>/campaigns
    assert error(api.delete(f"/{api.act}/campaigns"))["code"] == 100
    cid = tree[0]
    api.post(f"/{cid}", status="ARCHIVED")
    r = api.delete(
        f"/{api.act}/campaigns",
        delete_strategy="DELETE_ARCHIVED_BEFORE",
        before_date="2030-01-01T00:00:00+0000",
        object_count="100",
    )
    body = r.json()
    assert cid in body["deleted_object_ids"] and body["objects_left_to_delete_count"] == 0


def test_adsets_edge_delete_is_unsupported(api):
    # reference.md §3.2: DELETE on /adsets "deprecated with Marketing API V8"
    e = error(api.delete(f"/{api.act}/adsets"))
    assert e["code"] == 100 and e["error_subcode"] == 33


def test_review_rejection_knob_ends_disapproved_with_feedback(api, http, demo, sim):
    # reference.md §10 item 35: "review outcome knob can yield DISAPPROVED"
    http.post("/_sim/objects/review_rejections", data={"count": "1"})
    sid = api.adset(api.campaign(status="ACTIVE"), status="ACTIVE")
    crid = api.creative(demo["page_ids"][0])
    aid = api.ad(sid, crid, status="ACTIVE")
    sim.clock.advance(IN_PROCESS)
    assert status_of(api, aid)[2] == "PENDING_REVIEW"
    sim.clock.advance(REVIEW)
    got = api.get(f"/{aid}", fields="effective_status,ad_review_feedback,status").json()
    assert got["effective_status"] == "DISAPPROVED" and got["status"] == "ACTIVE"
    assert "Landing page" in got["ad_review_feedback"]["global"]
    # a new creative goes through review again and passes
    api.post(f"/{aid}", creative={"creative_id": api.creative(demo["page_ids"][0])})
    sim.clock.advance(IN_PROCESS + REVIEW)
    assert status_of(api, aid)[2] == "ACTIVE"


def test_core_fault_plan_can_fail_post_processing(api, sim):
    # brief: a fault hook marks the next N objects of a type to fail post-processing; the
    # core's fault plans reach it with kind "post_processing_<type>" (like video_processing)
    sim.faults.add(
        "error",
        kind="post_processing_adset",
        times=1,
        code=2446289,
        message="The post type is unavailable",
    )
    cid = api.campaign()
    bad, good = api.adset(cid), api.adset(cid)
    sim.clock.advance(IN_PROCESS)
    got = api.get(f"/{bad}", fields="effective_status,issues_info").json()
    assert got["effective_status"] == "WITH_ISSUES"
    assert got["issues_info"][0]["level"] == "AD_SET"
    assert got["issues_info"][0]["error_code"] == 2446289
    assert got["issues_info"][0]["error_message"] == "The post type is unavailable"
    assert status_of(api, good)[2] == "PAUSED"
    # a later edit is post-processed again and clears the issue
    api.post(f"/{bad}", daily_budget=1500)
    sim.clock.advance(IN_PROCESS)
    assert status_of(api, bad)[2] == "PAUSED"


def test_is_completed_and_updated_since_filters(api, sim):
    # reference.md §3.1 is_completed; §3.2 updated_since
    done = api.campaign(stop_time=str(int(sim.clock.now()) + 3600))
    running = api.campaign()
    sim.clock.advance(7200)
    completed = _ids(api.get(f"/{api.act}/campaigns", is_completed="true"))
    assert done in completed and running not in completed
    assert done not in _ids(api.get(f"/{api.act}/campaigns", is_completed="false"))
    api.post(f"/{running}", name="touched")
    recent = _ids(api.get(f"/{api.act}/campaigns", updated_since=str(int(sim.clock.now()))))
    assert recent == [running]


def test_archived_campaign_children_list_only_with_the_archived_filter(api, demo):
    # reference.md §7.4: "Archived children must be requested explicitly"
    cid = demo["archived_campaign_id"]
    assert _ids(api.get(f"/{cid}/ads")) == []
    archived = _ids(api.get(f"/{cid}/ads", effective_status='["ARCHIVED"]', fields="name"))
    assert len(archived) == 2


@pytest.mark.parametrize("edge", ["campaigns", "adsets", "ads", "adcreatives"])
def test_filtering_by_exact_name_finds_an_object_on_each_account_edge(api, tree, edge):
    # core-flows.md §2.6 filtering; the app's duplicate guard looks a create up this way
    index = {"campaigns": 0, "adsets": 1, "adcreatives": 2, "ads": 3}[edge]
    obj = tree[index]
    name = f"Unique {edge} [k1]"
    api.post(f"/{obj}", name=name)
    rule = [{"field": "name", "operator": "EQUAL", "value": name}]
    rows = api.get(f"/{api.act}/{edge}", filtering=rule, fields="id,name").json()["data"]
    assert rows == [{"id": obj, "name": name}]


def test_ad_using_a_failed_creative_is_with_issues_and_shows_the_creative_issue(
    api, http, demo, sim
):
    # post-processing.txt: issues_info entries carry a level; a creative whose post is gone
    # ("Ad post is not available") leaves the ads using it WITH_ISSUES
    http.post("/_sim/objects/post_processing_faults", data={"node_type": "adcreative"})
    crid = api.creative(demo["page_ids"][0])
    aid = api.ad(api.adset(api.campaign(status="ACTIVE"), status="ACTIVE"), crid, status="ACTIVE")
    sim.clock.advance(IN_PROCESS + REVIEW)
    got = api.get(f"/{aid}", fields="effective_status,issues_info").json()
    assert got["effective_status"] == "WITH_ISSUES"
    assert [i["level"] for i in got["issues_info"]] == ["CREATIVE"]
    # a healthy creative clears it
    api.post(f"/{aid}", creative={"creative_id": api.creative(demo["page_ids"][0])})
    sim.clock.advance(IN_PROCESS + REVIEW)
    assert status_of(api, aid)[2] == "ACTIVE"
    assert "issues_info" not in api.get(f"/{aid}", fields="issues_info").json()
