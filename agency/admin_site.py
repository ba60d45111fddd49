"""The admin site: superusers only, working across every agency on purpose.

A staff user who is not a superuser is refused everywhere (sent to the admin sign-in), whatever
model permissions it holds. Every admin view runs in `dangerously_all_agencies()` and is rendered
inside it, so that model forms' unique checks, choices and the delete collector see every agency's
rows instead of raising NoTenantError; list pages still load through `.unscoped()`.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from agency.tenancy import dangerously_all_agencies


class SuperuserAuthenticationForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise ValidationError("The admin is for platform superusers only.",
                                  code="not_superuser")


class AdwrightAdminSite(admin.AdminSite):
    site_header = "Adwright platform admin"
    site_title = "Adwright admin"
    login_form = SuperuserAuthenticationForm

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user.is_superuser)

    def admin_view(self, view, cacheable=False):
        @wraps(view)
        def across_agencies(request, *args, **kwargs):
            with dangerously_all_agencies():
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            return response

        return super().admin_view(across_agencies, cacheable=cacheable)
