"""Writes of client approval: sending drafts for approval, the client's decision (or an owner's
record of an offline one), cancelling, superseding a request when its drafts are edited, the
approval policy, and telling the agency. Each step writes an audit row."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from agency.errors import PermissionDeniedError, ServiceError
from agency.models import Client, Membership
from agency.roles import Capability, Role
from agency.services import audit_record
from campaigns.approvals.models import (
    OPEN_STATES,
    ApprovalItem,
    ApprovalRequest,
    ApprovalState,
    CampaignApprovalPolicy,
    ClientApprovalPolicy,
    DecisionSource,
)
from campaigns.approvals.snapshot import (
    campaign_fingerprint,
    campaign_payloads,
    campaign_summary,
    fingerprint_of,
)
from campaigns.models import Campaign, PublishState

MAX_CAMPAIGNS = 50


class ApprovalInvalidError(ServiceError):
    code = "approval_invalid"


class ApprovalClosedError(ServiceError):
    """The request is no longer waiting for a decision."""

    code = "approval_closed"
    http_status = 409


class ApprovalStaleError(ServiceError):
    """A draft changed after it was sent: what the client would approve is not what it saw."""

    code = "approval_stale"
    http_status = 409


class Decision:
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    CHOICES = (APPROVE, REQUEST_CHANGES)


# --- policy ---------------------------------------------------------------------------------

def may_waive(membership: Membership) -> bool:
    """Owners and admins set a client's default, and may waive approval on a draft whose client
    requires it; builders may only ask for more approval, never less."""
    return membership.can(Capability.MANAGE_MEMBERS)


def client_approval_policy_set(*, client: Client, required: bool, membership: Membership
                               ) -> ClientApprovalPolicy:
    if not may_waive(membership):
        raise PermissionDeniedError("Only owners and admins set a client's approval default.")
    with transaction.atomic():
        policy, _ = ClientApprovalPolicy.objects.get_or_create(
            client=client, defaults={"agency_id": client.agency_id, "required": required})
        before = policy.required if policy.pk else None
        policy.required = required
        policy.updated_by = membership.user
        policy.save()
        audit_record(agency=client.agency_id, actor=membership.user,
                     verb="approval.client_policy", target=client,
                     data={"required": required, "before": before})
    return policy


def campaign_approval_policy_set(*, campaign: Campaign, required: bool | None,
                                 membership: Membership) -> None:
    """`required`: True or False overrides the client's default; None follows it again."""
    from campaigns.approvals.selectors import client_requires_approval

    client_default = client_requires_approval(client_id=campaign.ad_account.client_id)
    if client_default and required is False and not may_waive(membership):
        raise PermissionDeniedError(
            "This client requires approval: only an owner or admin can waive it for a draft.")
    with transaction.atomic():
        if required is None:
            CampaignApprovalPolicy.objects.filter(campaign=campaign).delete()
        else:
            CampaignApprovalPolicy.objects.update_or_create(
                campaign=campaign, defaults={"agency_id": campaign.agency_id,
                                             "required": required,
                                             "updated_by": membership.user})
        audit_record(agency=campaign.agency_id, actor=membership.user,
                     verb="approval.campaign_policy", target=campaign,
                     data={"required": required, "client_default": client_default})


# --- sending --------------------------------------------------------------------------------

def _supersede(request: ApprovalRequest, *, actor, reason: str) -> None:
    request.state = ApprovalState.SUPERSEDED
    request.closed_reason = reason[:200]
    request.closed_at = timezone.now()
    request.save(update_fields=["state", "closed_reason", "closed_at"])
    audit_record(agency=request.agency_id, actor=actor, verb="approval.supersede",
                 target=request, data={"reason": reason[:200]})


def approval_request_send(*, campaigns: Iterable[Campaign], actor, message: str = ""
                          ) -> ApprovalRequest:
    """Ask the client to approve these drafts as they are now. An open request for any of them
    is superseded: the newest ask is the one that counts."""
    campaigns = list({c.pk: c for c in campaigns}.values())
    if not campaigns:
        raise ApprovalInvalidError("Choose at least one draft to send.", field="campaigns")
    if len(campaigns) > MAX_CAMPAIGNS:
        raise ApprovalInvalidError(f"Send at most {MAX_CAMPAIGNS} drafts at once.",
                                   field="campaigns")
    clients = {c.ad_account.client_id for c in campaigns}
    if len(clients) > 1:
        raise ApprovalInvalidError("A request goes to one client: choose drafts of one client.",
                                   field="campaigns")
    for campaign in campaigns:
        if campaign.publish_state in (PublishState.PUBLISHED, PublishState.PUBLISHING):
            raise ApprovalInvalidError(
                f"“{campaign.name}” is published already: only drafts are sent for approval.",
                field="campaigns")
    snapshots = {}
    for campaign in campaigns:
        sent = campaign_payloads(campaign)
        snapshots[campaign.pk] = (fingerprint_of(sent),
                                  {"payloads": sent, "summary": campaign_summary(campaign)})
    client = campaigns[0].ad_account.client
    with transaction.atomic():
        open_ids = set(ApprovalItem.objects.filter(
            campaign__in=[c.pk for c in campaigns], request__state=ApprovalState.PENDING,
        ).values_list("request_id", flat=True))
        for older in ApprovalRequest.objects.select_for_update().filter(pk__in=open_ids):
            _supersede(older, actor=actor, reason="A newer request was sent.")
        request = ApprovalRequest.objects.create(
            agency_id=client.agency_id, client=client, message=message.strip(), sent_by=actor)
        for campaign in campaigns:
            fingerprint, snapshot = snapshots[campaign.pk]
            ApprovalItem.objects.create(agency_id=client.agency_id, request=request,
                                        campaign=campaign, fingerprint=fingerprint,
                                        snapshot=snapshot)
        audit_record(agency=client.agency_id, actor=actor, verb="approval.send", target=request,
                     data={"campaigns": sorted(snapshots),
                           "fingerprints": {str(k): v[0] for k, v in snapshots.items()}})
        _notify_client(request)
    return request


# --- the decision ---------------------------------------------------------------------------

def approval_request_refresh(*, request: ApprovalRequest, actor=None) -> ApprovalRequest:
    """An open request whose drafts changed since they were sent is superseded."""
    if request.state not in OPEN_STATES:
        return request
    changed = [item.campaign.name for item in request.items.select_related(
        "campaign__ad_account") if campaign_fingerprint(item.campaign) != item.fingerprint]
    if changed:
        with transaction.atomic():
            locked = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
            if locked.state in OPEN_STATES:
                _supersede(locked, actor=actor,
                           reason=f"Edited after sending: {', '.join(changed)}")
        request.refresh_from_db()
    return request


def approval_request_decide(*, request: ApprovalRequest, membership: Membership, decision: str,
                            comment: str = "", source: str = DecisionSource.PORTAL
                            ) -> ApprovalRequest:
    """The client's answer. A client viewer of the request's client decides; staff cannot,
    except an owner recording an approval the client gave outside Adwright (`source=offline`,
    with a note of who approved and how)."""
    comment = (comment or "").strip()
    if decision not in Decision.CHOICES:
        raise ApprovalInvalidError("Approve, or request changes.", field="decision")
    if source == DecisionSource.OFFLINE:
        if membership.role != Role.OWNER:
            raise PermissionDeniedError("Only an owner can record an offline approval.")
        if decision != Decision.APPROVE:
            raise ApprovalInvalidError("An offline record is for an approval.", field="decision")
        if not comment:
            raise ApprovalInvalidError("Say who approved, when and how.", field="comment")
    else:
        if membership.role != Role.CLIENT_VIEWER or not membership.clients.filter(
                pk=request.client_id).exists():
            raise PermissionDeniedError("Only the client decides on its approval requests.")
    if decision == Decision.REQUEST_CHANGES and not comment:
        raise ApprovalInvalidError("Tell the agency what to change.", field="comment")
    request = approval_request_refresh(request=request, actor=membership.user)
    if request.state == ApprovalState.SUPERSEDED and request.closed_reason.startswith("Edited"):
        raise ApprovalStaleError(
            "The agency changed these campaigns after sending them: this request no longer "
            "applies. They will send the new version.")
    with transaction.atomic():
        locked = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        if locked.state != ApprovalState.PENDING:
            raise ApprovalClosedError(
                f"This request is {locked.get_state_display().lower()} already.")
        locked.state = (ApprovalState.APPROVED if decision == Decision.APPROVE
                        else ApprovalState.CHANGES_REQUESTED)
        locked.decided_by = membership.user
        locked.decided_at = timezone.now()
        locked.decision_source = source
        locked.comment = comment
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_source",
                                   "comment"])
        audit_record(agency=locked.agency_id, actor=membership.user,
                     verb=f"approval.{'approve' if decision == Decision.APPROVE else 'changes'}",
                     target=locked, data={"source": source, "comment": comment[:500],
                                          "campaigns": list(locked.items.values_list(
                                              "campaign_id", flat=True))})
        _notify_agency(locked)
    return locked


def approval_request_cancel(*, request: ApprovalRequest, actor) -> ApprovalRequest:
    with transaction.atomic():
        locked = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        if locked.state != ApprovalState.PENDING:
            raise ApprovalClosedError(
                f"This request is {locked.get_state_display().lower()} already.")
        locked.state = ApprovalState.CANCELLED
        locked.closed_reason = "Cancelled by the agency."
        locked.closed_at = timezone.now()
        locked.save(update_fields=["state", "closed_reason", "closed_at"])
        audit_record(agency=locked.agency_id, actor=actor, verb="approval.cancel", target=locked)
    return locked


def approval_notice_dismiss(*, request: ApprovalRequest, actor) -> None:
    if request.notice_dismissed_at is not None:
        return
    with transaction.atomic():
        ApprovalRequest.objects.filter(pk=request.pk).update(notice_dismissed_at=timezone.now())
        audit_record(agency=request.agency_id, actor=actor, verb="approval.notice_dismiss",
                     target=request)


def approvals_supersede_edited(*, campaign_ids: Iterable[int], actor=None) -> int:
    """After an edit of these drafts: every open request whose fingerprint no longer matches
    stops counting. Returns how many were superseded."""
    ids = set(campaign_ids)
    if not ids:
        return 0
    open_requests = ApprovalRequest.objects.filter(
        state__in=OPEN_STATES, items__campaign_id__in=ids).distinct()
    count = 0
    for request in open_requests:
        if approval_request_refresh(request=request, actor=actor).state not in OPEN_STATES:
            count += 1
    return count


# --- telling people -------------------------------------------------------------------------

def _emails(memberships) -> list[str]:
    return sorted({m.user.email for m in memberships if m.user.email and m.user.is_active})


def _notify_client(request: ApprovalRequest) -> None:
    viewers = Membership.objects.filter(role=Role.CLIENT_VIEWER, clients=request.client_id
                                        ).select_related("user")
    recipients = _emails(viewers)
    if not recipients:
        return
    sender = request.sent_by
    body = render_to_string("approvals/email/request.txt", {
        "request": request, "agency": request.agency,
        "sender": (sender.get_full_name() or sender.email) if sender else "Your agency"})
    subject = f"{request.agency.name} asks for your approval"
    transaction.on_commit(lambda: send_mail(subject=subject, message=body,
                                            from_email=settings.DEFAULT_FROM_EMAIL,
                                            recipient_list=recipients))


def decision_recipients(request: ApprovalRequest) -> list[str]:
    """The sender and the agency's builders (owners, admins, managers)."""
    staff = Membership.objects.filter(role__in=[Role.OWNER, Role.ADMIN, Role.MANAGER]
                                      ).select_related("user")
    emails = set(_emails(staff))
    if request.sent_by is not None and request.sent_by.email:
        emails.add(request.sent_by.email)
    return sorted(emails)


def _notify_agency(request: ApprovalRequest) -> None:
    recipients = decision_recipients(request)
    if not recipients:
        return
    body = render_to_string("approvals/email/decision.txt", {
        "request": request, "decider": request.decided_by.email if request.decided_by else "",
        "campaigns": [i.campaign for i in request.items.select_related("campaign")]})
    subject = (f"{request.client.name} approved your campaigns"
               if request.state == ApprovalState.APPROVED
               else f"{request.client.name} asks for changes")
    transaction.on_commit(lambda: send_mail(subject=subject, message=body,
                                            from_email=settings.DEFAULT_FROM_EMAIL,
                                            recipient_list=recipients))

