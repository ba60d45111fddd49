"""Admin for platform staff: every agency's rows, reached through the named bypass `unscoped()`."""

from django.contrib import admin

from agency.models import Agency, AuditEvent, Client, GraphWrite, Invitation, Membership


class UnscopedAdmin(admin.ModelAdmin):
    """Platform staff see all tenants; the admin is superuser-only (see `has_*_permission`)."""

    def get_queryset(self, request):
        return self.model.objects.unscoped()

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(Client)
class ClientAdmin(UnscopedAdmin):
    list_display = ["name", "agency", "created_at"]
    list_filter = ["agency"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(UnscopedAdmin):
    list_display = ["user", "agency", "role", "created_at"]
    list_filter = ["agency", "role"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    filter_horizontal = ["clients"]


@admin.register(Invitation)
class InvitationAdmin(UnscopedAdmin):
    list_display = ["email", "agency", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["agency", "role"]
    exclude = ["token_hash"]
    readonly_fields = ["accepted_by", "accepted_at", "invited_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(UnscopedAdmin):
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
class GraphWriteAdmin(UnscopedAdmin):
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
