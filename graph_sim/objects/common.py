"""Helpers shared by the object writers: required-parameter errors, limits, post-processing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graph_sim.errors import GraphError
from graph_sim.objects import validation as v
from graph_sim.objects.model import (
    HUMAN_NAMES,
    AdObject,
    PostProcessingFault,
    objects_state,
    timings,
)
from graph_sim.objects.status import ISSUE_LEVELS

if TYPE_CHECKING:
    from graph_sim.state import AdAccount, World


def execution_options_of(params: Mapping[str, Any], allowed: frozenset[str]) -> list[str]:
    return v.execution_options(params.get("execution_options"), allowed)


def missing(name: str, *, code: int = 100) -> GraphError:
    """Missing required parameter: code 100 in general; the ads and preview references list
    194 "Missing at least one required parameter" (reference.md §9 item 15)."""
    return GraphError(
        f"The parameter {name} is required",
        code=code,
        user_title="Missing Parameter",
        user_msg=f"{name} is required.",
        is_transient=False,
        error_data={"blame_field_specs": [[name]]},
    )


def not_found(kind: str, obj_id: Any, field: str) -> GraphError:
    return v.blamed(
        f"The {HUMAN_NAMES[kind]} {obj_id} does not exist or does not belong to this ad account",
        field,
        title=f"{HUMAN_NAMES[kind].title()} Not Found",
    )


def minimum_daily_budget(world: World, account: AdAccount) -> int:
    config = objects_state(world).config
    return config.min_daily_budget.get(account.currency, account.min_daily_budget)


def account_key(account: AdAccount) -> str:
    return account.account_id


def begin_processing(world: World, obj: AdObject, now: float) -> None:
    """Start (or restart) post-processing; a queued fault makes it end WITH_ISSUES."""
    state = objects_state(world)
    obj.processing_until = now + timings(world)[0]
    fault = state.take_fault(obj.node_type) or _planned_fault(world, obj)
    obj.issues_info = (
        [
            {
                "level": fault.level or ISSUE_LEVELS[obj.node_type],
                "error_code": fault.error_code,
                "error_summary": fault.error_summary,
                "error_message": fault.error_message,
            }
        ]
        if fault
        else None
    )


def _planned_fault(world: World, obj: AdObject) -> PostProcessingFault | None:
    """The core's fault plans may fail post-processing too, like media's video processing:
    `sim.faults.add("error", kind="post_processing_ad", times=2, code=1815869, message=...)`
    (kind `post_processing_<campaign|adset|ad|adcreative>`; `path="/<id>"` narrows it to one
    object on its next edit)."""
    sim = getattr(world, "sim", None)
    plan = sim.faults.take(f"post_processing_{obj.node_type}", f"/{obj.id}") if sim else None
    if plan is None:
        return None
    fault = PostProcessingFault()
    if plan.code:
        fault.error_code = plan.code
        fault.error_summary = "Post-processing failed"
    if plan.message:
        fault.error_message = plan.message
    return fault


def begin_review(world: World, ad: AdObject) -> None:
    ad.review_until = ad.processing_until + timings(world)[1]
    pending = objects_state(world).pending_rejections
    ad.review_feedback = pending.pop(0) if pending else None


def new_object(world: World, kind: str, account: AdAccount, name: str, status: str, now: float):
    state = objects_state(world)
    state.sequence += 1
    return AdObject(
        node_type=kind,
        id=world.new_id(15),
        account_id=account_key(account),
        name=name,
        status=status,
        created_time=now,
        updated_time=now,
        seq=state.sequence,
    )


def live_only(objs: list[AdObject]) -> list[AdObject]:
    return [o for o in objs if o.status not in ("ARCHIVED", "DELETED")]


def check_live_limit(count: int, limit: int, what: str, where: str) -> None:
    # The seeds give the limits (core-flows.md §2.4) but no error code: 100, as proposed in
    # reference.md §10.
    if count >= limit:
        raise GraphError(
            f"Too many {what}: {where} can have at most {limit}",
            code=100,
            user_title="Limit Reached",
            user_msg=f"{where.capitalize()} already has the maximum of {limit} {what}.",
            is_transient=False,
        )
