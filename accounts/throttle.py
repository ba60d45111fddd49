"""A fixed-window counter in the cache: how often one key (an address, an email) may do a thing.

Used where django-axes does not reach (asking for a password reset). With REDIS_URL the cache is
Redis, shared by every web process; otherwise each process counts for itself.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def throttle_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one more attempt for `key`; True while it stays within `limit` per window."""
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
    cache_key = f"adwright:throttle:{scope}:{digest}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
