"""SimRequest: what every handler receives, with Graph's parameter encodings decoded on demand."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph_sim.core.fields import FieldSpec, parse_fields
from graph_sim.errors import GraphError, invalid_parameter, missing_parameter, permission_error
from graph_sim.state import AdAccount, Token, World

if TYPE_CHECKING:
    from werkzeug.datastructures import FileStorage
    from werkzeug.wrappers import Request

    from graph_sim.app import Simulator

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}

WRITE_METHODS = {"POST", "DELETE"}


@dataclass
class SimResponse:
    """Return this from a handler for anything but a plain 200 JSON body."""

    body: Any = None  # JSON-able, or bytes/str with `content_type`
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None


class SimRequest:
    """One Graph call, as a handler sees it.

    `params`: query string and form fields merged (form wins), values as the strings sent.
    A JSON request body is merged too, with non-string values re-encoded as JSON text, so
    `json_param` reads every encoding the same way.
    """

    def __init__(
        self,
        *,
        sim: Simulator,
        http: Request | None,
        method: str,
        version: str,
        path: str,
        params: dict[str, str],
        files: dict[str, FileStorage] | None = None,
        raw_body: bytes = b"",
        headers: dict[str, str] | None = None,
        path_params: dict[str, str] | None = None,
    ) -> None:
        self.sim = sim
        self.world: World = sim.world
        self.http = http
        self.method = method.upper()
        self.version = version
        self.path = path  # unversioned, e.g. "/act_123/campaigns"
        self.params = params
        self.files = files or {}
        self.raw_body = raw_body
        self.headers = headers or {}
        self.path_params = path_params or {}
        self.token: Token | None = None
        self.account_id: str | None = None  # "act_<n>" once the call is tied to an account
        self.buc: str | None = None
        self.base_url = ""  # scheme://host, for paging URLs
        self.version_prefix = ""  # "/v25.0" when the call was versioned
        self.batch_depth = 0  # > 0 inside a sync batch operation
        self._fields: list[FieldSpec] | bool | None = False

    # time -------------------------------------------------------------------------------
    def now(self) -> float:
        return self.sim.clock.now()

    # parameters ---------------------------------------------------------------------------
    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.params

    def required(self, name: str) -> str:
        value = self.params.get(name)
        if value is None or value == "":
            raise missing_parameter(name)
        return value

    def json_param(self, name: str, default: Any = None) -> Any:
        """A JSON-encoded value (`special_ad_categories=["NONE"]`, `targeting={...}`).
        Graph also accepts PHP-style single quotes in examples; those are tolerated."""
        raw = self.params.get(name)
        if raw is None:
            return default
        try:
            return json.loads(raw)
        except ValueError:
            try:
                return json.loads(raw.replace("'", '"'))
            except ValueError:
                raise invalid_parameter(
                    f"Param {name} must be a valid JSON value", subcode=None
                ) from None

    def int_param(self, name: str, default: int | None = None) -> int | None:
        raw = self.params.get(name)
        if raw is None or raw == "":
            return default
        try:
            return int(str(raw).strip())
        except ValueError:
            raise invalid_parameter(f"Param {name} must be an integer") from None

    def float_param(self, name: str, default: float | None = None) -> float | None:
        raw = self.params.get(name)
        if raw is None or raw == "":
            return default
        try:
            return float(raw)
        except ValueError:
            raise invalid_parameter(f"Param {name} must be a number") from None

    def bool_param(self, name: str, default: bool | None = None) -> bool | None:
        raw = self.params.get(name)
        if raw is None or raw == "":
            return default
        low = str(raw).strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise invalid_parameter(f"Param {name} must be a boolean")

    def list_param(self, name: str, default: list[Any] | None = None) -> list[Any] | None:
        """A list sent as a JSON array (`["A","B"]`) or a comma list (`A,B`)."""
        raw = self.params.get(name)
        if raw is None:
            return default
        text = str(raw).strip()
        if text.startswith("["):
            value = self.json_param(name)
            if not isinstance(value, list):
                raise invalid_parameter(f"Param {name} must be an array")
            return value
        return [part.strip() for part in text.split(",") if part.strip()]

    # fields -------------------------------------------------------------------------------
    @property
    def fields(self) -> list[FieldSpec] | None:
        """Parsed `fields=` (None when absent: render the documented defaults)."""
        if self._fields is False:
            self._fields = parse_fields(self.params.get("fields"))
        return self._fields  # type: ignore[return-value]

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields or []]

    # auth -----------------------------------------------------------------------------------
    @property
    def user_id(self) -> str | None:
        return self.token.user_id if self.token else None

    def require_scope(self, *names: str, any_of: bool = False) -> None:
        """All of `names` (or any one, with `any_of=True`) must be on the token → else code 200."""
        token = self.token
        if token is None or token.kind == "app":
            raise permission_error("Permissions error: a user access token is required")
        have = [n for n in names if token.has_scope(n)]
        if (any_of and not have) or (not any_of and len(have) != len(names)):
            missing = " or ".join(names) if any_of else ", ".join(sorted(set(names) - set(have)))
            raise GraphError(
                f"Requires {missing} permission to manage the object",
                code=200,
                type="OAuthException",
                http_status=403,
            )

    def require_ads_access(self, *, write: bool | None = None) -> None:
        """core-flows.md §1.4: `ads_read` reads; POST/DELETE on ad objects need `ads_management`."""
        is_write = self.method in WRITE_METHODS if write is None else write
        if is_write:
            self.require_scope("ads_management")
        else:
            self.require_scope("ads_management", "ads_read", any_of=True)

    def account(self, act_id: str, *, write: bool | None = None) -> AdAccount:
        """The ad account, after checking that the token's user may act on it (code 200
        otherwise, core-flows.md §1.7 [002:L12552]) and has the scope for this method.
        Accepts `act_<n>` or `<n>`. Ties the call to the account for rate limiting."""
        key = act_id if str(act_id).startswith("act_") else f"act_{act_id}"
        account = self.world.ad_account(key)
        if account is None:
            raise GraphError(
                f"Unsupported {self.method.lower()} request. Object with ID '{key}' does not "
                "exist, cannot be loaded due to missing permissions, or does not support this "
                "operation.",
                code=100,
                subcode=33,
                type="GraphMethodException",
            )
        if self.token is None or not self.world.user_can_access_account(self.token.user_id, key):
            raise GraphError(
                "Permissions error: the user is not allowed to act on this ad account",
                code=200,
                http_status=403,
            )
        self.require_ads_access(write=write)
        self.account_id = key
        return account

    # misc ---------------------------------------------------------------------------------
    def url_for(self, path: str, params: dict[str, str] | None = None) -> str:
        """A full Graph URL on this server, keeping the caller's version prefix."""
        from urllib.parse import urlencode

        query = f"?{urlencode(params)}" if params else ""
        return f"{self.base_url}{self.version_prefix}{path}{query}"
