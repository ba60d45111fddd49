"""Base class of every agency page: resolves the membership, checks the role, scopes the tenant."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from agency.membership import resolve_membership
from agency.roles import Capability
from agency.tenancy import agency_scope


class AgencyViewMixin(LoginRequiredMixin):
    """Pages of one agency. Subclasses name the capability they need."""

    capability: Capability = Capability.VIEW_AGENCY

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = resolve_membership(request)
        if membership is None:
            return render(request, "agency/no_agency.html", status=403)
        if not membership.can(self.capability):
            raise PermissionDenied("Your role does not allow this page.")
        self.membership = membership
        self.agency = membership.agency
        request.membership = membership
        with agency_scope(membership.agency_id):
            response = super().dispatch(request, *args, **kwargs)
            # Template responses render lazily; render them while the scope is still set.
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["membership"] = self.membership
        context["agency"] = self.agency
        return context
