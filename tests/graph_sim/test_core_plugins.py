"""The plug-in contract: explicit routes, node-type handlers, scopes, buckets and determinism."""

import json

from graph_sim import Simulator
from graph_sim.core import (
    SimRequest,
    node_deleter,
    node_edge,
    node_reader,
    node_updater,
    paginate,
    render_fields,
    route,
)

# A node type only these tests use, registered the way plug-in modules do (CONTRACT.md §2).
WIDGET = "coretest_widget"


@route("POST", "/act_<account_id>/coretest_widgets")
def _create(req: SimRequest, account_id: str):
    account = req.account(account_id)
    widget = {
        "id": req.world.new_id(),
        "node_type": WIDGET,
        "account_id": account.account_id,
        "name": req.required("name"),
        "tags": req.list_param("tags", []),
        "spec": req.json_param("spec", {}),
        "size": req.int_param("size", 1),
    }
    req.world.put(widget)
    return {"id": widget["id"]}


@node_reader(WIDGET)
def _read(req: SimRequest, widget):
    return render_fields(widget, req.fields, ("name",), known_fields=set(widget) - {"node_type"})


@node_updater(WIDGET)
def _update(req: SimRequest, widget):
    widget["name"] = req.param("name", widget["name"])
    return {"success": True}


@node_deleter(WIDGET)
def _delete(req: SimRequest, widget):
    req.world.remove(widget["id"])
    return {"success": True}


@node_edge(WIDGET, "insights", methods=["GET", "POST"])
def _insights(req: SimRequest, widget):
    return paginate(req, [{"impressions": "10"}])


def _create_widget(http, token, act, **data):
    form = {"access_token": token, "name": "W", **data}
    return http.post(f"/v25.0/{act}/coretest_widgets", data=form)


def test_explicit_route_creates_and_node_reader_reads_with_defaults(http, token, demo):
    # core-flows.md §8 items 7 and 16: {"id"} on create; defaults on read.
    act = demo["active_ad_account_id"]
    r = _create_widget(http, token, act, tags='["a","b"]', spec='{"k": 1}', size="3")
    widget_id = r.json()["id"]
    assert widget_id.isdigit()
    assert http.get(f"/{widget_id}", params={"access_token": token}).json() == {
        "id": widget_id,
        "name": "W",
    }
    body = http.get(
        f"/{widget_id}", params={"access_token": token, "fields": "tags,spec,size"}
    ).json()
    assert body == {"id": widget_id, "tags": ["a", "b"], "spec": {"k": 1}, "size": 3}


def test_comma_lists_decode_like_json_arrays(http, token, demo):
    # CONTRACT.md §3: list_param accepts JSON arrays and comma lists.
    act = demo["active_ad_account_id"]
    widget_id = _create_widget(http, token, act, tags="a,b").json()["id"]
    body = http.get(f"/{widget_id}", params={"access_token": token, "fields": "tags"}).json()
    assert body["tags"] == ["a", "b"]


def test_bad_json_in_a_form_field_is_error_100(http, token, demo):
    # reference.md §10 convention: a rule without a code → 100.
    r = _create_widget(http, token, demo["active_ad_account_id"], spec="{not json")
    assert r.json()["error"]["code"] == 100


def test_missing_required_parameter_is_error_100(http, token, demo):
    # reference.md §9 item 15: missing required param → 100.
    r = http.post(f"/{demo['active_ad_account_id']}/coretest_widgets", data={"access_token": token})
    assert r.json()["error"]["code"] == 100


def test_unknown_field_is_error_100(http, token, demo):
    # DECISIONS.md "Unknown fields": code 100.
    widget_id = _create_widget(http, token, demo["active_ad_account_id"]).json()["id"]
    r = http.get(f"/{widget_id}", params={"access_token": token, "fields": "colour"})
    assert r.json()["error"]["code"] == 100


def test_update_and_delete_go_to_the_node_handlers(http, token, demo):
    # core-flows.md §8 item 20: DELETE /<id> → {"success": true}.
    widget_id = _create_widget(http, token, demo["active_ad_account_id"]).json()["id"]
    assert http.post(f"/{widget_id}", data={"access_token": token, "name": "V"}).json() == {
        "success": True
    }
    assert http.delete(f"/{widget_id}", params={"access_token": token}).json() == {"success": True}
    assert (
        http.get(f"/{widget_id}", params={"access_token": token}).json()["error"]["error_subcode"]
        == 33
    )


def test_unknown_edge_is_error_2500(http, token, demo):
    # DECISIONS.md "Unknown paths and methods": unknown edge → 2500.
    widget_id = _create_widget(http, token, demo["active_ad_account_id"]).json()["id"]
    r = http.get(f"/{widget_id}/nothing_here", params={"access_token": token})
    assert r.json()["error"]["code"] == 2500


def test_objects_in_another_users_account_are_permission_errors(http, sim, token, demo, mint):
    # core-flows.md §8 item 6: another user's account → 200.
    sam = mint(user_id=demo["second_user_id"])
    widget_id = _create_widget(http, sam, demo["foreign_ad_account_id"]).json()["id"]
    r = http.get(f"/{widget_id}", params={"access_token": token})
    assert r.status_code == 403 and r.json()["error"]["code"] == 200


def test_ads_read_can_read_and_post_insights_but_not_write(http, token, demo, mint):
    # core-flows.md §1.4: ads_read is for reading and reporting; writes need ads_management.
    widget_id = _create_widget(http, token, demo["active_ad_account_id"]).json()["id"]
    reader = mint(scopes=["ads_read"])
    assert http.get(f"/{widget_id}", params={"access_token": reader}).status_code == 200
    assert http.post(f"/{widget_id}/insights", data={"access_token": reader}).status_code == 200
    r = http.post(f"/{widget_id}", data={"access_token": reader, "name": "no"})
    assert r.json()["error"]["code"] == 200
    r = _create_widget(http, reader, demo["active_ad_account_id"])
    assert r.json()["error"]["code"] == 200


def test_insights_edges_use_the_ads_insights_bucket(http, sim, token, demo):
    # core-flows.md §6.2 item 4 and §6.4: x-fb-ads-insights-throttle; 80000 past the limit,
    # while ads_management calls on the same account keep working.
    act = demo["active_ad_account_id"]
    widget_id = _create_widget(http, token, act).json()["id"]
    sim.ratelimit.limits.ads_insights = 2
    first = http.get(f"/{widget_id}/insights", params={"access_token": token})
    throttle = json.loads(first.headers["x-fb-ads-insights-throttle"])
    assert set(throttle) == {"app_id_util_pct", "acc_id_util_pct", "ads_api_access_tier"}
    assert throttle["acc_id_util_pct"] == 50.0
    http.get(f"/{widget_id}/insights", params={"access_token": token})
    r = http.get(f"/{widget_id}/insights", params={"access_token": token})
    assert (r.json()["error"]["code"], r.json()["error"]["error_subcode"]) == (80000, 2446079)
    types = {e["type"] for e in json.loads(r.headers["x-business-use-case-usage"])[act[4:]]}
    assert types == {"ads_insights", "ads_management"}
    assert http.get(f"/{widget_id}", params={"access_token": token}).status_code == 200


def test_the_same_seed_builds_the_same_world():
    # README.md: the seeded world is deterministic from the seed.
    a, b = Simulator(seed=0), Simulator(seed=0)
    assert a.world.demo == b.world.demo
    assert list(a.world.objects) == list(b.world.objects)
    assert Simulator(seed=1).world.demo["user_id"] != a.world.demo["user_id"]


@node_edge("adaccount", "coretest_widgets")
def _list_widgets(req: SimRequest, account):
    widgets = req.world.query(WIDGET, account_id=account.account_id)
    return paginate(req, widgets, render=lambda w: _read(req, w))


def test_edges_expand_as_fields_with_modifiers_and_nested_fields(http, token, demo):
    # core-flows.md §5.3: fields=insights{impressions} embeds an edge; .limit() modifiers.
    act = demo["active_ad_account_id"]
    ids = [_create_widget(http, token, act, size=str(n)).json()["id"] for n in (1, 2, 3)]
    body = http.get(
        f"/{act}",
        params={"access_token": token, "fields": "name,coretest_widgets.limit(2){size}"},
    ).json()
    embedded = body["coretest_widgets"]
    assert [w["id"] for w in embedded["data"]] == ids[:2]
    assert embedded["data"][0] == {"id": ids[0], "size": 1}
    rest = http.get(embedded["paging"]["next"]).json()  # the embedded page's `next` works too
    assert [w["id"] for w in rest["data"]] == ids[2:]


def test_unknown_ad_account_field_is_error_100_but_documented_ones_are_accepted(http, token, demo):
    # reference.md §2.3 lists the fields; Graph rejects others with 100.
    act = demo["active_ad_account_id"]
    r = http.get(f"/{act}", params={"access_token": token, "fields": "name,colour"})
    assert r.json()["error"]["code"] == 100
    r = http.get(f"/{act}", params={"access_token": token, "fields": "name,rf_spec,tax_id"})
    assert r.status_code == 200 and set(r.json()) == {"id", "name"}
