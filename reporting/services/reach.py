"""Reach over a date range, as Graph deduplicates it (reach is not additive: never summed from
days or children). Read from Graph once per (account, level, range) and kept in InsightReach."""

from __future__ import annotations

import json
import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services.graph import ConnectionUnusableError, graph_for_connection
from agency.graph.errors import GraphError
from reporting.models import InsightReach, Level
from reporting.services.ingest import ALL_STATUSES

log = logging.getLogger("reporting.reach")
ALL_MARK = "*"  # a row saying "this level and range were read" (even when nothing delivered)


def _cached(ad_account, level: str, since: date, until: date) -> dict[str, InsightReach] | None:
    rows = list(InsightReach.objects.filter(ad_account=ad_account, level=level, since=since,
                                            until=until, breakdown=""))
    if not rows:
        return None
    return {r.object_id: r for r in rows if r.object_id != ALL_MARK}


def range_reach_fetch(*, ad_account, level: str, since: date, until: date, client=None
                      ) -> dict[str, InsightReach]:
    """Read reach and frequency of every object at `level` over since..until from Graph."""
    params = {
        "level": level,
        "time_range": json.dumps({"since": since.isoformat(), "until": until.isoformat()}),
        "fields": "reach,frequency" + ("" if level == Level.ACCOUNT else f",{level}_id"),
    }
    if level != Level.ACCOUNT:
        params["filtering"] = json.dumps([{"field": "ad.effective_status", "operator": "IN",
                                           "value": list(ALL_STATUSES)}])
    if client is None:
        with graph_for_connection(connection=ad_account.connection,
                                  purpose="insights_reach") as own:
            rows = list(own.iterate(f"{ad_account.act_id}/insights", params=params, limit=500,
                                    account_id=ad_account.act_id))
    else:
        rows = list(client.iterate(f"{ad_account.act_id}/insights", params=params, limit=500,
                                   account_id=ad_account.act_id))
    now = timezone.now()
    found: dict[str, InsightReach] = {}
    for row in rows:
        object_id = ad_account.account_id if level == Level.ACCOUNT else str(
            row.get(f"{level}_id") or "")
        if not object_id:
            continue
        reach = row.get("reach")
        frequency = row.get("frequency")
        found[object_id] = InsightReach(
            agency_id=ad_account.agency_id, ad_account=ad_account, level=level,
            object_id=object_id[:32], since=since, until=until,
            reach=int(reach) if reach not in (None, "") else None,
            frequency=float(frequency) if frequency not in (None, "") else None, fetched_at=now)
    marker = InsightReach(agency_id=ad_account.agency_id, ad_account=ad_account, level=level,
                          object_id=ALL_MARK, since=since, until=until, fetched_at=now)
    try:
        with transaction.atomic():
            InsightReach.objects.bulk_create([*found.values(), marker],
                                             ignore_conflicts=True)
    except IntegrityError:  # pragma: no cover (another request stored them first)
        pass
    return found


def range_reach(*, ad_account, level: str, since: date, until: date
                ) -> tuple[dict[str, InsightReach], bool]:
    """(object id → reach row, available). Unavailable (Graph refused, connection unusable) is
    shown as "—", never as a sum."""
    cached = _cached(ad_account, level, since, until)
    if cached is not None:
        return cached, True
    try:
        return range_reach_fetch(ad_account=ad_account, level=level, since=since,
                                 until=until), True
    except (GraphError, ConnectionUnusableError) as exc:
        log.info("reach of %s %s %s..%s unavailable: %s", ad_account.act_id, level, since,
                 until, exc)
        return {}, False


def reach_presets_refresh(*, client, ad_account, today: date,
                          levels: tuple[str, ...] = (Level.ACCOUNT, Level.CAMPAIGN, Level.ADSET,
                                                     Level.AD)) -> int:
    """Read reach for the dashboards' preset ranges ahead of time (one sync read per preset and
    level), so the pages rarely need Graph. Returns the reads made."""
    from reporting.ranges import PRESETS, preset_range

    reads = 0
    for preset in PRESETS:
        rng = preset_range(preset, today)
        for level in levels:
            if _cached(ad_account, level, rng.since, rng.until) is not None:
                continue
            range_reach_fetch(ad_account=ad_account, level=level, since=rng.since,
                              until=rng.until, client=client)
            reads += 1
    return reads
