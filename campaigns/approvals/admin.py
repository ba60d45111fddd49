"""Admin of client approval for platform superusers: read only (a decision is the client's,
never the platform's); requests with their campaigns, and the approval policies."""

from __future__ import annotations

from django.contrib import admin

from agency.admin import TenantAdmin
from campaigns.approvals.models import (
    ApprovalItem,
    ApprovalRequest,
    CampaignApprovalPolicy,
    ClientApprovalPolicy,
)


class _ReadOnly(TenantAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApprovalItemInline(admin.TabularInline):
    model = ApprovalItem
    fields = ["campaign", "fingerprint"]
    readonly_fields = ["campaign", "fingerprint"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(_ReadOnly):
    list_display = ["sent_at", "agency", "client", "state", "sent_by", "decided_by",
                    "decided_at", "decision_source"]
    list_filter = ["state", "decision_source", "agency"]
    search_fields = ["client__name", "sent_by__email", "decided_by__email", "comment"]
    readonly_fields = ["agency", "client", "state", "message", "sent_by", "sent_at",
                       "decided_by", "decided_at", "decision_source", "comment",
                       "closed_reason", "closed_at", "notice_dismissed_at"]
    inlines = [ApprovalItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("client", "sent_by", "decided_by")


@admin.register(ClientApprovalPolicy)
class ClientApprovalPolicyAdmin(_ReadOnly):
    list_display = ["client", "agency", "required", "updated_by", "updated_at"]
    list_filter = ["required", "agency"]
    readonly_fields = ["agency", "client", "required", "updated_by", "updated_at"]


@admin.register(CampaignApprovalPolicy)
class CampaignApprovalPolicyAdmin(_ReadOnly):
    list_display = ["campaign", "agency", "required", "updated_by", "updated_at"]
    list_filter = ["required", "agency"]
    readonly_fields = ["agency", "campaign", "required", "updated_by", "updated_at"]
