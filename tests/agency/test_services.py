"""Tenancy services: clients and memberships, with their audit rows and rules."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agency.errors import ConflictError, PermissionDeniedError
from agency.models import AuditEvent, Client
from agency.roles import Role
from agency.services import client_create, client_update, membership_remove, membership_update
from agency.tenancy import NoTenantError, agency_scope
from tests.factories.agency import ClientFactory

pytestmark = pytest.mark.django_db


def test_client_create_writes_an_audit_row(agency, owner):
    client = client_create(agency=agency, actor=owner.user, name="  Orbit Bikes ")
    assert client.name == "Orbit Bikes"
    event = AuditEvent.objects.unscoped().get(verb="client.create")
    assert (event.agency_id, event.actor_id, event.target_id) == (
        agency.pk, owner.user_id, str(client.pk))


def test_client_names_are_unique_per_agency_not_globally(agency, other_agency, owner):
    client_create(agency=agency, actor=owner.user, name="Orbit")
    with pytest.raises(ConflictError):
        client_create(agency=agency, actor=owner.user, name="orbit")
    client_create(agency=other_agency, actor=None, name="Orbit")


def test_client_update_audits_changed_fields_only(client_a, owner):
    client_update(client=client_a, actor=owner.user, name="Acme Shoes", notes="VIP")
    event = AuditEvent.objects.unscoped().get(verb="client.update")
    assert event.data == {"fields": ["notes"]}


def test_tenant_queries_fail_closed_without_a_scope(client_a):
    with pytest.raises(NoTenantError):
        list(Client.objects.all())
    with agency_scope(client_a.agency):
        assert list(Client.objects.all()) == [client_a]


def test_scope_hides_other_agencies_rows(agency, other_agency, client_a):
    ClientFactory(agency=other_agency, name="Theirs")
    with agency_scope(agency):
        assert [c.name for c in Client.objects.all()] == ["Acme Shoes"]


def test_saving_a_row_of_another_agency_inside_a_scope_is_refused(agency, other_agency):
    theirs = ClientFactory(agency=other_agency)
    with agency_scope(agency), pytest.raises(NoTenantError):
        theirs.save()


def test_manager_promoted_and_demoted_with_audit(owner, manager):
    membership_update(actor=owner, membership=manager, role=Role.ADMIN)
    manager.refresh_from_db()
    assert manager.role == Role.ADMIN
    event = AuditEvent.objects.unscoped().get(verb="membership.update")
    assert event.data["from"] == Role.MANAGER and event.data["to"] == Role.ADMIN


def test_last_owner_cannot_be_demoted_or_removed(owner, admin_member):
    with pytest.raises(ConflictError):
        membership_update(actor=owner, membership=owner, role=Role.ADMIN)
    with pytest.raises(PermissionDeniedError):
        membership_remove(actor=admin_member, membership=owner)


def test_roles_decide_who_adds_clients(client, agency, analyst, manager):
    client.force_login(analyst.user)
    assert client.get(reverse("agency:client-create")).status_code == 403
    assert client.post(reverse("api:client-list"), {"name": "X"}).status_code == 403
    assert client.get(reverse("agency:client-list")).status_code == 200
    client.force_login(manager.user)
    response = client.post(reverse("agency:client-create"), {"name": "Manager's Client"})
    assert response.status_code == 302


def test_duplicate_client_name_shows_on_the_form_field(client, owner, client_a):
    client.force_login(owner.user)
    response = client.post(reverse("agency:client-create"), {"name": "acme shoes"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_api_errors_have_one_shape(client, owner, client_a):
    client.force_login(owner.user)
    response = client.post(reverse("api:client-list"), {"name": "Acme Shoes"},
                           content_type="application/json")
    assert response.status_code == 409
    assert response.json() == {"message": "A client named “Acme Shoes” already exists.",
                               "code": "conflict", "extra": {"field": "name"}}
    response = client.post(reverse("api:client-list"), {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "name" in response.json()["extra"]["fields"]
