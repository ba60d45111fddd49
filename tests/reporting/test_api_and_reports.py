"""The insights API and scheduled reports: filters, paging, a client viewer limited to its
clients (API, CSV, email), a period emailed once with its chart and PDF."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from agency.jobs.runner import job_execute
from agency.roles import Role
from agency.tenancy import agency_scope
from reporting.models import Level, ReportFrequency, ScheduledReport
from reporting.services.scheduled import (
    report_period,
    scheduled_report_send,
    scheduled_report_send_start,
    scheduled_reports_start_due,
)
from tests.conftest import login
from tests.factories.agency import ClientFactory, MembershipFactory, UserFactory
from tests.factories.reporting import (
    InsightRowFactory,
    ReportingAdAccountFactory,
    ScheduledReportFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_clients(agency, client_a):
    """client_a and a second client of the same agency, each with a campaign's daily rows."""
    other = ClientFactory(agency=agency, name="Zeta Secret Client")
    acct_a = ReportingAdAccountFactory(client=client_a, name="Acme account")
    acct_b = ReportingAdAccountFactory(client=other, name="Zeta account")
    today = date.today()
    for offset in range(1, 15):
        day = today - timedelta(days=offset)
        InsightRowFactory(ad_account=acct_a, object_id="111", campaign_id="111",
                          campaign_name="Acme Spring", date=day, spend_minor=1000 + offset)
        InsightRowFactory(ad_account=acct_a, level=Level.ACCOUNT,
                          object_id=acct_a.account_id, campaign_id="", campaign_name="",
                          date=day, spend_minor=1000 + offset)
        InsightRowFactory(ad_account=acct_b, object_id="222", campaign_id="222",
                          campaign_name="Zeta Hidden Campaign", date=day, spend_minor=5000)
        InsightRowFactory(ad_account=acct_b, level=Level.ACCOUNT,
                          object_id=acct_b.account_id, campaign_id="", campaign_name="",
                          date=day, spend_minor=5000)
    return {"a": client_a, "b": other, "acct_a": acct_a, "acct_b": acct_b}


def test_insights_api_filters_and_pages(owner_client, two_clients,
                                        django_assert_max_num_queries):
    url = reverse("api:insight-list")
    with django_assert_max_num_queries(8):
        body = owner_client.get(url, {"level": "campaign", "page_size": 5,
                                      "fields": "spend,clicks"}).json()
    assert body["count"] == 28 and body["pages"] == 6 and len(body["results"]) == 5
    assert set(body["results"][0]["metrics"]) == {"spend", "clicks"}
    only_a = owner_client.get(url, {"client": two_clients["a"].pk}).json()
    assert {r["campaign_name"] for r in only_a["results"]} == {"Acme Spring"}
    by_account = owner_client.get(url, {"account": f"act_{two_clients['acct_b'].account_id}"})
    assert {r["campaign_id"] for r in by_account.json()["results"]} == {"222"}
    since = (date.today() - timedelta(days=3)).isoformat()
    recent = owner_client.get(url, {"since": since, "client": two_clients["a"].pk}).json()
    assert recent["count"] == 3


def test_insights_api_refuses_bad_input_with_the_one_error_shape(owner_client, two_clients):
    url = reverse("api:insight-list")
    for params in ({"level": "galaxy"}, {"fields": "spend,password"},
                   {"since": "2026-02-30"}, {"since": "2026-05-02", "until": "2026-05-01"},
                   {"account": "act_x" * 20}, {"page_size": 100000}):
        response = owner_client.get(url, params)
        assert response.status_code == 400, params
        assert set(response.json()) == {"message", "code", "extra"}


def test_client_viewer_gets_only_its_clients_rows_from_the_api_and_csv(client, agency,
                                                                        two_clients):
    viewer = MembershipFactory(agency=agency, role=Role.CLIENT_VIEWER,
                               clients=[two_clients["a"]], user=UserFactory())
    login(client, viewer)
    url = reverse("api:insight-list")
    everything = client.get(url, {"page_size": 1000}).json()
    assert everything["count"] == 14
    assert "Zeta" not in str(everything)
    assert client.get(url, {"client": two_clients["b"].pk}).json()["count"] == 0
    acct_b = two_clients["acct_b"]
    assert client.get(url, {"account": acct_b.account_id}).json()["count"] == 0
    csv_b = client.get(reverse("reporting:ad-account-csv", args=[acct_b.pk]))
    assert csv_b.status_code == 404
    csv_a = client.get(reverse("reporting:client-csv", args=[two_clients["a"].pk]))
    text = b"".join(csv_a.streaming_content).decode()
    assert "Acme Spring" in text and "Zeta" not in text
    overview = client.get(reverse("reporting:overview-csv")).content
    assert two_clients["a"].name.encode() in overview and b"Zeta" not in overview
    for url in (reverse("reporting:schedules", args=[two_clients["a"].pk]),
                reverse("reporting:schedule-preview",
                        args=[ScheduledReportFactory(client=two_clients["a"]).pk])):
        assert client.get(url).status_code in (403, 404)


def test_scheduled_report_email_has_figures_chart_and_pdf_and_only_its_client(two_clients):
    report = ScheduledReportFactory(client=two_clients["a"], frequency=ReportFrequency.WEEKLY,
                                    recipients=["cmo@acme.example"])
    today = date.today()
    with agency_scope(report.agency_id):
        assert scheduled_report_send(report=report, today=today) is True
        assert scheduled_report_send(report=report, today=today) is False  # once per period
    (email,) = mail.outbox
    assert email.to == ["cmo@acme.example"]
    key, _ = report_period(frequency=ReportFrequency.WEEKLY, today=today)
    assert key in email.subject and two_clients["a"].name in email.subject
    html = email.alternatives[0][0]
    assert "Acme Spring" in html and "cid:chart" in html
    names = [a[0] if isinstance(a, tuple) else a.get_filename() for a in email.attachments]
    assert any(str(n).endswith(".pdf") for n in names)
    pdf = next(a for a in email.attachments if isinstance(a, tuple))
    assert pdf[1][:4] == b"%PDF"
    everything = email.body + html
    assert "Zeta" not in everything
    report.refresh_from_db()
    assert report.last_period_sent == key and report.last_sent_at


def test_due_reports_are_sent_by_the_worker_job_once(two_clients):
    ScheduledReportFactory(client=two_clients["a"], frequency=ReportFrequency.MONTHLY)
    started = scheduled_reports_start_due()
    assert started == 1
    from agency.jobs.models import Job

    job = Job.objects.unscoped().get(kind="reports.send")
    assert job.queue == "maintenance"
    job_execute(job_id=job.pk)
    assert len(mail.outbox) == 1
    assert scheduled_reports_start_due() == 0  # the period is sent


def test_preview_and_pdf_are_shown_to_staff(owner_client, two_clients):
    report = ScheduledReportFactory(client=two_clients["a"])
    preview = owner_client.get(reverse("reporting:schedule-preview", args=[report.pk]))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "data:image/png;base64," in html and "Acme Spring" in html
    pdf = owner_client.get(reverse("reporting:schedule-pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"


def test_manager_schedules_a_report_and_bad_recipients_are_refused(client, manager,
                                                                   two_clients):
    login(client, manager)
    url = reverse("reporting:schedules", args=[two_clients["a"].pk])
    bad = client.post(url, {"frequency": "weekly", "recipients": "not-an-email, x" * 300})
    assert bad.status_code == 400
    ok = client.post(url, {"frequency": "monthly", "recipients": "a@x.example\nb@x.example"})
    assert ok.status_code == 302
    report = ScheduledReport.objects.unscoped().get()
    assert report.recipients == ["a@x.example", "b@x.example"]
    with agency_scope(report.agency_id):
        job = scheduled_report_send_start(report=report, actor=manager.user, force=True)
    assert job.params["report_id"] == report.pk
