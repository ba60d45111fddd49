"""GraphClient: the one door to Meta's Graph API. One token, one API version, one app secret.

Every call: `appsecret_proof`, the shared throttle (wait before, usage figures after), a timeout,
typed errors, retries through tenacity for transient and throttling errors only, and one log
line (method, path, status, duration, usage, fbtrace_id; never the token).

Writes are retried only when that cannot make a second object:
- reads, deletes and writes marked `idempotent=True` (updates that set values, image uploads
  that Graph keys by content hash) are retried on any transient or throttling error;
- other writes are retried only when Graph is known not to have acted (throttled, connection
  never made), unless a `DuplicateGuard` is given: then, after an unknown outcome (timeout,
  dropped connection, 5xx, is_transient), the guard looks for the earlier result first and
  returns it instead of posting again (see guard.py).

Once a write's outcome is unknown, whatever fails afterwards in the same call (the guard's
lookup throttled past `max_wait`, refused by our own throttle gate, failing on every retry; a
re-post refused) ends as `GraphOutcomeUnknownError` — never as an error that reads "not
applied". That error is not a `GraphTransientError`: retrying the raw POST could duplicate the
object. Exactly-once across processes is `agency.writes.graph_create_once` (a ledger row
committed before the POST, reconciled by any later attempt).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from agency.graph.cache import CachedResponse, ETagCache, cache_key
from agency.graph.errors import (
    GraphAuthError,
    GraphConnectionError,
    GraphError,
    GraphOutcomeUnknownError,
    GraphThrottleError,
    GraphTransientError,
    GraphValidationError,
    error_from_body,
)
from agency.graph.throttle import (
    CallScope,
    Throttle,
    UsageFigures,
    account_key,
    parse_usage,
    retry_after_from,
)

if TYPE_CHECKING:
    from agency.graph.batch import BatchRequest, BatchResult
    from agency.graph.guard import DuplicateGuard

log = logging.getLogger("agency.graph")

DEFAULT_VERSION = "v25.0"
DEFAULT_BASE_URL = "https://graph.facebook.com"
_ACT = re.compile(r"(?:^|/)act_(\d+)")


def appsecret_proof(app_secret: str, access_token: str) -> str:
    """reference.md §5.1: lowercase hex HMAC-SHA256 of the token, keyed with the app secret."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def default_buc(path: str, account: str | None) -> str | None:
    """The business use case a call counts against (core-flows.md §6.1-6.3)."""
    if "/insights" in path or path.endswith("insights"):
        return "ads_insights"
    if "customaudiences" in path:
        return "custom_audience"
    return "ads_management" if account else None


@dataclass
class RetryPolicy:
    """How many attempts and how long between them (exponential with jitter; throttling
    errors wait as the throttle says instead)."""

    max_attempts: int = 5
    initial_backoff: float = 0.5
    max_backoff: float = 30.0
    jitter: float = 0.5


@dataclass
class GraphResponse:
    """One HTTP answer, parsed."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    usage: UsageFigures = field(default_factory=UsageFigures)
    from_cache: bool = False


def _form_value(value: Any) -> str:
    """Graph takes lists and objects as JSON inside form fields, booleans as true/false."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def encode_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    return {k: _form_value(v) for k, v in (params or {}).items() if v is not None}


class GraphClient:
    """A client for one access token. Build one per connection and call; it is cheap.

    `access_token` may be a callable (e.g. decrypting the stored token): it is called for each
    HTTP call and its result is never kept on the client. `on_auth_error(error)` is called on
    every 190/102 answer before `GraphAuthError` is raised (services mark the connection).
    """

    def __init__(
        self,
        *,
        access_token: str | Callable[[], str],
        app_secret: str,
        app_id: str | None = None,
        version: str = DEFAULT_VERSION,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 30.0,
        throttle: Throttle | None = None,
        retry: RetryPolicy | None = None,
        cache: ETagCache | None = None,
        on_auth_error: Callable[[GraphAuthError], None] | None = None,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not app_secret:
            raise ValueError("GraphClient needs the app secret (appsecret_proof on every call)")
        self._token_source = access_token
        self._app_secret = app_secret
        self.app_id = app_id
        self.version = version
        self.base_url = base_url.rstrip("/")
        self.throttle = throttle or Throttle()
        self.retry = retry or RetryPolicy()
        self.cache = cache
        self.on_auth_error = on_auth_error
        self.sleep = sleep or self.throttle.sleep
        self.clock = clock
        self._own_http = http is None
        self._http = http or httpx.Client(timeout=timeout)
        self._timeout = timeout

    @property
    def timeout(self) -> float:
        """The HTTP timeout (seconds) of each call."""
        return self._timeout

    def __repr__(self) -> str:  # never show the token
        return f"GraphClient(app_id={self.app_id!r}, version={self.version!r})"

    # lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # public calls -----------------------------------------------------------------------------
    def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        fields: str | None = None,
        account_id: str | None = None,
        buc: str | None = None,
        etag: bool = False,
    ) -> Any:
        """A read. `etag=True` revalidates with If-None-Match and serves a 304 from the cache."""
        params = dict(params or {})
        if fields is not None:
            params["fields"] = fields
        return self.request(
            "GET", path, params=params, account_id=account_id, buc=buc, etag=etag
        ).body

    def post(
        self,
        path: str,
        *,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        account_id: str | None = None,
        buc: str | None = None,
        idempotent: bool = False,
    ) -> Any:
        """A write. Only `idempotent=True` writes are retried after an unknown outcome."""
        return self.request(
            "POST",
            path,
            data=data,
            files=files,
            account_id=account_id,
            buc=buc,
            idempotent=idempotent,
        ).body

    def delete(self, path: str, *, account_id: str | None = None) -> Any:
        return self.request("DELETE", path, account_id=account_id).body

    def create(
        self,
        edge: str,
        *,
        data: Mapping[str, Any],
        guard: DuplicateGuard | None,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """Create an object on `edge` (e.g. `act_1/campaigns`) and return `{"id": ...}`.

        `guard` is required on purpose: pass a `DuplicateGuard` (retries after an unknown
        outcome look for the earlier result first) or `None` (such a failure raises
        `GraphOutcomeUnknownError` and the caller reconciles). Either way an outcome that
        stays unknown raises `GraphOutcomeUnknownError`. Services call
        `agency.writes.graph_create_once`, which keeps the idempotency record across retries.
        """
        return self.request("POST", edge, data=data, account_id=account_id, guard=guard).body

    def pages(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        fields: str | None = None,
        limit: int | None = None,
        account_id: str | None = None,
        max_pages: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every page of a cursor-paged edge (paging.py)."""
        from agency.graph.paging import iter_pages

        return iter_pages(
            self,
            path,
            params=params,
            fields=fields,
            limit=limit,
            account_id=account_id,
            max_pages=max_pages,
        )

    def iterate(self, path: str, **kw: Any) -> Iterator[Any]:
        """Every item of a cursor-paged edge, across pages."""
        for page in self.pages(path, **kw):
            yield from page.get("data") or []

    def batch(self, requests: list[BatchRequest]) -> list[BatchResult]:
        """A synchronous batch of at most 50 requests (batch.py)."""
        from agency.graph.batch import run_batch

        return run_batch(self, requests)

    # the pipeline -----------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        account_id: str | None = None,
        buc: str | None = None,
        idempotent: bool | None = None,
        guard: DuplicateGuard | None = None,
        etag: bool = False,
        retry: bool = True,
    ) -> GraphResponse:
        """One logical call, with the retries its kind allows."""
        method = method.upper()
        scope = self.scope_for(path, account_id=account_id, buc=buc)
        if idempotent is None:
            idempotent = method in ("GET", "DELETE")
        # Once a non-idempotent write's outcome is unknown, it stays unknown until a lookup
        # completes: no later failure (a throttled or failed lookup, a refused re-post) may be
        # raised as if nothing had been applied.
        unknown: dict[str, Any] = {"seen": False, "lookup_error": None}

        def attempt() -> GraphResponse:
            if guard is not None and unknown["seen"]:
                unknown["lookup_error"] = None
                try:
                    found = guard.find(self, path, account_id=account_id)
                except GraphError as exc:
                    unknown["lookup_error"] = exc
                    raise
                if found is not None:
                    log.info("graph duplicate guard found the earlier result of POST %s", path)
                    return GraphResponse(status=200, body=found)
            try:
                return self._send(
                    method, path, scope, params=params, data=data, files=files, etag=etag
                )
            except GraphError as exc:
                if exc.applied is None:
                    unknown["seen"] = True
                raise

        def may_retry(exc: BaseException) -> bool:
            if not retry or not isinstance(exc, GraphTransientError | GraphThrottleError):
                return False
            if isinstance(exc, GraphThrottleError):
                if exc.local:
                    return False
                wait = exc.retry_after or self.throttle.policy.default_block
                if wait > self.throttle.policy.max_wait:
                    return False
            return idempotent or guard is not None or exc.applied is False

        retrying = Retrying(
            stop=stop_after_attempt(max(1, self.retry.max_attempts)),
            wait=self._wait,
            retry=retry_if_exception(may_retry),
            sleep=self.sleep,
            reraise=True,
            before_sleep=_log_retry,
        )
        try:
            return retrying(attempt)
        except GraphError as exc:
            if method == "GET" or idempotent:
                raise
            if not unknown["seen"]:
                raise  # every attempt was refused before Graph acted: nothing was applied
            lookup_error = unknown["lookup_error"]
            if guard is not None and lookup_error is None:
                if exc.applied is False:
                    # The last attempt's lookup completed and found nothing, and its re-post
                    # was refused before Graph acted: nothing was applied.
                    raise
                try:  # the retries ran out on an unknown re-post: one last look
                    found = guard.find(self, path, account_id=account_id)
                except GraphError as lookup_exc:
                    lookup_error = lookup_exc
                else:
                    if found is not None:
                        return GraphResponse(status=200, body=found)
            raise _outcome_unknown(method, path, exc, lookup_error) from exc

    def _wait(self, retry_state: Any) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, GraphThrottleError):
            return 0.0  # the throttle's gate waits before the next attempt
        backoff = wait_exponential(
            multiplier=self.retry.initial_backoff, max=self.retry.max_backoff
        ) + wait_random(0, self.retry.jitter)
        return float(backoff(retry_state))

    def scope_for(
        self, path: str, *, account_id: str | None = None, buc: str | None = None
    ) -> CallScope:
        account = account_key(account_id) if account_id else None
        if account is None:
            match = _ACT.search(path)
            account = match.group(1) if match else None
        return CallScope(app_id=self.app_id, account=account, buc=buc or default_buc(path, account))

    def url_for(self, path: str) -> str:
        path = path.strip("/")
        return (
            f"{self.base_url}/{self.version}/{path}" if path else f"{self.base_url}/{self.version}/"
        )

    def _token(self) -> str:
        source = self._token_source
        return source() if callable(source) else source

    def _send(
        self,
        method: str,
        path: str,
        scope: CallScope,
        *,
        params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
        files: Mapping[str, Any] | None,
        etag: bool,
    ) -> GraphResponse:
        """One HTTP call: throttle gate, send, log, observe usage, map errors."""
        self.throttle.wait(scope)
        token = self._token()
        proof = appsecret_proof(self._app_secret, token)
        headers = {"Authorization": f"OAuth {token}", "Accept": "application/json"}
        query = encode_params(params)
        form = encode_params(data)
        cached: CachedResponse | None = None
        key = None
        if method == "GET":
            if etag and self.cache is not None:
                key = cache_key(token, f"{self.version}/{path.strip('/')}", query)
                cached = self.cache.get(key)
                if cached is not None:
                    headers["If-None-Match"] = cached.etag
            query["appsecret_proof"] = proof
        else:
            form["appsecret_proof"] = proof
        url = self.url_for(path)
        started = self.clock()
        try:
            response = self._http.request(
                method,
                url,
                params=query or None,
                data=form if method != "GET" else None,
                files=dict(files) if files else None,
                headers=headers,
            )
        except httpx.InvalidURL as exc:
            # Never sent (e.g. a pasted "token" too long for a URL): our request was wrong.
            error = GraphValidationError(f"Request not sent: {exc}", http_status=None)
            _log_call(method, path, None, self.clock() - started, None, None, error=error)
            raise error from None
        except httpx.HTTPError as exc:
            elapsed = self.clock() - started
            error = _transport_error(exc)
            _log_call(method, path, None, elapsed, None, None, error=error)
            raise error from None
        elapsed = self.clock() - started
        usage = parse_usage(response.headers)
        self.throttle.observe(scope, usage)
        trace = response.headers.get("x-fb-trace-id")
        if response.status_code == 304 and cached is not None:
            _log_call(method, path, 304, elapsed, usage, trace)
            return GraphResponse(304, cached.body, dict(response.headers), usage, from_cache=True)
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        if response.status_code >= 400 or (isinstance(body, dict) and "error" in body):
            error = error_from_body(
                body if body is not None else response.text,
                http_status=response.status_code,
                fbtrace_id=trace,
                retry_after=retry_after_from(usage, scope),
            )
            _log_call(method, path, response.status_code, elapsed, usage, error.fbtrace_id, error)
            self.note_error(scope, error)
            raise error
        _log_call(method, path, response.status_code, elapsed, usage, trace)
        if key is not None and self.cache is not None and response.headers.get("etag"):
            self.cache.put(key, CachedResponse(response.headers["etag"], body))
        return GraphResponse(response.status_code, body, dict(response.headers), usage)

    def note_error(self, scope: CallScope, error: GraphError) -> None:
        """Side effects of an error: block the quota, tell the owner a token died."""
        if isinstance(error, GraphThrottleError):
            self.throttle.blocked(scope, error)
        elif isinstance(error, GraphAuthError) and self.on_auth_error is not None:
            try:
                self.on_auth_error(error)
            except Exception:  # the callback must not hide the auth error itself
                log.exception("graph on_auth_error callback failed")


def _transport_error(exc: httpx.HTTPError) -> GraphConnectionError:
    error = GraphConnectionError(f"No answer from Graph: {type(exc).__name__}")
    # Never sent → Graph cannot have acted; anything later → unknown.
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        error.applied = False
    else:
        error.applied = None
    return error


def _outcome_unknown(
    method: str, path: str, exc: GraphError, lookup_error: GraphError | None = None
) -> GraphOutcomeUnknownError:
    """The error for a write that may have been applied. A throttled lookup's `retry_after`
    says when reconciling may work; the lookup's own failure is kept as `lookup_error`."""
    detail = exc.message if lookup_error is None else (
        f"{exc.message}; the lookup for its result failed too: {lookup_error.message}"
    )
    error = GraphOutcomeUnknownError(
        f"{method} {path} may or may not have been applied: {detail}",
        code=exc.code,
        subcode=exc.subcode,
        http_status=exc.http_status,
        fbtrace_id=exc.fbtrace_id,
        is_transient=exc.is_transient,
        retry_after=(lookup_error or exc).retry_after,
        lookup_error=lookup_error,
    )
    return error


def _log_call(
    method: str,
    path: str,
    status: int | None,
    elapsed: float,
    usage: UsageFigures | None,
    fbtrace_id: str | None,
    error: GraphError | None = None,
) -> None:
    info = {
        "method": method,
        "path": "/" + path.strip("/"),
        "status": status,
        "duration_ms": round(elapsed * 1000, 1),
        "usage": usage.summary() if usage is not None else {},
        "fbtrace_id": fbtrace_id,
        "error_code": error.code if error else None,
        "error_subcode": error.subcode if error else None,
    }
    log.log(
        logging.WARNING if error else logging.INFO,
        "graph %(method)s %(path)s -> %(status)s in %(duration_ms)sms usage=%(usage)s "
        "fbtrace_id=%(fbtrace_id)s",
        info,
        extra={"graph_call": info},
    )


def _log_retry(retry_state: Any) -> None:
    exc = retry_state.outcome.exception() if retry_state.outcome else None
    log.info(
        "graph retry %s after %s (attempt %s)",
        getattr(retry_state.fn, "__name__", "call"),
        type(exc).__name__,
        retry_state.attempt_number,
    )
