"""Checks that must pass before a campaign may be published, whatever the path (one campaign
from the builder, many from a bulk launch, the API). Another app registers a gate at start-up
(`publish_gate_register`); a gate raises a ServiceError subclass to refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from campaigns.models import Campaign

PublishGate = Callable[["Campaign"], None]

_GATES: dict[str, PublishGate] = {}


def publish_gate_register(name: str) -> Callable[[PublishGate], PublishGate]:
    """Register `gate` under `name` (registering the same name again replaces it)."""
    def register(gate: PublishGate) -> PublishGate:
        _GATES[name] = gate
        return gate

    return register


def publish_gates_check(*, campaign: Campaign) -> None:
    """Run every registered gate; the first that refuses raises."""
    for gate in _GATES.values():
        gate(campaign)
