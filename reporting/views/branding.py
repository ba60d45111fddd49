"""The agency's mark on its reports: the logo (served per agency) and its upload page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import View

from agency.errors import ServiceError
from agency.roles import Capability
from agency.web import AgencyViewMixin
from reporting.forms import ReportLogoForm
from reporting.models import ReportBranding
from reporting.services import branding as branding_services
from reporting.views.dashboards import ReportPage


class ReportLogoView(AgencyViewMixin, View):
    """The agency's logo (PNG re-encoded on upload), for its members' report pages."""

    capability = Capability.VIEW_REPORTS

    def get(self, request):
        data = (ReportBranding.objects.filter(logo_png__isnull=False)
                .values_list("logo_png", flat=True).first())
        if not data:
            from django.http import Http404

            raise Http404("No logo.")
        response = HttpResponse(bytes(data), content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ReportBrandingView(ReportPage):
    """Managers upload the logo their clients see on reports and emails."""

    capability = Capability.MANAGE_CLIENTS
    template_name = "reporting/branding.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or ReportLogoForm()
        return context

    def post(self, request):
        if request.POST.get("remove"):
            branding_services.report_logo_remove(agency=self.agency, actor=request.user)
            messages.success(request, "Logo removed.")
            return redirect("reporting:branding")
        form = ReportLogoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                branding_services.report_logo_set(agency=self.agency, actor=request.user,
                                                  data=form.cleaned_data["logo"].read())
            except ServiceError as exc:
                form.add_error("logo", exc.message)
            else:
                messages.success(request, "Logo saved: your clients see it on their reports.")
                return redirect("reporting:branding")
        return self.render_to_response(self.get_context_data(form=form), status=400)
