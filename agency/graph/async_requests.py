"""Async ad request sets and async batch requests (core-flows.md §3.1, §3.2): submit, then
poll the set until `is_completed`, then read each request's `status` and `result`.

Creating a set is a create like any other: the set's name is the duplicate guard (the list
edges do not filter, so the guard compares names itself)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from agency.graph.client import encode_params
from agency.graph.guard import DuplicateGuard

if TYPE_CHECKING:
    from agency.graph.batch import BatchRequest
    from agency.graph.client import GraphClient

MAX_ASYNC_BATCH = 1000  # "Each API call can have a maximum of 1000 requests"
SET_FIELDS = (
    "id,name,owner_id,is_completed,total_count,initial_count,in_progress_count,"
    "success_count,error_count,canceled_count"
)
REQUEST_FIELDS = "id,status,result,scope_object_id,input"


def _act(account_id: str) -> str:
    text = str(account_id)
    return text if text.startswith("act_") else f"act_{text}"


@dataclass(frozen=True)
class AsyncRequestResult:
    """One request of a set: `status` SUCCESS/ERROR/…, `object_id` on success."""

    id: str
    status: str
    object_id: str | None
    error_code: int | None
    error_message: str | None
    raw: dict[str, Any]


def async_ad_request_set_create(
    client: GraphClient,
    *,
    account_id: str,
    name: str,
    ad_specs: Sequence[dict[str, Any]],
    notification_uri: str | None = None,
) -> str:
    """`POST /act_<id>/asyncadrequestsets` → the set id. `name` must be unique (the guard)."""
    act = _act(account_id)
    data: dict[str, Any] = {"name": name, "ad_specs": list(ad_specs)}
    if notification_uri:
        data.update(notification_uri=notification_uri, notification_mode="ON_COMPLETE")
    body = client.create(
        f"{act}/asyncadrequestsets",
        data=data,
        guard=_SetGuard(name, f"{act}/asyncadrequestsets"),
    )
    return str(body["id"])


def async_batch_create(
    client: GraphClient,
    *,
    account_id: str,
    name: str,
    requests: Sequence[BatchRequest],
) -> str:
    """`POST /act_<id>/async_batch_requests` with `adbatch` → the set id."""
    if not requests or len(requests) > MAX_ASYNC_BATCH:
        raise ValueError(f"An async batch takes 1 to {MAX_ASYNC_BATCH} requests")
    act = _act(account_id)
    adbatch = []
    for request in requests:
        op: dict[str, Any] = {
            "name": request.name or f"op{len(adbatch)}",
            "relative_url": request.relative_url.lstrip("/"),
        }
        if request.body:
            op["body"] = urlencode(encode_params(request.body))
        adbatch.append(op)
    body = client.create(
        f"{act}/async_batch_requests",
        data={"name": name, "adbatch": json.dumps(adbatch, separators=(",", ":"))},
        guard=_SetGuard(name, f"{act}/async_requests"),
    )
    return str(body["id"])


def async_set_status(client: GraphClient, set_id: str) -> dict[str, Any]:
    return client.get(str(set_id), fields=SET_FIELDS)


def async_set_requests(
    client: GraphClient, set_id: str, *, status: Sequence[str] = ()
) -> Iterator[AsyncRequestResult]:
    """Every request of a set (optionally filtered by status), across pages."""
    params = {"status": ",".join(s.lower() for s in status)} if status else None
    for item in client.iterate(f"{set_id}/requests", params=params, fields=REQUEST_FIELDS):
        result = item.get("result") if isinstance(item.get("result"), dict) else {}
        yield AsyncRequestResult(
            id=str(item.get("id")),
            status=str(item.get("status", "")).upper(),
            object_id=str(result["id"]) if result.get("id") else None,
            error_code=result.get("error_code"),
            error_message=result.get("error_message"),
            raw=item,
        )


def wait_for_async_set(
    client: GraphClient,
    set_id: str,
    *,
    poll_every: float = 10.0,
    timeout: float = 900.0,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Poll until the set is completed; TimeoutError after `timeout` seconds. Tasks should
    rather poll from a periodic schedule than sleep in a worker."""
    sleep = sleep or client.sleep
    deadline = clock() + timeout
    while True:
        status = async_set_status(client, set_id)
        if status.get("is_completed"):
            return status
        if clock() >= deadline:
            raise TimeoutError(f"async request set {set_id} not completed after {timeout} s")
        sleep(poll_every)


@dataclass(frozen=True)
class _SetGuard:
    """Sets are listed on another edge than the one they are created on."""

    name: str
    list_edge: str

    def find(
        self, client: GraphClient, edge: str, *, account_id: str | None = None
    ) -> dict[str, Any] | None:
        return DuplicateGuard.by_name(self.name).find(client, self.list_edge, account_id=account_id)
