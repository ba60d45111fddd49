"""Admin of jobs (read-only, superusers): every agency's long work, for platform staff."""

from django.contrib import admin

from agency.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "agency", "state", "done", "total", "succeeded", "failed",
                    "target_label", "created_at", "finished_at"]
    list_filter = ["state", "kind", "queue", "agency"]
    search_fields = ["kind", "target_label", "celery_task_id"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def get_queryset(self, request):
        return Job.objects.unscoped().select_related("agency")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _superusers_only(admin_class):
    """django-celery-beat's admin, limited to superusers like the rest of the platform admin."""

    class SuperuserOnly(admin_class):
        def has_module_permission(self, request):
            return request.user.is_active and request.user.is_superuser

        def has_view_permission(self, request, obj=None):
            return request.user.is_active and request.user.is_superuser

        def has_change_permission(self, request, obj=None):
            return request.user.is_active and request.user.is_superuser

        def has_add_permission(self, request, *args):
            return request.user.is_active and request.user.is_superuser

        def has_delete_permission(self, request, obj=None):
            return request.user.is_active and request.user.is_superuser

    SuperuserOnly.__name__ = admin_class.__name__
    return SuperuserOnly


def _restrict_beat_admin() -> None:
    """Periodic tasks, crontabs and intervals for superusers; solar and one-off clocked
    schedules are not used by Adwright, so they are not offered."""
    from django_celery_beat import models as beat

    for model in (beat.SolarSchedule, beat.ClockedSchedule):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
    for model in (beat.PeriodicTask, beat.CrontabSchedule, beat.IntervalSchedule):
        if admin.site.is_registered(model):
            current = type(admin.site._registry[model])
            admin.site.unregister(model)
            admin.site.register(model, _superusers_only(current))


_restrict_beat_admin()
