"""Connecting Meta: the OAuth dialog round trip, client onboarding links, system-user tokens.

The `state` sent to the dialog is random, stored only as a hash, single-use, bound to the browser
session that started the trip and to the agency, and expires after STATE_LIFETIME.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import (
    ClientOnboardingLink,
    ConnectionKind,
    MetaConnection,
    OAuthPurpose,
    OAuthState,
)
from accounts.services.graph import TokenInfo, app_graph, status_for_token_info, token_inspect
from accounts.services.tokens import connection_on_usable_again
from accounts.validation import TOKEN_MAX_LENGTH
from agency.crypto import SealedSecret, fingerprint
from agency.errors import PermissionDeniedError, ServiceError
from agency.graph.errors import GraphError, GraphThrottleError, GraphTransientError
from agency.models import Client, Membership
from agency.roles import Capability
from agency.services import audit_record
from agency.tenancy import agency_scope
from agency.validation import model_max_length

STATE_LIFETIME = timedelta(minutes=15)
ONBOARDING_LINK_LIFETIME = timedelta(days=7)


class OAuthFlowError(ServiceError):
    """The dialog round trip cannot complete; the message says why, for the person."""

    code = "oauth_failed"


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def dialog_url(*, state: str, redirect_uri: str, scopes: list[str], rerequest: bool) -> str:
    params = {
        "client_id": settings.META_APP_ID,
        "redirect_uri": redirect_uri,
        "state": state,
        "scope": ",".join(scopes),
        "response_type": "code",
    }
    if rerequest:
        params["auth_type"] = "rerequest"  # ask again for permissions the user declined
    base = settings.META_OAUTH_DIALOG_BASE_URL.rstrip("/")
    return f"{base}/{settings.GRAPH_API_VERSION}/dialog/oauth?{urlencode(params)}"


def oauth_start(
    *,
    agency_id: int,
    session_key: str,
    redirect_uri: str,
    purpose: str = OAuthPurpose.CONNECT,
    user=None,
    onboarding_link: ClientOnboardingLink | None = None,
    reconnect: MetaConnection | None = None,
    rerequest: bool = False,
) -> str:
    """Record a fresh state and return the dialog URL to send the browser to."""
    raw = secrets.token_urlsafe(32)
    scopes = list(settings.META_REQUIRED_SCOPES)
    with agency_scope(agency_id):
        OAuthState.objects.create(
            agency_id=agency_id,
            state_hash=_sha(raw),
            purpose=purpose,
            session_key_hash=_sha(session_key),
            user=user if getattr(user, "is_authenticated", False) else None,
            onboarding_link=onboarding_link,
            reconnect=reconnect,
            requested_scopes=scopes,
            expires_at=timezone.now() + STATE_LIFETIME,
        )
    return dialog_url(state=raw, redirect_uri=redirect_uri, scopes=scopes,
                      rerequest=rerequest or reconnect is not None)


def _consume_state(*, state: str, session_key: str) -> OAuthState:
    """The state's record, marked used. Missing, reused, foreign or expired states are refused."""
    if not state:
        raise OAuthFlowError("The answer from Meta had no state: start connecting again.")
    with transaction.atomic():
        # Crosses tenants on purpose: the state itself tells which agency the trip belongs to.
        record = (
            OAuthState.objects.unscoped().select_for_update()
            .filter(state_hash=_sha(state)).first()
        )
        if record is None:
            raise OAuthFlowError("This answer from Meta does not match a connection you started.")
        if record.used_at is not None:
            raise OAuthFlowError("This answer from Meta was already used: start connecting again.")
        if not secrets.compare_digest(record.session_key_hash, _sha(session_key or "")):
            raise OAuthFlowError("This answer from Meta belongs to another browser session.")
        if record.expires_at <= timezone.now():
            raise OAuthFlowError("The connection attempt expired: start connecting again.")
        record.used_at = timezone.now()
        OAuthState.objects.unscoped().filter(pk=record.pk).update(used_at=record.used_at)
    return record


@dataclass(frozen=True)
class OAuthOutcome:
    connection: MetaConnection
    missing_scopes: list[str]
    purpose: str
    # A reconnect that came back as another Meta user: a new connection, the old one untouched.
    other_meta_user: bool = False


def _check_starter_still_allowed(*, record: OAuthState) -> None:
    """The person who started connecting may have lost the right meanwhile (role lowered, removed
    from the agency): checked again when Meta sends them back, before anything is stored."""
    membership = (
        Membership.objects.unscoped()
        .filter(agency_id=record.agency_id, user_id=record.user_id).first()
        if record.user_id else None
    )
    if membership is None or not membership.can(Capability.MANAGE_CONNECTIONS):
        raise OAuthFlowError(
            "You can no longer connect Meta for this agency (your role changed or you were "
            "removed). Nothing was connected."
        )


def _check_link_still_open(*, record: OAuthState) -> None:
    """An onboarding link is single-use and expires: checked again at the callback, since the
    dialog may have been opened from it before it was used or before it expired."""
    link = (
        ClientOnboardingLink.objects.unscoped().filter(pk=record.onboarding_link_id).first()
        if record.onboarding_link_id else None
    )
    if link is None:
        raise OAuthFlowError("This link is not valid.")
    if link.used_at is not None:
        raise OAuthFlowError("This link was already used. Ask the agency for a new one.")
    if link.expires_at <= timezone.now():
        raise OAuthFlowError("This link has expired. Ask the agency for a new one.")


def _claim_link(*, record: OAuthState) -> ClientOnboardingLink:
    """Mark the link used, once: of two trips through one link, only the first one connects."""
    now = timezone.now()
    claimed = ClientOnboardingLink.objects.unscoped().filter(
        pk=record.onboarding_link_id, used_at__isnull=True, expires_at__gt=now,
    ).update(used_at=now)
    if not claimed:
        raise OAuthFlowError("This link was already used or has expired. Ask the agency for a "
                             "new one.")
    return ClientOnboardingLink.objects.unscoped().select_related("client").get(
        pk=record.onboarding_link_id)


def oauth_complete(
    *, state: str, session_key: str, redirect_uri: str, code: str = "", error: str = "",
    error_reason: str = "", user=None,
) -> OAuthOutcome:
    """The callback: check the state, exchange the code, go long-lived, inspect, store."""
    record = _consume_state(state=state, session_key=session_key)
    if record.user_id and (user is None or user.pk != record.user_id):
        raise OAuthFlowError("This connection was started by someone else.")
    if record.purpose == OAuthPurpose.CLIENT_ONBOARDING:
        _check_link_still_open(record=record)
    else:
        _check_starter_still_allowed(record=record)
    if error:
        audit_record(agency=record.agency_id, actor=user, verb="connection.declined",
                     data={"reason": error_reason or error})
        raise OAuthFlowError(
            "Meta access was not granted (you declined the dialog). Nothing was connected; you "
            "can try again at any time."
        )
    if not code:
        raise OAuthFlowError("Meta answered without a code: start connecting again.")
    try:
        with app_graph() as client:
            short = client.get("oauth/access_token", params={
                "client_id": settings.META_APP_ID, "client_secret": settings.META_APP_SECRET,
                "redirect_uri": redirect_uri, "code": code,
            })
            long = client.get("oauth/access_token", params={
                "grant_type": "fb_exchange_token", "client_id": settings.META_APP_ID,
                "client_secret": settings.META_APP_SECRET,
                "fb_exchange_token": short["access_token"],
            })
        token = long["access_token"]
        info = token_inspect(token=token)
    except GraphError as exc:
        raise OAuthFlowError(
            f"Meta refused the connection: {exc.user_msg or exc.message}"
        ) from None
    if not info.is_valid:
        raise OAuthFlowError("Meta gave a token that is not valid: start connecting again.")
    if record.purpose == OAuthPurpose.CLIENT_ONBOARDING:
        link = _claim_link(record=record)
        connection = connection_store(
            agency_id=record.agency_id, token=token, info=info, kind=ConnectionKind.CLIENT,
            actor=None, client=link.client,
        )
        ClientOnboardingLink.objects.unscoped().filter(pk=link.pk).update(connection=connection)
        return OAuthOutcome(connection=connection, missing_scopes=info.missing_scopes,
                            purpose=record.purpose)
    existing, other_meta_user = record.reconnect, False
    if (existing is not None and existing.meta_user_id and info.user_id
            and existing.meta_user_id != info.user_id):
        # Reconnecting came back as a different Meta user: never swap the token under the old
        # connection (its ad accounts belong to the other user); this user gets its own.
        existing, other_meta_user = None, True
    connection = connection_store(
        agency_id=record.agency_id, token=token, info=info, kind=ConnectionKind.USER,
        actor=user, existing=existing,
    )
    return OAuthOutcome(connection=connection, missing_scopes=info.missing_scopes,
                        purpose=record.purpose, other_meta_user=other_meta_user)


def _meta_user_name(token: str) -> str:
    from agency.graph.factory import graph_client

    try:
        with graph_client(access_token=lambda: token) as client:
            return str(client.get("me", fields="name").get("name", ""))
    except GraphError:
        return ""


def connection_store(
    *, agency_id: int, token: str, info: TokenInfo, kind: str, actor, client: Client | None = None,
    existing: MetaConnection | None = None, label: str = "",
) -> MetaConnection:
    """Create or refresh the agency's connection for this Meta user; reconnecting restores it."""
    fields = {
        "access_token": SealedSecret.seal(token),
        "token_fingerprint": fingerprint(token),
        "meta_app_id": info.app_id,
        "scopes": info.scopes,
        "granular_scopes": info.granular_scopes,
        "expires_at": info.expires_at,
        "data_access_expires_at": info.data_access_expires_at,
        "status": status_for_token_info(info),
        "status_changed_at": timezone.now(),
        "last_checked_at": timezone.now(),
        "last_error": "",
    }
    name = _meta_user_name(token)
    with transaction.atomic(), agency_scope(agency_id):
        connection = existing
        if connection is None and info.user_id:
            connection = MetaConnection.objects.filter(
                kind=kind, meta_user_id=info.user_id
            ).first()
        created = connection is None
        if created:
            connection = MetaConnection(
                agency_id=agency_id, kind=kind, meta_user_id=info.user_id,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        was_usable = not created and connection.is_usable
        for key, value in fields.items():
            setattr(connection, key, value)
        connection.meta_user_name = (name or connection.meta_user_name)[
            :model_max_length(MetaConnection, "meta_user_name")]
        connection.label = label or connection.label
        if client is not None:
            connection.client = client
        connection.save()
        audit_record(
            agency=agency_id, actor=actor,
            verb="connection.create" if created else "connection.reconnect", target=connection,
            data={"kind": kind, "scopes": info.scopes, "fingerprint": connection.token_fingerprint},
        )
        if not created and not was_usable and connection.is_usable:
            connection_on_usable_again(connection=connection, actor=actor)
    return connection


def system_user_token_add(*, membership: Membership, token: str, label: str = "") -> MetaConnection:
    """An admin pastes a system-user token once; it is verified, stored sealed, never shown."""
    if not membership.can(Capability.MANAGE_CONNECTIONS):
        raise PermissionDeniedError("Only owners and admins add system-user tokens.")
    token = token.strip()
    if not token:
        raise ServiceError("Paste the token.", field="token")
    if len(token) > TOKEN_MAX_LENGTH:
        raise ServiceError("This is too long to be a Meta token.", field="token")
    try:
        info = token_inspect(token=token)
    except (GraphTransientError, GraphThrottleError):
        raise  # Meta down or busy: "try again in a minute" (agency.failures), not "bad token"
    except GraphError as exc:
        raise ServiceError(f"Meta could not check this token: {exc.message}",
                           field="token") from None
    if not info.is_valid:
        raise ServiceError(
            f"Meta says this token is not valid ({info.error_message or 'no reason given'}).",
            field="token",
        )
    if info.app_id and info.app_id != str(settings.META_APP_ID):
        raise ServiceError("This token belongs to another Meta app.", field="token")
    return connection_store(
        agency_id=membership.agency_id, token=token, info=info, kind=ConnectionKind.SYSTEM_USER,
        actor=membership.user, label=label,
    )


@dataclass(frozen=True)
class IssuedOnboardingLink:
    link: ClientOnboardingLink
    token: str  # shown once, in the link; only its hash is stored


def onboarding_link_create(
    *, membership: Membership, client: Client, email: str = "", url_builder=None
) -> IssuedOnboardingLink:
    if not membership.can(Capability.MANAGE_CONNECTIONS):
        raise PermissionDeniedError("Only owners and admins send onboarding links.")
    if client.agency_id != membership.agency_id:
        raise PermissionDeniedError("That client is not yours.")
    raw = secrets.token_urlsafe(32)
    with transaction.atomic(), agency_scope(membership.agency_id):
        link = ClientOnboardingLink.objects.create(
            agency_id=membership.agency_id, client=client, token_hash=_sha(raw),
            email=email.strip().lower(), created_by=membership.user,
            expires_at=timezone.now() + ONBOARDING_LINK_LIFETIME,
        )
        audit_record(agency=membership.agency_id, actor=membership.user,
                     verb="onboarding_link.create", target=link,
                     data={"client": client.pk, "email": link.email})
    if email and url_builder is not None:
        url = url_builder(raw)
        agency_name = membership.agency.name
        transaction.on_commit(lambda: send_mail(
            subject=f"{agency_name} asks to manage your Meta ads",
            message=(
                f"{agency_name} would like access to {client.name}'s Meta ad accounts.\n\n"
                f"Open this link and sign in with Facebook to grant it: {url}\n\n"
                "The link works once and expires in 7 days. You never share your password."
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[link.email],
        ))
    return IssuedOnboardingLink(link=link, token=raw)


def onboarding_link_find_open(*, token: str) -> ClientOnboardingLink:
    """The open link behind a token. Crosses tenants: the token names the agency."""
    link = (
        ClientOnboardingLink.objects.unscoped().select_related("agency", "client")
        .filter(token_hash=_sha(token)).first()
    )
    if link is None:
        raise OAuthFlowError("This link is not valid.")
    if link.used_at is not None:
        raise OAuthFlowError("This link was already used. Ask the agency for a new one.")
    if link.expires_at <= timezone.now():
        raise OAuthFlowError("This link has expired. Ask the agency for a new one.")
    return link
