"""API of the agency's ad accounts."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from accounts.api import AdAccountOutput
from agency.api.base import AgencyApi
from agency.roles import Capability
from campaigns import selectors


class AdAccountListApi(AgencyApi):
    capability = Capability.VIEW_REPORTS

    @extend_schema(responses=AdAccountOutput(many=True))
    def get(self, request):
        accounts = selectors.ad_account_list(agency=self.agency, membership=self.membership)
        return Response(AdAccountOutput(accounts, many=True).data)
