"""The world on disk: `python -m graph_sim --state FILE` loads it at start (when the file exists)
and saves it periodically and at shutdown, so that a restart keeps every token, grant, ad account
and object (the app's stored connections keep working).

The file is a pickle of the World (a local file the simulator itself wrote: never load one from
elsewhere). Locks are written as fresh locks; the clock and the simulator are re-attached on load.
Written to a temporary file and renamed, so a crash never leaves half a world.
"""

from __future__ import annotations

import io
import os
import pickle
import threading
from pathlib import Path
from typing import Any

FORMAT = 1
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


class _WorldPickler(pickle.Pickler):
    def reducer_override(self, obj: Any):
        if isinstance(obj, _LOCK_TYPES):
            return (threading.RLock if "RLock" in type(obj).__name__ else threading.Lock, ())
        return NotImplemented


def world_dumps(sim) -> bytes:
    with sim.lock:
        world = sim.world
        clock, owner = world.clock, world.sim
        world.clock = world.sim = None  # re-attached on load
        try:
            buffer = io.BytesIO()
            _WorldPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(
                {"format": FORMAT, "seed": sim.seed, "world": world,
                 "oauth_codes": dict(sim.oauth_codes)})
        finally:
            world.clock, world.sim = clock, owner
    return buffer.getvalue()


def world_save(sim, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = world_dumps(sim)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def world_load(sim, path: str | Path) -> bool:
    """Replace the simulator's world with the saved one; False when there is no file yet."""
    path = Path(path)
    if not path.exists():
        return False
    state = pickle.loads(path.read_bytes())  # noqa: S301 - our own file, see the module doc
    if state.get("format") != FORMAT:
        raise ValueError(f"{path}: unknown state format {state.get('format')!r}")
    with sim.lock:
        world = state["world"]
        world.clock, world.sim = sim.clock, sim
        sim.seed = state["seed"]
        sim.world = world
        sim.oauth_codes = state.get("oauth_codes", {})
    return True


class PeriodicSaver:
    """Saves the world every `interval` seconds when calls were served since the last save."""

    def __init__(self, sim, path: str | Path, interval: float = 5.0) -> None:
        self.sim, self.path, self.interval = sim, Path(path), interval
        self._stop = threading.Event()
        self._seen = -1
        self._thread = threading.Thread(target=self._run, name="graph-sim-state", daemon=True)

    def start(self) -> PeriodicSaver:
        self._thread.start()
        return self

    def save_if_changed(self) -> None:
        count = len(self.sim.calls)
        if count != self._seen:
            world_save(self.sim, self.path)
            self._seen = count

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.save_if_changed()

    def stop(self) -> None:
        self._stop.set()
        world_save(self.sim, self.path)  # always, at shutdown: control-API changes too
