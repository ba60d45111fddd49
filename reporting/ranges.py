"""Date ranges of the dashboards: presets, custom ranges (validated), the previous period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from reporting.services.refresh import earliest_day

PRESETS = {
    "last_7d": "Last 7 days",
    "last_28d": "Last 28 days",
    "last_90d": "Last 90 days",
    "this_month": "This month",
    "last_month": "Last month",
}
DEFAULT_PRESET = "last_28d"


@dataclass(frozen=True)
class DateRange:
    since: date
    until: date
    preset: str = ""

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def previous(self) -> DateRange:
        """The period of the same length just before (comparison)."""
        until = self.since - timedelta(days=1)
        return DateRange(until - timedelta(days=self.days - 1), until)

    @property
    def label(self) -> str:
        name = PRESETS.get(self.preset)
        span = f"{self.since:%d %b %Y} to {self.until:%d %b %Y}"
        return f"{name} ({span})" if name else span

    def query(self) -> str:
        if self.preset:
            return f"preset={self.preset}"
        return f"since={self.since.isoformat()}&until={self.until.isoformat()}"


def preset_range(preset: str, today: date) -> DateRange:
    """Graph's meaning: `last_Nd` are the N days before today; `this_month` includes today."""
    if preset == "last_7d":
        return DateRange(today - timedelta(days=7), today - timedelta(days=1), preset)
    if preset == "last_90d":
        return DateRange(today - timedelta(days=90), today - timedelta(days=1), preset)
    if preset == "this_month":
        return DateRange(today.replace(day=1), today, preset)
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return DateRange(last.replace(day=1), last, preset)
    return DateRange(today - timedelta(days=28), today - timedelta(days=1), DEFAULT_PRESET)


def _parse_day(value: str | None) -> date | None:
    if not value or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def range_from_params(params, *, today: date) -> tuple[DateRange, str | None]:
    """The range a page asks for (`preset=` or `since=`/`until=`) and an error message for a
    bad custom range (then the default preset is shown)."""
    preset = str(params.get("preset") or "")[:20]
    since, until = _parse_day(params.get("since")), _parse_day(params.get("until"))
    if params.get("since") or params.get("until"):
        if since is None or until is None:
            return preset_range(DEFAULT_PRESET, today), "Dates are written YYYY-MM-DD."
        if since > until:
            return preset_range(DEFAULT_PRESET, today), "The start date is after the end date."
        if since < earliest_day(today=today) or until > today:
            return (preset_range(DEFAULT_PRESET, today),
                    "Meta keeps 37 months of insights, up to today.")
        return DateRange(since, until), None
    if preset and preset not in PRESETS:
        return preset_range(DEFAULT_PRESET, today), None
    return preset_range(preset or DEFAULT_PRESET, today), None
