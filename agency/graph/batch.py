"""Synchronous batch requests (core-flows.md §3.3): up to 50 operations in one POST, results and
errors per operation, JSONPath references between operations (`ref("camp")`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from agency.graph.client import encode_params
from agency.graph.errors import GraphError, error_from_body
from agency.graph.throttle import parse_usage, retry_after_from

if TYPE_CHECKING:
    from agency.graph.client import GraphClient

MAX_BATCH = 50  # "limited to 50 requests per batch"


def ref(name: str, path: str = "$.id") -> str:
    """A JSONPath reference to an earlier operation's result: `{result=name:$.id}`."""
    return f"{{result={name}:{path}}}"


@dataclass(frozen=True)
class BatchRequest:
    """One operation. `relative_url` is unversioned (`act_1/campaigns`, `123?fields=name`)."""

    method: str
    relative_url: str
    body: Mapping[str, Any] | None = None
    name: str | None = None
    headers: Sequence[str] = ()  # raw header lines, e.g. 'If-None-Match: "..."'

    def as_operation(self, version: str) -> dict[str, Any]:
        op: dict[str, Any] = {
            "method": self.method.upper(),
            "relative_url": f"{version}/{self.relative_url.lstrip('/')}",
        }
        if self.body:
            op["body"] = urlencode(encode_params(self.body))
        if self.name:
            op["name"] = self.name
            # Graph drops the answer of an operation another one referenced; we want every id.
            op["omit_response_on_success"] = False
        if self.headers:
            op["headers"] = list(self.headers)
        return op


@dataclass
class BatchResult:
    """One operation's outcome. `status is None` when the batch timed out before it ran (or
    while it ran): Graph does not say which, so only retry such a write with a guard."""

    request: BatchRequest
    status: int | None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    error: GraphError | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and self.error is None

    @property
    def timed_out(self) -> bool:
        return self.status is None


def run_batch(client: GraphClient, requests: Sequence[BatchRequest]) -> list[BatchResult]:
    if not requests:
        return []
    if len(requests) > MAX_BATCH:
        raise ValueError(f"A Graph batch takes at most {MAX_BATCH} requests, not {len(requests)}")
    operations = [r.as_operation(client.version) for r in requests]
    reads_only = all(r.method.upper() == "GET" for r in requests)
    response = client.request(
        "POST",
        "",
        data={"batch": json.dumps(operations, separators=(",", ":")), "include_headers": True},
        # The batch itself may hold writes: re-sent only when Graph cannot have run it.
        idempotent=reads_only,
    )
    answers = response.body if isinstance(response.body, list) else []
    results: list[BatchResult] = []
    for index, request in enumerate(requests):
        answer = answers[index] if index < len(answers) else None
        results.append(_result(client, request, answer))
    return results


def _result(client: GraphClient, request: BatchRequest, answer: Any) -> BatchResult:
    if not isinstance(answer, dict):
        return BatchResult(request, None)
    status = int(answer.get("code") or 0)
    headers = {
        str(h.get("name", "")).lower(): str(h.get("value", ""))
        for h in answer.get("headers") or []
        if isinstance(h, dict)
    }
    raw = answer.get("body")
    try:
        body = json.loads(raw) if isinstance(raw, str) and raw else raw
    except ValueError:
        body = raw
    scope = client.scope_for(request.relative_url.split("?", 1)[0])
    usage = parse_usage(headers)
    client.throttle.observe(scope, usage)
    if status >= 400 or (isinstance(body, dict) and "error" in body):
        error = error_from_body(
            body,
            http_status=status,
            fbtrace_id=headers.get("x-fb-trace-id"),
            retry_after=retry_after_from(usage, scope),
        )
        client.note_error(scope, error)
        return BatchResult(request, status, body, headers, error)
    return BatchResult(request, status, body, headers)
