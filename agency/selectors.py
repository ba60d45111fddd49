"""Reads of tenancy data."""

from __future__ import annotations

from django.db.models import QuerySet

from agency.access import visible_client_ids
from agency.models import AuditEvent, Client, Invitation, Membership


def memberships_for_user(*, user) -> QuerySet[Membership]:
    """Every agency a user belongs to.

    Crosses tenants on purpose: it is how a request finds its own agency.
    """
    if not user.is_authenticated:
        return Membership.objects.unscoped().none()
    return Membership.objects.unscoped().filter(user=user).select_related("agency").order_by(
        "agency__name"
    )


def client_list(*, agency, membership: Membership) -> QuerySet[Client]:
    clients = Client.objects.filter(agency=agency)
    allowed = visible_client_ids(membership=membership)
    if allowed is not None:
        clients = clients.filter(pk__in=allowed)
    return clients.order_by("name")


def member_list(*, agency) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(agency=agency)
        .select_related("user")
        .prefetch_related("clients")
        .order_by("user__email")
    )


def invitation_list_open(*, agency) -> list[Invitation]:
    invitations = Invitation.objects.filter(
        agency=agency, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")
    return [inv for inv in invitations if inv.is_open]


def audit_event_list(*, agency, limit: int = 50) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(agency=agency).select_related("actor")[:limit]
