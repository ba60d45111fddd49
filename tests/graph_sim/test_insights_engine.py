"""Unit tests of the insights engine and its parameter validation (no HTTP, no world)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from graph_sim.errors import GraphError
from graph_sim.insights.engine import (
    AdRecord,
    EngineSettings,
    ReportRun,
    format_money,
    run_query,
    split_largest_remainder,
)
from graph_sim.insights.params import parse_query, preset_range

NOW = datetime(2026, 6, 1, 15, 30, tzinfo=UTC)  # 08:30 in Los Angeles, 2026-06-01
TODAY = date(2026, 6, 1)
SEED = 7


def make_ad(ad_id: str, adset_id: str = "20", campaign_id: str = "30", **kw) -> AdRecord:
    start = kw.pop("start", datetime(2026, 1, 1, tzinfo=UTC))
    end = kw.pop("end", None)
    return AdRecord(
        ad_id=ad_id,
        adset_id=adset_id,
        campaign_id=campaign_id,
        account_id="1234",
        created_time=start,
        delivery=((start, end),),
        **kw,
    )


TREE = [
    make_ad("101", "21", "31", has_video=True),
    make_ad("102", "21", "31", objective="OUTCOME_SALES"),
    make_ad("103", "22", "31"),
    make_ad("104", "23", "32", has_video=False),
    make_ad("105", "23", "32", effective_status="ARCHIVED"),
    make_ad("106", "24", "32", effective_status="DELETED", end=datetime(2026, 5, 20, tzinfo=UTC)),
]


ALL_STATUSES = (
    '[{"field":"ad.effective_status","operator":"IN","value":["ACTIVE","ARCHIVED","DELETED"]}]'
)


def query(node_level: str = "account", is_async: bool = False, **params):
    return parse_query(params, node_level=node_level, today=TODAY, is_async=is_async)


def run(records=TREE, node_level: str = "account", settings=None, is_async=False, **params):
    q = query(node_level, is_async=is_async, **params)
    return run_query(
        records, q, node_level=node_level, seed=SEED, now=NOW, settings=settings, is_async=is_async
    )


def total(rows, name: str) -> int:
    return sum(int(r[name]) for r in rows)


def spend_minor(rows) -> int:
    return sum(round(float(r["spend"]) * 100) for r in rows)


# --- exact splitting --------------------------------------------------------------------------


def test_largest_remainder_split_sums_exactly_and_stays_under_integer_weights():
    # DECISIONS.md "Insights": splits use the largest-remainder method.
    for total_value, weights in [(10, [1, 1, 1]), (7, [5, 0, 3, 2]), (1000, [3, 3, 3]), (0, [1])]:
        shares = split_largest_remainder(total_value, weights)
        assert sum(shares) == total_value
    parent = [4, 0, 7, 1, 9]
    child = split_largest_remainder(15, parent)
    assert sum(child) == 15
    assert all(c <= p for c, p in zip(child, parent, strict=True))


def test_money_formatting_follows_the_currency_offset():
    # reference.md §1: budgets and spend in the basic unit (cents for USD, yen for JPY).
    assert format_money(235245, "USD") == "2352.45"
    assert format_money(5, "EUR") == "0.05"
    assert format_money(1830000, "JPY") == "1830000"


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_and_query_give_identical_rows():
    # core-flows.md §8 item 37; DECISIONS.md: numbers are a pure function of (seed, ad, day).
    a = run(fields="impressions,spend,clicks,actions", level="ad")
    b = run(fields="impressions,spend,clicks,actions", level="ad")
    assert a.rows == b.rows


def test_another_seed_gives_other_numbers():
    # DECISIONS.md "Insights": the world seed drives every number.
    q = query(fields="impressions", level="ad")
    a = run_query(TREE, q, node_level="account", seed=1, now=NOW)
    b = run_query(TREE, q, node_level="account", seed=2, now=NOW)
    assert [r["impressions"] for r in a.rows] != [r["impressions"] for r in b.rows]


def test_metric_values_are_numeric_strings_and_dates_are_iso_days():
    # core-flows.md §4.1: "Metrics are typed numeric string"; dates YYYY-MM-DD.
    row = run(fields="impressions,spend,reach,ctr,cpc,cpm,frequency").rows[0]
    for name in ("impressions", "spend", "reach", "ctr", "cpc", "cpm", "frequency"):
        assert isinstance(row[name], str)
        float(row[name])
    assert row["date_start"] == "2026-05-02" and row["date_stop"] == "2026-05-31"


# --- levels and breakdowns add up -------------------------------------------------------------


@pytest.mark.parametrize("level", ["ad", "adset", "campaign"])
def test_level_rows_add_up_to_the_account_total_when_every_object_is_listed(level):
    # core-flows.md §4.2 levels; filtering with every status so archived/deleted rows show.
    statuses = ALL_STATUSES
    account = run(fields="impressions,spend,clicks,inline_link_clicks").rows
    rows = run(
        fields="impressions,spend,clicks,inline_link_clicks", level=level, filtering=statuses
    ).rows
    assert len(account) == 1
    for name in ("impressions", "clicks", "inline_link_clicks"):
        assert total(rows, name) == int(account[0][name])
    assert spend_minor(rows) == spend_minor(account)


def test_breakdown_cells_of_each_ad_day_sum_to_the_unbroken_day():
    # core-flows.md §4.5; DECISIONS.md: per (ad, day) splits by largest remainder.
    plain = run(fields="impressions,spend,clicks,actions", level="ad", time_increment="1")
    for breakdowns in (
        "age,gender",
        "country",
        "publisher_platform,platform_position",
        "device_platform",
    ):
        split = run(
            fields="impressions,spend,clicks", level="ad", time_increment="1", breakdowns=breakdowns
        )
        by_key: dict[tuple[str, str], list[dict]] = {}
        for row in split.rows:
            by_key.setdefault((row["ad_id"], row["date_start"]), []).append(row)
        assert len(by_key) == len(plain.rows)
        for row in plain.rows:
            cells = by_key[(row["ad_id"], row["date_start"])]
            assert total(cells, "impressions") == int(row["impressions"])
            assert total(cells, "clicks") == int(row["clicks"])
            assert spend_minor(cells) == spend_minor([row])


def test_age_rows_equal_the_age_gender_rows_summed_over_gender():
    # core-flows.md §4.5 combinations; DECISIONS.md: a breakdown is a marginal of its family.
    age = {r["age"]: int(r["impressions"]) for r in run(breakdowns="age").rows}
    both: dict[str, int] = {}
    for r in run(breakdowns="age,gender").rows:
        both[r["age"]] = both.get(r["age"], 0) + int(r["impressions"])
    assert age == both


def test_breakdown_values_appear_as_extra_keys_after_the_dates():
    # core-flows.md §4.5: {"impressions", "date_start", "date_stop", "age", "gender"}.
    row = run(fields="impressions", breakdowns="age,gender").rows[0]
    assert list(row) == ["impressions", "date_start", "date_stop", "age", "gender"]
    assert row["age"] == "18-24" and row["gender"] in ("female", "male", "unknown")


def test_a_cell_never_has_more_clicks_than_impressions():
    # DECISIONS.md: counters split in proportion to their base stay under it.
    rows = run(
        fields="impressions,clicks",
        level="ad",
        breakdowns="publisher_platform,platform_position,impression_device",
    ).rows
    assert rows and all(int(r["clicks"]) <= int(r["impressions"]) for r in rows)


def test_hourly_rows_sum_to_the_day_and_report_zero_reach():
    # core-flows.md §4.5 hourly: "reach and frequency fields will return 0".
    day = run(fields="impressions,spend", date_preset="yesterday").rows[0]
    hours = run(
        fields="impressions,spend,reach",
        date_preset="yesterday",
        breakdowns="hourly_stats_aggregated_by_advertiser_time_zone",
    ).rows
    assert len(hours) == 24
    assert hours[0]["hourly_stats_aggregated_by_advertiser_time_zone"] == "00:00:00 - 00:59:59"
    assert total(hours, "impressions") == int(day["impressions"])
    assert spend_minor(hours) == spend_minor([day])
    assert {r["reach"] for r in hours} == {"0"}


# --- derived metrics --------------------------------------------------------------------------


def test_ratios_are_computed_from_the_summed_counters_not_summed():
    # reference L15934-15952: ctr, cpc, cpm, frequency definitions; DECISIONS.md "Derived".
    row = run(fields="impressions,clicks,spend,ctr,cpc,cpm,reach,frequency", level="campaign").rows[
        0
    ]
    imps, clicks, spend = int(row["impressions"]), int(row["clicks"]), float(row["spend"])
    assert float(row["ctr"]) == pytest.approx(clicks / imps * 100, abs=1e-6)
    assert float(row["cpc"]) == pytest.approx(spend / clicks, abs=1e-6)
    assert float(row["cpm"]) == pytest.approx(spend / imps * 1000, abs=1e-6)
    assert float(row["frequency"]) == pytest.approx(imps / int(row["reach"]), abs=1e-6)


def test_reach_is_deduplicated_never_above_impressions_nor_the_sum_of_its_children():
    # DECISIONS.md: reach is not additive.
    account = run(fields="impressions,reach").rows[0]
    ads = run(fields="reach", level="ad", filtering=ALL_STATUSES).rows
    assert int(account["reach"]) <= int(account["impressions"])
    assert int(account["reach"]) <= total(ads, "reach")


def test_attribution_windows_add_keys_and_leave_value_unchanged():
    # core-flows.md §4.7: "the number under 'value' key is the same".
    plain = run(fields="actions", level="ad").rows
    windows = run(
        fields="actions",
        level="ad",
        action_attribution_windows="['1d_click','1d_view','28d_click']",
    ).rows
    for a, b in zip(plain, windows, strict=True):
        for item_a, item_b in zip(a["actions"], b["actions"], strict=True):
            assert item_a["value"] == item_b["value"]
            assert int(item_b["1d_click"]) <= int(item_b["28d_click"])
            assert set(item_b) >= {"action_type", "value", "1d_click", "1d_view", "28d_click"}


def test_action_device_breakdown_splits_each_action_exactly():
    # core-flows.md §4.5 action_breakdowns (action_device).
    plain = run(fields="actions", level="campaign").rows[0]["actions"]
    split = run(fields="actions", level="campaign", action_breakdowns="action_device").rows[0][
        "actions"
    ]
    for item in plain:
        parts = [p for p in split if p["action_type"] == item["action_type"]]
        assert sum(int(p["value"]) for p in parts) == int(item["value"])
        assert all("action_device" in p for p in parts)


# --- time -------------------------------------------------------------------------------------


def test_daily_slices_add_up_to_the_all_days_row():
    # core-flows.md §4.3 time_increment.
    whole = run(fields="impressions", date_preset="last_14d").rows[0]
    days = run(fields="impressions", date_preset="last_14d", time_increment="1").rows
    assert len(days) == 14
    assert [r["date_start"] for r in days] == sorted(r["date_start"] for r in days)
    assert all(r["date_start"] == r["date_stop"] for r in days)
    assert total(days, "impressions") == int(whole["impressions"])


def test_monthly_and_n_day_slices_follow_the_calendar_and_the_range_start():
    # reference L15842: "monthly" = one result set per calendar month; N = N-day periods.
    months = run(
        fields="impressions",
        time_range='{"since":"2026-03-15","until":"2026-05-10"}',
        time_increment="monthly",
    ).rows
    assert [(r["date_start"], r["date_stop"]) for r in months] == [
        ("2026-03-15", "2026-03-31"),
        ("2026-04-01", "2026-04-30"),
        ("2026-05-01", "2026-05-10"),
    ]
    weeks = run(
        fields="impressions",
        time_range="{'since':'2026-05-01','until':'2026-05-17'}",
        time_increment=7,
    ).rows
    assert [(r["date_start"], r["date_stop"]) for r in weeks] == [
        ("2026-05-01", "2026-05-07"),
        ("2026-05-08", "2026-05-14"),
        ("2026-05-15", "2026-05-17"),
    ]


def test_time_ranges_give_one_result_per_range_and_may_overlap():
    # core-flows.md §4.3: "Ranges may overlap"; overrides time_increment.
    rows = run(
        fields="impressions",
        time_increment="1",
        time_ranges='[{"since":"2026-05-01","until":"2026-05-10"},{"since":"2026-05-01","until":"2026-05-20"}]',
    ).rows
    assert [(r["date_start"], r["date_stop"]) for r in rows] == [
        ("2026-05-01", "2026-05-10"),
        ("2026-05-01", "2026-05-20"),
    ]
    assert int(rows[0]["impressions"]) < int(rows[1]["impressions"])


def test_only_days_when_the_ad_delivered_produce_rows_and_a_partial_day_keeps_its_hours():
    # An ad delivering from 2026-05-29 18:00 Los Angeles time until 2026-05-31 02:00.
    start = datetime(2026, 5, 30, 1, tzinfo=UTC)
    end = datetime(2026, 5, 31, 9, tzinfo=UTC)
    ad = make_ad("201", start=start, end=end)
    days = run([ad], fields="impressions", date_preset="last_7d", time_increment="1").rows
    assert [r["date_start"] for r in days] == ["2026-05-29", "2026-05-30", "2026-05-31"]
    hours = run(
        [ad],
        fields="impressions",
        time_range='{"since":"2026-05-29","until":"2026-05-29"}',
        breakdowns="hourly_stats_aggregated_by_advertiser_time_zone",
    ).rows
    assert [r["hourly_stats_aggregated_by_advertiser_time_zone"][:2] for r in hours] == [
        "18",
        "19",
        "20",
        "21",
        "22",
        "23",
    ]
    assert total(hours, "impressions") == int(days[0]["impressions"])
    full = run(
        [make_ad("201")],
        fields="impressions",
        time_range='{"since":"2026-05-29","until":"2026-05-29"}',
    ).rows
    assert int(days[0]["impressions"]) < int(full[0]["impressions"])


def test_today_counts_only_the_hours_begun_on_the_simulator_clock():
    # core-flows.md §4.6: data in the ad account's time zone; the clock says 08:30 there.
    hours = run(
        fields="impressions",
        date_preset="today",
        breakdowns="hourly_stats_aggregated_by_audience_time_zone",
    ).rows
    assert len(hours) == 9  # 00:00 to 08:59 in Los Angeles at 15:30 UTC


def test_date_presets_resolve_in_the_account_calendar():
    # core-flows.md §4.3 date_preset enum; 2026-06-01 is a Monday.
    assert preset_range("last_7d", TODAY) == (date(2026, 5, 25), date(2026, 5, 31))
    assert preset_range("this_month", TODAY) == (date(2026, 6, 1), TODAY)
    assert preset_range("last_month", TODAY) == (date(2026, 5, 1), date(2026, 5, 31))
    assert preset_range("last_week_mon_sun", TODAY) == (date(2026, 5, 25), date(2026, 5, 31))
    assert preset_range("last_week_sun_sat", TODAY) == (date(2026, 5, 24), date(2026, 5, 30))
    assert preset_range("this_quarter", TODAY) == (date(2026, 4, 1), TODAY)
    assert preset_range("last_quarter", TODAY) == (date(2026, 1, 1), date(2026, 3, 31))
    assert preset_range("maximum", TODAY) == (date(2023, 5, 1), TODAY)


def test_maximum_starts_at_the_first_day_with_data():
    # reference L15809: maximum returns at most 37 months of data.
    row = run(fields="impressions", date_preset="maximum").rows[0]
    assert row["date_start"] == "2025-12-31"  # 2026-01-01 00:00 UTC is the 31st in Los Angeles


# --- deleted and archived objects -------------------------------------------------------------


def test_level_rows_leave_out_archived_and_deleted_ads_but_parent_totals_include_them():
    # reference.md §7.4: "Rows in /<PARENT>/insights?level=<LEVEL>": archived No, deleted No;
    # "Stats aggregated in /<PARENT>/insights": Yes.
    ads = run(fields="impressions,ad_id", level="ad").rows
    assert {r["ad_id"] for r in ads} == {"101", "102", "103", "104"}
    account = run(fields="impressions").rows[0]
    assert int(account["impressions"]) > total(ads, "impressions")


def test_status_filter_brings_back_archived_and_deleted_ads():
    # seeds L11532: filtering with ad.effective_status IN ['ARCHIVED'] lists archived ads.
    rows = run(
        fields="impressions,ad_id",
        level="ad",
        filtering="[{'field':'ad.effective_status','operator':'IN','value':['ARCHIVED','DELETED']}]",
    ).rows
    assert {r["ad_id"] for r in rows} == {"105", "106"}


def test_filtering_without_a_status_filter_keeps_only_live_objects():
    # seeds L11521: "if you query using filtering, status filtering will be applied by default".
    rows = run(
        fields="impressions",
        filtering='[{field:"ad.impressions",operator:"GREATER_THAN",value:0},]',
    ).rows
    live = run(fields="impressions", level="ad").rows
    assert int(rows[0]["impressions"]) == total(live, "impressions")


def test_numeric_filter_applies_to_the_rows():
    # seeds L11950: filtering ad.impressions GREATER_THAN to find objects with data.
    rows = run(fields="impressions,ad_id", level="ad").rows
    cut = sorted(int(r["impressions"]) for r in rows)[1]
    kept = run(
        fields="impressions,ad_id",
        level="ad",
        filtering=f'[{{"field":"ad.impressions","operator":"GREATER_THAN","value":{cut}}}]',
    ).rows
    assert len(kept) == 2


def test_sort_orders_rows_by_a_metric():
    # seeds L11441: sort=reach_descending.
    rows = run(fields="reach", level="ad", sort="reach_descending").rows
    values = [int(r["reach"]) for r in rows]
    assert values == sorted(values, reverse=True)


# --- limits -----------------------------------------------------------------------------------


def test_too_much_data_for_one_call_is_code_100_subcode_1487534():
    # core-flows.md §4.6: data-per-call limits.
    small = EngineSettings(sync_max_points=500)
    with pytest.raises(GraphError) as err:
        run(settings=small, date_preset="maximum", breakdowns="age,gender")
    assert (err.value.code, err.value.subcode) == (100, 1487534)


def test_reach_is_left_out_of_sync_breakdowns_older_than_13_months_but_not_async():
    # core-flows.md §4.6 (June 10, 2025 change).
    old = [make_ad("301", start=datetime(2025, 1, 1, tzinfo=UTC))]
    params = {
        "fields": "impressions,reach,frequency",
        "time_range": '{"since":"2025-02-01","until":"2025-02-28"}',
        "breakdowns": "age",
    }
    sync_rows = run(old, **params).rows
    assert "reach" not in sync_rows[0] and "frequency" not in sync_rows[0]
    async_rows = run(old, is_async=True, **params).rows
    assert "reach" in async_rows[0]


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"fields": "impressionz"}, 100),
        ({"time_increment": "91"}, 100),
        ({"time_increment": "weekly"}, 100),
        ({"sort": '["reach_descending","spend_ascending"]'}, 100),
        ({"action_breakdowns": "action_device"}, 100),
        ({"breakdowns": "impression_device"}, 100),
        ({"breakdowns": "age,country"}, 100),
        ({"breakdowns": "platform_position"}, 100),
        ({"breakdowns": "nonsense"}, 100),
        ({"breakdowns": "mmm,age", "level": "adset"}, 100),
        (
            {
                "breakdowns": "hourly_stats_aggregated_by_advertiser_time_zone",
                "fields": "unique_clicks",
            },
            100,
        ),
        (
            {
                "breakdowns": "hourly_stats_aggregated_by_audience_time_zone",
                "fields": "video_play_actions",
            },
            100,
        ),
        ({"breakdowns": "region", "fields": "video_p25_watched_actions"}, 100),
        ({"date_preset": "last_2d"}, 100),
        ({"level": "creative"}, 100),
        ({"time_range": '{"since":"2026-05-01"}'}, 100),
        ({"time_range": '{"since":"2026-05-10","until":"2026-05-01"}'}, 100),
        ({"time_range": '{"since":1746057600,"until":"2026-05-01"}'}, 100),
        ({"time_range": '{"since":"2023-04-30","until":"2023-05-31"}'}, 3018),
        ({"action_attribution_windows": '["2d_click"]'}, 100),
        ({"filtering": '[{"field":"ad.impressions","operator":"LOOKS_LIKE","value":1}]'}, 100),
        ({"filtering": '[{"field":"app_id","operator":"IN","value":["1"]}]'}, 100),
        ({"filtering": "not json"}, 100),
    ],
)
def test_invalid_parameters_are_rejected_with_graph_codes(params, code):
    # core-flows.md §8 items 39-40; reference.md §10 item 53.
    with pytest.raises(GraphError) as err:
        query(**params)
    assert err.value.code == code


def test_level_above_the_queried_object_is_code_1_subcode_99():
    # core-flows.md §7.2: 1 (99) "may occur if you set level to adset but ... campaign".
    with pytest.raises(GraphError) as err:
        query("adset", level="campaign")
    assert (err.value.code, err.value.subcode) == (1, 99)


def test_allowed_combinations_and_the_37_month_boundary_pass():
    # core-flows.md §4.5 allowed combinations; §4.6 the 37-month look-back.
    query(breakdowns="age,gender")
    query(breakdowns="publisher_platform,platform_position,impression_device")
    query(fields="actions", action_breakdowns="action_type,action_reaction")
    query(time_range='{"since":"2023-05-01","until":"2023-05-31"}')
    query(date_preset="LAST_7D")  # the adsets edge prints the enum in upper case


def test_defaults_are_impressions_and_spend_for_get_and_more_for_post():
    # reference L15833: GET defaults to impressions and spend; POST "a list of most used fields".
    assert query().fields == ["impressions", "spend"]
    assert set(query(is_async=True).fields) >= {"impressions", "spend", "reach", "clicks"}
    assert query().ranges == [(date(2026, 5, 2), date(2026, 5, 31))]


# --- report runs ------------------------------------------------------------------------------


def test_report_run_walks_the_documented_statuses_on_the_clock():
    # core-flows.md §4.4 async_status table.
    q = query(is_async=True)
    run_ = ReportRun(
        id="1",
        account_id="1234",
        node_id="act_1234",
        node_level="account",
        params={},
        query=q,
        time_ref=1000,
        queue_seconds=2,
        start_seconds=2,
        run_seconds=10,
    )
    seen = [run_.status(1000 + t) for t in (0, 2.5, 5, 9, 14, 10_000)]
    assert [s for s, _ in seen] == [
        "Job Not Started",
        "Job Started",
        "Job Running",
        "Job Running",
        "Job Completed",
        "Job Completed",
    ]
    percents = [p for _, p in seen]
    assert percents[0] == 0 and percents[-1] == 100 and 0 < percents[2] < percents[3] < 100
    assert run_.to_graph(999_999)["time_completed"] == 1014
    assert run_.expired(1000 + 30 * 86400) and not run_.expired(1000 + 29 * 86400)
    failed = ReportRun(**{**run_.__dict__, "outcome": "failed"})
    assert failed.status(2000)[0] == "Job Failed"


def test_records_delivery_window_bounds_rows():
    # The brief: only days when the ad existed and was delivering produce rows.
    ad = make_ad("401", start=NOW - timedelta(days=3), end=NOW - timedelta(days=1))
    days = run([ad], fields="impressions", date_preset="last_7d", time_increment="1").rows
    assert len(days) == 3


def test_summary_totals_the_rows_with_ratios_from_the_totals():
    # reference L15840: `summary` / `default_summary` add a summary section with those fields.
    result = run(fields="impressions,clicks,ctr", level="ad", default_summary="true")
    assert result.summary is not None
    assert int(result.summary["impressions"]) == total(result.rows, "impressions")
    imps, clicks = int(result.summary["impressions"]), int(result.summary["clicks"])
    assert float(result.summary["ctr"]) == pytest.approx(clicks / imps * 100, abs=1e-6)
    assert "ad_id" not in result.summary


def test_object_filters_select_ads_by_id_and_name():
    # core-flows.md §4.3 filtering: ad.id / campaign.id IN, *.name CONTAIN.
    named = [make_ad("501", campaign_name="Spring Sale"), make_ad("502", campaign_name="Brand")]
    rows = run(
        named,
        fields="ad_id",
        level="ad",
        filtering='[{"field":"ad.id","operator":"IN","value":["502"]}]',
    ).rows
    assert [r["ad_id"] for r in rows] == ["502"]
    rows = run(
        named,
        fields="ad_id",
        level="ad",
        filtering='[{"field":"campaign.name","operator":"CONTAIN","value":"sale"}]',
    ).rows
    assert [r["ad_id"] for r in rows] == ["501"]


def test_audience_time_zone_hours_are_the_advertiser_hours_shifted_to_the_audience():
    # seeds L11713: hourly stats "aggregated by the time ads were delivered in the audiences'
    # time zone". A US audience (Chicago) sees Los Angeles hour 00 as 02.
    params = {"fields": "impressions", "date_preset": "yesterday"}
    adv = run(
        [TREE[0]], breakdowns="hourly_stats_aggregated_by_advertiser_time_zone", **params
    ).rows
    aud = run([TREE[0]], breakdowns="hourly_stats_aggregated_by_audience_time_zone", **params).rows
    by_adv = {
        r["hourly_stats_aggregated_by_advertiser_time_zone"][:2]: r["impressions"] for r in adv
    }
    by_aud = {r["hourly_stats_aggregated_by_audience_time_zone"][:2]: r["impressions"] for r in aud}
    assert by_aud["02"] == by_adv["00"] and by_aud["01"] == by_adv["23"]
    assert total(aud, "impressions") == total(adv, "impressions")
    assert [r["hourly_stats_aggregated_by_audience_time_zone"][:2] for r in aud][:2] == ["00", "01"]


def test_a_record_built_from_start_and_stop_times_delivers_between_them():
    # The brief: the engine takes ad records with created/start/stop times.
    ad = AdRecord.scheduled(
        ad_id="601", adset_id="61", campaign_id="62", account_id="1234",
        created_time=datetime(2026, 5, 1, 7, tzinfo=UTC),
        start_time=datetime(2026, 5, 10, 7, tzinfo=UTC),
        stop_time=datetime(2026, 5, 13, 7, tzinfo=UTC),
    )  # fmt: skip
    days = run([ad], fields="impressions", date_preset="last_30d", time_increment="1").rows
    assert [r["date_start"] for r in days] == ["2026-05-10", "2026-05-11", "2026-05-12"]
