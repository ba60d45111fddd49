"""Reads of Meta connections."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import ConnectionStatus, MetaConnection


def connection_list(*, agency) -> QuerySet[MetaConnection]:
    return MetaConnection.objects.filter(agency=agency).select_related("client", "created_by")


def connection_alerts(*, agency) -> list[MetaConnection]:
    """Connections that need someone: expiring, expired, invalid, revoked, or missing scopes."""
    return [
        c for c in connection_list(agency=agency)
        if c.status != ConnectionStatus.DISABLED
        and (c.status != ConnectionStatus.ACTIVE or missing_scopes(c))
    ]


def missing_scopes(connection: MetaConnection) -> list[str]:
    return [s for s in settings.META_REQUIRED_SCOPES if s not in (connection.scopes or [])]
