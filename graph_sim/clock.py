"""The simulator's clock: manual in tests (advanced, never slept on), real time in server mode."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

# 2026-06-01T00:00:00Z: a fixed, realistic "now" so seeded data and tests are reproducible.
DEFAULT_START = 1780272000.0


class Clock:
    """Unix time in seconds (float).

    `manual=True`: time moves only through `advance()` / `set()`.
    `manual=False`: time follows the wall clock from `start`, scaled by `speed`
    (speed 60 makes one real second a simulated minute), and `advance()` still jumps ahead.
    Every time-based progression in the simulator (IN_PROCESS → ACTIVE, video processing,
    async jobs, token expiry, rate-limit windows) reads `now()`, so tests never sleep.
    """

    def __init__(self, *, manual: bool = True, start: float | None = None, speed: float = 1.0):
        self.manual = manual
        self.speed = speed
        self._lock = threading.Lock()
        self._start = DEFAULT_START if start is None else start
        self._offset = 0.0
        self._real_origin = time.monotonic()

    def now(self) -> float:
        with self._lock:
            if self.manual:
                return self._start + self._offset
            elapsed = (time.monotonic() - self._real_origin) * self.speed
            return self._start + elapsed + self._offset

    def advance(self, seconds: float) -> float:
        """Jump ahead; returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    def set(self, timestamp: float) -> None:
        """Move to an absolute time (forward only, like `advance`)."""
        self.advance(max(0.0, timestamp - self.now()))

    def reset(self) -> None:
        """Back to `start` (manual clocks only: a real-time clock keeps following the wall)."""
        if self.manual:
            with self._lock:
                self._offset = 0.0

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=UTC)

    def iso(self, timestamp: float | None = None) -> str:
        """Graph's datetime format, e.g. `2026-06-01T00:00:00+0000`."""
        ts = self.now() if timestamp is None else timestamp
        return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
