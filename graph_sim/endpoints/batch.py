"""Synchronous batch requests: `POST /` with `batch=[...]`, each operation dispatched through the
core's normal pipeline (core-flows.md §3.3, §3.4; seeds L13398-13606)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from graph_sim.core import SimRequest, SimResponse, route
from graph_sim.errors import GraphError, invalid_parameter, missing_parameter
from graph_sim.jsonpath import (
    LenientJSONError,
    UnresolvedReference,
    loads_lenient,
    referenced_names,
    substitute,
)

if TYPE_CHECKING:
    from werkzeug.datastructures import FileStorage

MAX_SYNC_OPERATIONS = 50  # seeds L13409: "limited to 50 requests per batch"

# Graph's spelling of the headers it returns inside batch results (the seed shows "ETag",
# "Content-Type", "WWW-Authenticate").
_HEADER_NAMES = {
    "etag": "ETag",
    "www-authenticate": "WWW-Authenticate",
    "x-fb-debug": "X-FB-Debug",
    "x-fb-rev": "X-FB-Rev",
    "x-fb-trace-id": "X-FB-Trace-ID",
    "x-app-usage": "X-App-Usage",
    "x-ad-account-usage": "X-Ad-Account-Usage",
    "x-business-use-case-usage": "X-Business-Use-Case-Usage",
    "x-fb-ads-insights-throttle": "X-FB-Ads-Insights-Throttle",
    "facebook-api-version": "facebook-api-version",
}
# Inside a batch the per-operation Content-Type is the one in the seed's examples.
BATCH_CONTENT_TYPE = "text/javascript; charset=UTF-8"
_VERSIONED = re.compile(r"^/v\d+\.\d+(/|$)")
_CALLBACK = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$.]*$")


def header_name(lower: str) -> str:
    return _HEADER_NAMES.get(lower) or "-".join(part.capitalize() for part in lower.split("-"))


# ---------------------------------------------------------------------------------------------
# One operation


@dataclass
class Operation:
    """A parsed batch operation (sync batch item or async batch `adbatch` item)."""

    index: int
    method: str
    relative_url: str
    body: str | dict[str, Any] | None = None
    name: str | None = None
    depends_on: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # names used in {result=...}
    attached_files: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    omit_response_on_success: bool | None = None
    error: GraphError | None = None  # the item itself is malformed

    @property
    def needs(self) -> list[str]:
        return list(dict.fromkeys([*self.depends_on, *self.references]))


@dataclass
class OpResult:
    """What an operation produced: the HTTP-like answer, and its JSON for later references."""

    code: int
    headers: dict[str, str]
    body: str | None
    ok: bool
    document: Any = None


def parse_operations(raw: Any, *, param: str, limit: int, default_method: str) -> list[Operation]:
    """Decode the `batch` / `adbatch` parameter into operations.

    A body that is not a JSON array is a 100 for the whole call; a malformed item fails alone.
    """
    if isinstance(raw, str):
        try:
            items = loads_lenient(raw)
        except LenientJSONError:
            raise invalid_parameter(f"The parameter {param} must be a valid JSON array") from None
    else:
        items = raw
    if not isinstance(items, list):
        raise invalid_parameter(f"The parameter {param} must be a JSON array")
    if not items:
        raise invalid_parameter(f"The parameter {param} must not be empty")
    if len(items) > limit:
        raise invalid_parameter(
            f"Too many requests in batch message. Maximum batch size is {limit}"
        )
    return [_parse_item(index, item, default_method) for index, item in enumerate(items)]


def _parse_item(index: int, item: Any, default_method: str) -> Operation:
    if not isinstance(item, dict):
        return Operation(
            index, default_method, "", error=invalid_parameter("Each batch item must be an object")
        )
    method = str(item.get("method") or default_method).upper()
    if method == "PUT":
        method = "POST"  # Graph treats PUT as POST
    relative_url = item.get("relative_url")
    op = Operation(index=index, method=method, relative_url=str(relative_url or ""))
    op.name = str(item["name"]) if item.get("name") not in (None, "") else None
    body = item.get("body")
    op.body = body if isinstance(body, dict | str) or body is None else str(body)
    depends = item.get("depends_on")
    if isinstance(depends, str):
        op.depends_on = [d.strip() for d in depends.split(",") if d.strip()]
    elif isinstance(depends, list):
        op.depends_on = [str(d) for d in depends]
    files = item.get("attached_files")
    if isinstance(files, str):
        op.attached_files = [f.strip() for f in files.split(",") if f.strip()]
    elif isinstance(files, list):
        op.attached_files = [str(f) for f in files]
    headers = item.get("headers")
    if isinstance(headers, list):
        op.headers = [str(h) for h in headers]
    elif isinstance(headers, dict):
        op.headers = [f"{k}: {v}" for k, v in headers.items()]
    omit = item.get("omit_response_on_success")
    if omit is not None:
        op.omit_response_on_success = str(omit).lower() not in ("false", "0")
    text = op.relative_url + (json.dumps(op.body) if isinstance(op.body, dict) else op.body or "")
    op.references = referenced_names(unquote(text))
    if method not in ("GET", "POST", "DELETE"):
        op.error = invalid_parameter(f"Unsupported method {method} in batch item {index}")
    elif relative_url is None:
        op.error = missing_parameter("relative_url")
    return op


def decode_body(body: str | dict[str, Any] | None) -> list[tuple[str, str]]:
    if body is None or body == "":
        return []
    if isinstance(body, dict):
        return [
            (str(k), v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
            for k, v in body.items()
        ]
    text = body
    # The async batch seed URL-encodes the whole body (`name%3DTest+Campaign%26objective%3D...`);
    # a body with no `=` but an encoded one is decoded once before it is read as a form.
    if "=" not in text and "%3d" in text.lower():
        text = unquote(text)
    return parse_qsl(text, keep_blank_values=True)


def _split_relative_url(relative_url: str) -> tuple[str, list[tuple[str, str]]]:
    text = relative_url.strip()
    for prefix in ("https://graph.facebook.com", "http://graph.facebook.com"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    parts = urlsplit(text if text.startswith("/") else "/" + text)
    return unquote(parts.path) or "/", parse_qsl(parts.query, keep_blank_values=True)


class DependencyFailed(Exception):
    """A referenced or depended-on operation failed, is unknown, or did not complete."""

    def __init__(self, name: str, *, timed_out: bool = False, why: str = "") -> None:
        super().__init__(name)
        self.name = name
        self.timed_out = timed_out
        self.why = why


def dependency_error(name: str, why: str = "") -> GraphError:
    """DECISIONS.md "Batch dependencies": a dependent of a failed operation fails with 100."""
    detail = f": {why}" if why else ""
    return invalid_parameter(
        f"The batch operation depends on operation '{name}', which did not succeed{detail}"
    )


def run_operation(
    sim: Any,
    op: Operation,
    *,
    results: dict[str, OpResult | None],
    token: str | None,
    appsecret_proof: str | None,
    files: dict[str, FileStorage],
    base_url: str,
    batch_depth: int,
    version_prefix: str = "",
) -> OpResult | None:
    """Resolve references, then dispatch the operation through `sim.handle` (auth, rate limits,
    faults, call log and ETags included). Raises DependencyFailed for an unusable dependency;
    None means the operation did not complete (a dropped call)."""
    if op.error is not None:
        return error_result(op.error)
    for name in op.needs:
        if name not in results:
            raise DependencyFailed(name, why="no operation has this name")
        parent = results[name]
        if parent is None:
            raise DependencyFailed(name, timed_out=True)
        if not parent.ok:
            raise DependencyFailed(name)

    def lookup(name: str) -> Any:
        parent = results.get(name)
        if parent is None or not parent.ok:
            raise UnresolvedReference(name, "", "operation failed")
        return parent.document

    try:
        path, query = _split_relative_url(substitute(op.relative_url, lookup))
        query = [(substitute(k, lookup), substitute(v, lookup)) for k, v in query]
        body = [(substitute(k, lookup), substitute(v, lookup)) for k, v in decode_body(op.body)]
        path = substitute(path, lookup)
    except UnresolvedReference as ref:
        raise DependencyFailed(ref.name, why=ref.why) from None
    params: dict[str, str] = dict(query)
    if op.method == "GET" or op.method == "DELETE":
        # GET and DELETE operations take only relative_url (seeds L13470); a body is ignored.
        pass
    else:
        params.update(body)
    if not params.get("access_token") and token:
        # seeds "Using Multiple Access Tokens": the top-level token is the fallback.
        params["access_token"] = token
        if appsecret_proof and "appsecret_proof" not in params:
            params["appsecret_proof"] = appsecret_proof
    op_files: dict[str, FileStorage] = {}
    for name in op.attached_files:
        if name not in files:
            return error_result(
                invalid_parameter(f"File {name} has not been attached to the batch request")
            )
        op_files[name] = files[name]
    headers: dict[str, str] = {}
    for line in op.headers:
        key, sep, value = line.partition(":")
        if sep:
            headers[key.strip().lower()] = value.strip()
    if version_prefix and not _VERSIONED.match(path):
        # An operation without its own version runs under the batch call's version.
        path = version_prefix + path
    out = sim.handle(
        method=op.method,
        path=path,
        params=params,
        files=op_files,
        headers=headers,
        base_url=base_url,
        batch_depth=batch_depth,
    )
    return _result_from(out)


def _result_from(out: Any) -> OpResult | None:
    if getattr(out, "drop", False):
        return None  # a dropped connection inside a batch: the operation did not complete
    headers = dict(out.headers)
    if out.status == 304:
        return OpResult(304, headers, None, ok=True, document=None)
    text = out.body.decode("utf-8", errors="replace") if out.body else None
    document = None
    if text is not None:
        try:
            document = json.loads(text)
        except ValueError:
            document = None
    ok = 200 <= out.status < 300
    if "application/json" in headers.get("content-type", ""):
        headers["content-type"] = BATCH_CONTENT_TYPE
    if not ok and isinstance(document, dict) and isinstance(document.get("error"), dict):
        err = document["error"]
        if err.get("type") == "OAuthException":
            kind = "invalid_token" if err.get("code") == 190 else "invalid_request"
            headers["www-authenticate"] = (
                f'OAuth "Facebook Platform" "{kind}" "{err.get("message", "")}"'
            )
    return OpResult(out.status, headers, text, ok=ok, document=document)


def error_result(err: GraphError) -> OpResult:
    body = json.dumps(err.as_json(), separators=(",", ":"))
    headers = {
        "content-type": BATCH_CONTENT_TYPE,
        "www-authenticate": f'OAuth "Facebook Platform" "invalid_request" "(#{err.code}) '
        f'{err.message}"',
    }
    return OpResult(err.http_status, headers, body, ok=False, document=err.as_json())


def execution_order(ops: list[Operation]) -> list[Operation]:
    """Operations in an order where each runs after what it needs (input order otherwise).

    Graph runs independent operations in parallel and dependent ones in sequence; responses
    keep the input order either way. Cycles and unknown names are left to fail at run time.
    """
    by_name = {op.name: op for op in ops if op.name}
    done: set[int] = set()
    order: list[Operation] = []
    pending = list(ops)
    while pending:
        progressed = False
        for op in list(pending):
            parents = [by_name[n] for n in op.needs if n in by_name]
            if all(p.index in done or p is op for p in parents):
                order.append(op)
                done.add(op.index)
                pending.remove(op)
                progressed = True
        if not progressed:
            order.extend(pending)
            break
    return order


def batch_timeout_fires(sim: Any) -> bool:
    """Fault hook: `sim.faults.add("error", kind="batch_timeout", ...)` (times/every apply per
    operation). Once it fires, that operation and every later one come back as `null`
    (seeds "Timeouts": a partially completed batch)."""
    return sim.faults.take("batch_timeout", "*") is not None


# ---------------------------------------------------------------------------------------------
# The endpoint


_ADSETS_EDGE = re.compile(r"^/(?:v\d+\.\d+/)?act_\d+/adsets/?$")


def _refuse_sibling_adsets(ops: list[Operation]) -> None:
    """seeds L13411: "Batch requests cannot include multiple Adsets under the same Campaign."
    The first ad set creation for a campaign runs; later ones in the same batch fail alone
    (the campaign is compared as written, so one `{result=...}` reference counts once)."""
    seen: set[str] = set()
    for op in ops:
        if op.error is not None or op.method != "POST":
            continue
        path, query = _split_relative_url(op.relative_url)
        if not _ADSETS_EDGE.match(path):
            continue
        campaign = (dict(query) | dict(decode_body(op.body))).get("campaign_id")
        if not campaign:
            continue
        if campaign in seen:
            op.error = invalid_parameter(
                "Batch requests cannot include multiple ad sets under the same campaign "
                f"({campaign}); send them in separate batches"
            )
        seen.add(campaign)


def run_sync_batch(req: SimRequest, raw_batch: Any) -> list[dict[str, Any] | None]:
    """Run every operation; the answer lists them in input order (seeds L13403)."""
    if req.batch_depth > 0:
        raise invalid_parameter("A batch request cannot contain another batch request")
    ops = parse_operations(
        raw_batch, param="batch", limit=MAX_SYNC_OPERATIONS, default_method="GET"
    )
    _refuse_sibling_adsets(ops)
    include_headers = req.bool_param("include_headers", True)
    referenced = {name for op in ops for name in op.references}
    results: dict[str, OpResult | None] = {}
    by_index: dict[int, OpResult | None] = {}
    timed_out = False
    token = req.token.value if req.token else None
    for op in execution_order(ops):
        if timed_out or batch_timeout_fires(req.sim):
            timed_out = True
            result: OpResult | None = None
        else:
            try:
                result = run_operation(
                    req.sim,
                    op,
                    results=results,
                    token=token,
                    appsecret_proof=req.param("appsecret_proof"),
                    files=req.files,
                    base_url=req.base_url,
                    batch_depth=req.batch_depth + 1,
                    version_prefix=req.version_prefix,
                )
            except DependencyFailed as dep:
                # A dependency that did not complete leaves this one not completed too.
                if dep.timed_out:
                    result = None
                else:
                    result = error_result(dependency_error(dep.name, dep.why))
        by_index[op.index] = result
        if op.name:
            results[op.name] = result
    out: list[dict[str, Any] | None] = []
    for op in ops:
        result = by_index.get(op.index)
        if result is None:
            out.append(None)
            continue
        omit = op.omit_response_on_success
        if omit is None:
            # Graph omits the answer of a successful operation whose result another operation
            # consumed through JSONPath, unless omit_response_on_success is false.
            omit = op.name is not None and op.name in referenced
        if omit and result.ok:
            out.append(None)
            continue
        item: dict[str, Any] = {"code": result.code}
        if include_headers:
            item["headers"] = [
                {"name": header_name(k), "value": v} for k, v in result.headers.items()
            ]
        item["body"] = result.body
        out.append(item)
    return out


@route("POST", "/", kind="batch")
def batch_root(req: SimRequest) -> Any:
    """`POST /` (or `/vNN.N/`) with `batch=[...]` and a top-level `access_token`."""
    raw = req.param("batch")
    if raw is None or raw == "":
        raise missing_parameter("batch")
    return _answer(req, raw)


def _answer(req: SimRequest, raw: Any) -> Any:
    answer = run_sync_batch(req, raw)
    callback = req.param("callback")
    if callback:
        if not _CALLBACK.match(str(callback)):
            raise invalid_parameter("Param callback must be a JavaScript function name")
        text = json.dumps(answer, separators=(",", ":"))
        return SimResponse(body=f"/**/ {callback}({text});", content_type=BATCH_CONTENT_TYPE)
    return answer
