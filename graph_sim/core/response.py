"""Turning a handler's result or a GraphError into the HTTP answer: JSON, ETag/304, headers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

from graph_sim.core.request import SimRequest, SimResponse
from graph_sim.errors import GraphError


@dataclass
class Outgoing:
    """What `Simulator.handle` returns: the answer to one call."""

    status: int
    headers: dict[str, str]
    body: bytes
    drop: bool = False  # close the connection instead of answering
    delay: float = 0.0  # real seconds to wait before answering (a "delay" fault)


class Http500(GraphError):
    """A bare HTTP 500 that is not Graph JSON (the `http_500` fault)."""

    def __init__(self) -> None:
        super().__init__("Internal Server Error", code=1, http_status=500)


def base_headers(version: str) -> dict[str, str]:
    # core-flows.md §3.4: the headers of Graph's example 200 response, plus the version (§5.4).
    return {
        "content-type": "application/json; charset=UTF-8",
        "facebook-api-version": version,
        "access-control-allow-origin": "*",
        "cache-control": "private, no-cache, no-store, must-revalidate",
        "pragma": "no-cache",
        "expires": "Sat, 01 Jan 2000 00:00:00 GMT",
        "x-fb-rev": "1",
        "x-fb-debug": "graph-sim",
    }


def render_result(req: SimRequest, result: Any, extra: dict[str, str]) -> Outgoing:
    headers = base_headers(req.version)
    headers.update(extra)
    if isinstance(result, Response):
        body = result.get_data()
        headers.update({k.lower(): v for k, v in result.headers.items()})
        return Outgoing(result.status_code, headers, body)
    status = 200
    if isinstance(result, SimResponse):
        status = result.status
        headers.update({k.lower(): v for k, v in result.headers.items()})
        if result.content_type:
            headers["content-type"] = result.content_type
            body_value = result.body
            data = body_value if isinstance(body_value, bytes) else str(body_value).encode()
            return Outgoing(status, headers, data)
        result = result.body
    data = json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode()
    if req.method == "GET" and status == 200:
        # core-flows.md §3.4: a quoted hash of the exact body; a match → 304, no body.
        etag = '"' + hashlib.sha1(data, usedforsecurity=False).hexdigest() + '"'
        headers["etag"] = etag
        if_none = req.headers.get("if-none-match", "")
        if etag in [t.strip() for t in if_none.split(",")] or if_none.strip() == "*":
            headers.pop("content-type", None)
            headers["content-length"] = "0"
            return Outgoing(304, headers, b"")
    return Outgoing(status, headers, data)


def render_error(err: GraphError, extra: dict[str, str], version: str) -> Outgoing:
    headers = base_headers(version)
    headers.update(extra)
    if isinstance(err, Http500):
        headers["content-type"] = "text/html; charset=utf-8"
        return Outgoing(500, headers, b"<html><body>500 Internal Server Error</body></html>")
    headers.update({k.lower(): v for k, v in err.headers.items()})
    eta = getattr(err, "eta_minutes", None)
    if eta is not None and "x-business-use-case-usage" in headers:
        headers["x-business-use-case-usage"] = _with_eta(headers["x-business-use-case-usage"], eta)
    headers["x-fb-trace-id"] = err.fbtrace_id
    body = json.dumps(err.as_json(), separators=(",", ":")).encode()
    return Outgoing(err.http_status, headers, body)


def _with_eta(header: str, eta: int) -> str:
    """A throttle's wait, written into every entry of the BUC usage header."""
    try:
        usage = json.loads(header)
        for entries in usage.values():
            for entry in entries:
                entry["estimated_time_to_regain_access"] = max(
                    eta, entry.get("estimated_time_to_regain_access", 0)
                )
        return json.dumps(usage, separators=(",", ":"))
    except (ValueError, AttributeError, TypeError):
        return header
