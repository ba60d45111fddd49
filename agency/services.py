"""Writes to tenancy data: agencies, clients, invitations, memberships; each writes an audit row."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from agency.errors import ConflictError, InvitationInvalidError, PermissionDeniedError
from agency.models import Agency, AuditEvent, Client, Invitation, Membership
from agency.roles import GRANTABLE_ROLES, Role
from agency.tenancy import agency_scope

INVITATION_LIFETIME = timedelta(days=7)


def audit_record(
    *, agency: Agency | int, actor, verb: str, target=None, data: dict | None = None
) -> AuditEvent:
    agency_id = agency if isinstance(agency, int) else agency.pk
    return AuditEvent.objects.unscoped().create(
        agency_id=agency_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )


def agency_create(*, name: str, owner, slug: str | None = None) -> Agency:
    base = slugify(slug or name)[:70] or "agency"
    candidate, n = base, 1
    while Agency.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    with transaction.atomic():
        agency = Agency.objects.create(name=name, slug=candidate)
        with agency_scope(agency):
            Membership.objects.create(agency=agency, user=owner, role=Role.OWNER)
            audit_record(agency=agency, actor=owner, verb="agency.create", target=agency)
    return agency


def client_create(
    *, agency: Agency, actor, name: str, website: str = "", notes: str = ""
) -> Client:
    name = name.strip()
    if Client.objects.unscoped().filter(agency=agency, name__iexact=name).exists():
        raise ConflictError(f"A client named “{name}” already exists.", field="name")
    try:
        with transaction.atomic(), agency_scope(agency):
            client = Client.objects.create(agency=agency, name=name, website=website, notes=notes)
            audit_record(agency=agency, actor=actor, verb="client.create", target=client,
                         data={"name": name})
    except IntegrityError as exc:  # a concurrent create with the same name
        raise ConflictError(f"A client named “{name}” already exists.", field="name") from exc
    return client


def client_update(*, client: Client, actor, **fields) -> Client:
    allowed = {"name", "website", "notes"}
    changes = {k: v for k, v in fields.items() if k in allowed and getattr(client, k) != v}
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        clash = Client.objects.unscoped().filter(
            agency_id=client.agency_id, name__iexact=changes["name"]
        ).exclude(pk=client.pk)
        if clash.exists():
            raise ConflictError(f"A client named “{changes['name']}” already exists.", field="name")
    if not changes:
        return client
    with transaction.atomic(), agency_scope(client.agency_id):
        for key, value in changes.items():
            setattr(client, key, value)
        client.save(update_fields=list(changes))
        audit_record(agency=client.agency_id, actor=actor, verb="client.update", target=client,
                     data={"fields": sorted(changes)})
    return client


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once, in the emailed link; only its hash is stored


def invitation_create(
    *, inviter: Membership, email: str, role: str, clients: list[Client] | None = None,
    accept_url_builder=None,
) -> IssuedInvitation:
    email = email.strip().lower()
    if role not in GRANTABLE_ROLES.get(inviter.role, frozenset()):
        raise PermissionDeniedError("You cannot invite someone with that role.")
    clients = list(clients or [])
    if role == Role.CLIENT_VIEWER and not clients:
        raise ConflictError("A client viewer needs at least one client.", field="clients")
    if any(c.agency_id != inviter.agency_id for c in clients):
        raise PermissionDeniedError("Clients must belong to your agency.")
    members = Membership.objects.unscoped().filter(agency_id=inviter.agency_id)
    if members.filter(user__email=email).exists():
        raise ConflictError(f"{email} is already a member of this agency.", field="email")
    raw = secrets.token_urlsafe(32)
    with transaction.atomic(), agency_scope(inviter.agency_id):
        invitation = Invitation.objects.unscoped().create(
            agency_id=inviter.agency_id,
            email=email,
            role=role,
            token_hash=_hash_token(raw),
            invited_by=inviter.user,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        if role == Role.CLIENT_VIEWER:
            invitation.clients.set(clients)
        audit_record(agency=inviter.agency_id, actor=inviter.user, verb="invitation.create",
                     target=invitation, data={"email": email, "role": role})
    link = accept_url_builder(raw) if accept_url_builder else f"/accounts/invitations/{raw}/"
    agency = inviter.agency
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You are invited to {agency.name} on Adwright",
            message=render_to_string(
                "accounts/email/invitation.txt",
                {"agency": agency, "inviter": inviter.user, "link": link, "role": role,
                 "expires_at": invitation.expires_at},
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
        )
    )
    return IssuedInvitation(invitation=invitation, token=raw)


def invitation_find_open(*, token: str) -> Invitation:
    """The open invitation behind an emailed token. Crosses tenants: the token names the agency."""
    invitation = (
        Invitation.objects.unscoped().select_related("agency")
        .filter(token_hash=_hash_token(token)).first()
    )
    if invitation is None:
        raise InvitationInvalidError("This invitation link is not valid.")
    if invitation.accepted_at is not None:
        raise InvitationInvalidError("This invitation has already been used.")
    if invitation.revoked_at is not None:
        raise InvitationInvalidError("This invitation was withdrawn.")
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalidError("This invitation has expired. Ask for a new one.")
    return invitation


def invitation_accept(*, token: str, user=None, password: str | None = None,
                      first_name: str = "", last_name: str = "") -> Membership:
    """Accept as the signed-in `user`, or create the account (with `password`) for a newcomer."""
    User = get_user_model()
    with transaction.atomic():
        invitation = invitation_find_open(token=token)
        # Lock the row so two clicks cannot both accept.
        invitation = Invitation.objects.unscoped().select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvitationInvalidError("This invitation has already been used.")
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise InvitationInvalidError(
                    "An account with this email exists: sign in first, then open the link again."
                )
            user = User.objects.create_user(
                email=invitation.email, password=password,
                first_name=first_name, last_name=last_name,
            )
        elif user.email.lower() != invitation.email.lower():
            raise InvitationInvalidError(
                f"This invitation is for {invitation.email}; you are signed in as {user.email}."
            )
        with agency_scope(invitation.agency_id):
            membership, created = Membership.objects.get_or_create(
                agency_id=invitation.agency_id, user=user, defaults={"role": invitation.role}
            )
            if not created:
                raise ConflictError("You are already a member of this agency.")
            if invitation.role == Role.CLIENT_VIEWER:
                membership.clients.set(invitation.clients.all())
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
            audit_record(agency=invitation.agency_id, actor=user, verb="invitation.accept",
                         target=invitation, data={"role": invitation.role})
    return membership


def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    if invitation.revoked_at or invitation.accepted_at:
        return invitation
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(agency=invitation.agency_id, actor=actor, verb="invitation.revoke",
                     target=invitation)
    return invitation


def membership_update(
    *, actor: Membership, membership: Membership, role: str, clients: list[Client] | None = None
) -> Membership:
    grantable = GRANTABLE_ROLES.get(actor.role, frozenset())
    if role not in grantable or membership.role not in grantable:
        raise PermissionDeniedError("You cannot give or change that role.")
    if membership.role == Role.OWNER and role != Role.OWNER:
        _ensure_another_owner(membership)
    clients = list(clients or [])
    if role == Role.CLIENT_VIEWER and not clients:
        raise ConflictError("A client viewer needs at least one client.", field="clients")
    with transaction.atomic(), agency_scope(membership.agency_id):
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        membership.clients.set(clients if role == Role.CLIENT_VIEWER else [])
        audit_record(agency=membership.agency_id, actor=actor.user, verb="membership.update",
                     target=membership,
                     data={"from": before, "to": role, "clients": [c.pk for c in clients]})
    return membership


def membership_remove(*, actor: Membership, membership: Membership) -> None:
    if membership.role not in GRANTABLE_ROLES.get(actor.role, frozenset()):
        raise PermissionDeniedError("You cannot remove that member.")
    if membership.role == Role.OWNER:
        _ensure_another_owner(membership)
    with transaction.atomic():
        audit_record(agency=membership.agency_id, actor=actor.user, verb="membership.remove",
                     target=membership, data={"email": membership.user.email})
        membership.delete()


def _ensure_another_owner(membership: Membership) -> None:
    others = Membership.objects.unscoped().filter(
        agency_id=membership.agency_id, role=Role.OWNER
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise ConflictError("An agency keeps at least one owner.")
