"""Pages of client approval: the list (staff: every request, sending drafts, client defaults;
client viewer: its requests), a request's page (previews and key settings; the client decides
there), and the builder's approval panel."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from accounts.services.graph import ConnectionUnusableError
from agency.access import access_client_by_id
from agency.errors import ServiceError
from agency.graph import GraphError
from agency.ids import parse_id
from agency.roles import Capability, Role
from agency.web import AgencyViewMixin
from campaigns.access import access_campaign_by_id
from campaigns.approvals import selectors, services
from campaigns.approvals.access import access_approval_by_id
from campaigns.approvals.forms import (
    ApprovalDecideForm,
    ApprovalSendForm,
    CampaignApprovalPolicyForm,
    ClientApprovalPolicyForm,
)
from campaigns.approvals.models import ApprovalState, DecisionSource
from campaigns.services import meta_check
from campaigns.views.builder import allow_preview_frames

PREVIEW_FORMATS = ["feed", "instagram"]


class ApprovalPageMixin(AgencyViewMixin):
    """Client viewers and staff alike; what each sees is decided by the access function."""

    capability = Capability.VIEW_REPORTS

    @property
    def is_staff(self) -> bool:
        return self.membership.can(Capability.VIEW_AGENCY)

    def load(self, approval_id):
        return access_approval_by_id(membership=self.membership, approval_id=approval_id)


class ApprovalListView(ApprovalPageMixin, View):
    def get(self, request):
        context = {"is_staff": self.is_staff, "can_build": self.membership.can(
            Capability.BUILD_CAMPAIGNS)}
        approvals = selectors.approval_list(agency=self.agency, membership=self.membership)
        context["pending"] = approvals.filter(state=ApprovalState.PENDING)
        context["past"] = approvals.exclude(state=ApprovalState.PENDING)[:50]
        if self.is_staff:
            drafts = selectors.sendable_drafts(agency=self.agency)
            context["drafts"] = drafts[:200]
            context["send_form"] = ApprovalSendForm(drafts=drafts)
            context["clients"] = selectors.client_policies(agency=self.agency)
            context["may_waive"] = services.may_waive(self.membership)
        return render(request, "approvals/list.html", context)


class ApprovalDetailView(ApprovalPageMixin, View):
    def get(self, request, approval_id: int):
        approval = services.approval_request_refresh(request=self.load(approval_id),
                                                     actor=request.user)
        return allow_preview_frames(render(request, "approvals/detail.html",
                                           _detail_context(self, approval)))


def _detail_context(view, approval, form=None) -> dict:
    membership = view.membership
    items = list(approval.items.select_related("campaign__ad_account"))
    is_client = membership.role == Role.CLIENT_VIEWER
    return {
        "approval": approval, "items": items, "is_staff": view.is_staff,
        "can_decide": approval.is_pending and is_client,
        "can_record_offline": approval.is_pending and membership.role == Role.OWNER,
        "can_cancel": approval.is_pending and membership.can(Capability.BUILD_CAMPAIGNS),
        "form": form or ApprovalDecideForm(),
    }


class ApprovalPreviewsView(ApprovalPageMixin, View):
    """Meta's previews of the request's creatives (one Graph client; Graph down is a note)."""

    def get(self, request, approval_id: int):
        approval = self.load(approval_id)
        groups, trouble = [], ""
        try:
            for creative in selectors.approval_creatives(approval=approval):
                groups.append((creative, meta_check.creative_previews(
                    creative=creative, formats=PREVIEW_FORMATS, actor=request.user)))
        except (GraphError, ConnectionUnusableError):
            trouble = ("Meta's previews cannot be shown right now. The settings below are what "
                       "you are approving; try the previews again in a minute.")
        return render(request, "approvals/_previews.html", {"groups": groups,
                                                            "trouble": trouble})


class ApprovalDecideView(ApprovalPageMixin, View):
    def post(self, request, approval_id: int):
        approval = self.load(approval_id)
        form = ApprovalDecideForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.approval_request_decide(
                    request=approval, membership=self.membership, decision=data["decision"],
                    comment=data["comment"],
                    source=DecisionSource.OFFLINE if data["offline"] else DecisionSource.PORTAL)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "Thank you: the agency has been told.")
                return HttpResponseRedirect(reverse("approvals:detail", args=[approval.pk]))
        approval.refresh_from_db()
        return allow_preview_frames(render(request, "approvals/detail.html",
                                           _detail_context(self, approval, form), status=400))


class ApprovalCancelView(ApprovalPageMixin, View):
    capability = Capability.BUILD_CAMPAIGNS

    def post(self, request, approval_id: int):
        approval = self.load(approval_id)
        try:
            services.approval_request_cancel(request=approval, actor=request.user)
            messages.success(request, "Approval request cancelled.")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("approvals:detail", args=[approval.pk]))


class ApprovalNoticeDismissView(ApprovalPageMixin, View):
    capability = Capability.VIEW_AGENCY

    def post(self, request, approval_id: int):
        services.approval_notice_dismiss(request=self.load(approval_id), actor=request.user)
        return HttpResponseRedirect(reverse("agency:client-list"))


class ApprovalSendView(ApprovalPageMixin, View):
    capability = Capability.BUILD_CAMPAIGNS

    def post(self, request):
        form = ApprovalSendForm(request.POST, drafts=selectors.sendable_drafts(agency=self.agency))
        panel = request.POST.get("panel") == "1" and request.headers.get("HX-Request")
        error = ""
        approval = None
        if form.is_valid():
            try:
                approval = services.approval_request_send(
                    campaigns=form.cleaned_data["campaigns"], actor=request.user,
                    message=form.cleaned_data["message"])
            except ServiceError as exc:
                error = exc.message
        else:
            error = " ".join(e for errs in form.errors.values() for e in errs)
        if panel:
            # The builder's panel sends its one draft: answer with the panel, errors included.
            campaign_id = parse_id(request.POST.get("campaigns"))
            if campaign_id is None:
                raise Http404("No such campaign.")
            campaign = access_campaign_by_id(membership=self.membership,
                                             campaign_id=campaign_id)
            return _panel(request, self.membership, campaign, error=error,
                          sent=approval is not None)
        if approval is None:
            messages.error(request, error or "Choose drafts to send.")
            return HttpResponseRedirect(reverse("approvals:list"))
        messages.success(request, f"Sent to {approval.client.name} for approval.")
        return HttpResponseRedirect(reverse("approvals:detail", args=[approval.pk]))


def _panel(request, membership, campaign, *, error: str = "", sent: bool = False):
    return render(request, "approvals/_panel.html", {
        "campaign": campaign, "approval": selectors.campaign_approval(campaign=campaign),
        "can_build": membership.can(Capability.BUILD_CAMPAIGNS),
        "may_waive": services.may_waive(membership), "error": error, "sent": sent,
        "policy_form": CampaignApprovalPolicyForm(),
    })


class CampaignApprovalPanelView(ApprovalPageMixin, View):
    capability = Capability.VIEW_AGENCY

    def get(self, request, campaign_id: int):
        campaign = access_campaign_by_id(membership=self.membership, campaign_id=campaign_id)
        return _panel(request, self.membership, campaign)


class CampaignApprovalPolicyView(ApprovalPageMixin, View):
    capability = Capability.BUILD_CAMPAIGNS

    def post(self, request, campaign_id: int):
        campaign = access_campaign_by_id(membership=self.membership, campaign_id=campaign_id)
        form = CampaignApprovalPolicyForm(request.POST)
        error = ""
        if form.is_valid():
            try:
                services.campaign_approval_policy_set(campaign=campaign, required=form.value(),
                                                      membership=self.membership)
            except ServiceError as exc:
                error = exc.message
        else:
            error = "Choose a setting."
        return _panel(request, self.membership, campaign, error=error)


class ClientApprovalPolicyView(ApprovalPageMixin, View):
    capability = Capability.MANAGE_MEMBERS

    def post(self, request, client_id: int):
        client = access_client_by_id(membership=self.membership, client_id=client_id)
        form = ClientApprovalPolicyForm(request.POST)
        form.is_valid()
        required = bool(form.cleaned_data.get("required"))
        services.client_approval_policy_set(client=client, required=required,
                                            membership=self.membership)
        messages.success(request, f"{client.name}: campaigns "
                         f"{'need' if required else 'do not need'} the client's approval.")
        return HttpResponseRedirect(reverse("approvals:list"))
