"""Managing what is live: edits of the fields Graph lets us edit, pause / activate / archive /
delete, and bulk status changes sent as batch requests (50 per call). Every change is audited
and leaves a version row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from accounts.services.graph import graph_for_connection
from agency.errors import ServiceError
from agency.graph import MAX_BATCH, BatchRequest, GraphValidationError
from agency.services import audit_record
from campaigns.models import Ad, AdCreative, AdSet, Campaign, ConfiguredStatus
from campaigns.services.drafts import _apply
from campaigns.services.graph_errors import graph_error_info
from campaigns.services.payloads import _time
from campaigns.services.versions import object_kind, version_record
from campaigns.validation import AccountFacts, ad_errors, adset_errors, campaign_errors

# What Graph lets us change on a live object (reference.md §7.2; a creative's content is
# immutable, only its name: reference.md §8 item 40; an ad gets another creative by id).
LIVE_EDITABLE: dict[type, tuple[str, ...]] = {
    Campaign: ("name", "daily_budget_minor", "lifetime_budget_minor", "spend_cap_minor",
               "bid_strategy"),
    AdSet: ("name", "daily_budget_minor", "lifetime_budget_minor", "bid_strategy",
            "bid_amount_minor", "end_time", "targeting", "optimization_goal", "billing_event"),
    AdCreative: ("name",),
    Ad: ("name", "creative", "tracking_specs"),
}
GRAPH_NAMES = {"daily_budget_minor": "daily_budget", "lifetime_budget_minor": "lifetime_budget",
               "spend_cap_minor": "spend_cap", "bid_amount_minor": "bid_amount"}
STATUS_ACTIONS = {"pause": ConfiguredStatus.PAUSED, "activate": ConfiguredStatus.ACTIVE,
                  "archive": ConfiguredStatus.ARCHIVED, "delete": ConfiguredStatus.DELETED}


class LiveEditError(ServiceError):
    code = "live_edit_invalid"


def _require_live(obj: Any) -> None:
    if not obj.graph_id:
        raise ServiceError("This object is a draft: publish it first.")
    if obj.deleted_on_graph or obj.status == ConfiguredStatus.DELETED:
        raise ServiceError("This object was deleted on Meta.")


def _check(obj: Any, changes: dict[str, Any]) -> None:
    facts = AccountFacts.of(obj.ad_account)
    data = {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields} | changes
    if isinstance(obj, Campaign):
        errors = campaign_errors(data=data, account=facts)
    elif isinstance(obj, AdSet):
        parent = {f: getattr(obj.campaign, f) for f in (
            "objective", "daily_budget_minor", "lifetime_budget_minor", "bid_strategy",
            "special_ad_categories")}
        errors = adset_errors(data=data, campaign=parent, account=facts, now=timezone.now(),
                              creating=False)
    else:
        errors = {} if (changes.get("name") or "").strip() else {"name": "Enter a name."}
        if isinstance(obj, Ad) and "creative" in changes:
            errors.update(_creative_swap_errors(obj, changes["creative"]))
        if isinstance(obj, Ad) and "tracking_specs" in changes:
            specs = ad_errors(data={**data, "creative_id": obj.creative_id or 0})
            errors.update({k: v for k, v in specs.items() if k == "tracking_specs"})
    errors = {k: v for k, v in errors.items() if k.split(".")[0] in changes}
    if errors:
        raise LiveEditError("Fix the highlighted fields.", field=next(iter(errors)),
                            extra={"errors": errors})


def _creative_swap_errors(ad: Ad, creative: Any) -> dict[str, str]:
    if not isinstance(creative, AdCreative) or creative.ad_account_id != ad.ad_account_id:
        return {"creative": "Choose a creative of this ad account."}
    if not creative.graph_id or creative.deleted_on_graph:
        return {"creative": "Choose a creative that is on Meta (publish it first)."}
    return {}


def _graph_value(key: str, value: Any, obj: Any) -> Any:
    if key == "end_time" and value is not None:
        return _time(value, obj.ad_account.timezone_name)
    if key == "creative":
        return {"creative_id": value.graph_id}
    return value if value is not None else 0


def live_update(*, obj: Any, actor, changes: dict[str, Any], source: str = "page") -> Any:
    """Edit allowed fields of a live object on Graph, then locally."""
    _require_live(obj)
    allowed = LIVE_EDITABLE[type(obj)]
    refused = sorted(set(changes) - set(allowed))
    if refused:
        raise ServiceError(f"Meta does not let us edit {', '.join(refused)} here.",
                           field=refused[0])
    _check(obj, changes)
    payload = {GRAPH_NAMES.get(key, key): _graph_value(key, value, obj)
               for key, value in changes.items()}
    with graph_for_connection(connection=obj.ad_account.connection, purpose="live_edit",
                              actor=actor) as client:
        try:
            client.post(obj.graph_id, data=payload, idempotent=True,
                        account_id=obj.ad_account.account_id)
        except GraphValidationError as exc:
            info = graph_error_info(object_kind(obj), exc)
            raise LiveEditError(info["message"], field=info["field"],
                                extra={"errors": {info["field"]: info["message"]}}) from exc
    diff = _apply_live(obj, changes)
    version_record(obj=obj, actor=actor, source=source, diff=diff)
    audit_record(agency=obj.agency_id, actor=actor, verb=f"{object_kind(obj)}.live_update",
                 target=obj, data={"fields": sorted(changes), "graph_id": obj.graph_id})
    return obj


def _apply_live(obj: Any, changes: dict[str, Any]) -> dict[str, Any]:
    diff = _apply(obj, changes)
    obj.last_sent = {**(obj.last_sent or {}), **{GRAPH_NAMES.get(k, k): _graph_value(k, v, obj)
                                                 for k, v in changes.items()}}
    obj.changed_on_graph = False
    obj.save()
    return diff


def _status_request(obj: Any, status: str) -> BatchRequest:
    if status == ConfiguredStatus.DELETED:
        return BatchRequest("DELETE", obj.graph_id)
    return BatchRequest("POST", obj.graph_id, body={"status": status})


def _record_status(obj: Any, status: str, actor, source: str) -> None:
    before = obj.status
    obj.status = status
    if isinstance(obj, Ad):
        obj.desired_status = status if status in ("ACTIVE", "PAUSED") else obj.desired_status
    obj.effective_status = status if status in ("DELETED", "ARCHIVED", "PAUSED") else (
        obj.effective_status)
    obj.save()
    version_record(obj=obj, actor=actor, source=source, diff={"status": [before, status]})


def status_change(*, obj: Any, actor, action: str, source: str = "page") -> Any:
    """Pause, activate, archive or delete one live object."""
    _require_live(obj)
    status = STATUS_ACTIONS.get(action)
    if status is None:
        raise ServiceError("Unknown action.", field="action")
    if isinstance(obj, AdCreative):
        raise ServiceError("Creatives are paused through their ads.")
    with graph_for_connection(connection=obj.ad_account.connection, purpose="status_change",
                              actor=actor) as client:
        try:
            if status == ConfiguredStatus.DELETED:
                client.delete(obj.graph_id, account_id=obj.ad_account.account_id)
            else:
                client.post(obj.graph_id, data={"status": status}, idempotent=True,
                            account_id=obj.ad_account.account_id)
        except GraphValidationError as exc:
            raise ServiceError(exc.user_msg or exc.message, field="status") from exc
    _record_status(obj, status, actor, source)
    audit_record(agency=obj.agency_id, actor=actor, verb=f"{object_kind(obj)}.{action}",
                 target=obj, data={"graph_id": obj.graph_id})
    return obj


@dataclass
class BulkResult:
    done: list[Any] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # graph id → message
    batches: int = 0


def bulk_status_change(*, objects: list[Any], actor, action: str, source: str = "page"
                       ) -> BulkResult:
    """One status change for many live objects of one ad account, 50 per batch request."""
    status = STATUS_ACTIONS.get(action)
    if status is None:
        raise ServiceError("Unknown action.", field="action")
    live = [o for o in objects if o.graph_id and not o.deleted_on_graph
            and not isinstance(o, AdCreative)]
    if not live:
        raise ServiceError("Choose live campaigns, ad sets or ads.")
    accounts = {o.ad_account_id for o in live}
    if len(accounts) != 1:
        raise ServiceError("Choose objects of one ad account at a time.")
    result = BulkResult()
    ad_account = live[0].ad_account
    with graph_for_connection(connection=ad_account.connection, purpose="bulk_status",
                              actor=actor) as client:
        for start in range(0, len(live), MAX_BATCH):
            chunk = live[start:start + MAX_BATCH]
            answers = client.batch([_status_request(o, status) for o in chunk])
            result.batches += 1
            for obj, answer in zip(chunk, answers, strict=True):
                if answer.ok:
                    _record_status(obj, status, actor, source)
                    result.done.append(obj)
                else:
                    result.failed[obj.graph_id] = (
                        (answer.error.user_msg or answer.error.message) if answer.error
                        else "Meta did not answer in time; try again.")
    audit_record(agency=ad_account.agency_id, actor=actor, verb=f"campaigns.bulk_{action}",
                 target=ad_account, data={"done": len(result.done),
                                          "failed": len(result.failed),
                                          "batches": result.batches})
    return result
