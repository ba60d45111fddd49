"""Insights behaviours reporting relies on: report runs that stay running, and attributed
conversions that keep arriving within their windows (so a lookback re-read changes them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.graph_sim.test_insights_http import V, get, tree  # noqa: F401 (fixture)

DAY = 86400


def _purchases(http, token, act, day, sim):
    since, until = day
    rows = get(http, token, f"/{act}/insights", fields="spend,actions",
               time_range=json.dumps({"since": since, "until": until}),
               action_attribution_windows=json.dumps(["1d_click", "7d_click", "28d_click"]),
               ).json()
    assert "data" in rows, rows
    rows = rows["data"]
    (row,) = rows
    purchase = "offsite_conversion.fb_pixel_purchase"
    (item,) = [a for a in row["actions"] if a["action_type"] == purchase]
    return row["spend"], item


def _local_day(sim, act_tz: str, days_back: int) -> str:
    now = datetime.fromtimestamp(sim.clock.now(), tz=UTC).astimezone(ZoneInfo(act_tz))
    return (now.date() - timedelta(days=days_back)).isoformat()


def test_attributed_conversions_of_a_day_grow_until_their_window_closes(
    http, mint, tree, sim  # noqa: F811
):
    # core-flows.md §4.7: each action item carries one key per requested attribution window
    # ("1d_click", "7d_click", "28d_click"); a conversion is credited to the day of the click
    # within the window, so recent days' 7-day and 28-day numbers keep growing while the
    # 1-day number and the spend stay put (graph_sim DECISIONS.md "Late conversions").
    account = sim.world.ad_account(tree["act"].removeprefix("act_"))
    # Budgets large enough that every late component has conversions to grow: with small ones
    # the day's 7-day share may round to nothing, whatever ids the seed happened to hand out.
    for adset_id in tree["adsets"]:
        sim.world.get(adset_id).data["daily_budget"] *= 40
    day = (_local_day(sim, account.timezone_name, 6), _local_day(sim, account.timezone_name, 1))
    spend0, first = _purchases(http, mint(), tree["act"], day, sim)
    sim.clock.advance(8 * DAY)
    spend1, week = _purchases(http, mint(), tree["act"], day, sim)
    sim.clock.advance(30 * DAY)
    spend2, month = _purchases(http, mint(), tree["act"], day, sim)
    sim.clock.advance(30 * DAY)
    _, later = _purchases(http, mint(), tree["act"], day, sim)
    assert spend0 == spend1 == spend2
    assert first["1d_click"] == week["1d_click"] == month["1d_click"]
    assert int(first["7d_click"]) < int(week["7d_click"]) == int(month["7d_click"])
    assert int(first["28d_click"]) < int(week["28d_click"]) <= int(month["28d_click"])
    assert int(first["value"]) < int(week["value"])
    assert later == month  # every window closed: the days no longer change


def test_a_stuck_report_run_stays_running_and_its_rows_are_refused(
    http, token, tree, sim  # noqa: F811
):
    # core-flows.md §4.4: the client polls until "Job Completed"; a run of fault kind
    # insights_report_stuck never gets there, and reading its rows gives 100 "not complete".
    sim.faults.add("error", kind="insights_report_stuck", times=1)
    r = http.post(f"{V}/{tree['act']}/insights", data={"access_token": token, "level": "ad"})
    run_id = r.json()["report_run_id"]
    sim.clock.advance(3600)
    node = get(http, token, f"/{run_id}").json()
    assert node["async_status"] == "Job Running" and node["async_percent_completion"] == 99
    rows = get(http, token, f"/{run_id}/insights")
    assert rows.status_code == 400 and rows.json()["error"]["code"] == 100
    # the next run is not stuck
    again = http.post(f"{V}/{tree['act']}/insights", data={"access_token": token}).json()
    sim.clock.advance(60)
    assert get(http, token, f"/{again['report_run_id']}").json()["async_status"] == "Job Completed"


def test_the_breakdowns_agencies_use_split_async_runs_exactly(
    http, token, tree, sim  # noqa: F811
):
    # core-flows.md §4.5 breakdowns (age+gender, country, publisher_platform+platform_position,
    # device_platform) in async report runs (§4.4): every cell set adds up to the unbroken
    # impressions and spend of the same run range.
    def run(**params):
        r = http.post(f"{V}/{tree['act']}/insights",
                      data={"access_token": token, "date_preset": "last_7d",
                            "fields": "impressions,spend", "limit": 500, **params})
        run_id = r.json()["report_run_id"]
        sim.clock.advance(60)
        return get(http, token, f"/{run_id}/insights", limit=500).json()["data"]

    (total,) = run()
    for breakdown in ("age,gender", "country", "publisher_platform,platform_position",
                      "device_platform"):
        cells = run(breakdowns=breakdown)
        assert len(cells) > 1, breakdown
        assert all(all(c.get(k) for k in breakdown.split(",")) for c in cells), breakdown
        assert sum(int(c["impressions"]) for c in cells) == int(total["impressions"])
        spend = sum(round(float(c["spend"]) * 100) for c in cells)
        assert spend == round(float(total["spend"]) * 100), breakdown
