"""Admin for platform superusers: every agency's rows, reached through the named bypass
`unscoped()` (lists) inside the site's `dangerously_all_agencies()` (forms, deletes); see
agency/admin_site.py for who may enter."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models

from agency.models import Agency, AuditEvent, Client, GraphWrite, Invitation, Membership
from agency.tenancy import TenantOwnedModel


class TenantAdminForm(forms.ModelForm):
    """A row and the rows it points at belong to one agency: the admin sees every agency's
    choices, so it checks that a membership's clients (say) are its agency's."""

    def clean(self):
        cleaned = super().clean()
        agency = cleaned.get("agency") or getattr(self.instance, "agency", None)
        if agency is None:
            return cleaned
        for name, value in list(cleaned.items()):
            field = self._meta.model._meta.get_field(name) if name in self.fields else None
            if not isinstance(field, models.ForeignKey | models.ManyToManyField):
                continue
            if not (isinstance(field.related_model, type)
                    and issubclass(field.related_model, TenantOwnedModel)):
                continue
            chosen = value if isinstance(field, models.ManyToManyField) else [value]
            if any(obj is not None and obj.agency_id != agency.pk for obj in chosen):
                self.add_error(name, f"Choose only rows of {agency}.")
        return cleaned


class TenantAdmin(admin.ModelAdmin):
    """A tenant-owned model in the admin: all agencies, listed on purpose through `unscoped()`."""

    form = TenantAdminForm

    def get_queryset(self, request):
        return self.model.objects.unscoped().select_related("agency")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(Client)
class ClientAdmin(TenantAdmin):
    list_display = ["name", "agency", "created_at"]
    list_filter = ["agency"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ["user", "agency", "role", "created_at"]
    list_filter = ["agency", "role"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    filter_horizontal = ["clients"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Invitation)
class InvitationAdmin(TenantAdmin):
    list_display = ["email", "agency", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["agency", "role"]
    exclude = ["token_hash"]
    readonly_fields = ["accepted_by", "accepted_at", "invited_by"]

    def has_add_permission(self, request):
        return False  # an invitation is a link emailed by the team page, never typed in here


@admin.register(AuditEvent)
class AuditEventAdmin(TenantAdmin):
    list_display = ["created_at", "agency", "actor", "verb", "target_type", "target_id"]
    list_filter = ["agency", "verb"]
    readonly_fields = ["agency", "actor", "verb", "target_type", "target_id", "data", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GraphWrite)
class GraphWriteAdmin(TenantAdmin):
    """The exactly-once ledger, read only: `unknown` rows are writes whose outcome a lookup has
    not settled yet (the next attempt with the key reconciles them)."""

    list_display = ["created_at", "agency", "kind", "key", "state", "graph_id", "attempts",
                    "lookups"]
    list_filter = ["state", "kind", "agency"]
    search_fields = ["key", "graph_id"]
    readonly_fields = ["agency", "key", "kind", "edge", "payload", "state", "graph_id",
                       "attempts", "lookups", "version", "lease_until", "last_error",
                       "created_at", "updated_at", "sent_at", "done_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
