"""Client approval: the publish gate on every path, what counts as approved (exactly what the
client saw), the decision's rules, notifications and audit rows."""

from __future__ import annotations

import pytest

from agency.errors import PermissionDeniedError
from agency.jobs.models import JobState
from agency.jobs.runner import job_execute
from agency.models import AuditEvent
from agency.roles import Role
from campaigns.approvals.gates import ApprovalRequiredError
from campaigns.approvals.models import ApprovalRequest, ApprovalState
from campaigns.approvals.selectors import approval_notices, campaign_approval
from campaigns.approvals.services import (
    ApprovalClosedError,
    ApprovalInvalidError,
    ApprovalStaleError,
    approval_request_cancel,
    approval_request_decide,
    approval_request_send,
    campaign_approval_policy_set,
)
from campaigns.models import Campaign
from campaigns.services.bulk_publish import bulk_publish_start
from campaigns.services.drafts import draft_delete, draft_update
from campaigns.services.publish import campaign_publish
from tests.approvals.conftest import ready_draft
from tests.factories.agency import ClientFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _verbs(agency):
    return list(AuditEvent.objects.unscoped().filter(agency=agency, verb__startswith="approval.")
                .order_by("pk").values_list("verb", flat=True))


def test_publish_is_refused_until_the_client_approves(
        draft, requires_approval, manager, client_viewer, graph):
    with pytest.raises(ApprovalRequiredError, match="send it for approval"):
        campaign_publish(campaign=draft, actor=manager.user)
    draft.refresh_from_db()
    assert draft.publish_state == "draft" and not draft.publish_key

    request = approval_request_send(campaigns=[draft], actor=manager.user, message="Please look")
    with pytest.raises(ApprovalRequiredError, match="waiting for the client"):
        campaign_publish(campaign=draft, actor=manager.user)

    approval_request_decide(request=request, membership=client_viewer, decision="approve")
    job = campaign_publish(campaign=draft, actor=manager.user)
    job_execute(job_id=job.pk)
    job.refresh_from_db()
    draft.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.errors
    assert draft.publish_state == "published" and draft.graph_id


def test_bulk_publish_is_refused_until_every_campaign_is_approved(
        scoped, sim_account, demo, requires_approval, manager, client_viewer, graph):
    first = ready_draft(sim_account, manager.user, demo, "First")
    second = ready_draft(sim_account, manager.user, demo, "Second")
    request = approval_request_send(campaigns=[first], actor=manager.user)
    approval_request_decide(request=request, membership=client_viewer, decision="approve")
    with pytest.raises(ApprovalRequiredError, match="“Second” needs the client's approval"):
        bulk_publish_start(campaigns=[first, second], actor=manager.user)
    assert not Campaign.objects.exclude(publish_key="").exists()

    both = approval_request_send(campaigns=[first, second], actor=manager.user)
    approval_request_decide(request=both, membership=client_viewer, decision="approve")
    job = bulk_publish_start(campaigns=[first, second], actor=manager.user)
    job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.errors
    assert all(c.graph_id for c in Campaign.objects.all())


def test_edit_after_approval_needs_a_new_approval(
        draft, requires_approval, manager, client_viewer, agency):
    request = approval_request_send(campaigns=[draft], actor=manager.user)
    approval_request_decide(request=request, membership=client_viewer, decision="approve")
    assert campaign_approval(campaign=draft).approved

    adset = draft.adsets.get()
    draft_update(obj=adset, actor=manager.user, changes={"daily_budget_minor": 99_00})

    request.refresh_from_db()
    assert request.state == ApprovalState.SUPERSEDED
    assert "Edited after sending" in request.closed_reason
    with pytest.raises(ApprovalRequiredError, match="edited after it was sent"):
        campaign_publish(campaign=draft, actor=manager.user)
    again = approval_request_send(campaigns=[draft], actor=manager.user)
    approval_request_decide(request=again, membership=client_viewer, decision="approve")
    assert campaign_approval(campaign=draft).approved
    assert _verbs(agency) == ["approval.client_policy", "approval.send", "approval.approve",
                              "approval.supersede", "approval.send", "approval.approve"]


def test_an_edit_the_signal_misses_still_fails_the_gate(
        draft, requires_approval, manager, client_viewer):
    request = approval_request_send(campaigns=[draft], actor=manager.user)
    approval_request_decide(request=request, membership=client_viewer, decision="approve")
    Campaign.objects.filter(pk=draft.pk).update(daily_budget_minor=500_00)  # no version row
    draft.refresh_from_db()
    with pytest.raises(ApprovalRequiredError, match="edited after it was sent"):
        campaign_publish(campaign=draft, actor=manager.user)


def test_edit_while_pending_supersedes_and_the_client_cannot_approve_the_old_version(
        draft, requires_approval, manager, client_viewer, django_capture_on_commit_callbacks):
    request = approval_request_send(campaigns=[draft], actor=manager.user)
    ad = draft.adsets.get().ads.get()
    with django_capture_on_commit_callbacks(execute=True):
        draft_delete(obj=ad, actor=manager.user)
    request.refresh_from_db()
    assert request.state == ApprovalState.SUPERSEDED
    with pytest.raises(ApprovalStaleError):
        approval_request_decide(request=request, membership=client_viewer, decision="approve")


def test_stale_request_found_at_decision_time_is_superseded(
        draft, requires_approval, manager, client_viewer):
    request = approval_request_send(campaigns=[draft], actor=manager.user)
    Campaign.objects.filter(pk=draft.pk).update(name="Renamed behind the watcher")
    with pytest.raises(ApprovalStaleError):
        approval_request_decide(request=request, membership=client_viewer, decision="approve")
    request.refresh_from_db()
    assert request.state == ApprovalState.SUPERSEDED and request.decided_at is None


def test_only_the_client_decides_and_changes_need_a_comment(
        draft, requires_approval, manager, owner, agency, client_viewer):
    request = approval_request_send(campaigns=[draft], actor=manager.user)
    with pytest.raises(PermissionDeniedError):
        approval_request_decide(request=request, membership=manager, decision="approve")
    with pytest.raises(PermissionDeniedError):
        approval_request_decide(request=request, membership=owner, decision="approve")
    other = MembershipFactory(agency=agency, role=Role.CLIENT_VIEWER,
                              clients=[ClientFactory(agency=agency, name="Other Co")])
    with pytest.raises(PermissionDeniedError):
        approval_request_decide(request=request, membership=other, decision="approve")
    with pytest.raises(ApprovalInvalidError, match="what to change"):
        approval_request_decide(request=request, membership=client_viewer,
                                decision="request_changes", comment="  ")

    decided = approval_request_decide(request=request, membership=client_viewer,
                                      decision="request_changes", comment="Use the red shoes")
    assert decided.state == ApprovalState.CHANGES_REQUESTED
    assert decided.decided_by == client_viewer.user and decided.comment == "Use the red shoes"
    with pytest.raises(ApprovalClosedError):
        approval_request_decide(request=request, membership=client_viewer, decision="approve")
    with pytest.raises(ApprovalRequiredError, match="Use the red shoes"):
        campaign_publish(campaign=draft, actor=manager.user)


def test_an_owner_records_an_offline_approval_with_a_note(
        draft, requires_approval, manager, owner, agency):
    request = approval_request_send(campaigns=[draft], actor=manager.user)
    with pytest.raises(PermissionDeniedError):
        approval_request_decide(request=request, membership=manager, decision="approve",
                                source="offline", comment="They said yes")
    with pytest.raises(ApprovalInvalidError, match="who approved"):
        approval_request_decide(request=request, membership=owner, decision="approve",
                                source="offline")
    decided = approval_request_decide(request=request, membership=owner, decision="approve",
                                      source="offline", comment="Jane Doe, by phone, 2 Dec")
    assert decided.state == ApprovalState.APPROVED and decided.decision_source == "offline"
    event = AuditEvent.objects.unscoped().get(verb="approval.approve")
    assert event.actor == owner.user and event.data["source"] == "offline"


def test_decision_emails_the_sender_and_managers_and_shows_on_the_staff_home(
        draft, requires_approval, manager, owner, analyst, client_viewer, agency, mailoutbox,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = approval_request_send(campaigns=[draft], actor=manager.user, message="Hi!")
    assert [m.to for m in mailoutbox] == [[client_viewer.user.email]]
    assert "asks for your approval" in mailoutbox[0].subject and "Hi!" in mailoutbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        approval_request_decide(request=request, membership=client_viewer,
                                decision="request_changes", comment="Warmer colours please")
    mail = mailoutbox[1]
    assert sorted(mail.to) == sorted([manager.user.email, owner.user.email])
    assert analyst.user.email not in mail.to and client_viewer.user.email not in mail.to
    assert "asks for changes" in mail.subject and "Warmer colours please" in mail.body
    assert list(approval_notices(agency=agency)) == [request]


def test_not_required_publishes_without_approval_and_draft_overrides_the_default(
        draft, manager, owner, client_a, graph):
    assert not campaign_approval(campaign=draft).required
    campaign_approval_policy_set(campaign=draft, required=True, membership=manager)
    with pytest.raises(ApprovalRequiredError):
        campaign_publish(campaign=draft, actor=manager.user)
    campaign_approval_policy_set(campaign=draft, required=None, membership=manager)
    assert campaign_publish(campaign=draft, actor=manager.user)


def test_only_owners_and_admins_waive_a_required_approval(draft, requires_approval, manager,
                                                          owner):
    with pytest.raises(PermissionDeniedError):
        campaign_approval_policy_set(campaign=draft, required=False, membership=manager)
    campaign_approval_policy_set(campaign=draft, required=False, membership=owner)
    approval = campaign_approval(campaign=draft)
    assert not approval.required and approval.client_default and approval.override is False


def test_sending_again_supersedes_the_pending_request_and_cancel_closes_it(
        draft, requires_approval, manager, client_viewer):
    first = approval_request_send(campaigns=[draft], actor=manager.user)
    second = approval_request_send(campaigns=[draft], actor=manager.user)
    first.refresh_from_db()
    assert first.state == ApprovalState.SUPERSEDED
    approval_request_cancel(request=second, actor=manager.user)
    second.refresh_from_db()
    assert second.state == ApprovalState.CANCELLED
    with pytest.raises(ApprovalClosedError):
        approval_request_decide(request=second, membership=client_viewer, decision="approve")


def test_a_request_is_for_one_client_and_drafts_only(
        scoped, sim_account, demo, manager, agency):
    from tests.factories.campaigns import AdAccountFactory

    first = ready_draft(sim_account, manager.user, demo, "One")
    elsewhere = AdAccountFactory(agency=agency, connection=sim_account.connection)
    second = ready_draft(elsewhere, manager.user, demo, "Two")
    with pytest.raises(ApprovalInvalidError, match="one client"):
        approval_request_send(campaigns=[first, second], actor=manager.user)
    Campaign.objects.filter(pk=first.pk).update(publish_state="published")
    first.refresh_from_db()
    with pytest.raises(ApprovalInvalidError, match="published already"):
        approval_request_send(campaigns=[first], actor=manager.user)
    assert not ApprovalRequest.objects.exists()


def test_the_snapshot_shows_budget_schedule_audience_and_placements(
        draft, manager, sim_account):
    from datetime import UTC, datetime

    adset = draft.adsets.get()
    draft_update(obj=adset, actor=manager.user, changes={
        "start_time": datetime(2027, 3, 1, 17, 0, tzinfo=UTC),
        "daily_budget_minor": 25_00,
        "targeting": {"geo_locations": {"countries": ["US", "CA"]}, "age_min": 25,
                      "age_max": 44, "genders": [2],
                      "interests": [{"id": "6003", "name": "Running"}],
                      "publisher_platforms": ["facebook", "instagram"],
                      "facebook_positions": ["feed"], "instagram_positions": ["stream"]},
    })
    request = approval_request_send(campaigns=[draft], actor=manager.user)
    summary = request.items.get().snapshot["summary"]
    shown = summary["adsets"][0]
    assert shown["budget"] == f"25.00 {sim_account.currency} per day"
    assert shown["start"].startswith("Mon 01 Mar 2027")
    assert shown["audience"] == {"countries": ["US", "CA"], "places": [], "ages": "25 to 44",
                                 "genders": "Women", "interests": ["Running"]}
    assert shown["placements"] == "Facebook: feed; Instagram: stream"
    assert summary["timezone"] == sim_account.timezone_name
