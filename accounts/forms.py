"""Forms for signing in, invitations and team management."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import User
from agency.ids import IdModelMultipleChoiceField
from agency.models import Client, Invitation
from agency.roles import GRANTABLE_ROLES, Role
from agency.validation import model_max_length

# Hashed, so any length fits the column; the bound keeps hashing a pasted novel cheap.
PASSWORD_MAX_LENGTH = 256


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True}),
                                max_length=model_max_length(User, "email"))
    password = forms.CharField(
        label="Password", strip=False, max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _client_field(agency_id: int) -> forms.ModelMultipleChoiceField:
    return IdModelMultipleChoiceField(
        queryset=Client.objects.unscoped().filter(agency_id=agency_id).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Client viewers see the reports of these clients only.",
    )


class _RoleAndClientsForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = GRANTABLE_ROLES.get(membership.role, frozenset())
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if v in allowed]
        self.fields["clients"] = _client_field(membership.agency_id)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.CLIENT_VIEWER and not cleaned.get("clients"):
            self.add_error("clients", "Choose at least one client for a client viewer.")
        return cleaned


class InvitationCreateForm(_RoleAndClientsForm):
    email = forms.EmailField(max_length=model_max_length(Invitation, "email"))
    field_order = ["email", "role", "clients"]


class MembershipUpdateForm(_RoleAndClientsForm):
    pass


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(max_length=model_max_length(User, "first_name"), required=False)
    last_name = forms.CharField(max_length=model_max_length(User, "last_name"), required=False)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False,
                                max_length=PASSWORD_MAX_LENGTH)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False,
                                max_length=PASSWORD_MAX_LENGTH)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            # The account does not exist yet: check against what it will hold (email, names),
            # so that UserAttributeSimilarityValidator refuses "alice@agency.example"-like choices.
            future_user = get_user_model()(
                email=self.email, first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, user=future_user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
