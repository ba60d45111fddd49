"""Async ad request sets (/asyncadrequestsets) and async batch requests (/async_batch_requests),
processed over simulated time (core-flows.md §3.1, §3.2; reference.md §3.7, §3.9, §7.6)."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from graph_sim.core import (
    SimRequest,
    SimResponse,
    before_call,
    control_route,
    edge_fields,
    edge_names,
    node_deleter,
    node_edge,
    node_reader,
    node_updater,
    paginate,
    render_fields,
    route,
)
from graph_sim.endpoints.batch import (
    DependencyFailed,
    Operation,
    OpResult,
    decode_body,
    dependency_error,
    error_result,
    execution_order,
    parse_operations,
    run_operation,
)
from graph_sim.errors import GraphError, invalid_parameter

log = logging.getLogger("graph_sim")

MAX_ASYNC_BATCH_OPERATIONS = 1000  # seeds: "Each API call can have a maximum of 1000 requests"
STATUSES = ("INITIAL", "IN_PROGRESS", "SUCCESS", "ERROR", "CANCELED")
NOTIFICATION_MODES = {"OFF": "OFF", "ON_COMPLETE": "ON_COMPLETE", "0": "OFF", "1": "ON_COMPLETE"}

SET_FIELDS = (
    "id",
    "owner_id",
    "name",
    "is_completed",
    "total_count",
    "initial_count",
    "in_progress_count",
    "success_count",
    "error_count",
    "canceled_count",
    "notification_uri",
    "notification_mode",
    "notification_result",
    "notification_status",
)
SET_DEFAULT_FIELDS = ("owner_id", "name", "is_completed")  # core-flows.md §3.1 "shown by default"
REQUEST_FIELDS = ("id", "scope_object_id", "status", "result", "input", "async_request_set")
REQUEST_DEFAULT_FIELDS = ("scope_object_id", "status")


@dataclass
class AsyncRequestSet:
    id: str
    account_id: str  # numeric
    name: str
    # "ads" (asyncadrequestsets), "creatives" (asyncadcreatives), "batch" (async_batch_requests)
    kind: str
    created_time: float
    base_url: str
    version_prefix: str
    notification_uri: str | None = None
    notification_mode: str = "OFF"
    notification_status: str = "not_sent"  # not_sent | sending | sent
    notification_result: str | None = None
    request_ids: list[str] = field(default_factory=list)  # input order
    processing_order: list[str] = field(default_factory=list)
    cursor: float = 0.0  # when the next request may start
    node_type: str = "async_request_set"


@dataclass
class AsyncRequest:
    id: str
    account_id: str
    set_id: str
    index: int
    scope_object_id: int | None
    input: dict[str, Any]
    status: str = "INITIAL"
    result: dict[str, Any] | None = None
    started_at: float | None = None
    finished_at: float | None = None
    operation: Operation | None = None  # batch requests only
    node_type: str = "async_request"


def _credentials(world: Any) -> dict[str, tuple[str | None, str | None]]:
    """(token, appsecret_proof) each set runs with, by set id: kept beside the records so the
    control API's object listing never shows a token."""
    return world.__dict__.setdefault("_async_credentials", {})


def _job_seconds(sim: Any) -> float:
    return float(getattr(sim.config.timings, "async_job", 10.0))


# ---------------------------------------------------------------------------------------------
# Progression over simulated time


def _pending(world: Any) -> dict[str, None]:
    """Ids of the sets that may still change on their own (unfinished, or completed with their
    notification not sent yet), in creation order: what each call has to look at."""
    return world.__dict__.setdefault("_async_pending_sets", {})


def advance_async_work(sim: Any) -> None:
    """Bring every unfinished set up to the simulated now.

    The core runs this before every Graph call (`@before_call` below), so the ads a set creates
    show in `/act_<id>/ads` once their time has come, whoever asks; call it directly to advance
    without making a call.
    """
    world = sim.world
    with sim.lock:
        pending = _pending(world)
        for set_id in list(pending):
            request_set = world.get(set_id, "async_request_set")
            if request_set is None:
                pending.pop(set_id, None)
                continue
            if not _is_completed(world, request_set):
                _advance(sim, request_set)
            _maybe_notify(sim, request_set)
            if _is_completed(world, request_set) and (
                request_set.notification_mode != "ON_COMPLETE"
                or request_set.notification_status != "not_sent"
            ):
                # Nothing left to happen on the clock; a later `notification_mode` update on a
                # completed set notifies from the updater itself.
                pending.pop(set_id, None)


@before_call(order=100)
def _advance_before_each_call(sim: Any) -> None:
    """CONTRACT.md §6: lazy progress on the simulator clock, before any call reads the world."""
    if _pending(sim.world):
        advance_async_work(sim)


def _advance(sim: Any, request_set: AsyncRequestSet) -> None:
    """One request at a time, each `timings.async_job` seconds in progress, starting one job
    length after the set was created (so a fresh set is all Initial and can be canceled).
    Batch API sets run their independent operations side by side (`_advance_batch`)."""
    if request_set.kind == "batch":
        _advance_batch(sim, request_set)
        return
    world = sim.world
    now = sim.clock.now()
    length = _job_seconds(sim)
    for request_id in request_set.processing_order:
        item: AsyncRequest = world.get(request_id, "async_request")
        if item.status in ("SUCCESS", "ERROR", "CANCELED"):
            continue
        if item.status == "INITIAL":
            if now < request_set.cursor:
                return
            item.status = "IN_PROGRESS"
            item.started_at = request_set.cursor
        done_at = (item.started_at or now) + length
        if now < done_at:
            return
        _execute(sim, request_set, item)
        item.finished_at = done_at
        request_set.cursor = done_at


def _advance_batch(sim: Any, request_set: AsyncRequestSet) -> None:
    """seeds/async-and-batch-requests.txt (Batch API): "Facebook processes each independent
    operation in parallel processes and your dependent operations sequentially". Each operation
    starts once the operations it references have finished (independent ones one job length
    after the set was created) and takes one job length; `processing_order` puts every operation
    after those it needs, so one pass settles them all."""
    world = sim.world
    now = sim.clock.now()
    length = _job_seconds(sim)
    first = request_set.created_time + length
    by_name = {}
    for request_id in request_set.request_ids:
        item: AsyncRequest = world.get(request_id, "async_request")
        if item.operation is not None and item.operation.name:
            by_name[item.operation.name] = item
    for request_id in request_set.processing_order:
        item = world.get(request_id, "async_request")
        if item.status in ("SUCCESS", "ERROR", "CANCELED"):
            continue
        needs = item.operation.needs if item.operation is not None else []
        parents = [by_name[n] for n in needs if n in by_name and by_name[n] is not item]
        if any(p.status in ("INITIAL", "IN_PROGRESS") for p in parents):
            continue
        ready_at = max([first, *[p.finished_at or first for p in parents]])
        if now < ready_at:
            continue
        if item.status == "INITIAL":
            item.status = "IN_PROGRESS"
            item.started_at = ready_at
        done_at = (item.started_at or ready_at) + length
        if now < done_at:
            continue
        _execute(sim, request_set, item)
        item.finished_at = done_at
        request_set.cursor = max(request_set.cursor, done_at)


def _execute(sim: Any, request_set: AsyncRequestSet, item: AsyncRequest) -> None:
    """Run the request through the core's routing, as a client's own call would run."""
    if request_set.kind == "ads":
        op = _ad_operation(request_set, item, "ads")
    elif request_set.kind == "creatives":
        op = _ad_operation(request_set, item, "adcreatives")
    else:
        op = item.operation or Operation(item.index, "POST", "")
    results = _named_results(sim, request_set)
    token, proof = _credentials(sim.world).get(request_set.id, (None, None))
    try:
        result = run_operation(
            sim,
            op,
            results=results,
            token=token,
            appsecret_proof=proof,
            files={},
            base_url=request_set.base_url,
            batch_depth=1,
            version_prefix=request_set.version_prefix,
        )
    except DependencyFailed as dep:
        result = error_result(dependency_error(dep.name, dep.why))
    if result is None:  # the call was dropped: Graph would report an internal failure
        result = error_result(GraphError("An unknown error occurred", code=1, http_status=500))
    _record(item, result)


def _ad_operation(request_set: AsyncRequestSet, item: AsyncRequest, edge: str) -> Operation:
    # An ad spec is the body of POST /act_<id>/ads (core-flows.md §3.1 "input is adgroup_spec");
    # a creative_spec the body of POST /act_<id>/adcreatives.
    body = {
        str(k): v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))
        for k, v in item.input.items()
    }
    return Operation(
        index=item.index,
        method="POST",
        relative_url=f"act_{request_set.account_id}/{edge}",
        body=body,
    )


def _named_results(sim: Any, request_set: AsyncRequestSet) -> dict[str, OpResult | None]:
    """Finished operations of the set by name, for `{result=name:$.id}` references."""
    out: dict[str, OpResult | None] = {}
    for request_id in request_set.request_ids:
        item: AsyncRequest = sim.world.get(request_id, "async_request")
        name = item.operation.name if item.operation else None
        if not name or item.status not in ("SUCCESS", "ERROR"):
            continue
        ok = item.status == "SUCCESS"
        out[name] = OpResult(200 if ok else 400, {}, None, ok=ok, document=item.result)
    return out


def _record(item: AsyncRequest, result: OpResult) -> None:
    if result.ok:
        item.status = "SUCCESS"
        item.result = result.document if isinstance(result.document, dict) else {}
        return
    item.status = "ERROR"
    error = (result.document or {}).get("error", {}) if isinstance(result.document, dict) else {}
    # core-flows.md §3.1: on error the result carries error_code and error_message.
    code = error.get("code", 1)
    message = str(error.get("message", "An unknown error occurred"))
    item.result = {
        "error_code": code,
        # error_code carries the code; the message without Graph's "(#code) " prefix.
        "error_message": message.removeprefix(f"(#{code}) "),
    }
    if error.get("error_subcode") is not None:
        item.result["error_subcode"] = error["error_subcode"]


def _requests(world: Any, request_set: AsyncRequestSet) -> list[AsyncRequest]:
    return [world.get(rid, "async_request") for rid in request_set.request_ids]


def _counts(world: Any, request_set: AsyncRequestSet) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for item in _requests(world, request_set):
        counts[item.status] += 1
    return counts


def _is_completed(world: Any, request_set: AsyncRequestSet) -> bool:
    counts = _counts(world, request_set)
    return counts["INITIAL"] == 0 and counts["IN_PROGRESS"] == 0


# ---------------------------------------------------------------------------------------------
# Notifications (notification_mode=ON_COMPLETE)


def notifications(sim: Any) -> list[dict[str, Any]]:
    """Every completion notification the simulator sent (or tried to), oldest first."""
    sent = getattr(sim, "_async_notifications", None)
    if sent is None:
        sent = []
        sim._async_notifications = sent
    return sent


def _maybe_notify(sim: Any, request_set: AsyncRequestSet) -> None:
    """core-flows.md §8 item 29: POST once to notification_uri when the set completes."""
    if (
        request_set.notification_mode != "ON_COMPLETE"
        or request_set.notification_status != "not_sent"
        or not _is_completed(sim.world, request_set)
    ):
        return
    counts = _counts(sim.world, request_set)
    payload = {
        "id": request_set.id,
        "owner_id": request_set.account_id,
        "name": request_set.name,
        "is_completed": "true",
        "total_count": str(len(request_set.request_ids)),
        "success_count": str(counts["SUCCESS"]),
        "error_count": str(counts["ERROR"]),
        "canceled_count": str(counts["CANCELED"]),
    }
    record: dict[str, Any] = {
        "set_id": request_set.id,
        "uri": request_set.notification_uri,
        "payload": payload,
        "time": sim.clock.now(),
        "result": None,
    }
    notifications(sim).append(record)
    request_set.notification_status = "sending"
    uri = request_set.notification_uri
    if not uri:
        request_set.notification_status = "sent"
        request_set.notification_result = "no notification_uri"
        record["result"] = request_set.notification_result
        return
    thread = threading.Thread(
        target=_deliver,
        args=(sim, request_set, uri, payload, record),
        name=f"graph-sim-notify-{request_set.id}",
        daemon=True,
    )
    thread.start()


def _deliver(
    sim: Any, request_set: AsyncRequestSet, uri: str, payload: dict[str, str], record: dict
) -> None:
    import httpx  # the notification is the simulator calling out, as Graph would

    try:
        response = httpx.post(uri, data=payload, timeout=5.0)
        outcome = f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:  # an unreachable URI must not fail anything
        outcome = f"failed: {type(exc).__name__}"
    with sim.lock:
        request_set.notification_status = "sent"
        request_set.notification_result = outcome
        record["result"] = outcome


# ---------------------------------------------------------------------------------------------
# Rendering


def _render_set(req: SimRequest, request_set: AsyncRequestSet) -> dict[str, Any]:
    counts = _counts(req.world, request_set)
    node: dict[str, Any] = {
        "id": request_set.id,
        "owner_id": int(request_set.account_id),  # a number in the seed's example
        "name": request_set.name,
        "is_completed": counts["INITIAL"] == 0 and counts["IN_PROGRESS"] == 0,
        "total_count": len(request_set.request_ids),
        "initial_count": counts["INITIAL"],
        "in_progress_count": counts["IN_PROGRESS"],
        "success_count": counts["SUCCESS"],
        "error_count": counts["ERROR"],
        "canceled_count": counts["CANCELED"],
        "notification_uri": request_set.notification_uri,
        "notification_mode": request_set.notification_mode,
    }
    if request_set.kind == "batch":
        # reference.md §7.6: listed for Batch API sets only.
        node["notification_status"] = request_set.notification_status
        node["notification_result"] = request_set.notification_result
    # Field expansion: `fields=name,requests{status,result}` embeds the requests edge.
    node |= edge_fields(req, "async_request_set", request_set)
    return render_fields(
        node,
        req.fields,
        SET_DEFAULT_FIELDS,
        known_fields=set(SET_FIELDS) | edge_names("async_request_set"),
        node_type="AdAsyncRequestSet",
    )


def _render_request(req: SimRequest, item: AsyncRequest) -> dict[str, Any]:
    request_set: AsyncRequestSet = req.world.get(item.set_id, "async_request_set")
    node = {
        "id": item.id,
        "scope_object_id": item.scope_object_id,  # a number in the seed's example
        "status": item.status,
        "result": item.result,
        "input": item.input,
        "async_request_set": {"id": request_set.id, "name": request_set.name},
    }
    return render_fields(
        node,
        req.fields,
        REQUEST_DEFAULT_FIELDS,
        known_fields=REQUEST_FIELDS,
        node_type="AdAsyncRequest",
    )


def _status_filter(req: SimRequest) -> set[str] | None:
    """core-flows.md §8 item 27: any combination, any casing (`status=success,ERROR`)."""
    raw = req.list_param("status")
    if raw is None:
        return None
    wanted = {str(s).strip().upper() for s in raw if str(s).strip()}
    unknown = wanted - set(STATUSES)
    if unknown:
        raise invalid_parameter(
            f"Param status must be a combination of initial, in_progress, success, error, "
            f"canceled; got {', '.join(sorted(unknown))}"
        )
    return wanted


def _list_requests(req: SimRequest, items: list[AsyncRequest]) -> dict[str, Any]:
    wanted = _status_filter(req)
    if wanted is not None:
        items = [i for i in items if i.status in wanted]
    return paginate(req, items, render=lambda item: _render_request(req, item))


def _list_sets(req: SimRequest, account_id: str, kind: str) -> dict[str, Any]:
    account = req.account(account_id, write=False)
    sets = req.world.query("async_request_set", account_id=account.account_id, kind=kind)
    completed = req.bool_param("is_completed")
    if completed is not None:
        sets = [s for s in sets if _is_completed(req.world, s) == completed]
    return paginate(req, sets, render=lambda s: _render_set(req, s))


# ---------------------------------------------------------------------------------------------
# Creating


def _notification_params(req: SimRequest) -> tuple[str | None, str | None]:
    mode = req.param("notification_mode")
    if mode is not None and mode != "":
        key = str(mode).strip().strip('"').upper()
        if key not in NOTIFICATION_MODES:
            raise invalid_parameter("Param notification_mode must be one of {OFF, ON_COMPLETE}")
        mode = NOTIFICATION_MODES[key]
    else:
        mode = None
    uri = req.param("notification_uri")
    if uri is not None and uri != "":
        uri = str(uri).strip()
        if not uri.lower().startswith(("http://", "https://")):
            raise invalid_parameter("Param notification_uri must be a valid URL")
    else:
        uri = None
    return mode, uri


def _new_set(req: SimRequest, account_id: str, name: str, kind: str) -> AsyncRequestSet:
    mode, uri = _notification_params(req)
    now = req.now()
    request_set = AsyncRequestSet(
        id=req.world.new_id(),
        account_id=account_id,
        name=name,
        kind=kind,
        created_time=now,
        base_url=req.base_url,
        version_prefix=req.version_prefix,
        notification_uri=uri,
        notification_mode=mode or "OFF",
        cursor=now + _job_seconds(req.sim),
    )
    _credentials(req.world)[request_set.id] = (
        req.token.value if req.token else None,
        req.param("appsecret_proof"),
    )
    return request_set


def _store_set(world: Any, request_set: AsyncRequestSet) -> None:
    world.put(request_set)
    _pending(world)[request_set.id] = None


def _scope_id(value: Any) -> int | None:
    try:
        return int(str(value).strip().strip('"'))
    except (TypeError, ValueError):
        return None


@route("POST", "/act_<account_id>/asyncadrequestsets", kind="asyncadrequestsets")
def asyncadrequestsets_create(req: SimRequest, account_id: str) -> dict[str, Any]:
    """reference.md §3.9: `name` and `ad_specs` required, error 100 → {"id"}."""
    account = req.account(account_id, write=True)
    name = req.param("name")
    if not name:
        raise invalid_parameter("The parameter name is required")
    if not req.has("ad_specs"):
        raise invalid_parameter("The parameter ad_specs is required")
    specs = req.json_param("ad_specs")
    if not isinstance(specs, list) or not specs:
        raise invalid_parameter("Param ad_specs must be a non-empty array of ad specs")
    if not all(isinstance(spec, dict) and spec for spec in specs):
        raise invalid_parameter("Each element of ad_specs must be a non-empty object")
    request_set = _new_set(req, account.account_id, str(name), "ads")
    for index, spec in enumerate(specs):
        item = AsyncRequest(
            id=req.world.new_id(),
            account_id=account.account_id,
            set_id=request_set.id,
            index=index,
            scope_object_id=_scope_id(spec.get("adset_id")),
            input=spec,
        )
        req.world.put(item)
        request_set.request_ids.append(item.id)
    request_set.processing_order = list(request_set.request_ids)
    _store_set(req.world, request_set)
    return {"id": request_set.id}


@route("POST", "/act_<account_id>/asyncadcreatives", kind="asyncadcreatives")
def asyncadcreatives_create(req: SimRequest, account_id: str) -> dict[str, Any]:
    """reference.md §3.8: `creative_spec` and `name` required, error 100 → {"id"} of a set
    holding one request that creates the creative (POST /act_<id>/adcreatives)."""
    account = req.account(account_id, write=True)
    name = req.param("name")
    if not name:
        raise invalid_parameter("The parameter name is required")
    if not req.has("creative_spec"):
        raise invalid_parameter("The parameter creative_spec is required")
    spec = req.json_param("creative_spec")
    if not isinstance(spec, dict) or not spec:
        raise invalid_parameter("Param creative_spec must be an AdCreative object")
    request_set = _new_set(req, account.account_id, str(name), "creatives")
    item = AsyncRequest(
        id=req.world.new_id(),
        account_id=account.account_id,
        set_id=request_set.id,
        index=0,
        scope_object_id=_scope_id(account.account_id),
        input=spec,
    )
    req.world.put(item)
    request_set.request_ids.append(item.id)
    request_set.processing_order = [item.id]
    _store_set(req.world, request_set)
    return {"id": request_set.id}


@route("GET", "/act_<account_id>/asyncadcreatives", kind="asyncadcreatives")
def asyncadcreatives_list(req: SimRequest, account_id: str) -> dict[str, Any]:
    """The reference says reading is not possible, yet lists the edge as
    Edge<AdAsyncRequestSet> [FLAG]: we list the account's creative sets."""
    return _list_sets(req, account_id, "creatives")


@route("GET", "/act_<account_id>/asyncadrequestsets", kind="asyncadrequestsets")
def asyncadrequestsets_list(req: SimRequest, account_id: str) -> dict[str, Any]:
    return _list_sets(req, account_id, "ads")


def _missing_194(name: str) -> GraphError:
    # reference.md §3.7 lists 194 for this edge: "Missing at least one required parameter".
    return GraphError(f"Missing at least one required parameter: {name}", code=194)


@route("POST", "/act_<account_id>/async_batch_requests", kind="async_batch_requests")
def async_batch_requests_create(req: SimRequest, account_id: str) -> dict[str, Any]:
    """reference.md §3.7: `name`, `adbatch` (≤ 1000 operations) → {"id"} of a request set."""
    account = req.account(account_id, write=True)
    name = req.param("name")
    if not name:
        raise _missing_194("name")
    raw = req.param("adbatch")
    if raw is None or raw == "":
        raise _missing_194("adbatch")
    try:
        ops = parse_operations(
            raw, param="adbatch", limit=MAX_ASYNC_BATCH_OPERATIONS, default_method="POST"
        )
    except GraphError as err:
        if "Too many requests" in err.message:
            raise
        # core-flows.md §8 item 30: malformed adbatch → 2500 "Error parsing graph query".
        raise GraphError(f"Error parsing graph query: {err.message}", code=2500) from None
    request_set = _new_set(req, account.account_id, str(name), "batch")
    ids_by_index: dict[int, str] = {}
    for op in ops:
        item = AsyncRequest(
            id=req.world.new_id(),
            account_id=account.account_id,
            set_id=request_set.id,
            index=op.index,
            scope_object_id=_batch_scope(op, account.account_id),
            input=_op_input(op),
            operation=op,
        )
        req.world.put(item)
        request_set.request_ids.append(item.id)
        ids_by_index[op.index] = item.id
    # Dependent operations run after what they reference (independent ones keep input order).
    request_set.processing_order = [ids_by_index[op.index] for op in execution_order(ops)]
    _store_set(req.world, request_set)
    return {"id": request_set.id}


def _op_input(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {"method": op.method, "relative_url": op.relative_url}
    if op.name:
        out["name"] = op.name
    if op.body is not None:
        out["body"] = op.body
    return out


def _batch_scope(op: Operation, account_id: str) -> int | None:
    """The parent of what the operation creates: the ad set for an ad, the campaign for an ad
    set, the ad account otherwise (a numeric id, as in the seed's example)."""
    body = dict(decode_body(op.body)) if op.error is None else {}
    for key in ("adset_id", "campaign_id"):
        if body.get(key) and "{result=" not in body[key]:
            return _scope_id(body[key])
    return _scope_id(account_id)


@route("GET", "/act_<account_id>/async_requests", kind="async_requests")
def async_requests_list(req: SimRequest, account_id: str) -> dict[str, Any]:
    """core-flows.md §3.2: Batch API sets are listed here, not under async_batch_requests."""
    return _list_sets(req, account_id, "batch")


# ---------------------------------------------------------------------------------------------
# Sets and requests as nodes


@node_reader("async_request_set")
def async_set_read(req: SimRequest, request_set: AsyncRequestSet) -> dict[str, Any]:
    return _render_set(req, request_set)


@node_edge("async_request_set", "requests")
def async_set_requests(req: SimRequest, request_set: AsyncRequestSet) -> dict[str, Any]:
    return _list_requests(req, _requests(req.world, request_set))


@node_updater("async_request_set")
def async_set_update(req: SimRequest, request_set: AsyncRequestSet) -> Any:
    """core-flows.md §8 item 28: name always; notification_* only before it is sent → `true`."""
    mode, uri = _notification_params(req)
    if (mode is not None or uri is not None) and request_set.notification_status != "not_sent":
        raise invalid_parameter(
            "notification_uri and notification_mode can only be changed before the notification "
            "is sent"
        )
    if req.param("name"):
        request_set.name = str(req.param("name"))
    if mode is not None:
        request_set.notification_mode = mode
    if uri is not None:
        request_set.notification_uri = uri
    _maybe_notify(req.sim, request_set)
    return _true()


@node_deleter("async_request_set")
def async_set_cancel(req: SimRequest, request_set: AsyncRequestSet) -> Any:
    """Cancels every request not processed yet → `true`."""
    for item in _requests(req.world, request_set):
        if item.status == "INITIAL":
            item.status = "CANCELED"
            item.finished_at = req.now()
    _maybe_notify(req.sim, request_set)
    return _true()


@node_reader("async_request")
def async_request_read(req: SimRequest, item: AsyncRequest) -> dict[str, Any]:
    return _render_request(req, item)


@node_deleter("async_request")
def async_request_cancel(req: SimRequest, item: AsyncRequest) -> Any:
    """Only a request not processed yet (Initial) can be canceled → `true`."""
    if item.status != "INITIAL":
        raise invalid_parameter(
            f"The async request {item.id} is {item.status} and can no longer be canceled; only "
            "requests that are not processed yet can be"
        )
    item.status = "CANCELED"
    item.finished_at = req.now()
    _maybe_notify(req.sim, req.world.get(item.set_id, "async_request_set"))
    return _true()


def _true() -> SimResponse:
    # The seed: "This return true on successful update" / "Returns true on successful
    # cancellation" — a bare JSON `true`, not {"success": true}.
    return SimResponse(body=True)


# core-flows.md §3.1: `GET /<AD_SET_ID>/asyncadrequests`; the seed's example uses a campaign id.
# The node type names are the objects module's ("adset", "campaign").
@node_edge("adset", "asyncadrequests")
@node_edge("campaign", "asyncadrequests")
def scope_async_requests(req: SimRequest, obj: Any) -> dict[str, Any]:
    obj_id = str(_attr(obj, "id"))
    scopes = {_scope_id(obj_id)}
    if req.world.node_type(obj_id) == "campaign":
        # A campaign's ad requests are those of its ad sets.
        scopes |= {
            _scope_id(_attr(adset, "id"))
            for adset in req.world.all("adset")
            if str(_attr(adset, "campaign_id")) == obj_id
        }
    items = [
        item
        for item in req.world.all("async_request")
        if item.scope_object_id in scopes
        and req.world.get(item.set_id, "async_request_set").kind == "ads"
    ]
    return _list_requests(req, items)


def _attr(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


# ---------------------------------------------------------------------------------------------
# Control endpoints (tests and demos running the simulator in another process)


@control_route("POST", "/__sim__/async/advance")
def _control_advance(sim: Any, params: dict[str, str]) -> dict[str, Any]:
    """Advance every async set to the simulated now (they otherwise move when read)."""
    advance_async_work(sim)
    sets = sim.world.all("async_request_set")
    return {"sets": len(sets), "completed": sum(_is_completed(sim.world, s) for s in sets)}


@control_route("GET", "/__sim__/async/notifications")
def _control_notifications(sim: Any, params: dict[str, str]) -> dict[str, Any]:
    return {"data": list(notifications(sim))}
