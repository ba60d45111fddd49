"""The call log (`sim.calls`): every Graph call the simulator answered, secrets redacted."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import unquote_plus

from graph_sim.jsonpath import LenientJSONError, loads_lenient

REDACTED = "REDACTED"
SECRET_PARAMS = ("access_token", "appsecret_proof", "client_secret", "fb_exchange_token", "code")
# Parameters holding a JSON array of batch operations, each of which may carry its own token
# (core-flows.md §3.3: "Per-operation token, in the query string or body").
BATCH_PARAMS = ("batch", "adbatch")
_SECRET_HEADERS = ("authorization",)
# `access_token=x`, `access_token%3Dx`, `"access_token": "x"`, `access_token: 'x'` in free text.
_SECRET_IN_TEXT = re.compile(
    r"(?i)(?<![A-Za-z0-9_])(" + "|".join(SECRET_PARAMS) + r")"
    r"(=|%3D|[\"']?\s*:\s*[\"']?)([^&\"'\s,}\]]+)"
)


@dataclass
class CallRecord:
    """One recorded call; secrets are REDACTED."""

    time: float
    method: str
    path: str
    version: str
    params: dict[str, str]
    status: int
    error_code: int | None = None
    error_subcode: int | None = None
    account_id: str | None = None
    buc: str | None = None
    kind: str | None = None
    fault_id: int | None = None
    in_batch: bool = False

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class CallLog(list[CallRecord]):
    """`sim.calls`: a list of CallRecord with small finders for tests."""

    def find(
        self, *, method: str | None = None, path: str | None = None, status: int | None = None
    ) -> list[CallRecord]:
        """Calls by method, path (`*` wildcards) and status."""
        return [
            c
            for c in self
            if (method is None or c.method == method.upper())
            and (path is None or re.fullmatch(path.replace("*", ".*"), c.path))
            and (status is None or c.status == status)
        ]


def redact(params: dict[str, str]) -> dict[str, str]:
    """The params as logged: secret values replaced, also inside batch operations."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if key in SECRET_PARAMS:
            out[key] = REDACTED
        elif key in BATCH_PARAMS and isinstance(value, str):
            out[key] = redact_batch(value)
        else:
            out[key] = value
    return out


def redact_batch(text: str) -> str:
    """A `batch` / `adbatch` value with the secrets in its operations replaced: top-level keys,
    `relative_url` query parameters, form-string or object `body` fields and `Authorization`
    headers. Unchanged text (nothing secret in it) is logged as sent; otherwise the operations
    are logged as compact JSON. Text that is not JSON even by Graph's lenient reading (the call
    fails with 100) gets anything that looks like a secret's value replaced in place."""
    try:
        ops = loads_lenient(text)
    except (LenientJSONError, RecursionError):
        return _scrub(text)
    if not isinstance(ops, list):
        return _scrub(text)
    redacted = [_redact_operation(op) for op in ops]
    if redacted == ops:
        return text
    return json.dumps(redacted, separators=(",", ":"))


def _scrub(text: str) -> str:
    return _SECRET_IN_TEXT.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)


def _redact_operation(op: Any) -> Any:
    if not isinstance(op, dict):
        return op
    out: dict[str, Any] = {}
    for key, value in op.items():
        if key in SECRET_PARAMS:
            out[key] = REDACTED
        elif key == "relative_url" and isinstance(value, str):
            path, sep, query = value.partition("?")
            out[key] = path + sep + _redact_form(query) if sep else value
        elif key == "body" and isinstance(value, str):
            out[key] = _redact_form(value)
        elif key == "body" and isinstance(value, dict):
            out[key] = {k: (REDACTED if k in SECRET_PARAMS else v) for k, v in value.items()}
        elif key == "headers":
            out[key] = _redact_headers(value)
        else:
            out[key] = value
    return out


def _redact_form(text: str) -> str:
    """`a=1&access_token=x` → `a=1&access_token=REDACTED`, other pairs kept byte for byte. A
    wholly URL-encoded body (`name%3DX%26access_token%3Dy`, as the async batch seed sends) is
    read decoded, as the batch runner reads it."""
    if "=" not in text and "%3d" in text.lower():
        decoded = unquote_plus(text)
        redacted = _redact_form(decoded)
        return text if redacted == decoded else redacted
    pairs = []
    for pair in text.split("&"):
        name, sep, _value = pair.partition("=")
        if sep and unquote_plus(name).strip() in SECRET_PARAMS:
            pair = f"{name}={REDACTED}"
        pairs.append(pair)
    return "&".join(pairs)


def _redact_headers(headers: Any) -> Any:
    if isinstance(headers, dict):
        return {
            k: (REDACTED if str(k).strip().lower() in _SECRET_HEADERS else v)
            for k, v in headers.items()
        }
    if isinstance(headers, list):
        out = []
        for line in headers:
            name, sep, _value = str(line).partition(":") if isinstance(line, str) else ("", "", "")
            secret = sep and name.strip().lower() in _SECRET_HEADERS
            out.append(f"{name}: {REDACTED}" if secret else line)
        return out
    return headers
