"""The admin: superusers only, and every registered model's pages and actions work across agencies
(lists, add, change, save, delete, actions) instead of raising NoTenantError."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.contrib import admin
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone

from accounts.models import MetaConnection
from agency.models import AuditEvent, Client, GraphWrite, Invitation, Membership
from agency.roles import Role
from tests.factories.accounts import MetaConnectionFactory
from tests.factories.agency import (
    ClientFactory,
    GraphWriteFactory,
    MembershipFactory,
    UserFactory,
)
from tests.factories.jobs import JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(graph, agency, other_agency):
    """A row of every registered model, in two agencies, with a connection Graph knows."""
    client_a = ClientFactory(agency=agency, name="Acme")
    client_b = ClientFactory(agency=other_agency, name="Bolt")
    MembershipFactory(agency=agency, role=Role.CLIENT_VIEWER, clients=[client_a])
    MembershipFactory(agency=other_agency, role=Role.OWNER)
    for ag in (agency, other_agency):
        Invitation.objects.unscoped().create(
            agency=ag, email=f"new@{ag.slug}.example", role=Role.ANALYST,
            token_hash=f"hash-{ag.slug}", expires_at=timezone.now() + timedelta(days=3))
        AuditEvent.objects.unscoped().create(agency=ag, verb="test.seeded")
        JobFactory(agency=ag)
        GraphWriteFactory(agency=ag)
    token = httpx.post(f"{graph.base_url}/__sim__/tokens", json={}).json()["access_token"]
    MetaConnectionFactory(agency=other_agency, token=token, client=client_b)
    _schedules_and_jobs(agency)
    _approvals(agency, client_a)
    return {"client_a": client_a, "client_b": client_b}


def _approvals(agency, client):
    """An approval request with its campaign, and both approval policies."""
    from agency.tenancy import agency_scope
    from campaigns.approvals.models import CampaignApprovalPolicy, ClientApprovalPolicy
    from campaigns.approvals.services import approval_request_send
    from tests.factories.campaigns import AdFactory

    ad = AdFactory(adset__campaign__ad_account__agency=agency,
                   adset__campaign__ad_account__client=client)
    with agency_scope(agency):
        approval_request_send(campaigns=[ad.adset.campaign], actor=None, message="Please")
        ClientApprovalPolicy.objects.create(agency=agency, client=client, required=True)
        CampaignApprovalPolicy.objects.create(agency=agency, campaign=ad.adset.campaign,
                                              required=False)


def _schedules_and_jobs(agency):
    """Rows for the jobs admin and django-celery-beat's (crontab, interval, periodic task)."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    from tests.factories.jobs import JobFactory

    JobFactory(agency=agency)
    crontab, _ = CrontabSchedule.objects.get_or_create(minute="17", hour="*", timezone="UTC")
    IntervalSchedule.objects.get_or_create(every=10, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.get_or_create(name="Meta connections health check", defaults={
        "task": "accounts.tasks.connections_check_all", "crontab": crontab})


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True, email="root@adwright.local")


# Third-party admins walked elsewhere or not ours to fix: django-celery-beat's schedule forms
# (the jobs helper's schedules) post split date widgets this generic walk cannot fill.
NOT_WALKED_APPS = {"django_celery_beat"}


def _registered():
    return sorted(((m, a) for m, a in admin.site._registry.items()
                   if m._meta.app_label not in NOT_WALKED_APPS),
                  key=lambda kv: kv[0]._meta.label)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _form_data(form) -> dict:
    """What the browser would post back for an unchanged change form."""
    data = {}
    for bound in form:
        widget = bound.field.widget
        widget = getattr(widget, "widget", widget)  # RelatedFieldWidgetWrapper
        value = bound.value()
        if isinstance(widget, MultiWidget):
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            for i, (sub, part) in enumerate(zip(widget.widgets, parts, strict=False)):
                data[f"{bound.html_name}_{i}"] = sub.format_value(part) or ""
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is not None:
            data[bound.html_name] = widget.format_value(value) or ""
    return data


def _inline_data(context) -> dict:
    """The inline formsets of a change form, posted back unchanged (management forms too)."""
    data = {}
    for inline in context.get("inline_admin_formsets") or []:
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = bound.value()
        for form in formset.forms:
            data.update(_form_data(form))
    return data


def test_every_admin_page_and_action_works_for_a_superuser(client, superuser, world):
    from django.contrib.auth.models import Group

    Group.objects.create(name="Platform support")
    # a failed admin sign-in: rows for django-axes' attempt and failure logs
    client.post(reverse("admin:login"), {"username": "intruder@example.com", "password": "x"})
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
    walked = []
    for model, model_admin in _registered():
        request = client.get(_url(model, "changelist")).wsgi_request
        response = client.get(_url(model, "changelist"))
        assert response.status_code == 200, model
        if model_admin.has_add_permission(request):
            assert client.get(_url(model, "add")).status_code == 200, model
        obj = model._base_manager.order_by("-pk").first()
        assert obj is not None, f"the walk has a {model.__name__} row"
        change = client.get(_url(model, "change", obj.pk))
        assert change.status_code == 200, model
        if model_admin.has_change_permission(request, obj):
            saved = client.post(_url(model, "change", obj.pk),
                                {**_form_data(change.context["adminform"].form),
                                 **_inline_data(change.context)})
            assert saved.status_code == 302, (model, saved.context and
                                              saved.context["adminform"].form.errors)
        if model_admin.has_delete_permission(request, obj):
            assert client.get(_url(model, "delete", obj.pk)).status_code == 200, model
        for action in model_admin.get_actions(request):
            response = client.post(_url(model, "changelist"),
                                   {"action": action, "_selected_action": [obj.pk]})
            assert response.status_code in {200, 302}, (model, action)
        walked.append(model)
    assert {Client, Membership, Invitation, AuditEvent, MetaConnection, GraphWrite} <= set(walked)


def test_superuser_saves_and_deletes_a_client_of_any_agency(client, superuser, world):
    client.force_login(superuser)
    client_b = world["client_b"]
    response = client.post(_url(Client, "change", client_b.pk), {
        "agency": client_b.agency_id, "name": "Bolt Renamed", "website": "", "notes": "",
        "created_at_0": "2026-01-01", "created_at_1": "10:00:00",
    })
    assert response.status_code == 302
    assert Client.objects.unscoped().get(pk=client_b.pk).name == "Bolt Renamed"
    response = client.post(_url(Client, "delete", client_b.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Client.objects.unscoped().filter(pk=client_b.pk).exists()


def test_admin_refuses_a_membership_pointing_at_another_agencys_client(
    client, superuser, world, agency
):
    client.force_login(superuser)
    member = Membership.objects.unscoped().filter(agency=agency,
                                                  role=Role.CLIENT_VIEWER).get()
    response = client.post(_url(Membership, "change", member.pk), {
        "agency": agency.pk, "user": member.user_id, "role": Role.CLIENT_VIEWER,
        "clients": [world["client_b"].pk],
        "created_at_0": "2026-01-01", "created_at_1": "10:00:00",
    })
    assert response.status_code == 200
    assert "Choose only rows of" in response.content.decode()
    chosen = Membership.clients.through.objects.filter(membership=member)
    assert [row.client_id for row in chosen] == [world["client_a"].pk]


def test_staff_who_is_not_a_superuser_is_refused_every_admin_page(client, world):
    staff = UserFactory(is_staff=True, is_superuser=False)
    from django.contrib.auth.models import Permission

    staff.user_permissions.set(Permission.objects.all())  # even with every model permission
    client.force_login(staff)
    urls = [reverse("admin:index")]
    for model, _ in _registered():
        obj = model._base_manager.order_by("pk").first()
        urls += [_url(model, "changelist"), _url(model, "add")]
        if obj is not None:
            urls += [_url(model, "change", obj.pk), _url(model, "delete", obj.pk)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    # and acting is refused as well: nothing deleted
    client_b = world["client_b"]
    client.post(_url(Client, "changelist"),
                {"action": "delete_selected", "_selected_action": [client_b.pk], "post": "yes"})
    assert Client.objects.unscoped().filter(pk=client_b.pk).exists()


def test_admin_sign_in_refuses_staff_who_is_not_a_superuser(client, db):
    UserFactory(email="staff@adwright.local", is_staff=True, is_superuser=False)
    response = client.post(reverse("admin:login"),
                           {"username": "staff@adwright.local", "password": "pw-for-tests-1"})
    assert response.status_code == 200
    assert "superusers only" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_demo_seeds_a_superuser_who_can_use_the_admin(client, settings):
    from django.core.management import call_command

    from agency.demo import DEMO_PASSWORD, DEMO_SUPERUSER

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    response = client.post(reverse("admin:login"),
                           {"username": DEMO_SUPERUSER[0], "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_seed_demo_refuses_to_run_outside_local_debug(settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError, match="local runs only"):
        call_command("seed_demo")
