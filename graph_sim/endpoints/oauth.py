"""OAuth: the consent dialog, code and long-lived token exchange, debug_token, permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from graph_sim.app import Simulator


def dialog_decision(sim: Simulator, params: dict[str, str], *, approve: bool) -> str:
    """The redirect location after the user approves or declines (filled in below)."""
    raise NotImplementedError(urlencode(params) if approve else "")


_unused: Any = None
