"""CSV / spreadsheet import: one row per ad, grouped into campaigns and ad sets by name. Parsed
safely (size, row count, encoding, delimiter), checked cell by cell with the builder's rules;
every error names its row (as a spreadsheet numbers it: the header is row 1) and its column.
Nothing is created unless every row is valid; then all of it is created in one transaction."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from agency.errors import ServiceError
from agency.services import audit_record
from campaigns.launches.models import BatchSource, LaunchBatch, LaunchTemplate, TemplateKind
from campaigns.launches.services.trees import NewAdSet, NewCampaign, trees_create
from campaigns.launches.snapshots import PLACEMENT_KEYS, targeting_join
from campaigns.models import AdAccount
from campaigns.validation import (
    AccountFacts,
    ad_errors,
    adset_errors,
    campaign_errors,
    creative_errors,
    rules,
)

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
CELL_MAX = 4096

# (column, level, what it holds): the documented format, in the order of the template CSV.
COLUMNS: list[tuple[str, str, str]] = [
    ("campaign_name", "campaign", "Required. Rows with the same name make one campaign."),
    ("objective", "campaign", "OUTCOME_TRAFFIC (default), OUTCOME_SALES, OUTCOME_LEADS, "
                              "OUTCOME_AWARENESS, OUTCOME_ENGAGEMENT, OUTCOME_APP_PROMOTION."),
    ("campaign_daily_budget", "campaign", "Advantage campaign budget per day in the account "
                                          "currency (e.g. 50.00); empty for ad set budgets."),
    ("adset_name", "adset", "Required. Rows with the same campaign and ad set names make one "
                            "ad set."),
    ("daily_budget", "adset", "Ad set budget per day (e.g. 20.00)."),
    ("lifetime_budget", "adset", "Ad set lifetime budget (needs end_time)."),
    ("start_time", "adset", "YYYY-MM-DD HH:MM in the ad account's time zone; empty = now."),
    ("end_time", "adset", "YYYY-MM-DD HH:MM in the ad account's time zone."),
    ("audience_template", "adset", "Name of a saved audience (optional)."),
    ("countries", "adset", "2-letter codes separated by spaces or commas: US CA."),
    ("age_min", "adset", "18 to 65."),
    ("age_max", "adset", "18 to 65 (65 means 65+)."),
    ("genders", "adset", "all (default), men or women."),
    ("placement_template", "adset", "Name of a saved placement set; empty = automatic."),
    ("optimization_goal", "adset", "Performance goal; empty = the objective's first goal."),
    ("billing_event", "adset", "IMPRESSIONS (default) or the goal's own event."),
    ("dsa_beneficiary", "adset", "Who benefits (EU audiences)."),
    ("dsa_payor", "adset", "Who pays (EU audiences)."),
    ("ad_name", "ad", "Required. One row per ad."),
    ("ad_status", "ad", "ACTIVE (default) or PAUSED once published."),
    ("format", "ad", "image (default) or video."),
    ("page_id", "ad", "The Facebook Page id the ad runs as."),
    ("instagram_user_id", "ad", "Instagram account id (optional)."),
    ("message", "ad", "Primary text."),
    ("headline", "ad", "Headline."),
    ("description", "ad", "Description."),
    ("link", "ad", "Website URL (https://...)."),
    ("call_to_action", "ad", "LEARN_MORE (default), SHOP_NOW, SIGN_UP..."),
    ("url_tags", "ad", "utm_source=meta&utm_medium=paid"),
    ("image_hash", "ad", "Image hash of the account's library (image ads, video thumbnails)."),
    ("video_id", "ad", "Video id (video ads)."),
]
COLUMN_NAMES = [c for c, _, _ in COLUMNS]
REQUIRED = ("campaign_name", "adset_name", "ad_name")
EXAMPLE_ROW = {
    "campaign_name": "Spring sale", "objective": "OUTCOME_TRAFFIC", "adset_name": "US 25-44",
    "daily_budget": "20.00", "countries": "US", "age_min": "25", "age_max": "44",
    "ad_name": "Boots - red", "page_id": "1234567890", "message": "Spring is here",
    "headline": "New boots", "link": "https://shop.example.com/boots",
    "call_to_action": "SHOP_NOW", "image_hash": "0123456789abcdef",
}
CAMPAIGN_COLUMNS = [c for c, level, _ in COLUMNS if level == "campaign"]
ADSET_COLUMNS = [c for c, level, _ in COLUMNS if level == "adset"]

# The builder's rule keys -> the column that shows the message.
RULE_COLUMNS = {
    "campaign": {"name": "campaign_name", "objective": "objective",
                 "daily_budget_minor": "campaign_daily_budget"},
    "adset": {"name": "adset_name", "daily_budget_minor": "daily_budget",
              "lifetime_budget_minor": "lifetime_budget", "start_time": "start_time",
              "end_time": "end_time", "optimization_goal": "optimization_goal",
              "billing_event": "billing_event", "targeting.age_min": "age_min",
              "targeting.age_max": "age_max", "targeting.genders": "genders",
              "dsa_beneficiary": "dsa_beneficiary", "dsa_payor": "dsa_payor"},
    "creative": {"name": "ad_name", "format": "format", "page_id": "page_id",
                 "instagram_user_id": "instagram_user_id", "spec.message": "message",
                 "spec.headline": "headline", "spec.description": "description",
                 "spec.link": "link", "spec.call_to_action": "call_to_action",
                 "spec.url_tags": "url_tags", "spec.image": "image_hash",
                 "spec.video": "video_id", "contextual_multi_ads": "format"},
    "ad": {"name": "ad_name", "desired_status": "ad_status"},
}
_FALLBACK = {"campaign": "campaign_name", "adset": "adset_name", "creative": "ad_name",
             "ad": "ad_name"}


class CsvImportError(ServiceError):
    code = "csv_invalid"


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet shows it: the header is row 1
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class CsvResult:
    errors: list[RowError]
    rows: int = 0
    trees: list[NewCampaign] | None = None

    @property
    def counts(self) -> dict[str, int]:
        trees = self.trees or []
        return {"campaigns": len(trees), "adsets": sum(len(t.adsets) for t in trees),
                "ads": sum(len(a.ads) for t in trees for a in t.adsets)}


def neutralise_cell(value: Any) -> str:
    """A cell a spreadsheet would run as a formula (= + - @, tab, CR) is prefixed with '."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_template() -> str:
    """The downloadable template: the header and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMN_NAMES)
    writer.writerow([neutralise_cell(EXAMPLE_ROW.get(c, "")) for c in COLUMN_NAMES])
    return out.getvalue()


def errors_csv(errors: list[RowError]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "message"])
    for error in errors:
        writer.writerow([error.row, neutralise_cell(error.column),
                         neutralise_cell(error.message)])
    return out.getvalue()


# --- reading --------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise CsvImportError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.",
                             field="file")
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise CsvImportError("The file is not UTF-8 text: save it as “CSV UTF-8”.",
                             field="file") from exc
    if "\x00" in text:
        raise CsvImportError("The file is not a CSV text file.", field="file")
    return text


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else (
        "\t" if first.count("\t") > first.count(",") else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header:
            raise CsvImportError("The file is empty.", field="file")
        header = [h.strip().lower() for h in header]
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvImportError(f"At most {MAX_ROWS} rows (ads) per file.", field="file")
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise CsvImportError(f"The file is not valid CSV: {exc}.", field="file") from exc
    return header, [{"_row": line, **{h: (values[i] if i < len(values) else "")
                                      for i, h in enumerate(header)},
                     "_extra": len(values) > len(header)} for line, values in rows]


def csv_rows_by_number(data: bytes) -> dict[int, dict[str, str]]:
    """The file's rows by row number (for showing a row next to its errors)."""
    try:
        _, rows = _rows(_decode(data))
    except CsvImportError:
        return {}
    return {row["_row"]: {c: row.get(c, "") for c in COLUMN_NAMES} for row in rows}


# --- cells ----------------------------------------------------------------------------------

class _Cell(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, message


def _money(row, column: str, currency: str) -> int | None:
    raw = row.get(column, "").strip().replace(" ", "")
    if not raw:
        return None
    try:
        amount = Decimal(raw.replace(",", ".") if raw.count(",") == 1 and "." not in raw
                         else raw)
    except InvalidOperation:
        raise _Cell(column, "Enter an amount like 20.00.") from None
    if not amount.is_finite() or amount <= 0 or amount > Decimal("100000000"):
        raise _Cell(column, "Enter an amount greater than zero.")
    return int((amount * rules.minor_per_major(currency)).to_integral_value())


def _int(row, column: str) -> int | None:
    raw = row.get(column, "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdecimal() or len(raw) > 3:
        raise _Cell(column, "Enter a whole number.")
    return int(raw)


def _time(row, column: str, zone: ZoneInfo):
    raw = row.get(column, "").strip()
    if not raw:
        return None
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return timezone.make_aware(datetime.strptime(raw, fmt), zone)
        except ValueError:
            continue
    raise _Cell(column, "Write dates as YYYY-MM-DD HH:MM.")


def _choice(row, column: str, allowed, default: str) -> str:
    raw = row.get(column, "").strip()
    if not raw:
        return default
    value = raw.upper()
    if value not in allowed:
        raise _Cell(column, "Use one of: " + ", ".join(allowed) + ".")
    return value


def _template(row, column: str, kind: str, cache: dict) -> dict | None:
    name = row.get(column, "").strip()
    if not name:
        return None
    key = (kind, name)
    if key not in cache:
        found = LaunchTemplate.objects.filter(kind=kind, name=name).first()
        cache[key] = found.payload.get("targeting") if found else None
    if cache[key] is None:
        raise _Cell(column, f"No saved {TemplateKind(kind).label.lower()} named “{name[:80]}”.")
    return cache[key]


def _campaign_values(row, account: AdAccount) -> dict[str, Any]:
    return {"name": row["campaign_name"].strip(),
            "objective": _choice(row, "objective", rules.OBJECTIVES, "OUTCOME_TRAFFIC"),
            "daily_budget_minor": _money(row, "campaign_daily_budget", account.currency)}


def _adset_values(row, account: AdAccount, objective: str, cache: dict) -> dict[str, Any]:
    zone = _zone(account)
    targeting = dict(_template(row, "audience_template", TemplateKind.AUDIENCE, cache) or {})
    countries = row.get("countries", "").replace(",", " ").split()
    if countries:
        codes = [c.upper() for c in countries]
        if not all(rules.COUNTRY_RE.match(c) for c in codes):
            raise _Cell("countries", "Use 2-letter country codes (US CA).")
        targeting["geo_locations"] = {"countries": codes}
    for column in ("age_min", "age_max"):
        value = _int(row, column)
        if value is not None:
            targeting[column] = value
    genders = row.get("genders", "").strip().lower()
    if genders in ("men", "women"):
        targeting["genders"] = [1 if genders == "men" else 2]
    elif genders not in ("", "all"):
        raise _Cell("genders", "Use all, men or women.")
    placements = _template(row, "placement_template", TemplateKind.PLACEMENTS, cache) or {}
    goals = rules.GOALS_BY_OBJECTIVE.get(objective, ("LINK_CLICKS",))
    all_goals = sorted({g for gs in rules.GOALS_BY_OBJECTIVE.values() for g in gs})
    return {
        "name": row["adset_name"].strip(),
        "daily_budget_minor": _money(row, "daily_budget", account.currency),
        "lifetime_budget_minor": _money(row, "lifetime_budget", account.currency),
        "start_time": _time(row, "start_time", zone), "end_time": _time(row, "end_time", zone),
        "targeting": targeting_join(targeting, {k: v for k, v in placements.items()
                                                if k in PLACEMENT_KEYS}),
        "optimization_goal": _choice(row, "optimization_goal", all_goals, goals[0]),
        "billing_event": _choice(row, "billing_event", ("IMPRESSIONS", "LINK_CLICKS",
                                                        "THRUPLAY", "POST_ENGAGEMENT",
                                                        "PAGE_LIKES"), "IMPRESSIONS"),
        "dsa_beneficiary": row.get("dsa_beneficiary", "").strip(),
        "dsa_payor": row.get("dsa_payor", "").strip(),
    }


def _creative_values(row) -> dict[str, Any]:
    spec = {k: row.get(k, "").strip() for k in ("message", "headline", "description", "link",
                                                "url_tags", "image_hash", "video_id")}
    spec = {k: v for k, v in spec.items() if v}
    spec["call_to_action"] = _choice(row, "call_to_action", rules.CTA_TYPES, "LEARN_MORE")
    fmt = row.get("format", "").strip().lower() or "image"
    if fmt not in ("image", "video"):
        raise _Cell("format", "Use image or video.")
    return {"name": row["ad_name"].strip(), "format": fmt,
            "page_id": row.get("page_id", "").strip(),
            "instagram_user_id": row.get("instagram_user_id", "").strip(),
            "spec": spec, "contextual_multi_ads": "OPT_OUT"}


def _zone(account: AdAccount) -> ZoneInfo:
    try:
        return ZoneInfo(account.timezone_name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _rule_errors(kind: str, row_number: int, errors: dict[str, str]) -> list[RowError]:
    out = []
    for key, message in errors.items():
        column = RULE_COLUMNS[kind].get(key)
        if column is None and key.startswith("targeting.geo_locations"):
            column = "countries"
        elif column is None and key.startswith(tuple(f"targeting.{k}" for k in PLACEMENT_KEYS)):
            column = "placement_template"
        elif column is None and key.startswith("targeting"):
            column = "audience_template"
        out.append(RowError(row_number, column or _FALLBACK[kind], message))
    return out


# --- the import -----------------------------------------------------------------------------

def csv_parse(*, ad_account: AdAccount, data: bytes) -> CsvResult:
    """Every row checked; `trees` is set only when no row has an error."""
    header, rows = _rows(_decode(data))
    errors: list[RowError] = []
    unknown = [h for h in header if h not in COLUMN_NAMES]
    missing = [c for c in REQUIRED if c not in header]
    for column in unknown:
        errors.append(RowError(1, column[:60] or "(empty)", "Unknown column: see the template."))
    for column in missing:
        errors.append(RowError(1, column, "This column is required."))
    if len(set(header)) != len(header):
        errors.append(RowError(1, "header", "A column appears twice."))
    if errors:
        return CsvResult(errors=errors, rows=len(rows))
    if not rows:
        return CsvResult(errors=[RowError(2, "campaign_name", "The file has no rows.")])
    facts = AccountFacts.of(ad_account)
    now = timezone.now()
    cache: dict = {}
    campaigns: dict[str, tuple[NewCampaign, dict, int]] = {}
    adsets: dict[tuple[str, str], tuple[NewAdSet, dict, int]] = {}
    for row in rows:
        number = row["_row"]
        row_errors: list[RowError] = []
        if row["_extra"]:
            row_errors.append(RowError(number, "header", "More cells than columns."))
        for column in COLUMN_NAMES:
            if len(row.get(column, "")) > CELL_MAX:
                row_errors.append(RowError(number, column, f"At most {CELL_MAX} characters."))
        for column in REQUIRED:
            if not row.get(column, "").strip():
                row_errors.append(RowError(number, column, "Required."))
        if row_errors:
            errors.extend(row_errors)
            continue
        try:
            campaign_values = _campaign_values(row, ad_account)
            adset_values = _adset_values(row, ad_account, campaign_values["objective"], cache)
            creative_values = _creative_values(row)
            ad_status = _choice(row, "ad_status", ("ACTIVE", "PAUSED"), "ACTIVE")
        except _Cell as cell:
            errors.append(RowError(number, cell.column, cell.message))
            continue
        errors.extend(_group(row, number, campaign_values, adset_values, campaigns, adsets,
                             facts, now))
        tree = campaigns[campaign_values["name"]][0]
        adset = adsets[(campaign_values["name"], adset_values["name"])][0]
        errors.extend(_rule_errors("creative", number, creative_errors(data=creative_values)))
        ad_values = {"name": creative_values["name"], "desired_status": ad_status}
        errors.extend(_rule_errors("ad", number, ad_errors(data={**ad_values,
                                                                 "creative": True})))
        tree.creatives.append(creative_values)
        adset.ads.append((ad_values, len(tree.creatives) - 1))
    for tree, _, _ in campaigns.values():
        for adset in tree.adsets:
            if len(adset.ads) > 50:
                first = adsets[(tree.values["name"], adset.values["name"])][2]
                errors.append(RowError(first, "adset_name", "At most 50 ads in one ad set."))
    errors.sort(key=lambda e: (e.row, COLUMN_NAMES.index(e.column)
                               if e.column in COLUMN_NAMES else -1))
    result = CsvResult(errors=errors, rows=len(rows))
    if not errors:
        result.trees = [tree for tree, _, _ in campaigns.values()]
    return result


def _same(row, first_row, column: str) -> bool:
    return row.get(column, "").strip().lower() == first_row.get(column, "").strip().lower()


def _group(row, number, campaign_values, adset_values, campaigns, adsets, facts, now
           ) -> list[RowError]:
    """Add the row's campaign and ad set (checked once, on their first row); a later row that
    says something else for them is an error on its cell."""
    errors: list[RowError] = []
    name = campaign_values["name"]
    if name not in campaigns:
        campaigns[name] = (NewCampaign(values=campaign_values), row, number)
        errors.extend(_rule_errors("campaign", number,
                                   campaign_errors(data=campaign_values, account=facts)))
    else:
        first_row, first_number = campaigns[name][1], campaigns[name][2]
        for column in CAMPAIGN_COLUMNS:
            if not _same(row, first_row, column):
                errors.append(RowError(number, column, f"Differs from row {first_number} of "
                                                       "the same campaign."))
    key = (name, adset_values["name"])
    if key not in adsets:
        adset = NewAdSet(values=adset_values)
        campaigns[name][0].adsets.append(adset)
        adsets[key] = (adset, row, number)
        parent = campaigns[name][0].values
        parent = {**parent, "lifetime_budget_minor": None, "bid_strategy": "",
                  "special_ad_categories": []}
        errors.extend(_rule_errors("adset", number, adset_errors(
            data=adset_values, campaign=parent, account=facts, now=now)))
    else:
        first_row, first_number = adsets[key][1], adsets[key][2]
        for column in ADSET_COLUMNS:
            if not _same(row, first_row, column):
                errors.append(RowError(number, column, f"Differs from row {first_number} of "
                                                       "the same ad set."))
    return errors


def csv_import(*, ad_account: AdAccount, data: bytes, filename: str, actor,
               source: str = "page") -> tuple[CsvResult, LaunchBatch | None]:
    """Parse and, when every row is valid, create every draft in one transaction."""
    result = csv_parse(ad_account=ad_account, data=data)
    if result.errors:
        return result, None
    with transaction.atomic():
        campaigns = trees_create(ad_account=ad_account, trees=result.trees, actor=actor,
                                 source=source, campaign_diff={"imported_from": [None,
                                                                                 filename[:200]]})
        batch = LaunchBatch.objects.create(
            agency_id=ad_account.agency_id, ad_account=ad_account, source=BatchSource.CSV,
            name=f"Import of {filename}"[:400], counts=result.counts,
            created_by=actor if getattr(actor, "is_authenticated", False) else None)
        batch.campaigns.set(campaigns)
        audit_record(agency=ad_account.agency_id, actor=actor, verb="launch.csv_import",
                     target=batch, data={"file": filename[:200], **result.counts})
    return result, batch
