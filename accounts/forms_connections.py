"""Forms of the Meta connection pages."""

from __future__ import annotations

from django import forms

from accounts.models import ClientOnboardingLink, MetaConnection
from accounts.validation import TOKEN_MAX_LENGTH
from agency.ids import IdModelChoiceField
from agency.models import Client
from agency.validation import model_max_length


class SystemUserTokenForm(forms.Form):
    label = forms.CharField(max_length=model_max_length(MetaConnection, "label"), required=False,
                            help_text="A name to recognise it by.")
    token = forms.CharField(
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Pasted once, checked with Meta, stored encrypted, never shown again.",
        strip=True,
        max_length=TOKEN_MAX_LENGTH,
    )


class OnboardingLinkForm(forms.Form):
    client = IdModelChoiceField(queryset=Client.objects.none())
    email = forms.EmailField(required=False,
                             max_length=model_max_length(ClientOnboardingLink, "email"),
                             help_text="We email the link there; otherwise copy it from the page.")

    def __init__(self, *args, agency_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.unscoped().filter(
            agency_id=agency_id
        ).order_by("name")
