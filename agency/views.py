"""Agency pages: the home redirect, the staff home (clients), client pages, switching agency."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.selectors import connection_alerts
from agency import selectors, services
from agency.access import access_client_by_id
from agency.errors import ServiceError
from agency.forms import ClientForm
from agency.ids import parse_id
from agency.membership import resolve_membership, switch_agency
from agency.roles import Capability
from agency.web import AgencyViewMixin
from campaigns.approvals.selectors import approval_notices


class HomeView(LoginRequiredMixin, View):
    """Staff land on their clients; client viewers on their reports."""

    def get(self, request):
        membership = resolve_membership(request)
        if membership is None:
            return redirect("no-agency")
        if membership.can(Capability.VIEW_AGENCY):
            return redirect("agency:client-list")
        return redirect("reporting:home")


class NoAgencyView(LoginRequiredMixin, TemplateView):
    template_name = "agency/no_agency.html"


class AgencySwitchView(LoginRequiredMixin, View):
    def post(self, request):
        agency_id = parse_id(request.POST.get("agency_id", ""))
        membership = switch_agency(request, agency_id) if agency_id else None
        if membership is None:
            messages.error(request, "You are not a member of that agency.")
        else:
            messages.success(request, f"Now working in {membership.agency.name}.")
        return redirect("home")


class ClientListView(AgencyViewMixin, TemplateView):
    template_name = "agency/client_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["clients"] = selectors.client_list(agency=self.agency, membership=self.membership)
        if self.membership.can(Capability.MANAGE_CONNECTIONS):
            context["connection_alerts"] = connection_alerts(agency=self.agency)
        context["approval_notices"] = approval_notices(agency=self.agency)
        return context


class ClientCreateView(AgencyViewMixin, FormView):
    capability = Capability.MANAGE_CLIENTS
    template_name = "agency/client_form.html"
    form_class = ClientForm

    def form_valid(self, form):
        try:
            client = services.client_create(
                agency=self.agency, actor=self.request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(exc.field, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Client “{client.name}” added.")
        return HttpResponseRedirect(reverse("agency:client-detail", args=[client.pk]))


class ClientDetailView(AgencyViewMixin, TemplateView):
    template_name = "agency/client_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["client"] = access_client_by_id(
            membership=self.membership, client_id=self.kwargs["client_id"]
        )
        return context


class ClientUpdateView(AgencyViewMixin, FormView):
    capability = Capability.MANAGE_CLIENTS
    template_name = "agency/client_form.html"
    form_class = ClientForm

    def get_client(self):
        if not hasattr(self, "_client"):
            self._client = access_client_by_id(
                membership=self.membership, client_id=self.kwargs["client_id"]
            )
        return self._client

    def get_initial(self):
        client = self.get_client()
        return {"name": client.name, "website": client.website, "notes": client.notes}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["client"] = self.get_client()
        return context

    def form_valid(self, form):
        client = self.get_client()
        try:
            services.client_update(client=client, actor=self.request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, "Client saved.")
        return HttpResponseRedirect(reverse("agency:client-detail", args=[client.pk]))
