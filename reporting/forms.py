"""Forms of the reporting pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from reporting.models import ReportFrequency

MAX_RECIPIENTS = 20


class ScheduledReportCreateForm(forms.Form):
    frequency = forms.ChoiceField(choices=ReportFrequency.choices)
    recipients = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Email addresses, separated by commas or new lines.")

    def clean_recipients(self) -> list[str]:
        raw = self.cleaned_data["recipients"].replace("\n", ",").replace(";", ",")
        emails = sorted({e.strip().lower() for e in raw.split(",") if e.strip()})
        if not emails:
            raise ValidationError("Give at least one email address.")
        if len(emails) > MAX_RECIPIENTS:
            raise ValidationError(f"At most {MAX_RECIPIENTS} recipients.")
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(f"“{email[:80]}” is not an email address.") from None
        return emails


class ReportLogoForm(forms.Form):
    logo = forms.FileField(help_text="PNG, JPEG, GIF or WebP, at most 512 KB.")

    def clean_logo(self):
        logo = self.cleaned_data["logo"]
        if logo.size > 512 * 1024:
            raise ValidationError("The logo is at most 512 KB.")
        return logo


class LookbackSetForm(forms.Form):
    """How many days each refresh re-reads (attributed conversions change for up to 28 days)."""

    lookback_days = forms.IntegerField(min_value=1, max_value=90)
