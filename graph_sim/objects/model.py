"""The ad objects (campaign, ad set, ad, creative) as stored in the world, and their settings."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph_sim.state import World

CAMPAIGN, ADSET, AD, CREATIVE = "campaign", "adset", "ad", "adcreative"
KINDS = (CAMPAIGN, ADSET, AD, CREATIVE)

# Graph's node type names, used in "Tried accessing nonexisting field (x) on node type (y)".
GRAPH_TYPE_NAMES = {CAMPAIGN: "Campaign", ADSET: "AdSet", AD: "Adgroup", CREATIVE: "AdCreative"}
# Words for messages ("This ad set has been archived...").
HUMAN_NAMES = {CAMPAIGN: "campaign", ADSET: "ad set", AD: "ad", CREATIVE: "ad creative"}


@dataclass
class AdObject:
    """One campaign, ad set, ad or creative.

    `status` is what the client set (`configured_status` reads the same); `effective_status`
    is never stored, it is derived from the clock, the post-processing/review deadlines and
    the parents (see status.py). `data` holds every other field in the form Graph reads it
    back (budgets as ints here, rendered as numeric strings).
    """

    node_type: str
    id: str
    account_id: str  # numeric, without "act_"
    name: str
    status: str
    created_time: float
    updated_time: float
    data: dict[str, Any] = field(default_factory=dict)
    campaign_id: str | None = None
    adset_id: str | None = None
    creative_id: str | None = None
    # Post-processing runs until this time (IN_PROCESS); ads then sit in review until
    # `review_until` (PENDING_REVIEW).
    processing_until: float = 0.0
    review_until: float = 0.0
    # Set when post-processing is to fail: shown as WITH_ISSUES once processing ends.
    issues_info: list[dict[str, Any]] | None = None
    # When `status` last changed (paused, resumed, archived, deleted); None if never. The
    # insights engine stops delivery there for paused/archived/deleted objects.
    status_changed_time: float | None = None
    seq: int = 0
    # Set when the simulated review rejects an ad: DISAPPROVED once review ends, with this
    # as `ad_review_feedback` (reference.md §10 item 35).
    review_feedback: dict[str, Any] | None = (
        None  # creation order, to break ties between objects created in the same second
    )


@dataclass
class ObjectsConfig:
    """Knobs a test (or the control API) may change on `objects_state(world).config`."""

    # core-flows.md §2.5: post-processing after each create/edit, then (ads) review.
    # None: use the simulator's `config.timings.in_process` / `.review`.
    post_processing_seconds: float | None = None
    review_seconds: float | None = None
    # post-processing.txt prints the creative status as "IN-PROCESS" while the enums say
    # IN_PROCESS; we emit the enum spelling unless this is switched to the literal one.
    creative_in_process_status: str = "IN_PROCESS"
    # core-flows.md §2.4 limits (ad-reference.txt); reference.md §7.3 for the archived cap.
    max_ads_per_adset: int = 50
    max_ads_per_account: int = 5000
    max_adsets_per_account: int = 6000
    max_campaigns_per_account: int = 6000
    max_archived_per_account: int = 100_000
    # The seeds only give "$1.00 per day" (core-flows.md §7.3); per-currency minimums in minor
    # units. Currencies not listed use the account's `min_daily_budget`.
    min_daily_budget: dict[str, int] = field(default_factory=dict)
    # Previews are "valid for 24 hours" (core-flows.md §2.7).
    preview_ttl_seconds: float = 24 * 3600


@dataclass
class PostProcessingFault:
    """What a failing post-processing reports in `issues_info` (post-processing.txt)."""

    error_code: int = 1815869
    error_summary: str = "Ad post is not available"
    error_message: str = (
        "The Facebook post associated with your ad is not available. It may have been "
        "removed, or you may not have permission to view it."
    )
    level: str | None = None  # defaults to the object's level (CAMPAIGN, AD_SET, AD, CREATIVE)


@dataclass
class ObjectsState:
    """Per-world state of this module that is not an object: settings, faults, previews."""

    config: ObjectsConfig = field(default_factory=ObjectsConfig)
    # node type → faults for the next objects of that type created or edited.
    pending_faults: dict[str, list[PostProcessingFault]] = field(default_factory=dict)
    previews: dict[str, dict[str, Any]] = field(default_factory=dict)
    # ad_review_feedback for the next ads that go through review (each is used once).
    pending_rejections: list[dict[str, Any]] = field(default_factory=list)
    # Serialises writes: the threaded test server may run two calls at once.
    lock: threading.RLock = field(default_factory=threading.RLock)
    sequence: int = 0

    def fail_next(self, node_type: str, count: int = 1, fault: PostProcessingFault | None = None):
        """Make the post-processing of the next `count` objects of `node_type` fail."""
        queue = self.pending_faults.setdefault(node_type, [])
        queue.extend([fault or PostProcessingFault()] * count)

    def take_fault(self, node_type: str) -> PostProcessingFault | None:
        queue = self.pending_faults.get(node_type)
        return queue.pop(0) if queue else None


_STATE_ATTR = "_ad_objects_state"


def objects_state(world: World) -> ObjectsState:
    """This module's state for a world (created on first use, reset with the world)."""
    state = getattr(world, _STATE_ATTR, None)
    if state is None:
        state = ObjectsState()
        setattr(world, _STATE_ATTR, state)
    return state


def timings(world: World) -> tuple[float, float]:
    """(post-processing seconds, review seconds) in force for this world."""
    config = objects_state(world).config
    sim_timings = getattr(getattr(getattr(world, "sim", None), "config", None), "timings", None)
    processing = config.post_processing_seconds
    if processing is None:
        processing = getattr(sim_timings, "in_process", 30.0)
    review = config.review_seconds
    if review is None:
        review = getattr(sim_timings, "review", 60.0)
    return float(processing), float(review)


def objects_of(world: World, node_type: str, account_id: str | None = None) -> list[AdObject]:
    """Objects of one type (optionally of one account), oldest first."""
    found = [
        obj
        for obj in world.all(node_type)
        if isinstance(obj, AdObject) and (account_id is None or obj.account_id == account_id)
    ]
    found.sort(key=lambda o: (o.created_time, o.seq))
    return found


def get_object(world: World, obj_id: Any, node_type: str | None = None) -> AdObject | None:
    found = world.lookup(str(obj_id)) if obj_id is not None else None
    if found is None or not isinstance(found[1], AdObject):
        return None
    if node_type is not None and found[0] != node_type:
        return None
    return found[1]
