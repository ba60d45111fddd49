"""The simulator's in-memory world: apps, users, tokens, businesses, ad accounts, objects."""

from __future__ import annotations

import random
import secrets
import string
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

ADS_SCOPES = ("ads_management", "ads_read", "business_management")

# reference.md §2.3: account_status codes.
ACCOUNT_STATUS = {
    "ACTIVE": 1,
    "DISABLED": 2,
    "UNSETTLED": 3,
    "PENDING_RISK_REVIEW": 7,
    "PENDING_SETTLEMENT": 8,
    "IN_GRACE_PERIOD": 9,
    "PENDING_CLOSURE": 100,
    "CLOSED": 101,
}


def get_attr(obj: Any, name: str, default: Any = None) -> Any:
    """Read a field from a plug-in object, which may be a dict or a dataclass."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


@dataclass
class App:
    id: str
    secret: str
    name: str
    require_appsecret_proof: bool = False


@dataclass
class User:
    id: str
    name: str
    kind: str = "user"  # "user" or "system_user"
    business_id: str | None = None  # for system users


@dataclass
class Token:
    """An access token record; `req.token` in handlers."""

    value: str
    kind: str  # "user", "system_user", "app", "page"
    app_id: str
    user_id: str | None
    scopes: list[str]
    issued_at: float
    expires_at: float | None  # None: never expires (system users, app tokens)
    data_access_expires_at: float | None = None
    long_lived: bool = False
    # None while usable; "revoked" (permissions removed) or "password_changed".
    invalidated: str | None = None
    page_id: str | None = None

    def is_expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def has_scope(self, name: str) -> bool:
        return name in self.scopes


@dataclass
class Business:
    id: str
    name: str
    created_time: float
    owned_ad_accounts: list[str] = field(default_factory=list)  # "act_<n>" ids
    client_ad_accounts: list[str] = field(default_factory=list)
    owned_pages: list[str] = field(default_factory=list)
    verification_status: str = "verified"


@dataclass
class Page:
    id: str
    name: str
    category: str
    access_token: str | None = None
    instagram_business_account: str | None = None


@dataclass
class InstagramAccount:
    id: str
    username: str
    page_id: str | None = None


@dataclass
class AdAccount:
    """An ad account; `id` is `act_<account_id>` (reference.md §2.3)."""

    account_id: str
    name: str
    currency: str
    timezone_name: str
    timezone_offset_hours_utc: float
    timezone_id: int
    account_status: int = 1
    disable_reason: int = 0
    amount_spent: int = 0  # minor units ("basic unit": cents, or yen for JPY)
    balance: int = 0
    spend_cap: int = 0
    business_id: str | None = None
    owner: str | None = None  # business id or user id
    created_time: float = 0.0
    min_daily_budget: int = 100
    funding_source: str | None = None
    default_dsa_payor: str | None = None
    default_dsa_beneficiary: str | None = None
    end_advertiser: str = "NONE"
    media_agency: str = "NONE"
    partner: str = "NONE"
    is_personal: int = 0
    # ads_api_access_tier for this account's quotas and headers; None → `Limits.tier`.
    tier: str | None = None

    @property
    def id(self) -> str:
        return f"act_{self.account_id}"


class World:
    """Everything the simulator knows. Core records live in typed dicts; plug-in objects live in
    `objects` keyed by id with a node type, so the generic `/<id>` routes can find them.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self._ids: set[str] = set()
        self.apps: dict[str, App] = {}
        self.users: dict[str, User] = {}
        self.tokens: dict[str, Token] = {}
        self.businesses: dict[str, Business] = {}
        self.pages: dict[str, Page] = {}
        self.instagram_accounts: dict[str, InstagramAccount] = {}
        self.ad_accounts: dict[str, AdAccount] = {}  # keyed by "act_<n>"
        # user id → "act_<n>" ids the user may act on (granted through a business or directly).
        self.account_access: dict[str, set[str]] = {}
        self.user_pages: dict[str, list[str]] = {}  # user id → page ids the user admins
        self.user_businesses: dict[str, list[str]] = {}
        # (app_id, user_id) → scopes the user granted to the app through the dialog.
        self.grants: dict[tuple[str, str], set[str]] = {}
        # Plug-in objects: id → object, id → node type.
        self.objects: dict[str, Any] = {}
        self.types: dict[str, str] = {}
        # Named handles for the seeded demo world (user_id, business_id, ad_account_ids, ...).
        self.demo: dict[str, Any] = {}
        # Set by the Simulator: its clock (for timestamps in seeders) and itself (for config).
        self.clock: Any = None
        self.sim: Any = None

    # ids -------------------------------------------------------------------------------
    def new_id(self, digits: int = 15) -> str:
        """A fresh numeric-string id, deterministic from the seed and call order."""
        low, high = 10 ** (digits - 1), 10**digits - 1
        while True:
            candidate = str(self.rng.randint(low, high))
            if candidate not in self._ids:
                self._ids.add(candidate)
                return candidate

    def new_secret(self, length: int = 32, alphabet: str = string.hexdigits.lower()[:16]) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def new_token_value(self) -> str:
        # Tokens must not be guessable from the seed by other tests' data; randomness here
        # does not affect ids, so determinism of the world is kept.
        alphabet = string.ascii_letters + string.digits
        return "EAA" + "".join(secrets.choice(alphabet) for _ in range(120))

    # generic object store ---------------------------------------------------------------
    def put(self, obj: Any, node_type: str | None = None) -> Any:
        """Store a plug-in object under its `id` (dict key or attribute) with its node type.
        `node_type` defaults to the object's `node_type` field."""
        obj_id = get_attr(obj, "id")
        kind = node_type or get_attr(obj, "node_type")
        if not obj_id or not kind:
            raise ValueError("world.put needs an object with an id and a node type")
        self.objects[str(obj_id)] = obj
        self.types[str(obj_id)] = kind
        self._ids.add(str(obj_id))
        return obj

    def get(self, obj_id: str, node_type: str | None = None) -> Any | None:
        """Any node by id: plug-in objects and core records (ad accounts, users, ...)."""
        found = self.lookup(obj_id)
        if found is None:
            return None
        kind, obj = found
        if node_type is not None and kind != node_type:
            return None
        return obj

    def node_type(self, obj_id: str) -> str | None:
        found = self.lookup(obj_id)
        return found[0] if found else None

    def lookup(self, obj_id: str) -> tuple[str, Any] | None:
        """(node_type, object) for an id, or None."""
        obj_id = str(obj_id)
        if obj_id in self.objects:
            return self.types[obj_id], self.objects[obj_id]
        core: list[tuple[str, dict[str, Any]]] = [
            ("adaccount", self.ad_accounts),
            ("user", self.users),
            ("business", self.businesses),
            ("page", self.pages),
            ("instagram_account", self.instagram_accounts),
            ("application", self.apps),
        ]
        for kind, table in core:
            if obj_id in table:
                if kind == "user" and table[obj_id].kind == "system_user":
                    return "system_user", table[obj_id]
                return kind, table[obj_id]
        return None

    def remove(self, obj_id: str) -> None:
        """Forget an object entirely (Graph mostly soft-deletes; use this only for hard deletes)."""
        self.objects.pop(obj_id, None)
        self.types.pop(obj_id, None)

    def all(self, node_type: str) -> list[Any]:
        return [obj for oid, obj in self.objects.items() if self.types[oid] == node_type]

    def query(
        self, node_type: str, where: Callable[[Any], bool] | None = None, **equals: Any
    ) -> list[Any]:
        """Objects of a type whose fields equal `equals` and pass `where`, in creation order."""
        out = []
        for obj in self.all(node_type):
            if all(get_attr(obj, k) == v for k, v in equals.items()) and (
                where is None or where(obj)
            ):
                out.append(obj)
        return out

    def iter_objects(self) -> Iterator[tuple[str, str, Any]]:
        for oid, obj in self.objects.items():
            yield oid, self.types[oid], obj

    # core records ----------------------------------------------------------------------
    def add_ad_account(self, account: AdAccount) -> AdAccount:
        self._ids.add(account.account_id)
        self.ad_accounts[account.id] = account
        return account

    def ad_account(self, act_id: str) -> AdAccount | None:
        key = act_id if str(act_id).startswith("act_") else f"act_{act_id}"
        return self.ad_accounts.get(key)

    def grant_account(self, user_id: str, act_ids: Iterable[str]) -> None:
        self.account_access.setdefault(user_id, set()).update(act_ids)

    def accounts_for_user(self, user_id: str) -> list[AdAccount]:
        """Ad accounts a user (or system user) may act on, in a stable order."""
        allowed = set(self.account_access.get(user_id, set()))
        user = self.users.get(user_id)
        if user and user.kind == "system_user" and user.business_id in self.businesses:
            biz = self.businesses[user.business_id]
            allowed.update(biz.owned_ad_accounts + biz.client_ad_accounts)
        return [acc for key, acc in self.ad_accounts.items() if key in allowed]

    def user_can_access_account(self, user_id: str | None, act_id: str) -> bool:
        if user_id is None:
            return False
        key = act_id if act_id.startswith("act_") else f"act_{act_id}"
        return any(acc.id == key for acc in self.accounts_for_user(user_id))

    def tokens_of(self, *, user_id: str, app_id: str | None = None) -> list[Token]:
        return [
            t
            for t in self.tokens.values()
            if t.user_id == user_id and (app_id is None or t.app_id == app_id)
        ]

    def mint_token(
        self,
        *,
        app_id: str,
        user_id: str | None,
        scopes: Iterable[str],
        now: float,
        expires_in: float | None,
        kind: str = "user",
        long_lived: bool = False,
        value: str | None = None,
    ) -> Token:
        token = Token(
            value=value or self.new_token_value(),
            kind=kind,
            app_id=app_id,
            user_id=user_id,
            scopes=list(dict.fromkeys(scopes)),
            issued_at=now,
            expires_at=None if expires_in is None else now + expires_in,
            # Graph: data access lasts 90 days from the last time the user used the app.
            data_access_expires_at=now + 90 * 86400 if kind == "user" else None,
            long_lived=long_lived,
        )
        self.tokens[token.value] = token
        return token
