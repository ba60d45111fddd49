"""Factories of Meta connections; tokens go through the real encryption."""

from __future__ import annotations

import factory

from accounts.models import ConnectionKind, ConnectionStatus, MetaConnection
from agency.crypto import SealedSecret, fingerprint
from tests.factories.agency import AgencyFactory, UnscopedFactory


class MetaConnectionFactory(UnscopedFactory):
    class Meta:
        model = MetaConnection
        exclude = ["token"]

    agency = factory.SubFactory(AgencyFactory)
    kind = ConnectionKind.USER
    token = factory.Sequence(lambda n: f"EAAtest{n:04d}tokenvalue")
    access_token = factory.LazyAttribute(lambda o: SealedSecret.seal(o.token))
    token_fingerprint = factory.LazyAttribute(lambda o: fingerprint(o.token))
    meta_user_id = factory.Sequence(lambda n: f"10000{n}")
    meta_user_name = "Dana Demo"
    scopes = ["ads_management", "ads_read", "business_management"]
    status = ConnectionStatus.ACTIVE
