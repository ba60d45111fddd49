"""Base class of every agency API view: membership, role check and tenant scope, like the pages."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.views import APIView

from agency.membership import resolve_membership
from agency.roles import Capability
from agency.tenancy import activate, deactivate


class AgencyApi(APIView):
    capability: Capability = Capability.VIEW_AGENCY

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        membership = resolve_membership(request._request)
        if membership is None:
            raise exceptions.PermissionDenied("You are not a member of an agency.")
        if not membership.can(self.capability):
            raise exceptions.PermissionDenied("Your role does not allow this.")
        self.membership = membership
        self.agency = membership.agency
        self._scope_token = activate(membership.agency_id)

    def dispatch(self, request, *args, **kwargs):
        self._scope_token = None
        try:
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            return response
        finally:
            if self._scope_token is not None:
                deactivate(self._scope_token)
