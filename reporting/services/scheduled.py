"""Scheduled reports: a client's key figures for last week or last month, with a chart image
and a PDF, emailed to chosen recipients by a worker (`reports.send`). A period is sent once."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from agency.errors import ServiceError
from agency.services import audit_record
from reporting import selectors
from reporting.models import Level, ReportFrequency, ScheduledReport
from reporting.ranges import DateRange
from reporting.services.refresh import account_today


@dataclass
class ReportContent:
    report: ScheduledReport
    client: Any
    agency_name: str
    period: str
    date_range: DateRange
    kpis: list
    series: dict
    campaigns: list

    @property
    def title(self) -> str:
        return f"{self.client.name}: {self.date_range.label}"


def report_period(*, frequency: str, today: date) -> tuple[str, DateRange]:
    """Weekly: the last full ISO week (Monday to Sunday). Monthly: the last full month."""
    if frequency == ReportFrequency.MONTHLY:
        until = today.replace(day=1) - timedelta(days=1)
        return f"{until:%Y-%m}", DateRange(until.replace(day=1), until)
    monday = today - timedelta(days=today.weekday() + 7)
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}", DateRange(monday, monday + timedelta(days=6))


def report_content(*, report: ScheduledReport, today: date | None = None,
                   period: str | None = None) -> ReportContent:
    client = report.client
    accounts = selectors.ad_accounts_of(clients=[client])
    today = today or (account_today(ad_account=accounts[0]) if accounts else timezone.now().date())
    key, date_range = report_period(frequency=report.frequency, today=today)
    scope = selectors.Scope(ad_accounts=accounts)
    campaigns = []
    if accounts:
        page, _ = selectors.insights_table(scope=scope, date_range=date_range,
                                           level=Level.CAMPAIGN, page_size=10)
        campaigns = list(page.object_list)
    return ReportContent(
        report=report, client=client, agency_name=client.agency.name, period=period or key,
        date_range=date_range, kpis=selectors.insights_kpis(scope=scope, date_range=date_range),
        series=selectors.insights_series(scope=scope, date_range=date_range),
        campaigns=campaigns,
    )


# --- the chart image and the PDF ----------------------------------------------------------------


def chart_png(*, content: ReportContent, width: int = 640, height: int = 240) -> bytes:
    """Daily spend as bars (Pillow): the image the email shows inline."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    values = content.series.get("spend") or []
    left, bottom, top = 40, height - 30, 20
    draw.line([(left, top), (left, bottom), (width - 10, bottom)], fill="#888888")
    peak = max(values or [0]) or 1
    if values:
        step = (width - left - 20) / len(values)
        for i, value in enumerate(values):
            x0 = left + 5 + i * step
            bar = (bottom - top) * value / peak
            if bar >= 1:
                draw.rectangle([x0, bottom - bar, x0 + max(1, step * 0.7), bottom],
                               fill="#1f6feb")
        labels = content.series.get("labels") or []
        draw.text((left, bottom + 8), labels[0] if labels else "", fill="#444444")
        draw.text((width - 90, bottom + 8), labels[-1] if labels else "", fill="#444444")
    draw.text((left + 5, 2), f"Daily spend ({content.kpis[0].currency if content.kpis else ''})",
              fill="#222222")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def chart_data_uri(*, content: ReportContent) -> str:
    return "data:image/png;base64," + base64.b64encode(chart_png(content=content)).decode()


def _money(value: float | None, currency: str) -> str:
    return "—" if value is None else f"{value:,.2f} {currency}"


def report_pdf(*, content: ReportContent) -> bytes:
    """The PDF attachment (reportlab): title, key figures, the spend chart, top campaigns."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=content.title,
                            author=content.agency_name)
    story: list[Any] = [
        Paragraph(f"{content.agency_name}", styles["Normal"]),
        Paragraph(f"{content.client.name}", styles["Title"]),
        Paragraph(content.date_range.label, styles["Normal"]),
        Spacer(1, 12),
    ]
    for k in content.kpis:
        cur = k.current
        data = [["Spend", "Impressions", "Clicks", "CTR", "Conversions", "ROAS"],
                [_money(cur["spend"], k.currency), f"{cur['impressions']:,}",
                 f"{cur['clicks']:,}", "—" if cur["ctr"] is None else f"{cur['ctr']:.2f}%",
                 f"{cur['conversions']:,}",
                 "—" if cur["roas"] is None else f"{cur['roas']:.2f}"]]
        table = Table(data)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
        story += [table, Spacer(1, 12)]
    values = content.series.get("spend") or []
    if values:
        drawing = Drawing(460, 180)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 40, 20, 400, 140
        chart.data = [values]
        chart.categoryAxis.categoryNames = [d[5:] for d in content.series["labels"]]
        chart.categoryAxis.labels.fontSize = 5
        chart.valueAxis.valueMin = 0
        chart.bars[0].fillColor = colors.HexColor("#1f6feb")
        drawing.add(chart)
        story += [Paragraph("Daily spend", styles["Heading3"]), drawing, Spacer(1, 12)]
    if content.campaigns:
        rows = [["Campaign", "Spend", "Impressions", "Clicks", "Conversions"]]
        for c in content.campaigns:
            rows.append([Paragraph(str(c.get("name") or c["object_id"]), styles["Normal"]),
                         _money(c["spend"], c["currency"]), f"{c['impressions']:,}",
                         f"{c['clicks']:,}", f"{c['conversions']:,}"])
        table = Table(rows, colWidths=[200, 80, 80, 60, 70])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
        story += [Paragraph("Top campaigns", styles["Heading3"]), table]
    doc.build(story)
    return out.getvalue()


# --- writes -------------------------------------------------------------------------------------


def scheduled_report_create(*, client, actor, frequency: str, recipients: list[str]
                            ) -> ScheduledReport:
    if frequency not in ReportFrequency.values:
        raise ServiceError("Choose weekly or monthly.", field="frequency")
    if not recipients:
        raise ServiceError("Give at least one email address.", field="recipients")
    report = ScheduledReport.objects.create(agency_id=client.agency_id, client=client,
                                            frequency=frequency, recipients=recipients,
                                            created_by=actor if getattr(
                                                actor, "is_authenticated", False) else None)
    audit_record(agency=client.agency_id, actor=actor, verb="scheduled_report.create",
                 target=report, data={"client_id": client.pk, "frequency": frequency,
                                      "recipients": len(recipients)})
    return report


def scheduled_report_delete(*, report: ScheduledReport, actor) -> None:
    audit_record(agency=report.agency_id, actor=actor, verb="scheduled_report.delete",
                 target=report, data={"client_id": report.client_id})
    report.delete()


def scheduled_report_send_start(*, report: ScheduledReport, actor=None, force: bool = False,
                                today: date | None = None):
    """Start the `reports.send` job for the report's current period."""
    from agency.jobs import services as jobs

    content_period, _ = report_period(frequency=report.frequency,
                                      today=today or timezone.now().date())
    return jobs.job_start(kind="reports.send", actor=actor, target=report,
                          params={"report_id": report.pk, "period": content_period,
                                  "force": force})


def scheduled_report_send(*, report: ScheduledReport, period: str | None = None,
                          force: bool = False, today: date | None = None) -> bool:
    """Render and email the report for its period. A period already sent is not sent again
    (the period is claimed under a row lock before the email leaves; a failed send releases
    it). Returns whether an email was sent."""
    content = report_content(report=report, today=today, period=period)
    with transaction.atomic():
        row = ScheduledReport.objects.select_for_update().get(pk=report.pk)
        if row.last_period_sent == content.period and not force:
            return False
        previous = row.last_period_sent
        row.last_period_sent = content.period
        row.save(update_fields=["last_period_sent"])
    try:
        _send_email(content=content, recipients=list(report.recipients))
    except Exception:
        ScheduledReport.objects.filter(pk=report.pk).update(last_period_sent=previous)
        raise
    ScheduledReport.objects.filter(pk=report.pk).update(last_sent_at=timezone.now())
    audit_record(agency=report.agency_id, actor=None, verb="scheduled_report.sent",
                 target=report, data={"period": content.period,
                                      "recipients": len(report.recipients)})
    return True


def _send_email(*, content: ReportContent, recipients: list[str]) -> None:
    from email.mime.image import MIMEImage

    context = {"content": content, "preview": False, "chart_cid": "chart"}
    html = render_to_string("reporting/email_report.html", context)
    text = render_to_string("reporting/email_report.txt", context)
    message = EmailMultiAlternatives(
        subject=f"{content.agency_name} · {content.client.name} report · {content.period}",
        body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients)
    message.attach_alternative(html, "text/html")
    message.mixed_subtype = "related"
    image = MIMEImage(chart_png(content=content), "png")
    image.add_header("Content-ID", "<chart>")
    image.add_header("Content-Disposition", "inline", filename="chart.png")
    message.attach(image)
    message.attach(f"report-{content.period}.pdf", report_pdf(content=content),
                   "application/pdf")
    message.send()


def scheduled_reports_start_due(*, today: date | None = None) -> int:
    """Periodic: start `reports.send` for every enabled report whose period is not sent yet
    (crosses agencies on purpose: a platform sweep)."""
    from agency.tenancy import agency_scope

    started = 0
    today = today or timezone.now().date()
    for report in ScheduledReport.objects.unscoped().filter(enabled=True).select_related(
            "client"):
        key, _ = report_period(frequency=report.frequency, today=today)
        if report.last_period_sent == key:
            continue
        with agency_scope(report.agency_id):
            scheduled_report_send_start(report=report, today=today)
        started += 1
    return started
