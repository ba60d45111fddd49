"""Who is calling: the access token (query, form or Authorization header), appsecret_proof."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from graph_sim.errors import GraphError
from graph_sim.state import Token

if TYPE_CHECKING:
    from graph_sim.app import Simulator


def appsecret_proof(app_secret: str, access_token: str) -> str:
    """reference.md §5.1: lowercase hex HMAC-SHA256 keyed with the app secret."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def token_from(params: dict[str, str], headers: dict[str, str]) -> str | None:
    """The token from `access_token` (query or form) or `Authorization: OAuth|Bearer <token>`."""
    if params.get("access_token"):
        return params["access_token"]
    auth = headers.get("authorization") or headers.get("Authorization") or ""
    scheme, _, value = auth.strip().partition(" ")
    if scheme.lower() in ("oauth", "bearer") and value.strip():
        return value.strip()
    return None


def missing_token_error() -> GraphError:
    # DECISIONS.md "Missing token": real Graph's code 104, although seed [003] names 104
    # "Incorrect signature".
    return GraphError("An access token is required to request this resource.", code=104)


def invalid_token_error() -> GraphError:
    return GraphError("Invalid OAuth access token - Cannot parse access token", code=190)


def token_state_error(sim: Simulator, token: Token) -> GraphError | None:
    """The 190 error for an unusable token record, or None while it is valid."""
    now = sim.clock.now()
    if token.invalidated == "password_changed":
        return GraphError(
            "Error validating access token: The session has been invalidated because the user "
            "changed their password or Facebook has changed the session for security reasons.",
            code=190,
            subcode=460,
        )
    if token.invalidated:
        return GraphError(
            "Error validating access token: The user has not authorized application "
            f"{token.app_id}.",
            code=190,
            subcode=460,
        )
    if token.is_expired(now):
        return GraphError(
            f"Error validating access token: Session has expired on "
            f"{sim.clock.iso(token.expires_at)}. The current time is {sim.clock.iso(now)}.",
            code=190,
            subcode=463,
        )
    return None


def resolve_token(sim: Simulator, value: str) -> Token:
    """A usable Token for `value` (an app token `app_id|app_secret` included) or a 190 error."""
    world = sim.world
    if "|" in value:
        app_id, _, secret = value.partition("|")
        app = world.apps.get(app_id)
        if app is None or not hmac.compare_digest(app.secret, secret):
            raise invalid_token_error()
        return Token(
            value=value,
            kind="app",
            app_id=app_id,
            user_id=None,
            scopes=[],
            issued_at=0,
            expires_at=None,
        )
    token = world.tokens.get(value)
    if token is None:
        raise invalid_token_error()
    error = token_state_error(sim, token)
    if error is not None:
        raise error
    return token


def check_appsecret_proof(sim: Simulator, token: Token, params: dict[str, str]) -> None:
    """reference.md §10 item 2: with "Require App Secret" on, a missing or wrong proof fails.
    A proof that is sent is always checked. Codes: DECISIONS.md "appsecret_proof"."""
    if token.kind == "app":
        return  # an app token already carries the secret
    app = sim.world.apps.get(token.app_id)
    if app is None:
        return
    proof = params.get("appsecret_proof")
    required = sim.config.require_appsecret_proof or app.require_appsecret_proof
    if not proof:
        if required:
            raise GraphError(
                "API calls from the server require an appsecret_proof argument", code=100
            )
        return
    expected = appsecret_proof(app.secret, token.value)
    if not hmac.compare_digest(expected, proof.strip().lower()):
        raise GraphError("Invalid appsecret_proof provided in the API argument", code=100)
