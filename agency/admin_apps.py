"""django.contrib.admin with Adwright's site (superusers only, across agencies): INSTALLED_APPS
names this config instead of "django.contrib.admin". Imports no model (loaded before the apps)."""

from django.contrib.admin.apps import AdminConfig


class AdwrightAdminConfig(AdminConfig):
    default_site = "agency.admin_site.AdwrightAdminSite"
