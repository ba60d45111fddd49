"""Admin of users and of Meta connections (token management)."""

from axes.admin import AccessAttemptAdmin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import MetaConnection, User
from accounts.services import connections as connection_services
from accounts.services.tokens import connections_rotate_encryption
from agency.admin import TenantAdmin
from agency.services import audit_record


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups",
                                    "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(MetaConnection)
class MetaConnectionAdmin(TenantAdmin):
    """Token management for platform staff. The token itself is never shown, only its fingerprint;
    every action is audited (and each use of the clear token writes its own audit row)."""

    list_display = ["__str__", "agency", "kind", "status", "created_by", "scope_list",
                    "expires_at", "last_checked_at", "short_error"]
    list_filter = ["status", "kind", "agency"]
    search_fields = ["meta_user_name", "meta_user_id", "label", "token_fingerprint"]
    exclude = ["access_token"]
    readonly_fields = ["agency", "kind", "meta_user_id", "meta_user_name", "meta_app_id",
                       "token_fingerprint", "scopes", "granular_scopes", "expires_at",
                       "data_access_expires_at", "status", "status_changed_at", "last_checked_at",
                       "last_error", "client", "created_by", "created_at", "updated_at"]
    actions = ["recheck_now", "revoke", "disable", "rotate_encryption"]

    def get_queryset(self, request):
        return MetaConnection.objects.unscoped().select_related("agency", "created_by")

    def has_add_permission(self, request):
        return False  # tokens come in through the connect flow, never typed into the admin

    @admin.display(description="scopes")
    def scope_list(self, obj):
        return ", ".join(obj.scopes or [])

    @admin.display(description="last error")
    def short_error(self, obj):
        return (obj.last_error or "")[:80]

    def _audit(self, request, queryset, verb):
        for connection in queryset:
            audit_record(agency=connection.agency_id, actor=request.user, verb=f"admin.{verb}",
                         target=connection)

    def _each(self, request, queryset, verb, service, done):
        self._audit(request, queryset, verb)
        for connection in queryset:
            service(connection=connection, actor=request.user)
        self.message_user(request, f"{done} {queryset.count()} connection(s).")

    @admin.action(description="Re-check now with Meta (debug_token)")
    def recheck_now(self, request, queryset):
        self._each(request, queryset, "connection.recheck",
                   connection_services.connection_check, "Re-checked")

    @admin.action(description="Revoke at Meta (DELETE /me/permissions)")
    def revoke(self, request, queryset):
        self._each(request, queryset, "connection.revoke",
                   connection_services.connection_revoke, "Revoked")

    @admin.action(description="Disable (keep, but use for nothing)")
    def disable(self, request, queryset):
        self._each(request, queryset, "connection.disable",
                   connection_services.connection_disable, "Disabled")

    @admin.action(description="Re-encrypt under the newest key")
    def rotate_encryption(self, request, queryset):
        self._audit(request, queryset, "connection.rotate")
        result = connections_rotate_encryption(connections=list(queryset), actor=request.user)
        level = messages.WARNING if result.failed else messages.SUCCESS
        note = f"; {len(result.failed)} could not be decrypted" if result.failed else ""
        self.message_user(request, f"Re-encrypted {result.rotated} token(s){note}.", level=level)

    def delete_model(self, request, obj):
        audit_record(agency=obj.agency_id, actor=request.user, verb="admin.connection.delete",
                     target=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._audit(request, queryset, "connection.delete")
        super().delete_queryset(request, queryset)


# django-axes' own admin of sign-in attempts; its "clean up expired attempts" action reads the
# attempt time axes sets on a sign-in request, which an admin request has not got (it was a 500).
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class SignInAttemptAdmin(AccessAttemptAdmin):
    actions = ["cleanup_expired_attempts"]

    @admin.action(description="Clean up expired attempts")
    def cleanup_expired_attempts(self, request, queryset):
        AxesProxyHandler.update_request(request)
        return super().cleanup_expired_attempts(request, queryset)
