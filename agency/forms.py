"""Forms of the agency pages."""

from __future__ import annotations

from django import forms


class ClientForm(forms.Form):
    name = forms.CharField(max_length=200)
    website = forms.URLField(required=False, assume_scheme="https")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
