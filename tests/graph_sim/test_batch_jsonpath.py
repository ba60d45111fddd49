"""Batch reference syntax: lenient JSON, JSONPath subset, {result=name:$.path} (no server)."""

import pytest

from graph_sim.jsonpath import (
    JSONPathError,
    LenientJSONError,
    UnresolvedReference,
    evaluate,
    loads_lenient,
    referenced_names,
    substitute,
)


def test_single_quotes_and_trailing_commas_are_accepted_as_in_the_seed():
    # seeds/async-and-batch-requests.txt: adbatch=[ { 'name': 'create-campaign', ... }, ]
    text = "[ { 'name': 'create-campaign', 'relative_url': 'act_123456/campaigns', }, ]"
    assert loads_lenient(text) == [
        {"name": "create-campaign", "relative_url": "act_123456/campaigns"}
    ]


def test_strict_json_is_read_unchanged():
    assert loads_lenient('[{"a": "it\'s", "b": [1, 2.5, true, null]}]') == [
        {"a": "it's", "b": [1, 2.5, True, None]}
    ]


def test_unparseable_text_is_refused():
    with pytest.raises(LenientJSONError):
        loads_lenient("[{'name': }")
    with pytest.raises(LenientJSONError):
        loads_lenient("[1, 2] trailing")


def test_dollar_id_selects_the_id():
    # core-flows.md §3.3: {result=create-campaign:$.id}
    assert evaluate("$.id", {"id": "123"}) == ["123"]


def test_wildcards_select_every_image_hash_and_data_id():
    # core-flows.md §3.3: $.images.*.hash and $.data.*.id
    images = {"images": {"a.png": {"hash": "h1"}, "b.png": {"hash": "h2"}}}
    assert evaluate("$.images.*.hash", images) == ["h1", "h2"]
    assert evaluate("$.data.*.id", {"data": [{"id": "1"}, {"id": "2"}]}) == ["1", "2"]
    assert evaluate("$.data[1].id", {"data": [{"id": "1"}, {"id": "2"}]}) == ["2"]


def test_filter_expressions_are_not_supported():
    with pytest.raises(JSONPathError):
        evaluate("$.data[?(@.id)]", {"data": []})


def test_substitute_joins_multiple_values_with_commas():
    results = {"create-ad": {"data": [{"id": "1"}, {"id": "2"}]}}
    text = "?ids={result=create-ad:$.data.*.id}"
    assert substitute(text, results.__getitem__) == "?ids=1,2"
    assert referenced_names(text) == ["create-ad"]


def test_substitute_reports_a_path_that_selects_nothing():
    with pytest.raises(UnresolvedReference):
        substitute("{result=op:$.missing}", lambda name: {"id": "1"})
