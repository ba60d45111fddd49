"""Keeping connections healthy: re-checks, revocation, disabling, alerts to the agency's admins."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import USABLE_CONNECTION_STATUSES, ConnectionStatus, MetaConnection
from accounts.services.graph import graph_for_connection, status_for_token_info, token_inspect
from accounts.services.tokens import (
    connection_mark,
    connection_reveal_token,
    connection_save_fields,
)
from agency.crypto import SecretDecryptionError
from agency.graph.errors import GraphAuthError, GraphError
from agency.models import Membership
from agency.roles import Role
from agency.services import audit_record

log = logging.getLogger(__name__)

# States in which a connection no longer changes by itself: a re-check must not revive them.
_TERMINAL_BY_HAND = {ConnectionStatus.DISABLED}


def connection_check(*, connection: MetaConnection, actor=None) -> MetaConnection:
    """Re-inspect the token with debug_token; record expiry, scopes and the resulting status."""
    if connection.status in _TERMINAL_BY_HAND:
        return connection
    before = connection.status
    try:
        token = connection_reveal_token(connection=connection, purpose="health_check",
                                        actor=actor)
        info = token_inspect(token=token)
    except SecretDecryptionError:
        connection.refresh_from_db()
        return connection  # connection_reveal_token marked it, with the reason
    except GraphError as exc:
        # Meta could not answer (throttled, down): keep the status, note the failure.
        return connection_save_fields(
            connection=connection, last_checked_at=timezone.now(),
            last_error=f"Health check failed: {exc.message}",
        )
    status = status_for_token_info(info)
    updates = {
        "scopes": info.scopes or connection.scopes,
        "granular_scopes": info.granular_scopes or connection.granular_scopes,
        "expires_at": info.expires_at if info.is_valid else connection.expires_at,
        "data_access_expires_at": info.data_access_expires_at,
        "last_checked_at": timezone.now(),
    }
    connection_save_fields(connection=connection, **updates)
    error = "" if info.is_valid else f"{info.error_code}/{info.error_subcode}: {info.error_message}"
    connection_mark(connection=connection, status=status, error=error, actor=actor)
    if before in USABLE_CONNECTION_STATUSES and status != before:
        transaction.on_commit(lambda: connection_alert_admins(connection=connection))
    return connection


def connection_alert_admins(*, connection: MetaConnection) -> int:
    """Email the agency's owners and admins that a connection needs attention."""
    emails = list(
        Membership.objects.unscoped()
        .filter(agency_id=connection.agency_id, role__in=[Role.OWNER, Role.ADMIN])
        .values_list("user__email", flat=True)
    )
    if not emails:
        return 0
    status = connection.get_status_display().lower()
    when = connection.expires_at.strftime("%-d %b %Y") if connection.expires_at else ""
    detail = f" It expires on {when}." if connection.status == ConnectionStatus.EXPIRING else ""
    send_mail(
        subject=f"Meta connection {connection} is {status}",
        message=(
            f"The Meta connection {connection} of {connection.agency.name} is {status}.{detail}\n"
            "Work that uses it is paused until it is reconnected. Reconnect it from the "
            "Connections page in Adwright."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=emails,
    )
    return len(emails)


def connection_revoke(*, connection: MetaConnection, actor=None) -> MetaConnection:
    """Ask Meta to drop the app's permissions (DELETE /me/permissions); the token dies with it."""
    try:
        with graph_for_connection(connection=connection, purpose="revoke", actor=actor,
                                  allow_unusable=True) as client:
            client.delete("me/permissions")
    except GraphAuthError:
        pass  # already dead at Meta: revoked either way
    except SecretDecryptionError:
        pass  # unreadable here: mark it revoked so nothing tries to use it
    connection_mark(connection=connection, status=ConnectionStatus.REVOKED,
                    error="Revoked from Adwright.", actor=actor)
    audit_record(agency=connection.agency_id, actor=actor, verb="connection.revoke",
                 target=connection)
    return connection


def connection_disable(*, connection: MetaConnection, actor=None) -> MetaConnection:
    connection_mark(connection=connection, status=ConnectionStatus.DISABLED,
                    error="Disabled by an administrator.", actor=actor)
    audit_record(agency=connection.agency_id, actor=actor, verb="connection.disable",
                 target=connection)
    return connection


def connections_due_for_check() -> list[int]:
    """Every connection a periodic sweep re-checks (all agencies: a platform task)."""
    return list(
        MetaConnection.objects.unscoped()
        .exclude(status__in=[ConnectionStatus.DISABLED, ConnectionStatus.REVOKED])
        .values_list("pk", flat=True)
    )
