"""The control API under /__sim__/ for tests and demos that run the simulator in another process."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from graph_sim.faults import EFFECTS
from graph_sim.state import get_attr

if TYPE_CHECKING:
    from graph_sim.app import Simulator
    from graph_sim.core.response import Outgoing

_FAULT_INT = ("times", "every", "code", "subcode", "http_status", "eta_minutes")
_FAULT_FLOAT = ("rate", "delay")


def handle_control(
    sim: Simulator, method: str, path: str, params: dict[str, str], raw_body: bytes, base_url: str
) -> Outgoing:
    from graph_sim.core.response import Outgoing

    try:
        status, body, headers = _dispatch(sim, method, path.rstrip("/"), params)
    except (ValueError, KeyError, TypeError) as exc:
        status, body, headers = 400, {"error": f"{type(exc).__name__}: {exc}"}, {}
    if status in (301, 302, 303):
        return Outgoing(status, {"location": body, **headers}, b"")
    data = json.dumps(body, default=_jsonable, separators=(",", ":")).encode()
    return Outgoing(status, {"content-type": "application/json", **headers}, data)


def _dispatch(
    sim: Simulator, method: str, path: str, params: dict[str, str]
) -> tuple[int, Any, dict[str, str]]:
    world = sim.world
    if path == "/__sim__/reset" and method == "POST":
        seed = params.get("seed")
        sim.reset(int(seed) if seed not in (None, "") else None)
        return 200, {"success": True, "seed": sim.seed, "demo": world_demo(sim)}, {}
    if path == "/__sim__/world" and method == "GET":
        return 200, world_demo(sim), {}
    if path == "/__sim__/tokens" and method == "POST":
        token = sim.mint_token(
            params.get("user_id") or None,
            _list(params.get("scopes")) or ["ads_management", "ads_read", "business_management"],
            expires_in=float(params["expires_in"]) if params.get("expires_in") else None,
            long_lived=_bool(params.get("long_lived"), True),
            system_user=_bool(params.get("system_user"), False),
        )
        return 200, token_json(sim, token), {}
    if path in ("/__sim__/tokens/expire", "/__sim__/tokens/revoke") and method == "POST":
        token = world.tokens[params["access_token"]]
        if path.endswith("expire"):
            token.expires_at = sim.clock.now()
        else:
            reason = params.get("reason", "revoked")
            if reason not in ("revoked", "password_changed"):
                raise ValueError("reason is revoked or password_changed")
            token.invalidated = reason
        return 200, token_json(sim, token), {}
    if path == "/__sim__/faults":
        if method == "GET":
            return 200, {"data": [f.as_json() for f in sim.faults.plans]}, {}
        if method == "DELETE":
            sim.faults.clear()
            return 200, {"success": True}, {}
        if method == "POST":
            options: dict[str, Any] = {}
            for key, value in params.items():
                if key == "effect" or value in (None, ""):
                    continue
                if key in _FAULT_INT:
                    options[key] = int(value)
                elif key in _FAULT_FLOAT:
                    options[key] = float(value)
                elif key == "after_apply":
                    options[key] = _bool(value, False)
                elif key in ("method", "path", "kind", "message"):
                    options[key] = value
                else:
                    raise ValueError(f"unknown fault option {key}")
            effect = params.get("effect", "transient")
            if effect not in EFFECTS:
                raise ValueError(f"effect must be one of {EFFECTS}")
            return 200, sim.faults.add(effect, **options).as_json(), {}
    if path == "/__sim__/clock" and method == "GET":
        return 200, {"now": sim.clock.now(), "iso": sim.clock.iso()}, {}
    if path == "/__sim__/clock/advance" and method == "POST":
        sim.clock.advance(float(params.get("seconds", "0")))
        return 200, {"now": sim.clock.now(), "iso": sim.clock.iso()}, {}
    if path == "/__sim__/calls":
        if method == "GET":
            return 200, {"data": [c.as_json() for c in sim.calls]}, {}
        if method == "DELETE":
            sim.calls.clear()
            return 200, {"success": True}, {}
    if path == "/__sim__/objects" and method == "GET":
        wanted = params.get("node_type")
        data = [
            {"id": oid, "node_type": kind, "object": obj}
            for oid, kind, obj in world.iter_objects()
            if wanted in (None, "", kind)
        ]
        return 200, {"data": data}, {}
    if path in ("/__sim__/dialog/approve", "/__sim__/dialog/decline") and method in ("GET", "POST"):
        from graph_sim.endpoints.oauth import dialog_decision

        location = dialog_decision(sim, params, approve=path.endswith("approve"))
        return 302, location, {}
    from graph_sim.core.registry import REGISTRY

    plugin = REGISTRY.controls.get((method, path))
    if plugin is not None:
        return 200, plugin(sim, params), {}
    return 404, {"error": f"no control endpoint {method} {path}"}, {}


def world_demo(sim: Simulator) -> dict[str, Any]:
    return dict(sim.world.demo)


def token_json(sim: Simulator, token: Any) -> dict[str, Any]:
    return {
        "access_token": token.value,
        "appsecret_proof": sim.proof(token.value),
        "user_id": token.user_id,
        "app_id": token.app_id,
        "type": token.kind,
        "scopes": list(token.scopes),
        "issued_at": int(token.issued_at),
        "expires_at": int(token.expires_at) if token.expires_at else 0,
        "invalidated": token.invalidated,
    }


def _list(raw: str | None) -> list[str]:
    if not raw:
        return []
    raw = raw.strip()
    if raw.startswith("["):
        return [str(x) for x in json.loads(raw)]
    return [p.strip() for p in raw.split(",") if p.strip()]


def _bool(raw: str | None, default: bool) -> bool:
    if raw is None or raw == "":
        return default
    return str(raw).strip().lower() in ("1", "true", "yes", "on")


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, set):
        return sorted(value)
    to_graph = get_attr(value, "to_graph")
    if callable(to_graph):
        return to_graph()
    return str(value)
