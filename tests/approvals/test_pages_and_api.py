"""Client approval through the pages and the API: the builder's panel, the client's portal
(previews, key settings, decision), Graph down, another client's viewer, the staff home notice,
and publish refused until approved (builder page and API)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agency.roles import Role
from campaigns.approvals.models import ApprovalRequest, ApprovalState
from campaigns.approvals.services import approval_request_decide, approval_request_send
from tests.conftest import login
from tests.factories.agency import ClientFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_viewer(agency):
    return MembershipFactory(agency=agency, role=Role.CLIENT_VIEWER,
                             clients=[ClientFactory(agency=agency, name="Other Co")])


@pytest.fixture
def sent(draft, requires_approval, manager):
    return approval_request_send(campaigns=[draft], actor=manager.user, message="Ready for you")


def test_builder_panel_sends_a_draft_and_shows_its_state(
        client, draft, requires_approval, manager):
    login(client, manager)
    panel = client.get(reverse("approvals:campaign-panel", args=[draft.pk]))
    assert panel.status_code == 200 and b"<strong>Required</strong>" in panel.content
    response = client.post(reverse("approvals:send"), {
        "campaigns": [draft.pk], "message": "Have a look", "panel": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'data-testid="approval-sent"' in response.content
    assert b"Waiting for the client" in response.content
    request = ApprovalRequest.objects.get()
    assert request.message == "Have a look" and request.sent_by == manager.user


def test_builder_publish_is_refused_with_the_reason_until_approved(
        client, draft, requires_approval, manager):
    login(client, manager)
    response = client.post(reverse("campaigns:campaign-publish", args=[draft.pk]),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'data-testid="publish-refused"' in response.content
    body = response.content.decode()
    assert "needs the client&#x27;s approval: send it for approval first" in body
    draft.refresh_from_db()
    assert draft.publish_state == "draft"


def test_client_viewer_reviews_previews_and_approves(
        client, sent, client_viewer, graph, sim_account):
    login(client, client_viewer)
    listing = client.get(reverse("approvals:list"))
    assert reverse("approvals:detail", args=[sent.pk]).encode() in listing.content
    page = client.get(reverse("approvals:detail", args=[sent.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Ready for you" in body and "Spring launch" in body
    assert f"20.00 {sim_account.currency} per day" in body or "per day" in body
    assert "Automatic (Advantage+ placements)" in body and 'data-testid="approve"' in body
    assert "frame-src" in page.headers["Content-Security-Policy"]
    previews = client.get(reverse("approvals:previews", args=[sent.pk]))
    assert previews.status_code == 200 and b"<iframe" in previews.content

    decided = client.post(reverse("approvals:decide", args=[sent.pk]), {"decision": "approve"})
    assert decided.status_code == 302
    sent.refresh_from_db()
    assert sent.state == ApprovalState.APPROVED and sent.decision_source == "portal"


def test_previews_with_meta_down_are_a_friendly_note(client, sent, client_viewer, graph,
                                                     settings):
    settings.GRAPH_API_BASE_URL = "http://127.0.0.1:9"
    login(client, client_viewer)
    response = client.get(reverse("approvals:previews", args=[sent.pk]))
    assert response.status_code == 200
    assert b'data-testid="previews-trouble"' in response.content


def test_request_changes_needs_a_comment_on_the_page(client, sent, client_viewer):
    login(client, client_viewer)
    response = client.post(reverse("approvals:decide", args=[sent.pk]),
                           {"decision": "request_changes", "comment": ""})
    assert response.status_code == 400 and b"what to change" in response.content
    sent.refresh_from_db()
    assert sent.state == ApprovalState.PENDING


def test_staff_cannot_approve_on_the_page(client, sent, manager):
    login(client, manager)
    page = client.get(reverse("approvals:detail", args=[sent.pk]))
    assert b'data-testid="approve"' not in page.content
    response = client.post(reverse("approvals:decide", args=[sent.pk]), {"decision": "approve"})
    assert response.status_code == 400
    sent.refresh_from_db()
    assert sent.state == ApprovalState.PENDING


def test_a_viewer_of_another_client_gets_404_on_pages_and_api(client, sent, other_viewer):
    login(client, other_viewer)
    for name in ("approvals:detail", "approvals:previews"):
        assert client.get(reverse(name, args=[sent.pk])).status_code == 404, name
    assert client.post(reverse("approvals:decide", args=[sent.pk]),
                       {"decision": "approve"}).status_code == 404
    assert client.get(reverse("api:approval-detail", args=[sent.pk])).status_code == 404
    assert client.post(reverse("api:approval-decide", args=[sent.pk]), {"decision": "approve"},
                       content_type="application/json").status_code == 404
    assert client.get(reverse("api:approval-list")).json() == []
    assert b"Spring launch" not in client.get(reverse("approvals:list")).content
    sent.refresh_from_db()
    assert sent.state == ApprovalState.PENDING


def test_api_send_list_decide_then_publish(client, draft, requires_approval, manager,
                                           client_viewer, graph):
    login(client, manager)
    publish_url = reverse("api:campaign-publish", args=[draft.pk])
    refused = client.post(publish_url, {}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["code"] == "approval_required"
    created = client.post(reverse("api:approval-list"),
                          {"campaign_ids": [draft.pk], "message": "API ask"},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    approval_id = created.json()["id"]
    assert created.json()["items"][0]["summary"]["name"] == "Spring launch"
    state = client.get(reverse("api:campaign-approval", args=[draft.pk])).json()
    assert state["required"] and not state["approved"] and state["latest_state"] == "pending"
    staff_decide = client.post(reverse("api:approval-decide", args=[approval_id]),
                               {"decision": "approve"}, content_type="application/json")
    assert staff_decide.status_code == 403

    client.logout()
    login(client, client_viewer)
    listed = client.get(reverse("api:approval-list"), {"state": "pending"}).json()
    assert [a["id"] for a in listed] == [approval_id]
    bad = client.post(reverse("api:approval-decide", args=[approval_id]),
                      {"decision": "request_changes"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "approval_invalid"
    decided = client.post(reverse("api:approval-decide", args=[approval_id]),
                          {"decision": "approve", "comment": "Go"},
                          content_type="application/json")
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    assert decided.json()["decision_source"] == "api"

    client.logout()
    login(client, manager)
    assert client.post(publish_url, {}, content_type="application/json").status_code == 202


def test_staff_home_shows_the_decision_until_dismissed(client, sent, client_viewer, manager):
    approval_request_decide(request=sent, membership=client_viewer, decision="request_changes",
                            comment="Brighter photo")
    login(client, manager)
    home = client.get(reverse("agency:client-list"))
    assert b'data-testid="approval-notice"' in home.content and b"Brighter photo" in home.content
    assert client.post(reverse("approvals:dismiss", args=[sent.pk])).status_code == 302
    home = client.get(reverse("agency:client-list"))
    assert b'data-testid="approval-notice"' not in home.content


def test_owner_sets_the_client_default_and_a_manager_cannot(client, client_a, owner, manager):
    login(client, manager)
    url = reverse("approvals:client-policy", args=[client_a.pk])
    assert client.post(url, {"required": "on"}).status_code == 403
    client.logout()
    login(client, owner)
    assert client.post(url, {"required": "on"}).status_code == 302
    page = client.get(reverse("approvals:list"))
    assert b'data-testid="client-policies"' in page.content
    from agency.tenancy import agency_scope
    from campaigns.approvals.selectors import client_requires_approval

    with agency_scope(client_a.agency_id):
        assert client_requires_approval(client_id=client_a.pk)


def test_a_set_of_drafts_is_sent_from_the_approvals_page(
        client, scoped, sim_account, demo, requires_approval, manager):
    from tests.approvals.conftest import ready_draft

    drafts = [ready_draft(sim_account, manager.user, demo, f"Variant {n}") for n in range(3)]
    login(client, manager)
    page = client.get(reverse("approvals:list"))
    assert b'data-testid="send-set-form"' in page.content and b"Variant 2" in page.content
    response = client.post(reverse("approvals:send"), {
        "campaigns": [d.pk for d in drafts], "message": "Three variants"})
    request = ApprovalRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("approvals:detail", args=[request.pk])
    assert sorted(request.items.values_list("campaign_id", flat=True)) == sorted(
        d.pk for d in drafts)


def test_the_panel_shows_why_a_send_was_refused(client, draft, manager):
    from campaigns.models import Campaign

    Campaign.objects.filter(pk=draft.pk).update(publish_state="published", graph_id="123")
    login(client, manager)
    response = client.post(reverse("approvals:send"), {"campaigns": [draft.pk], "panel": "1"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b'data-testid="approval-error"' in response.content
    assert not ApprovalRequest.objects.exists()


def test_an_owner_records_an_offline_approval_on_the_page(client, sent, owner):
    login(client, owner)
    page = client.get(reverse("approvals:detail", args=[sent.pk]))
    assert b'data-testid="record-offline"' in page.content
    response = client.post(reverse("approvals:decide", args=[sent.pk]), {
        "decision": "approve", "offline": "on", "comment": "Jane, by phone, 2 Dec 10:00"})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.state == ApprovalState.APPROVED and sent.decision_source == "offline"
    page = client.get(reverse("approvals:detail", args=[sent.pk]))
    assert b"recorded by an owner" in page.content


def test_a_launch_batch_is_sent_for_approval_from_its_page(
        client, scoped, sim_account, demo, requires_approval, manager, client_viewer, graph):
    from campaigns.services.bulk_publish import bulk_publish_start
    from tests.approvals.conftest import ready_draft
    from tests.factories.launches import LaunchBatchFactory

    drafts = [ready_draft(sim_account, manager.user, demo, f"Batch {n}") for n in range(2)]
    batch = LaunchBatchFactory(ad_account=sim_account)
    batch.campaigns.set(drafts)
    login(client, manager)
    page = client.get(reverse("launches:batch", args=[batch.pk]))
    assert b'data-testid="batch-approval-form"' in page.content
    response = client.post(reverse("approvals:send"), {
        "campaigns": [d.pk for d in drafts], "message": "The batch"})
    assert response.status_code == 302
    request = ApprovalRequest.objects.get()
    approval_request_decide(request=request, membership=client_viewer, decision="approve")
    assert bulk_publish_start(campaigns=drafts, actor=manager.user)


def test_the_client_viewers_reports_home_says_what_waits_for_it(
        client, sent, client_viewer, other_viewer, manager):
    login(client, client_viewer)
    home = client.get(reverse("reporting:home"))
    assert b'data-testid="approvals-waiting"' in home.content
    assert b"1 approval request waits for your decision" in home.content
    for member in (other_viewer, manager):
        client.logout()
        login(client, member)
        home = client.get(reverse("reporting:home"))
        assert b'data-testid="approvals-waiting"' not in home.content
