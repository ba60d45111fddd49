"""The `fields=` parser and `render_fields`, used by every plug-in."""

import pytest

from graph_sim.core import FieldSpec, GraphError, modifier_json, parse_fields, render_fields


def test_fields_parse_nested_braces_and_modifiers():
    # core-flows.md §5.3: fields=insights{impressions} with .time_range(...) modifiers.
    specs = parse_fields(
        'name,insights.time_range({"since":"2026-01-01","until":"2026-01-31"}){impressions,spend},adsets.limit(5){name,ads{id}}'
    )
    assert [s.name for s in specs] == ["name", "insights", "adsets"]
    insights = specs[1]
    assert insights.child_names() == ["impressions", "spend"]
    assert modifier_json(insights, "time_range") == {"since": "2026-01-01", "until": "2026-01-31"}
    adsets = specs[2]
    assert adsets.modifiers == {"limit": "5"}
    assert adsets.children[1].child_names() == ["id"]


def test_modifiers_may_follow_the_braces():
    # core-flows.md §5.3: nested modifiers such as .time_range(...).
    (spec,) = parse_fields("insights{impressions}.date_preset(last_7d)")
    assert spec.modifiers == {"date_preset": "last_7d"} and spec.child_names() == ["impressions"]


@pytest.mark.parametrize("bad", ["a{}", ",name", "insights{impressions", "a}", "x.limit(5"])
def test_malformed_fields_are_error_2500(bad):
    # core-flows.md §7.2: 2500 "Error parsing graph query".
    with pytest.raises(GraphError) as exc:
        parse_fields(bad)
    assert exc.value.code == 2500


def test_render_without_fields_gives_id_and_defaults_only():
    # core-flows.md §8 item 16: only `id` plus documented defaults.
    obj = {"id": "1", "name": "n", "status": "ACTIVE", "secret": "s"}
    assert render_fields(obj, None, ("name",)) == {"id": "1", "name": "n"}


def test_render_omits_unset_fields_and_filters_nested_dicts():
    # core-flows.md §5.3: field expansion with braces.
    obj = {"id": "1", "name": None, "business": {"id": "9", "name": "B", "extra": 1}}
    assert render_fields(obj, parse_fields("name,business{name}")) == {
        "id": "1",
        "business": {"id": "9", "name": "B"},
    }


def test_render_calls_computed_fields_with_their_spec():
    # core-flows.md §8 item 16: fields=insights{impressions} embeds an edge.
    obj = {"id": "1", "insights": lambda spec: {"data": [{"impressions": "5", "spend": "1.0"}]}}
    out = render_fields(obj, parse_fields("insights{impressions}"))
    assert out == {"id": "1", "insights": {"data": [{"impressions": "5"}]}}


def test_render_rejects_unknown_fields_when_told_the_known_ones():
    # DECISIONS.md "Unknown fields": code 100.
    with pytest.raises(GraphError) as exc:
        render_fields({"id": "1"}, [FieldSpec("bogus")], known_fields={"name"}, node_type="AdSet")
    assert exc.value.code == 100 and "(bogus)" in exc.value.message
