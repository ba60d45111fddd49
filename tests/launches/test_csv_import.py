"""CSV import: one row per ad; a bad cell gives its row and column with the builder's message,
and nothing is created while any row is invalid; the template CSV and exports are formula-safe."""

from __future__ import annotations

import csv
import io

import pytest

from agency.models import AuditEvent
from campaigns.launches.services.csv_import import (
    COLUMN_NAMES,
    MAX_BYTES,
    CsvImportError,
    RowError,
    csv_import,
    csv_template,
    errors_csv,
    neutralise_cell,
)
from campaigns.models import Ad, AdSet, Campaign
from tests.factories.campaigns import AdAccountFactory
from tests.factories.launches import LaunchTemplateFactory

pytestmark = pytest.mark.django_db

GOOD = {"objective": "OUTCOME_TRAFFIC", "daily_budget": "20.00", "countries": "US",
        "page_id": "123", "message": "Hello", "link": "https://shop.example.com/",
        "image_hash": "abc", "call_to_action": "SHOP_NOW"}


def _csv(rows, columns=None, delimiter=","):
    columns = columns or COLUMN_NAMES
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode()


def _row(campaign, adset, ad, **cells):
    return {**GOOD, "campaign_name": campaign, "adset_name": adset, "ad_name": ad, **cells}


@pytest.fixture
def account(agency, client_a):
    return AdAccountFactory(agency=agency, client=client_a, currency="EUR",
                            timezone_name="Europe/Paris")


def test_rows_are_grouped_into_campaigns_and_ad_sets(scoped, account, manager):
    LaunchTemplateFactory(agency=account.agency, name="Young FR", payload={"targeting": {
        "geo_locations": {"countries": ["FR"]}, "age_min": 18, "age_max": 24}})
    data = _csv([_row("Spring", "US", "Red"), _row("Spring", "US", "Blue"),
                 _row("Spring", "FR young", "Red", countries="", audience_template="Young FR",
                      dsa_beneficiary="Acme", dsa_payor="Acme"),
                 _row("Autumn", "US", "Green", daily_budget="15,50")], delimiter=";")
    result, batch = csv_import(ad_account=account, data=data, filename="launch.csv",
                               actor=manager.user)
    assert result.errors == []
    assert batch.counts == {"campaigns": 2, "adsets": 3, "ads": 4}
    spring = Campaign.objects.get(name="Spring")
    assert sorted(spring.adsets.values_list("name", flat=True)) == ["FR young", "US"]
    young = spring.adsets.get(name="FR young")
    assert young.targeting["age_max"] == 24 and young.daily_budget_minor == 2000
    assert AdSet.objects.get(campaign__name="Autumn").daily_budget_minor == 1550
    assert Ad.objects.filter(adset__campaign=spring).count() == 3
    assert AuditEvent.objects.filter(verb="launch.csv_import").count() == 1


def test_a_bad_cell_names_its_row_and_column_and_nothing_is_created(scoped, account, manager):
    data = _csv([_row("Spring", "US", "Red"),
                 _row("Spring", "US", "Blue", link="not a url"),
                 _row("Spring", "Old", "Green", age_min="12"),
                 _row("Spring", "Cheap", "Grey", daily_budget="abc"),
                 _row("Spring", "US", "Pink", countries="CA")])
    result, batch = csv_import(ad_account=account, data=data, filename="bad.csv",
                               actor=manager.user)
    assert batch is None
    assert result.errors == [
        RowError(3, "link", "Enter a valid URL starting with https:// or http://."),
        RowError(4, "age_min", "Ages are 18 to 65."),
        RowError(5, "daily_budget", "Enter an amount like 20.00."),
        RowError(6, "countries", "Differs from row 2 of the same ad set."),
    ]
    assert not Campaign.objects.exists() and not Ad.objects.exists()


def test_header_and_required_cells_are_checked(scoped, account, manager):
    data = _csv([{"campaign_name": "x"}], columns=["campaign_name", "colour"])
    result, _ = csv_import(ad_account=account, data=data, filename="x.csv", actor=manager.user)
    assert RowError(1, "colour", "Unknown column: see the template.") in result.errors
    assert RowError(1, "adset_name", "This column is required.") in result.errors
    result, _ = csv_import(ad_account=account, data=_csv([_row("Spring", "", "Red")]),
                           filename="x.csv", actor=manager.user)
    assert result.errors == [RowError(2, "adset_name", "Required.")]
    result, _ = csv_import(ad_account=account, data=_csv([_row(
        "Spring", "US", "Red", placement_template="Nope")]), filename="x.csv", actor=manager.user)
    assert result.errors == [RowError(2, "placement_template",
                                      "No saved placement set named “Nope”.")]


@pytest.mark.parametrize("data, message", [
    (b"\xff\xfe" + b"a" * 11, "not UTF-8"),
    ("campaign_name\néé".encode("latin-1"), "not UTF-8"),
    (b"x" * (MAX_BYTES + 1), "larger than"),
    (b"", "empty"),
    (b'campaign_name\n"unclosed\x00', "not a CSV"),
])
def test_unreadable_files_are_refused_with_a_message(scoped, account, manager, data, message):
    with pytest.raises(CsvImportError, match=message):
        csv_import(ad_account=account, data=data, filename="x.csv", actor=manager.user)
    assert not Campaign.objects.exists()


def test_template_and_error_exports_are_formula_safe():
    rows = list(csv.reader(io.StringIO(csv_template())))
    assert rows[0] == COLUMN_NAMES and len(rows) == 2
    assert rows[1][COLUMN_NAMES.index("campaign_name")] == "Spring sale"
    assert neutralise_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise_cell("+1") == "'+1" and neutralise_cell("@x") == "'@x"
    exported = errors_csv([RowError(2, "message", "=cmd|' /C calc'!A0")])
    assert "'=cmd" in exported
