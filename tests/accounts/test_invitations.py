"""Invitations: emailed, single-use, expiring links that make members; each step audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agency.errors import InvitationInvalidError, PermissionDeniedError
from agency.models import AuditEvent, Invitation, Membership
from agency.roles import Role
from agency.services import invitation_accept, invitation_create
from tests.factories.agency import UserFactory

pytestmark = pytest.mark.django_db


def _link_token(body: str) -> str:
    return re.search(r"/accounts/invitations/([\w-]+)/", body).group(1)


def test_owner_invites_staff_by_email_and_newcomer_joins_through_the_link(
    client, owner, django_capture_on_commit_callbacks
):
    client.force_login(owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:invitation-create"),
                               {"email": "New.Person@Example.com", "role": Role.MANAGER})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]
    token = _link_token(mail.outbox[0].body)
    invitation = Invitation.objects.unscoped().get()
    assert token not in invitation.token_hash  # only the hash is stored

    client.logout()
    page = client.get(reverse("accounts:invitation-accept", args=[token]))
    assert page.status_code == 200 and b"Join Alpha Agency" in page.content
    response = client.post(reverse("accounts:invitation-accept", args=[token]), {
        "first_name": "New", "last_name": "Person",
        "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase",
    })
    assert response.status_code == 302
    membership = Membership.objects.unscoped().get(user__email="new.person@example.com")
    assert membership.role == Role.MANAGER and membership.agency_id == owner.agency_id
    assert client.get(reverse("agency:client-list")).status_code == 200  # signed in
    verbs = set(AuditEvent.objects.unscoped().values_list("verb", flat=True))
    assert {"invitation.create", "invitation.accept"} <= verbs


def test_invitation_link_works_once(owner):
    issued = invitation_create(inviter=owner, email="once@example.com", role=Role.ANALYST)
    invitation_accept(token=issued.token, password="a-long-pass-phrase")
    with pytest.raises(InvitationInvalidError, match="already been used"):
        invitation_accept(token=issued.token, password="a-long-pass-phrase")


def test_expired_invitation_is_refused_with_a_clear_page(client, owner):
    issued = invitation_create(inviter=owner, email="late@example.com", role=Role.ANALYST)
    Invitation.objects.unscoped().filter(pk=issued.invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    page = client.get(reverse("accounts:invitation-accept", args=[issued.token]))
    assert page.status_code == 410
    assert b"expired" in page.content


def test_forged_token_is_refused(client):
    page = client.get(reverse("accounts:invitation-accept", args=["not-a-real-token"]))
    assert page.status_code == 410 and b"not valid" in page.content


def test_signed_in_user_accepts_only_an_invitation_for_its_own_email(owner):
    issued = invitation_create(inviter=owner, email="someone@example.com", role=Role.ANALYST)
    intruder = UserFactory(email="intruder@example.com")
    with pytest.raises(InvitationInvalidError, match=r"is for someone@example\.com"):
        invitation_accept(token=issued.token, user=intruder)


def test_existing_user_joins_a_second_agency_and_can_switch(client, owner, other_agency):
    from tests.factories.agency import MembershipFactory

    other_owner = MembershipFactory(agency=other_agency, role=Role.OWNER)
    issued = invitation_create(inviter=other_owner, email=owner.user.email, role=Role.ANALYST)
    invitation_accept(token=issued.token, user=owner.user)
    client.force_login(owner.user)
    assert b"Alpha Agency" in client.get(reverse("agency:client-list")).content
    client.post(reverse("switch-agency"), {"agency_id": other_agency.pk})
    page = client.get(reverse("agency:client-list"))
    assert b"Clients of Bravo Agency" in page.content
    # A user cannot switch into an agency it does not belong to.
    client.post(reverse("switch-agency"), {"agency_id": 999999})
    assert b"Clients of Bravo Agency" in client.get(reverse("agency:client-list")).content


def test_admin_cannot_invite_an_owner_and_manager_cannot_invite_at_all(client, admin_member,
                                                                       manager):
    with pytest.raises(PermissionDeniedError):
        invitation_create(inviter=admin_member, email="boss@example.com", role=Role.OWNER)
    client.force_login(manager.user)
    response = client.post(reverse("accounts:invitation-create"),
                           {"email": "x@example.com", "role": Role.ANALYST})
    assert response.status_code == 403


def test_client_viewer_invitation_needs_a_client(client, owner):
    client.force_login(owner.user)
    response = client.post(reverse("accounts:invitation-create"),
                           {"email": "viewer@example.com", "role": Role.CLIENT_VIEWER})
    assert response.status_code == 400
    assert b"Choose at least one client" in response.content
    assert not Invitation.objects.unscoped().exists()


def test_revoked_invitation_cannot_be_used(client, owner):
    issued = invitation_create(inviter=owner, email="gone@example.com", role=Role.ANALYST)
    client.force_login(owner.user)
    client.post(reverse("accounts:invitation-revoke", args=[issued.invitation.pk]))
    with pytest.raises(InvitationInvalidError, match="withdrawn"):
        invitation_accept(token=issued.token, password="a-long-pass-phrase")
