"""The call log (`sim.calls`): every Graph call the simulator answered, secrets redacted."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

REDACTED = "REDACTED"
SECRET_PARAMS = ("access_token", "appsecret_proof", "client_secret", "fb_exchange_token", "code")


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
    return {k: (REDACTED if k in SECRET_PARAMS else v) for k, v in params.items()}
