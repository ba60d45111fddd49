"""Graph clients for a connection (audited token use, 190 marks the connection) and for the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import ConnectionStatus, MetaConnection
from accounts.services.tokens import connection_mark, connection_reveal_token
from agency.crypto import SecretDecryptionError
from agency.errors import ServiceError
from agency.graph.client import GraphClient
from agency.graph.errors import GraphAuthError
from agency.graph.factory import graph_client

# 190's subcodes (Graph's access-token error table; not in our seeds, see DECISIONS in graph_sim).
_SUBCODE_STATUS = {
    458: ConnectionStatus.REVOKED,  # the user removed the app / revoked its permissions
    463: ConnectionStatus.EXPIRED,
    460: ConnectionStatus.INVALID,  # password changed or session invalidated
}


class ConnectionUnusableError(ServiceError):
    """Work that needs this connection waits until someone reconnects it."""

    code = "connection_unusable"
    http_status = 409


def status_for_auth_error(code: int | None, subcode: int | None, message: str = "") -> str:
    if subcode in _SUBCODE_STATUS:
        return _SUBCODE_STATUS[subcode]
    if "not authorized application" in message:
        return ConnectionStatus.REVOKED
    return ConnectionStatus.INVALID


def connection_mark_auth_error(*, connection: MetaConnection, error: GraphAuthError) -> None:
    """What a 190 anywhere does: the connection needs re-authorisation; work on it pauses."""
    connection_mark(
        connection=connection,
        status=status_for_auth_error(error.code, error.subcode, error.message),
        error=f"Graph error {error.code}/{error.subcode}: {error.message}",
    )


def graph_for_connection(
    *, connection: MetaConnection, purpose: str, actor=None, allow_unusable: bool = False
) -> GraphClient:
    """A client acting with the connection's token.

    The token is decrypted per HTTP call, in memory, and never kept; one audit row records the
    use. A connection that is revoked, expired, invalid or disabled, or whose token no configured
    key can read (a lost encryption key), raises `ConnectionUnusableError` (unless
    `allow_unusable`, for the health check and revocation).
    """
    if not allow_unusable and not connection.is_usable:
        raise ConnectionUnusableError(
            f"The Meta connection “{connection}” is {connection.get_status_display().lower()}: "
            "reconnect it to continue.",
            extra={"connection_id": connection.pk, "status": connection.status},
        )
    try:
        connection_reveal_token(connection=connection, purpose=purpose, actor=actor)
    except SecretDecryptionError as exc:
        if allow_unusable:
            raise  # the health check and revocation handle it themselves
        # A lost encryption key: the connection is marked invalid (with the reason for the
        # admin); for the work at hand it is unusable like a revoked one.
        raise ConnectionUnusableError(
            f"The Meta connection “{connection}”'s stored token cannot be read with the "
            "configured encryption keys: reconnect it to continue.",
            extra={"connection_id": connection.pk, "status": connection.status},
        ) from exc
    sealed = connection.access_token
    return graph_client(
        access_token=sealed.reveal,
        on_auth_error=lambda error: connection_mark_auth_error(connection=connection, error=error),
    )


def app_graph() -> GraphClient:
    """A client acting as the app itself (code exchange, debug_token)."""
    app_token = f"{settings.META_APP_ID}|{settings.META_APP_SECRET}"
    return graph_client(access_token=lambda: app_token)


@dataclass(frozen=True)
class TokenInfo:
    """What debug_token says of a token."""

    is_valid: bool
    user_id: str
    app_id: str
    type: str
    scopes: list[str]
    granular_scopes: list[dict] = field(default_factory=list)
    expires_at: datetime | None = None  # None: never expires
    data_access_expires_at: datetime | None = None
    error_code: int | None = None
    error_subcode: int | None = None
    error_message: str = ""

    @property
    def missing_scopes(self) -> list[str]:
        return [s for s in settings.META_REQUIRED_SCOPES if s not in self.scopes]


def _ts(value) -> datetime | None:
    value = int(value or 0)
    return datetime.fromtimestamp(value, tz=UTC) if value else None


def token_inspect(*, token: str) -> TokenInfo:
    """debug_token, asked with the app's own token."""
    with app_graph() as client:
        data = client.get("debug_token", params={"input_token": token}).get("data", {})
    error = data.get("error") or {}
    return TokenInfo(
        is_valid=bool(data.get("is_valid")),
        user_id=str(data.get("user_id") or ""),
        app_id=str(data.get("app_id") or ""),
        type=str(data.get("type") or ""),
        scopes=list(data.get("scopes") or []),
        granular_scopes=list(data.get("granular_scopes") or []),
        expires_at=_ts(data.get("expires_at")),
        data_access_expires_at=_ts(data.get("data_access_expires_at")),
        error_code=error.get("code"),
        error_subcode=error.get("subcode"),
        error_message=str(error.get("message") or ""),
    )


def status_for_token_info(info: TokenInfo) -> str:
    if not info.is_valid:
        return status_for_auth_error(info.error_code, info.error_subcode, info.error_message)
    if info.expires_at is not None:
        now = timezone.now()
        if info.expires_at <= now:
            return ConnectionStatus.EXPIRED
        if info.expires_at - now <= timedelta(days=settings.META_TOKEN_EXPIRING_DAYS):
            return ConnectionStatus.EXPIRING
    return ConnectionStatus.ACTIVE
