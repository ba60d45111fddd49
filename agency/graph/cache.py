"""ETag / If-None-Match caching for reads that repeat (core-flows.md §3.4)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class CachedResponse:
    etag: str
    body: Any


class ETagCache(Protocol):
    def get(self, key: str) -> CachedResponse | None: ...

    def put(self, key: str, value: CachedResponse) -> None: ...


class InProcessETagCache:
    """A small LRU. Entries are per token (the key holds a hash of it, never the token)."""

    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[str, CachedResponse] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def get(self, key: str) -> CachedResponse | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: CachedResponse) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)


def cache_key(token: str, path: str, params: Mapping[str, Any]) -> str:
    """Same token, path and parameters → same key. The token only enters as a hash."""
    who = hashlib.sha256(token.encode()).hexdigest()[:16]
    query = "&".join(f"{k}={params[k]}" for k in sorted(params))
    return f"{who}:{path}?{query}"
