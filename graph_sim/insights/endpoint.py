"""Insights over HTTP: `/<act|campaign|adset|ad>/insights` (sync GET, async POST) and report runs.

The numbers come from graph_sim/insights/engine.py; this module turns the world's ad tree into
the engine's `AdRecord`s (`ad_records`), checks parameters, pages rows and keeps report runs.
core-flows.md §4, reference.md §3.11.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from graph_sim.core import (
    FieldSpec,
    GraphError,
    SimRequest,
    SimResponse,
    encode_cursor,
    modifier_json,
    node_edge,
    node_reader,
    paginate,
    render_fields,
)
from graph_sim.errors import unknown_path
from graph_sim.insights.engine import (
    AdRecord,
    EngineSettings,
    QueryResult,
    ReportRun,
    period_of,
    run_query,
    today_in,
)
from graph_sim.insights.params import InsightsQuery, parse_query
from graph_sim.state import AdAccount, World, get_attr

REPORT_RUN = "adreportrun"
# Fault-plan kinds this module looks for when a report run is created, e.g.
# `sim.faults.add("error", kind="insights_report_failed", times=1)` → the next run ends
# "Job Failed"; `kind="insights_report_skipped"` → "Job Skipped"; `kind="insights_report_stuck"`
# → the run stays "Job Running" (below 100%) until it expires, so a client must time out.
FAIL_KIND = "insights_report_failed"
SKIP_KIND = "insights_report_skipped"
STUCK_KIND = "insights_report_stuck"
# `sim.faults.add("error", kind="insights_global_throttle", times=1)` → the next insights call
# fails with 4/1504022 "Too many API requests" (core-flows.md §8 item 44).
GLOBAL_THROTTLE_KIND = "insights_global_throttle"

# Statuses in which an ad serves (core-flows.md §2.5): anything else stops delivery.
_STOPPED = frozenset({"PAUSED", "ARCHIVED", "DELETED"})
# A failed post-processing or a rejected review: the ad never served (core-flows.md §2.5).
_NEVER_SERVED = frozenset({"WITH_ISSUES", "DISAPPROVED"})
_NODE_LEVEL = {"adaccount": "account", "campaign": "campaign", "adset": "adset", "ad": "ad"}
REPORT_RUN_DEFAULT_FIELDS = (
    "account_id",
    "time_ref",
    "time_completed",
    "async_status",
    "async_percent_completion",
    "date_start",
    "date_stop",
)


@dataclass
class InsightsState:
    """Per-world knobs and counters (`insights_state(sim.world)` in tests); report runs live
    in the world as `adreportrun` nodes."""

    settings: EngineSettings = field(default_factory=EngineSettings)
    # None: split `sim.config.timings.report_run` (10% queued, 10% starting, 80% running).
    report_run_seconds: float | None = None
    # core-flows.md §4.6: async jobs may fetch reach with breakdowns older than 13 months
    # "up to 10 requests per Ad Account per day". (account id, local date) → jobs so far.
    reach_jobs_per_day: int = 10
    reach_jobs: dict[tuple[str, str], int] = field(default_factory=dict)


def insights_state(world: World) -> InsightsState:
    state = getattr(world, "_insights_state", None)
    if state is None:
        state = InsightsState()
        world._insights_state = state  # type: ignore[attr-defined]
    return state


# --- the adapter: world objects → AdRecords --------------------------------------------------


def _dt(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(float(ts), tz=UTC)


def _countries(targeting: Any) -> tuple[str, ...]:
    if isinstance(targeting, dict):
        geo = targeting.get("geo_locations") or {}
        countries = geo.get("countries") if isinstance(geo, dict) else None
        if countries:
            return tuple(str(c).upper() for c in countries)
    return ("US",)


def _stop_time(obj: dict[str, Any]) -> float | None:
    """When a paused, archived or deleted object stopped serving (None if it serves)."""
    if obj.get("status") not in _STOPPED:
        return None
    return obj.get("status_changed_time") or obj.get("updated_time") or obj.get("created_time")


def _account_tree(world: World, account_id: str, now: float) -> list[dict[str, Any]]:
    """The objects module owns the tree walk (objects/reading.py `account_tree`): campaigns →
    ad sets → ads as dicts with Unix-second times and derived effective statuses."""
    try:
        from graph_sim.objects.reading import account_tree
    except ImportError:  # pragma: no cover (kept importable while the objects module moves)
        return []
    return account_tree(world, account_id, now)


def _ad_start(world: World, ad: dict[str, Any]) -> float:
    """An ad serves once post-processing and review are over (core-flows.md §2.5)."""
    obj = world.get(ad["id"])
    start = float(ad["created_time"])
    for attr in ("processing_until", "review_until"):
        start = max(start, float(get_attr(obj, attr, 0.0) or 0.0))
    return start


def ad_records(world: World, account: AdAccount, now: float) -> list[AdRecord]:
    """Every ad of an account, archived and deleted included, as the engine's records.

    Delivery runs from the latest of (ad out of review, ad set start, campaign start) to the
    earliest of (ad set end, campaign stop, the time an ad/ad set/campaign was paused, archived
    or deleted). Objects without a schedule start at creation. The daily budget of an ad set
    (or its campaign) is shared by its ads (see `_share`).
    """
    records: list[AdRecord] = []
    for campaign in _account_tree(world, account.account_id, now):
        adsets = campaign.get("adsets") or []
        for adset in adsets:
            ads = adset.get("ads") or []
            budget = adset.get("daily_budget") or None
            if not budget and adset.get("lifetime_budget") and adset.get("end_time"):
                days = max(1.0, (adset["end_time"] - adset["start_time"]) / 86400)
                budget = int(adset["lifetime_budget"] / days)
            if not budget and campaign.get("daily_budget"):
                budget = int(campaign["daily_budget"] / max(1, len(adsets)))
            for ad in ads:
                start = max(
                    _ad_start(world, ad),
                    float(adset.get("start_time") or 0),
                    float(campaign.get("start_time") or 0),
                )
                ends = [
                    t
                    for t in (
                        adset.get("end_time"),
                        campaign.get("stop_time"),
                        _stop_time(ad),
                        _stop_time(adset),
                        _stop_time(campaign),
                    )
                    if t is not None
                ]
                if ad.get("effective_status") in _NEVER_SERVED:
                    ends.append(start)
                end = min(ends) if ends else None
                delivery: tuple[tuple[datetime, datetime | None], ...] = ()
                if end is None or end > start:
                    delivery = ((_dt(start), _dt(end)),)  # type: ignore[assignment]
                records.append(
                    AdRecord(
                        ad_id=str(ad["id"]),
                        adset_id=str(adset["id"]),
                        campaign_id=str(campaign["id"]),
                        account_id=account.account_id,
                        created_time=_dt(ad["created_time"]),  # type: ignore[arg-type]
                        delivery=delivery,
                        effective_status=ad.get("effective_status") or "ACTIVE",
                        adset_effective_status=adset.get("effective_status") or "ACTIVE",
                        campaign_effective_status=campaign.get("effective_status") or "ACTIVE",
                        currency=account.currency,
                        timezone=account.timezone_name,
                        ad_name=ad.get("name") or "",
                        adset_name=adset.get("name") or "",
                        campaign_name=campaign.get("name") or "",
                        account_name=account.name,
                        objective=campaign.get("objective") or "OUTCOME_TRAFFIC",
                        optimization_goal=adset.get("optimization_goal") or "LINK_CLICKS",
                        buying_type=campaign.get("buying_type") or "AUCTION",
                        daily_budget_minor=_share(budget, ad, ads),
                        countries=_countries(adset.get("targeting")),
                    )
                )
    return records


def _share(budget: int | None, ad: dict[str, Any], siblings: list[dict[str, Any]]) -> int | None:
    """The ad's share of its ad set's daily budget: split among the siblings created no later
    than it, so adding an ad later does not rewrite the history of the ones before it."""
    if not budget:
        return None
    earlier = sum(1 for s in siblings if s["created_time"] <= ad["created_time"])
    return int(budget / max(1, earlier))


def _records_under(records: list[AdRecord], level: str, node_id: str) -> list[AdRecord]:
    if level == "account":
        return records
    return [r for r in records if r.level_id(level) == node_id]


# --- handlers ---------------------------------------------------------------------------------


def _node(world: World, obj: Any) -> tuple[AdAccount, str, str]:
    """(account, node level, node id) for the object an insights edge hangs on."""
    node_type = world.node_type(str(get_attr(obj, "id")))
    level = _NODE_LEVEL[node_type or ""]
    if isinstance(obj, AdAccount):
        return obj, level, obj.account_id
    account = world.ad_account(str(get_attr(obj, "account_id")))
    if account is None:  # pragma: no cover (the core checked the account already)
        raise unknown_path(str(get_attr(obj, "id")))
    return account, level, str(get_attr(obj, "id"))


def compute(
    world: World, obj: Any, params: dict[str, Any], now: float, *, is_async: bool = False
) -> tuple[InsightsQuery, QueryResult]:
    """(validated query, engine result) for `params` on the node `obj` at time `now`."""
    account, level, node_id = _node(world, obj)
    now_dt = datetime.fromtimestamp(now, tz=UTC)
    query = parse_query(
        params, node_level=level, today=today_in(account.timezone_name, now_dt), is_async=is_async
    )
    records = _records_under(ad_records(world, account, now), level, node_id)
    result = run_query(
        records,
        query,
        node_level=level,
        seed=world.seed,
        now=now_dt,
        is_async=is_async,
        settings=insights_state(world).settings,
    )
    return query, result


def _page(req: SimRequest, rows: list[dict[str, Any]], summary: dict[str, Any] | None):
    settings = insights_state(req.world).settings
    return paginate(
        req,
        rows,
        default_limit=settings.default_limit,
        summary=summary or None,
        invalid_cursor_code=2642,  # reference L16053: 2642 "Invalid cursors values"
    )


def _check_global_throttle(req: SimRequest) -> None:
    # core-flows.md §6.4 / §8 item 44: "error_code = 4, CodeException (error subcode:
    # 1504022), error_title: Too many API requests". A fault plan of kind GLOBAL_THROTTLE_KIND
    # makes the next insights calls fail this way.
    if req.sim.faults.pick(req.method, req.path, [GLOBAL_THROTTLE_KIND], after_apply=False):
        raise GraphError(
            "There have been too many calls to the Insights API. Reduce the number of calls, "
            "wait a short period, and query again.",
            code=4,
            subcode=1504022,
            type="OAuthException",
            user_title="Too many API requests",
            user_msg="Please wait a bit and try again.",
            is_transient=True,
        )


def _edge(req: SimRequest, obj: Any) -> Any:
    _check_global_throttle(req)
    if req.method == "POST":
        return _create_report_run(req, obj)
    _, result = compute(req.world, obj, req.params, req.now())
    return _page(req, result.rows, result.summary)


@node_edge("adaccount", "insights", methods=["GET", "POST"], buc="ads_insights")
def account_insights(req: SimRequest, account: AdAccount) -> Any:
    """core-flows.md §4.1: `act_<ID>/insights`."""
    return _edge(req, account)


@node_edge("campaign", "insights", methods=["GET", "POST"], buc="ads_insights")
def campaign_insights(req: SimRequest, campaign: Any) -> Any:
    return _edge(req, campaign)


@node_edge("adset", "insights", methods=["GET", "POST"], buc="ads_insights")
def adset_insights(req: SimRequest, adset: Any) -> Any:
    return _edge(req, adset)


@node_edge("ad", "insights", methods=["GET", "POST"], buc="ads_insights")
def ad_insights(req: SimRequest, ad: Any) -> Any:
    """Works on deleted ads too: "/<AD_ID>/insights works" (reference.md §7.4)."""
    return _edge(req, ad)


# --- field expansion: GET /<id>?fields=insights{impressions}.date_preset(last_7d) ---------------


def embedded_insights(
    world: World, obj: Any, spec: FieldSpec, context: dict[str, Any]
) -> dict[str, Any]:
    """The insights edge page embedded in a node read (core-flows.md §4.2 field expansion).

    Modifiers become parameters (`.time_range({...})`, `.time_increment(1)`, `.limit(5)`);
    children become `fields`. Paging carries cursors and, when more rows exist, a `next` URL on
    the edge (without the access token, which the node reader does not pass on).
    """
    params: dict[str, Any] = {}
    if spec.children:
        params["fields"] = ",".join(c.name for c in spec.children)
    for name, raw in spec.modifiers.items():
        value = modifier_json(spec, name)
        params[name] = raw if isinstance(value, str) else json.dumps(value)
    now = float(context.get("now") or world.clock.now())  # type: ignore[attr-defined]
    _, result = compute(world, obj, params, now)
    limit = int(params.get("limit") or insights_state(world).settings.default_limit)
    rows = result.rows[:limit]
    # Workaround: the core's render_fields filters an embedded edge's rows by the children of
    # the spec, which would drop date_start/date_stop and breakdown keys that Graph always
    # returns (seeds L11415 example). Name every key of our rows as a child so they survive.
    if spec.children is not None:
        named = {c.name for c in spec.children}
        for key in dict.fromkeys(k for row in rows for k in row):
            if key not in named:
                spec.children.append(FieldSpec(key))
    body: dict[str, Any] = {"data": rows}
    if rows:
        paging: dict[str, Any] = {
            "cursors": {"before": encode_cursor(0), "after": encode_cursor(len(rows) - 1)}
        }
        if len(result.rows) > limit:
            query = urlencode({**params, "limit": limit, "after": encode_cursor(limit - 1)})
            base = context.get("base_url") or ""
            paging["next"] = f"{base}/{get_attr(obj, 'id')}/insights?{query}"
        body["paging"] = paging
    return body


def _register_field_providers() -> None:
    """Let the objects module's readers embed `insights{...}` (objects/reading.py
    FIELD_PROVIDERS). The ad account reader belongs to the core and has no such hook."""
    try:
        from graph_sim.objects.reading import FIELD_PROVIDERS
    except ImportError:  # pragma: no cover (the objects module is part of the simulator)
        return
    for node_type in ("campaign", "adset", "ad"):
        FIELD_PROVIDERS.setdefault(node_type, {})["insights"] = embedded_insights


_register_field_providers()


# --- async report runs (core-flows.md §4.4) ----------------------------------------------------


def _reach_throttle(req: SimRequest, account: AdAccount, query: InsightsQuery, result: Any):
    """Count an async job that asks for reach with old breakdowns; past the daily allowance its
    rows leave reach, frequency and cpp out (core-flows.md §4.6). Returns the header value."""
    state = insights_state(req.world)
    day = today_in(account.timezone_name, datetime.fromtimestamp(req.now(), tz=UTC))
    key = (account.account_id, day.isoformat())
    if query.reach_restricted:
        state.reach_jobs[key] = state.reach_jobs.get(key, 0) + 1
        if state.reach_jobs[key] > state.reach_jobs_per_day:
            for row in [*result.rows, result.summary or {}]:
                for name in ("reach", "frequency", "cpp"):
                    row.pop(name, None)
    used = min(state.reach_jobs.get(key, 0), state.reach_jobs_per_day)
    pct = round(100.0 * used / max(1, state.reach_jobs_per_day), 2)
    return json.dumps({"acc_id_util_pct": pct}, separators=(",", ":"))


def _create_report_run(req: SimRequest, obj: Any) -> SimResponse:
    """`POST /<obj>/insights` → `{"report_run_id": "<id>"}` (a numeric string, DECISIONS.md)."""
    account, level, node_id = _node(req.world, obj)
    query, result = compute(req.world, obj, req.params, req.now(), is_async=True)
    reach_header = _reach_throttle(req, account, query, result)
    state = insights_state(req.world)
    total = state.report_run_seconds
    if total is None:
        timings = getattr(getattr(req.sim, "config", None), "timings", None)
        total = float(getattr(timings, "report_run", 20.0))
    outcome = "completed"
    if req.sim.faults.pick(req.method, req.path, [FAIL_KIND], after_apply=False):
        outcome = "failed"
    elif req.sim.faults.pick(req.method, req.path, [SKIP_KIND], after_apply=False):
        outcome = "skipped"
    elif req.sim.faults.pick(req.method, req.path, [STUCK_KIND], after_apply=False):
        outcome = "stuck"
    date_start, date_stop = period_of(query)
    if result.rows:
        date_start = min(r["date_start"] for r in result.rows)
    params = {k: v for k, v in req.params.items() if k not in ("access_token", "appsecret_proof")}
    now = req.now()
    run = ReportRun(
        id=req.world.new_id(15),
        account_id=account.account_id,
        node_id=node_id,
        node_level=level,
        params=params,
        query=query,
        time_ref=int(now),
        queue_seconds=total * 0.1,
        start_seconds=total * 0.1,
        run_seconds=max(total * 0.8, 0.001),
        outcome=outcome,
        rows=result.rows,
        summary=result.summary,
        date_start=date_start,
        date_stop=date_stop,
    )
    req.world.put(run, REPORT_RUN)
    return SimResponse(
        {"report_run_id": run.id},
        headers={"x-fb-ads-insights-reach-throttle": reach_header},
    )


def _live_run(req: SimRequest, run: ReportRun) -> ReportRun:
    if run.expired(req.now()):
        # core-flows.md §4.4: "Do not store the report_run_id ... it expires after 30 days".
        raise unknown_path(run.id)
    return run


@node_reader(REPORT_RUN, buc="ads_insights")
def read_report_run(req: SimRequest, run: ReportRun) -> dict[str, Any]:
    """`GET /<AD_REPORT_RUN_ID>`: async_status and async_percent_completion on the clock."""
    _live_run(req, run)
    return render_fields(
        run.to_graph(req.now()),
        req.fields,
        default_fields=REPORT_RUN_DEFAULT_FIELDS,
        known_fields=(*REPORT_RUN_DEFAULT_FIELDS, "id", "is_running"),
        node_type="AdReportRun",
    )


@node_edge(REPORT_RUN, "insights", methods=["GET"], buc="ads_insights")
def report_run_insights(req: SimRequest, run: ReportRun) -> Any:
    """`GET /<AD_REPORT_RUN_ID>/insights`: the rows, once the job is "Job Completed"."""
    _live_run(req, run)
    status, _ = run.status(req.now())
    if status == "Job Failed":
        raise GraphError("The report run failed. Review your query and try again.", code=100)
    if status == "Job Skipped":
        raise GraphError(
            "The report run has expired and was skipped. Please resubmit your job.", code=100
        )
    if status != "Job Completed":
        raise GraphError(
            f"The report run is not complete (async_status is {status!r}); poll "
            f"/{run.id} until async_status is 'Job Completed'",
            code=100,
        )
    return _page(req, run.rows or [], run.summary)
