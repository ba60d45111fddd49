"""Meta connection pages: connect (OAuth), callback, system-user token, onboarding links, import."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from accounts import selectors
from accounts.forms_connections import OnboardingLinkForm, SystemUserTokenForm
from accounts.models import OAuthPurpose
from accounts.services import connections as connection_services
from accounts.services import onboarding
from agency.access import access_client_by_id, access_connection_by_id
from agency.errors import ServiceError
from agency.graph.errors import GraphError
from agency.ids import parse_id
from agency.jobs.selectors import job_latest_for_target
from agency.membership import switch_agency
from agency.models import Client
from agency.roles import Capability
from agency.web import AgencyViewMixin
from campaigns import selectors as campaign_selectors
from campaigns import services as campaign_services
from campaigns.models import AdAccount


def _callback_uri(request) -> str:
    return request.build_absolute_uri(reverse("accounts:connection-callback"))


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


class ConnectionListView(AgencyViewMixin, TemplateView):
    template_name = "accounts/connections.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        connections = list(selectors.connection_list(agency=self.agency))
        for connection in connections:
            connection.missing = selectors.missing_scopes(connection)
        context["connections"] = connections
        return context


class ConnectionStartView(AgencyViewMixin, View):
    """Sends the browser to Meta's dialog; `connection_id` re-asks for one connection."""

    capability = Capability.MANAGE_CONNECTIONS

    def post(self, request):
        reconnect = None
        if request.POST.get("connection_id"):
            connection_id = parse_id(request.POST["connection_id"])
            if connection_id is None:
                raise Http404("No such connection.")
            reconnect = access_connection_by_id(membership=self.membership,
                                                connection_id=connection_id)
        url = onboarding.oauth_start(
            agency_id=self.agency.pk, session_key=_session_key(request),
            redirect_uri=_callback_uri(request), user=request.user, reconnect=reconnect,
            rerequest=bool(request.POST.get("rerequest")),
        )
        return redirect(url)


class ConnectionCallbackView(View):
    """Meta's redirect back. Public: the single-use state bound to this session is the proof."""

    def get(self, request):
        try:
            outcome = onboarding.oauth_complete(
                state=request.GET.get("state", ""),
                session_key=request.session.session_key or "",
                redirect_uri=_callback_uri(request),
                code=request.GET.get("code", ""),
                error=request.GET.get("error", ""),
                error_reason=request.GET.get("error_reason", ""),
                user=request.user if request.user.is_authenticated else None,
            )
        except ServiceError as exc:
            if request.user.is_authenticated:
                messages.error(request, exc.message)
                return redirect("accounts:connection-list")
            return render(request, "accounts/onboarding_done.html", {"error": exc.message},
                          status=400)
        connection = outcome.connection
        if outcome.purpose == OAuthPurpose.CLIENT_ONBOARDING:
            return render(request, "accounts/onboarding_done.html", {"connection": connection})
        switch_agency(request, connection.agency_id)
        if outcome.other_meta_user:
            messages.warning(
                request,
                f"Meta signed you in as {connection.meta_user_name or 'another Meta user'}, not "
                "the user of the connection you reconnected: this is a new connection, and the "
                "other one was left as it was.",
            )
        if outcome.missing_scopes:
            messages.warning(
                request,
                "Connected, but Meta did not grant: " + ", ".join(outcome.missing_scopes)
                + ". Ask for them again from the connection's page.",
            )
        else:
            messages.success(request, f"Connected {connection}. Choose ad accounts to bring in.")
        return redirect("accounts:connection-import", connection_id=connection.pk)


class ConnectionDetailView(AgencyViewMixin, TemplateView):
    template_name = "accounts/connection_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        connection = access_connection_by_id(membership=self.membership,
                                             connection_id=self.kwargs["connection_id"])
        context["connection"] = connection
        context["missing"] = selectors.missing_scopes(connection)
        ad_accounts = list(
            AdAccount.objects.filter(connection=connection).select_related("client")
        )
        for ad_account in ad_accounts:
            ad_account.call_budget = campaign_selectors.ad_account_call_budget(
                ad_account=ad_account)
        context["ad_accounts"] = ad_accounts
        context["refresh_job"] = job_latest_for_target(agency=self.agency, target=connection,
                                                       kind="adaccounts.refresh")
        return context


class ConnectionRefreshAccountsView(AgencyViewMixin, View):
    """Start a job re-reading this connection's ad accounts from Meta; its progress shows on the
    connection page."""

    capability = Capability.MANAGE_CONNECTIONS

    def post(self, request, connection_id):
        connection = access_connection_by_id(membership=self.membership,
                                             connection_id=connection_id)
        try:
            campaign_services.ad_accounts_refresh_start(membership=self.membership,
                                                        connection=connection)
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("accounts:connection-detail", connection_id=connection.pk)


class ConnectionCheckView(AgencyViewMixin, View):
    capability = Capability.MANAGE_CONNECTIONS

    def post(self, request, connection_id):
        connection = access_connection_by_id(membership=self.membership,
                                             connection_id=connection_id)
        connection = connection_services.connection_check(connection=connection,
                                                          actor=request.user)
        messages.info(request, f"Checked with Meta: {connection.get_status_display()}.")
        return redirect("accounts:connection-detail", connection_id=connection.pk)


class SystemUserTokenView(AgencyViewMixin, View):
    capability = Capability.MANAGE_CONNECTIONS
    template_name = "accounts/system_user_token.html"

    def get(self, request):
        return render(request, self.template_name, {"form": SystemUserTokenForm()})

    def post(self, request):
        form = SystemUserTokenForm(request.POST)
        if form.is_valid():
            try:
                connection = onboarding.system_user_token_add(
                    membership=self.membership, token=form.cleaned_data["token"],
                    label=form.cleaned_data["label"],
                )
            except ServiceError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, f"System-user token {connection} added.")
                return redirect("accounts:connection-import", connection_id=connection.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class ConnectionImportView(AgencyViewMixin, View):
    """Pick which reachable ad accounts to bring in, and each one's client."""

    capability = Capability.MANAGE_CONNECTIONS
    template_name = "accounts/connection_import.html"

    def _context(self, connection, error=None, chosen=None):
        try:
            reachable = campaign_services.ad_accounts_reachable(connection=connection,
                                                               actor=self.request.user)
        except (GraphError, ServiceError) as exc:
            reachable, error = [], getattr(exc, "user_msg", None) or exc.message
        imported = {
            a.account_id: a for a in AdAccount.objects.unscoped().filter(
                account_id__in=[r.account_id for r in reachable])
        }
        rows = []
        for account in reachable:
            existing = imported.get(account.account_id)
            rows.append({
                "account": account,
                "ours": existing if existing and existing.agency_id == self.agency.pk else None,
                "elsewhere": bool(existing and existing.agency_id != self.agency.pk),
                "chosen_client": (chosen or {}).get(account.account_id),
            })
        return {"connection": connection, "rows": rows, "error": error,
                "clients": Client.objects.order_by("name")}

    def get(self, request, connection_id):
        connection = access_connection_by_id(membership=self.membership,
                                             connection_id=connection_id)
        return render(request, self.template_name, self._context(connection))

    def post(self, request, connection_id):
        connection = access_connection_by_id(membership=self.membership,
                                             connection_id=connection_id)
        assignments, chosen = {}, {}
        for account_id in request.POST.getlist("account"):
            chosen[account_id] = request.POST.get(f"client_{account_id}", "")
            client_id = parse_id(chosen[account_id])
            if client_id is None:
                return render(request, self.template_name, self._context(
                    connection, error=f"Choose a client for ad account act_{account_id[:40]}.",
                    chosen=chosen), status=400)
            assignments[account_id] = access_client_by_id(membership=self.membership,
                                                          client_id=client_id)
        try:
            imported = campaign_services.ad_accounts_import(
                membership=self.membership, connection=connection, assignments=assignments)
        except ServiceError as exc:
            return render(request, self.template_name,
                          self._context(connection, error=exc.message, chosen=chosen), status=400)
        messages.success(request, f"Imported {len(imported)} ad account(s).")
        return redirect("accounts:connection-detail", connection_id=connection.pk)


class OnboardingLinkCreateView(AgencyViewMixin, View):
    capability = Capability.MANAGE_CONNECTIONS
    template_name = "accounts/onboarding_link.html"

    def get(self, request):
        return render(request, self.template_name,
                      {"form": OnboardingLinkForm(agency_id=self.agency.pk)})

    def post(self, request):
        form = OnboardingLinkForm(request.POST, agency_id=self.agency.pk)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)

        def url_for(raw):
            return request.build_absolute_uri(reverse("accounts:onboarding", args=[raw]))

        issued = onboarding.onboarding_link_create(
            membership=self.membership, client=form.cleaned_data["client"],
            email=form.cleaned_data["email"], url_builder=url_for,
        )
        return render(request, self.template_name, {
            "form": OnboardingLinkForm(agency_id=self.agency.pk),
            "issued_url": url_for(issued.token), "issued": issued.link,
        })


class OnboardingView(View):
    """The client's page behind an onboarding link: no agency login, no password shared."""

    template_name = "accounts/onboarding.html"

    def get(self, request, token):
        try:
            link = onboarding.onboarding_link_find_open(token=token)
        except ServiceError as exc:
            return render(request, self.template_name, {"error": exc.message}, status=410)
        return render(request, self.template_name, {"link": link})

    def post(self, request, token):
        try:
            link = onboarding.onboarding_link_find_open(token=token)
        except ServiceError as exc:
            return render(request, self.template_name, {"error": exc.message}, status=410)
        url = onboarding.oauth_start(
            agency_id=link.agency_id, session_key=_session_key(request),
            redirect_uri=_callback_uri(request), purpose=OAuthPurpose.CLIENT_ONBOARDING,
            onboarding_link=link,
        )
        return redirect(url)
