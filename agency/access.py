"""Loading one tenant-owned object for a member: "not found" and "not yours" look the same (404)."""

from __future__ import annotations

from django.http import Http404

from agency.ids import parse_id
from agency.models import Client, Invitation, Membership
from agency.roles import Capability


def _not_found(what: str) -> Http404:
    return Http404(f"No such {what}.")


def _id(value: object, what: str) -> int:
    """Ids come from URLs, forms and bodies: anything that is not one is simply not found."""
    parsed = parse_id(value)
    if parsed is None:
        raise _not_found(what)
    return parsed


def visible_client_ids(*, membership: Membership) -> set[int] | None:
    """The clients a member may see; None means all of the agency's clients."""
    if membership.can(Capability.VIEW_AGENCY):
        return None
    return set(membership.clients.values_list("pk", flat=True))


def access_client_by_id(*, membership: Membership, client_id: int) -> Client:
    client = Client.objects.filter(pk=_id(client_id, "client")).first()
    if client is None or client.agency_id != membership.agency_id:
        raise _not_found("client")
    allowed = visible_client_ids(membership=membership)
    if allowed is not None and client.pk not in allowed:
        raise _not_found("client")
    return client


def access_membership_by_id(*, membership: Membership, membership_id: int) -> Membership:
    if not membership.can(Capability.VIEW_AGENCY):
        raise _not_found("member")
    found = Membership.objects.select_related("user").filter(
        pk=_id(membership_id, "member")).first()
    if found is None or found.agency_id != membership.agency_id:
        raise _not_found("member")
    return found


def access_invitation_by_id(*, membership: Membership, invitation_id: int) -> Invitation:
    if not membership.can(Capability.MANAGE_MEMBERS):
        raise _not_found("invitation")
    found = Invitation.objects.filter(pk=_id(invitation_id, "invitation")).first()
    if found is None or found.agency_id != membership.agency_id:
        raise _not_found("invitation")
    return found


def access_connection_by_id(*, membership: Membership, connection_id: int):
    from accounts.models import MetaConnection

    if not membership.can(Capability.VIEW_AGENCY):
        raise _not_found("connection")
    found = MetaConnection.objects.filter(pk=_id(connection_id, "connection")).first()
    if found is None or found.agency_id != membership.agency_id:
        raise _not_found("connection")
    return found


def access_job_by_id(*, membership: Membership, job_id: int):
    """A job of the member's agency (staff only: client viewers see no jobs)."""
    from agency.jobs.models import Job

    if not membership.can(Capability.VIEW_AGENCY):
        raise _not_found("job")
    found = Job.objects.select_related("started_by").filter(pk=job_id).first()
    if found is None or found.agency_id != membership.agency_id:
        raise _not_found("job")
    return found
