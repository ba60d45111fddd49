"""Forms of the Meta connection pages."""

from __future__ import annotations

from django import forms

from agency.models import Client


class SystemUserTokenForm(forms.Form):
    label = forms.CharField(max_length=200, required=False,
                            help_text="A name to recognise it by.")
    token = forms.CharField(
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Pasted once, checked with Meta, stored encrypted, never shown again.",
        strip=True,
    )


class OnboardingLinkForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none())
    email = forms.EmailField(required=False,
                             help_text="We email the link there; otherwise copy it from the page.")

    def __init__(self, *args, agency_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.unscoped().filter(
            agency_id=agency_id
        ).order_by("name")
