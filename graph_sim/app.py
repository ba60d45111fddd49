"""The Simulator: configuration, state, and the request pipeline that serves every Graph call."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Request, Response

from graph_sim.clock import Clock
from graph_sim.core import auth
from graph_sim.core.calls import CallLog, CallRecord, redact
from graph_sim.core.registry import REGISTRY, Route
from graph_sim.core.request import SimRequest
from graph_sim.core.response import Http500, Outgoing, render_error, render_result
from graph_sim.errors import GraphError, unknown_path
from graph_sim.faults import THROTTLE_BUC_TYPE, Fault, Faults
from graph_sim.ratelimit import Limits, RateLimiter
from graph_sim.state import World, get_attr

log = logging.getLogger("graph_sim")

_VERSION = re.compile(r"^/(v\d+\.\d+)(/.*)?$")
# Paths besides the root where a POST carrying `batch` is a sync batch (core-flows.md §3.3:
# "Examples also post to `/me?batch=` and `/PAGE-ID?batch=`"; only `/me` is served so far).
BATCH_PATHS = ("/me",)


@dataclass
class Timings:
    """Seconds of simulated time for lazy progressions (read on the clock, never slept)."""

    in_process: float = 30.0  # IN_PROCESS → next status after create/edit
    review: float = 60.0  # PENDING_REVIEW → ACTIVE/PAUSED
    video_processing: float = 20.0
    async_job: float = 10.0  # async request sets, async batches, per request
    report_run: float = 20.0  # async insights report runs
    oauth_code_ttl: float = 600.0  # OAuth codes are valid 10 minutes
    short_lived_token: float = 2 * 3600.0  # core-flows.md §1.6 "an hour or two"
    long_lived_token: float = 60 * 86400.0  # "60 days"


@dataclass
class SimConfig:
    app_id: str | None = None  # None: derived from the seed
    app_secret: str | None = None
    app_name: str = "Adwright"
    require_appsecret_proof: bool = False
    default_version: str = "v25.0"
    deprecated_versions: tuple[str, ...] = ()
    timings: Timings = field(default_factory=Timings)
    limits: Limits = field(default_factory=Limits)
    manual_clock: bool = True
    clock_speed: float = 1.0
    clock_start: float | None = None


class GraphRequest(Request):
    """Werkzeug's request without its small-form safety limits: Graph takes base64 images in
    form fields and batches of 50 operations with attached files."""

    max_form_memory_size = None
    max_form_parts = None


class Simulator:
    """A local Graph API. `sim.wsgi_app` serves it; `sim.reset()` rebuilds the seeded world."""

    def __init__(self, seed: int = 0, config: SimConfig | None = None) -> None:
        import graph_sim.core.root  # noqa: F401  (registers `GET /?ids=`)
        from graph_sim.endpoints import load_endpoints

        load_endpoints()
        self.seed = seed
        self.config = config or SimConfig()
        self.clock = Clock(
            manual=self.config.manual_clock,
            speed=self.config.clock_speed,
            start=self.config.clock_start,
        )
        self.lock = threading.RLock()
        self._in_before_call = False  # set while the before-call hooks run (no re-entry)
        self.reset()

    def reset(self, seed: int | None = None) -> None:
        """Fresh world from the seed, no faults, no calls, empty rate-limit buckets."""
        from graph_sim.seed import seed_world

        with self.lock:
            if seed is not None:
                self.seed = seed
            self.clock.reset()
            self.world = World(self.seed)
            self.world.clock = self.clock
            self.world.sim = self
            self.faults = Faults(seed=self.seed)
            self.calls = CallLog()
            self.ratelimit = RateLimiter(self.config.limits)
            self.oauth_codes: dict[str, dict[str, Any]] = {}
            seed_world(self.world, self.world.rng)

    # conveniences for tests --------------------------------------------------------------
    @property
    def app(self):
        return self.world.apps[self.world.demo["app_id"]]

    def mint_token(
        self,
        user_id: str | None = None,
        scopes: tuple[str, ...] | list[str] = ("ads_management", "ads_read", "business_management"),
        *,
        expires_in: float | None = None,
        long_lived: bool = True,
        system_user: bool = False,
    ):
        """A token record for a user (default: the demo user). Long-lived by default; system-user
        tokens never expire."""
        timings = self.config.timings
        with self.lock:
            if system_user:
                user_id = user_id or self.world.demo["system_user_id"]
                lifetime = expires_in
            else:
                user_id = user_id or self.world.demo["user_id"]
                default = timings.long_lived_token if long_lived else timings.short_lived_token
                lifetime = default if expires_in is None else expires_in
            app_id = self.world.demo["app_id"]
            if not system_user:
                self.world.grants.setdefault((app_id, user_id), set()).update(scopes)
            return self.world.mint_token(
                app_id=app_id,
                user_id=user_id,
                scopes=scopes,
                now=self.clock.now(),
                expires_in=lifetime,
                kind="system_user" if system_user else "user",
                long_lived=long_lived or system_user,
            )

    def proof(self, token_value: str) -> str:
        return auth.appsecret_proof(self.app.secret, token_value)

    # the pipeline ---------------------------------------------------------------------------
    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = GraphRequest(environ)
        params: dict[str, str] = dict(request.args.items())
        files: dict[str, FileStorage] = {}
        raw = b""
        if request.method in ("POST", "PUT", "DELETE"):
            ctype = request.mimetype
            if ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
                params.update(request.form.items())
                files = dict(request.files.items())
            else:
                raw = request.get_data()
                if ctype == "application/json" and raw:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        body = None
                    if isinstance(body, dict):
                        for key, value in body.items():
                            params[key] = value if isinstance(value, str) else json.dumps(value)
        headers = {k.lower(): v for k, v in request.headers.items()}
        out = self.handle(
            method=request.method,
            path=request.path,
            params=params,
            files=files,
            headers=headers,
            raw_body=raw,
            base_url=request.host_url.rstrip("/"),
            http=request,
        )
        if out.delay:
            time.sleep(out.delay)
        if out.drop:
            sock = environ.get("werkzeug.socket")
            if isinstance(sock, socket.socket):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            # With the socket shut, the server's write fails and the client sees a dropped
            # connection; without a socket (e.g. a test client) the best we can do is a bare 502.
            out = Outgoing(502, {"content-type": "text/plain"}, b"")
        response = Response(out.body, status=out.status, headers=list(out.headers.items()))
        return response(environ, start_response)

    def handle(
        self,
        *,
        method: str,
        path: str,
        params: dict[str, str],
        files: dict[str, FileStorage] | None = None,
        headers: dict[str, str] | None = None,
        raw_body: bytes = b"",
        base_url: str = "",
        http: Request | None = None,
        batch_depth: int = 0,
    ) -> Outgoing:
        """Run one Graph call through the whole pipeline. The sync batch endpoint calls this for
        each operation (`batch_depth=1`), so operations get auth, limits, faults and logging."""
        headers = headers or {}
        method = method.upper()
        if "?" in path:
            split = urlsplit(path)
            path = split.path
            params = {**dict(parse_qsl(split.query, keep_blank_values=True)), **params}
        if path.startswith("/__sim__/"):
            from graph_sim.core.control import handle_control

            with self.lock:
                return handle_control(self, method, path, params, raw_body, base_url)

        match = _VERSION.match(path)
        version = match.group(1) if match else self.config.default_version
        unversioned = (match.group(2) or "/") if match else (path or "/")
        with self.lock:
            self._run_before_call_hooks()
            req = SimRequest(
                sim=self,
                http=http,
                method=method,
                version=version,
                path=unversioned,
                params=params,
                files=files,
                raw_body=raw_body,
                headers=headers,
            )
            req.base_url = base_url
            req.version_prefix = f"/{match.group(1)}" if match else ""
            req.batch_depth = batch_depth
            record = CallRecord(
                time=self.clock.now(),
                method=method,
                path=unversioned,
                version=version,
                params=redact(params),
                status=200,
                in_batch=batch_depth > 0,
            )
            extra_headers: dict[str, str] = {}
            delay = 0.0
            try:
                result, delay = self._run(req, record, extra_headers)
                out = render_result(req, result, extra_headers)
            except GraphError as err:
                out = render_error(err, extra_headers, version)
                record.error_code, record.error_subcode = err.code, err.subcode
            except _Drop as drop:
                out = Outgoing(0, {}, b"", drop=True)
                record.fault_id = drop.fault.id
                delay = drop.fault.delay
            except Exception:  # a simulator bug: answer like Graph's code 1, keep serving
                log.exception("graph_sim handler crashed on %s %s", method, path)
                crash = GraphError("An unknown error occurred", code=1, http_status=500)
                out = render_error(crash, extra_headers, version)
                record.error_code = 1
            record.status = out.status
            record.account_id = req.account_id
            record.buc = req.buc
            self.calls.append(record)
        out.delay = delay
        return out

    def _run_before_call_hooks(self) -> None:
        """The plug-ins' `@before_call` hooks (CONTRACT.md §6), once per call; not for calls a
        hook itself makes through `handle` (async work dispatching its requests)."""
        if self._in_before_call or not REGISTRY.before_call_hooks:
            return
        self._in_before_call = True
        try:
            for _order, hook in sorted(REGISTRY.before_call_hooks, key=lambda h: h[0]):
                try:
                    hook(self)
                except Exception:  # a plug-in's bug must not take every call down
                    log.exception("graph_sim before-call hook %r failed", hook)
        finally:
            self._in_before_call = False

    def _run(
        self, req: SimRequest, record: CallRecord, extra_headers: dict[str, str]
    ) -> tuple[Any, float]:
        version = req.version
        if version in self.config.deprecated_versions:
            raise GraphError(
                "You are calling a deprecated version of the Ads API. Please update to the "
                "latest version.",
                code=2635,
            )
        route, path_params, allowed = self._match(req.method, self._routing_path(req))
        auth_mode = route.auth if route else "user"
        if auth_mode != "none":
            value = auth.token_from(req.params, req.headers)
            if not value:
                raise auth.missing_token_error()
            req.token = auth.resolve_token(self, value)
            auth.check_appsecret_proof(self, req.token, req.params)

        node_type = edge = None
        obj = None
        if route is not None:
            handler = route.handler
            req.path_params = path_params
            if "account_id" in path_params:
                req.account_id = f"act_{path_params['account_id']}"
            req.buc = route.buc or _default_buc(req.path, req.account_id)
            kinds = [k for k in (route.kind or route.pattern, req.buc) if k]
            call_args: tuple[Any, ...] = ()
            call_kwargs: dict[str, Any] = dict(path_params)
        else:
            try:
                handler, obj, node_type, edge = self._resolve_node(req)
            except GraphError as err:
                # A path some route serves for another method (and no node edge serves for
                # this one): Graph's "Unsupported <method> request".
                if allowed and err.code in (100, 2500) and err.subcode in (None, 33):
                    raise GraphError(
                        f"Unsupported {req.method.lower()} request.",
                        code=100,
                        subcode=33,
                        type="GraphMethodException",
                    ) from None
                raise
            kinds = [k for k in (node_type, edge, req.buc) if k]
            call_args, call_kwargs = (obj,), {}
        record.kind = kinds[0] if kinds else None

        # Rate limits: every call that got past the token counts, even while blocked.
        usage = self.ratelimit.count(
            world=self.world,
            now=self.clock.now(),
            app_id=req.token.app_id if req.token else None,
            user_id=req.user_id,
            account_id=req.account_id[4:] if req.account_id else None,
            buc=req.buc,
            calls=max(1, len(req.list_param("ids") or []) if req.path == "/" else 1),
            tier=self._tier(req.account_id),
        )
        extra_headers.update(usage.headers)
        if usage.error is not None:
            raise usage.error

        fault = self.faults.pick(req.method, req.path, kinds, after_apply=False)
        delay = 0.0
        if fault is not None:
            record.fault_id = fault.id
            delay = self._apply_fault(fault, req, extra_headers)
        result = handler(req, *call_args, **call_kwargs)
        after = self.faults.pick(req.method, req.path, kinds, after_apply=True)
        if after is not None:
            record.fault_id = after.id
            delay += self._apply_fault(after, req, extra_headers)
        return result, delay

    def _apply_fault(self, fault: Fault, req: SimRequest, extra: dict[str, str]) -> float:
        if fault.effect == "delay":
            return fault.delay
        if fault.effect == "drop":
            raise _Drop(fault)
        if fault.effect == "http_500":
            raise Http500()
        err = fault.error()
        if fault.effect == "throttle":
            buc = THROTTLE_BUC_TYPE.get(err.code)
            key = req.account_id[4:] if req.account_id else self.world.demo.get("app_id", "0")
            entry: dict[str, Any] = {
                "type": buc or req.buc or "ads_management",
                "call_count": 100,
                "total_cputime": 100,
                "total_time": 100,
                "estimated_time_to_regain_access": fault.eta_minutes,
            }
            if entry["type"] in ("ads_management", "ads_insights"):
                entry["ads_api_access_tier"] = self._tier(req.account_id)
            if err.code in (4, 17, 32, 613):
                extra["x-app-usage"] = json.dumps(
                    {"call_count": 100, "total_cputime": 100, "total_time": 100}
                )
            extra["x-business-use-case-usage"] = json.dumps({key: [entry]})
        raise err

    def _tier(self, act_id: str | None) -> str:
        account = self.world.ad_account(act_id) if act_id else None
        if account is not None and account.tier:
            return account.tier
        return self.config.limits.tier

    def _routing_path(self, req: SimRequest) -> str:
        """The path to route on: a POST with a non-empty `batch` on one of BATCH_PATHS goes to
        the batch endpoint at `/`; everything else (GET /me, POST /me without `batch`) routes
        as usual. The call is still logged and fault-matched under its own path."""
        if (
            req.method == "POST"
            and req.path.rstrip("/") in BATCH_PATHS
            and req.params.get("batch") not in (None, "")
        ):
            return "/"
        return req.path

    def _match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        allowed = False
        for r in REGISTRY.routes:
            m = r.regex.match(path)
            if not m:
                continue
            if r.method == method:
                return r, m.groupdict(), True
            allowed = True
        return None, {}, allowed

    def _resolve_node(self, req: SimRequest) -> tuple[Any, Any, str, str | None]:
        parts = [p for p in req.path.split("/") if p]
        if not parts or len(parts) > 2:
            raise unknown_path(req.path)
        obj_id = parts[0]
        if obj_id == "me" and req.token is not None and req.token.kind == "page":
            obj_id = req.token.page_id or obj_id
        elif obj_id == "me":
            if req.token is None or req.token.user_id is None:
                raise GraphError(
                    "An active access token must be used to query information about the "
                    "current user.",
                    code=2500,
                )
            obj_id = req.token.user_id
        found = self.world.lookup(obj_id)
        if found is None:
            raise unknown_path(obj_id)
        node_type, obj = found
        handlers = REGISTRY.nodes.get(node_type)
        edge = parts[1] if len(parts) == 2 else None
        handler = None
        buc = None
        if handlers is not None:
            if edge is None:
                handler = {
                    "GET": handlers.reader,
                    "POST": handlers.updater,
                    "DELETE": handlers.deleter,
                }.get(req.method)
                buc = handlers.buc
            else:
                handler = handlers.edges.get((req.method, edge))
                buc = handlers.edge_options.get((req.method, edge), {}).get("buc")
        if handler is None:
            if edge is None:
                raise GraphError(
                    f"Unsupported {req.method.lower()} request. Object with ID '{obj_id}' does "
                    "not exist, cannot be loaded due to missing permissions, or does not support "
                    "this operation.",
                    code=100,
                    subcode=33,
                    type="GraphMethodException",
                )
            raise GraphError(f"Unknown path components: /{edge}", code=2500)
        account_id = get_attr(obj, "account_id") if node_type != "adaccount" else obj.account_id
        req.buc = buc or _default_buc(
            req.path, f"act_{account_id}" if account_id else None, edge=edge
        )
        if account_id:
            # Objects inside an ad account: the caller must have access to it, and the scope for
            # this method (core-flows.md §8 items 3 and 6). Insights, even POSTed async report
            # runs, are reads: `ads_read` is enough (core-flows.md §1.4).
            req.account(str(account_id), write=False if req.buc == "ads_insights" else None)
        return handler, obj, node_type, edge


class _Drop(Exception):
    def __init__(self, fault: Fault) -> None:
        super().__init__("drop")
        self.fault = fault


def _default_buc(path: str, account_id: str | None, edge: str | None = None) -> str | None:
    """Which business use case a call belongs to when its handler does not say."""
    if edge == "insights" or path.endswith("/insights") or "/insights/" in path:
        return "ads_insights"
    if "customaudiences" in path:
        return "custom_audience"
    return "ads_management" if account_id else None
