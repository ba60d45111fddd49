"""Forms of the agency pages."""

from __future__ import annotations

from django import forms

from agency.models import Client
from agency.validation import model_max_length


class ClientForm(forms.Form):
    name = forms.CharField(max_length=model_max_length(Client, "name"))
    website = forms.URLField(required=False, assume_scheme="https",
                             max_length=model_max_length(Client, "website"))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            max_length=model_max_length(Client, "notes"))
