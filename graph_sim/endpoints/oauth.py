"""OAuth: the consent dialog, code and long-lived token exchange, debug_token, permissions."""

from __future__ import annotations

import html
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from graph_sim.core import GraphError, SimRequest, SimResponse, node_edge, route
from graph_sim.core.auth import resolve_token, token_state_error
from graph_sim.errors import missing_parameter
from graph_sim.state import Token, User

if TYPE_CHECKING:
    from graph_sim.app import Simulator

KNOWN_PERMISSIONS = (
    "ads_management",
    "ads_read",
    "business_management",
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_ads",
    "instagram_basic",
    "read_insights",
    "public_profile",
    "email",
)


# --- the dialog ---------------------------------------------------------------------------
def _scopes(raw: str | None) -> list[str]:
    if not raw:
        return []
    parts = raw.replace(" ", ",").split(",")
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


def _check_dialog_params(sim: Simulator, params: dict[str, str]) -> str | None:
    """An error text for a dialog the user cannot even see (bad app, no redirect), or None."""
    if params.get("client_id") not in sim.world.apps:
        return "Invalid App ID: The provided app ID does not look like a valid app ID."
    if not params.get("redirect_uri"):
        return "The redirect_uri parameter is required."
    scopes = _scopes(params.get("scope"))
    unknown = [s for s in scopes if s not in KNOWN_PERMISSIONS]
    if unknown:
        return f"Invalid Scopes: {', '.join(unknown)}."
    return None


def _redirect(uri: str, values: dict[str, str], *, fragment: bool = False) -> str:
    query = urlencode({k: v for k, v in values.items() if v is not None})
    if fragment:
        return f"{uri}#{query}"
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


def dialog_decision(
    sim: Simulator, params: dict[str, str], *, approve: bool, granted: list[str] | None = None
) -> str:
    """Where the browser goes after Approve / Decline (core-flows.md §1.5).

    Approve → `redirect_uri?code=...&state=...` (or `#access_token=...` for
    `response_type=token`); Decline → `error=access_denied&error_code=200&...&state=...`.
    `granted` (or the `grant` parameter, a comma list) is the subset of `scope` the user kept;
    by default everything asked for.
    """
    problem = _check_dialog_params(sim, params)
    if problem:
        raise ValueError(problem)
    redirect_uri = params["redirect_uri"]
    state = params.get("state")
    if not approve:
        return _redirect(
            redirect_uri,
            {
                "error": "access_denied",
                "error_code": "200",
                "error_description": "Permissions error",
                "error_reason": "user_denied",
                "state": state,
            },
        )
    requested = _scopes(params.get("scope")) or ["public_profile"]
    if granted is None:
        granted = _scopes(params["grant"]) if "grant" in params else requested
    granted = [s for s in granted if s in requested]
    user_id = params.get("user_id") or sim.world.demo["user_id"]
    if user_id not in sim.world.users:
        raise ValueError(f"unknown user {user_id}")
    app_id = params["client_id"]
    grant = sim.world.grants.setdefault((app_id, user_id), set())
    grant.update(granted)
    if params.get("response_type") == "token":
        token = sim.world.mint_token(
            app_id=app_id,
            user_id=user_id,
            scopes=granted,
            now=sim.clock.now(),
            expires_in=sim.config.timings.short_lived_token,
        )
        return _redirect(
            redirect_uri,
            {
                "access_token": token.value,
                "expires_in": str(int(sim.config.timings.short_lived_token)),
                "state": state,
            },
            fragment=True,
        )
    code = "AQ" + secrets.token_urlsafe(48)
    sim.oauth_codes[code] = {
        "client_id": app_id,
        "redirect_uri": redirect_uri,
        "user_id": user_id,
        "scopes": granted,
        "created": sim.clock.now(),
        "used": False,
    }
    values = {"code": code, "state": state}
    if params.get("return_scopes") == "true":
        # Graph's `return_scopes=true`: tell the app what the user kept and dropped.
        values["granted_scopes"] = ",".join(granted)
        values["denied_scopes"] = ",".join(s for s in requested if s not in granted)
    return _redirect(redirect_uri, values)


def _html(text: str) -> str:
    return html.escape(text, quote=True)


@route("GET", "/dialog/oauth", auth="none", kind="oauth_dialog")
def dialog_page(req: SimRequest) -> SimResponse:
    """The consent page: the demo user (no password) sees the app, one checkbox per permission,
    Approve and Decline. The form posts back to the same path."""
    problem = _check_dialog_params(req.sim, req.params)
    if problem:
        body = f"<!doctype html><title>Error</title><p>{_html(problem)}</p>"
        return SimResponse(body, status=400, content_type="text/html; charset=utf-8")
    app = req.world.apps[req.params["client_id"]]
    user_id = req.params.get("user_id") or req.world.demo["user_id"]
    user = req.world.users.get(user_id) or req.world.users[req.world.demo["user_id"]]
    scopes = _scopes(req.params.get("scope")) or ["public_profile"]
    hidden = "".join(
        f'<input type="hidden" name="{_html(k)}" value="{_html(req.params[k])}">'
        for k in ("client_id", "redirect_uri", "state", "scope", "response_type")
        if k in req.params
    )
    boxes = "".join(
        f'<li><label><input type="checkbox" name="perm_{_html(s)}" value="on" checked> '
        f"{_html(s)}</label></li>"
        for s in scopes
    )
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log in with Facebook</title></head>
<body>
<main>
<h1>{_html(app.name)} is requesting access</h1>
<p>Continue as <strong id="user-name">{_html(user.name)}</strong>?</p>
<form method="post" action="{_html(req.version_prefix)}/dialog/oauth" id="consent">
{hidden}<input type="hidden" name="user_id" value="{_html(user.id)}">
<fieldset><legend>{_html(app.name)} will receive:</legend><ul>{boxes}</ul></fieldset>
<button type="submit" name="decision" value="approve" id="approve">Continue</button>
<button type="submit" name="decision" value="decline" id="decline">Cancel</button>
</form>
</main>
</body></html>"""
    return SimResponse(body, content_type="text/html; charset=utf-8")


@route("POST", "/dialog/oauth", auth="none", kind="oauth_dialog")
def dialog_submit(req: SimRequest) -> SimResponse:
    approve = req.params.get("decision", "decline") == "approve"
    granted = [k[len("perm_") :] for k, v in req.params.items() if k.startswith("perm_") and v]
    try:
        location = dialog_decision(req.sim, req.params, approve=approve, granted=granted)
    except ValueError as exc:
        body = f"<!doctype html><title>Error</title><p>{_html(str(exc))}</p>"
        return SimResponse(body, status=400, content_type="text/html; charset=utf-8")
    return SimResponse(b"", status=302, headers={"location": location}, content_type="text/html")


# --- token endpoints ------------------------------------------------------------------------
def _oauth_error(message: str, *, code: int = 100, subcode: int | None = None) -> GraphError:
    return GraphError(message, code=code, subcode=subcode, type="OAuthException")


def _check_client(req: SimRequest) -> str:
    client_id = req.param("client_id")
    if not client_id:
        raise missing_parameter("client_id")
    app = req.world.apps.get(client_id)
    if app is None:
        raise _oauth_error("Error validating application. Invalid application ID.", code=101)
    secret = req.param("client_secret")
    if not secret:
        raise missing_parameter("client_secret")
    if secret != app.secret:
        # DECISIONS.md "OAuth code exchange errors".
        raise _oauth_error("Error validating client secret.", subcode=36010)
    return client_id


def _token_json(token: Token) -> dict[str, Any]:
    body: dict[str, Any] = {"access_token": token.value, "token_type": "bearer"}
    if token.expires_at is not None:
        body["expires_in"] = int(token.expires_at - token.issued_at)
    return body


@route(["GET", "POST"], "/oauth/access_token", auth="none", kind="oauth_access_token")
def access_token(req: SimRequest) -> dict[str, Any]:
    """Code exchange, long-lived exchange (`grant_type=fb_exchange_token`) and app tokens
    (`grant_type=client_credentials`). core-flows.md §1.5 steps 3 and 5."""
    grant_type = req.param("grant_type")
    timings = req.sim.config.timings
    if grant_type == "client_credentials":
        app_id = _check_client(req)
        return {"access_token": f"{app_id}|{req.world.apps[app_id].secret}", "token_type": "bearer"}
    if grant_type == "fb_exchange_token":
        app_id = _check_client(req)
        short = req.param("fb_exchange_token")
        if not short:
            raise missing_parameter("fb_exchange_token")
        old = resolve_token(req.sim, short)  # 190 when invalid, expired or revoked
        if old.app_id != app_id or old.kind == "app":
            raise _oauth_error(
                "Error validating access token: the token belongs to another app", code=190
            )
        token = req.world.mint_token(
            app_id=app_id,
            user_id=old.user_id,
            scopes=old.scopes,
            now=req.now(),
            expires_in=None if old.kind == "system_user" else timings.long_lived_token,
            kind=old.kind,
            long_lived=True,
        )
        return _token_json(token)
    if grant_type not in (None, "", "authorization_code"):
        raise _oauth_error(f"Unsupported grant_type: {grant_type}")

    for name in ("client_id", "redirect_uri", "client_secret", "code"):
        if not req.param(name):
            raise missing_parameter(name)
    app_id = _check_client(req)
    code = req.param("code")
    entry = req.sim.oauth_codes.get(code)
    if entry is None or entry["client_id"] != app_id:
        raise _oauth_error("Invalid verification code format.", subcode=36007)
    if entry["used"]:
        raise _oauth_error("This authorization code has been used.", subcode=36009)
    if req.now() - entry["created"] > timings.oauth_code_ttl:
        raise _oauth_error("This authorization code has expired.", subcode=36007)
    if req.param("redirect_uri") != entry["redirect_uri"]:
        raise _oauth_error(
            "Error validating verification code. Please make sure your redirect_uri is identical "
            "to the one you used in the OAuth dialog request",
            subcode=36008,
        )
    entry["used"] = True
    token = req.world.mint_token(
        app_id=app_id,
        user_id=entry["user_id"],
        scopes=entry["scopes"],
        now=req.now(),
        expires_in=timings.short_lived_token,
    )
    return _token_json(token)


# --- debug_token ---------------------------------------------------------------------------
def _granular_scopes(req: SimRequest, token: Token) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    world = req.world
    for scope in token.scopes:
        entry: dict[str, Any] = {"scope": scope}
        if scope in ("ads_management", "ads_read") and token.user_id:
            entry["target_ids"] = [a.account_id for a in world.accounts_for_user(token.user_id)]
        elif scope == "business_management" and token.user_id:
            user = world.users.get(token.user_id)
            if user and user.kind == "system_user" and user.business_id:
                entry["target_ids"] = [user.business_id]
            else:
                entry["target_ids"] = list(world.user_businesses.get(token.user_id, []))
        elif scope.startswith("pages_") and token.user_id:
            entry["target_ids"] = list(world.user_pages.get(token.user_id, []))
        out.append(entry)
    return out


@route("GET", "/debug_token", kind="debug_token")
def debug_token(req: SimRequest) -> dict[str, Any]:
    """`GET /debug_token?input_token=` with an app token or a token of the same app
    (core-flows.md §1.5 step 4, NOT IN SEEDS; shape in DECISIONS.md)."""
    caller = req.token
    assert caller is not None
    raw = req.param("input_token")
    if not raw:
        raise missing_parameter("input_token")
    world = req.world
    app = world.apps[caller.app_id]
    if "|" in raw:
        app_id = raw.partition("|")[0]
        valid = app_id in world.apps and world.apps[app_id].secret == raw.partition("|")[2]
        data: dict[str, Any] = {
            "app_id": app_id,
            "type": "APP",
            "application": world.apps[app_id].name if app_id in world.apps else "",
            "is_valid": valid,
            "scopes": [],
        }
        if not valid:
            data["error"] = {"code": 190, "message": "Invalid OAuth access token."}
        return {"data": data}
    token = world.tokens.get(raw)
    if token is None:
        return {
            "data": {
                "error": {
                    "code": 190,
                    "message": "Invalid OAuth access token - Cannot parse access token",
                },
                "is_valid": False,
                "scopes": [],
            }
        }
    if token.app_id != app.id:
        raise GraphError(
            "You must provide an app access token, or a user access token that is an "
            "owner or developer of the app",
            code=100,
        )
    data = {
        "app_id": token.app_id,
        "type": "SYSTEM_USER" if token.kind == "system_user" else token.kind.upper(),
        "profile_id": token.page_id,
        "application": world.apps[token.app_id].name,
        "data_access_expires_at": int(token.data_access_expires_at or 0),
        "expires_at": int(token.expires_at) if token.expires_at is not None else 0,
        "is_valid": True,
        "issued_at": int(token.issued_at),
        "scopes": list(token.scopes),
        "granular_scopes": _granular_scopes(req, token),
        "user_id": token.user_id,
    }
    if token.kind != "user":
        data.pop("data_access_expires_at")
    if token.page_id is None:
        data.pop("profile_id")
    error = token_state_error(req.sim, token)
    if error is not None:
        data["is_valid"] = False
        data["error"] = {"code": error.code, "message": error.message, "subcode": error.subcode}
    return {"data": data}


# --- permissions ----------------------------------------------------------------------------
def _self_only(req: SimRequest, user: User) -> Token:
    token = req.token
    if token is None or token.user_id != user.id:
        raise GraphError("Permissions error", code=200, http_status=403)
    return token


@node_edge("user", "permissions", methods=["GET"])
def list_permissions(req: SimRequest, user: User) -> dict[str, Any]:
    token = _self_only(req, user)
    granted = req.world.grants.get((token.app_id, user.id), set(token.scopes))
    data = [{"permission": p, "status": "granted"} for p in token.scopes if p in granted]
    return {"data": data}


@node_edge("user", "permissions", methods=["DELETE"])
def revoke_all(req: SimRequest, user: User) -> dict[str, Any]:
    """The user removes the app: every token of this user for this app stops working
    (190/460, DECISIONS.md "Revoked tokens")."""
    token = _self_only(req, user)
    req.world.grants.pop((token.app_id, user.id), None)
    for other in req.world.tokens_of(user_id=user.id, app_id=token.app_id):
        other.invalidated = "revoked"
    return {"success": True}


@route("DELETE", "/<user_id>/permissions/<permission>", kind="permissions")
def revoke_one(req: SimRequest, user_id: str, permission: str) -> dict[str, Any]:
    """Drop one permission: the tokens stay valid without that scope."""
    token = req.token
    assert token is not None
    if user_id == "me":
        user_id = token.user_id or ""
    user = req.world.users.get(user_id)
    if user is None:
        raise GraphError(
            f"Unsupported delete request. Object with ID '{user_id}' does not exist",
            code=100,
            subcode=33,
            type="GraphMethodException",
        )
    _self_only(req, user)
    grant = req.world.grants.get((token.app_id, user.id))
    if grant is not None:
        grant.discard(permission)
    for other in req.world.tokens_of(user_id=user.id, app_id=token.app_id):
        if permission in other.scopes:
            other.scopes.remove(permission)
    return {"success": True}
