"""Edge listings of ad objects: default exclusion of archived and deleted objects, the
`effective_status` and `filtering` parameters (reference.md §7.4, core-flows.md §2.6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graph_sim.errors import GraphError, invalid_parameter
from graph_sim.objects import enums
from graph_sim.objects import params as p
from graph_sim.objects.model import (
    AD,
    ADSET,
    CAMPAIGN,
    CREATIVE,
    AdObject,
    get_object,
    objects_of,
)
from graph_sim.objects.reading import object_json
from graph_sim.objects.status import creative_status, effective_status

if TYPE_CHECKING:
    from graph_sim.state import World

_HIDDEN_BY_DEFAULT = {"ARCHIVED", "DELETED"}
_LIVE_STATUSES = [s for s in enums.EFFECTIVE_STATUSES if s not in _HIDDEN_BY_DEFAULT]


def _deleted_filter_error() -> GraphError:
    # reference.md §7.4: deleted objects on edges: "error if [the status filter] contains
    # DELETED"; they are readable by their own id only.
    return invalid_parameter(
        "Filtering on the DELETED status is not supported on edges: deleted objects can only "
        "be read by their own id",
        user_title="Deleted Objects Can't Be Listed",
        user_msg="Deleted objects can only be read by their own id.",
        error_data={"blame_field_specs": [["effective_status"]]},
    )


def _status_filter(raw: Any, kind: str) -> list[str]:
    # reference.md §3.3: on /ads effective_status is a list<string> (no enum); on campaigns
    # and ad sets it is the 12-value enum.
    if kind == AD:
        values = p.string_list(raw, "effective_status")
    else:
        values = p.enum_list(raw, enums.EFFECTIVE_STATUSES, "effective_status")
    if "DELETED" in values:
        raise _deleted_filter_error()
    return values


_OPERATORS = {
    "EQUAL",
    "NOT_EQUAL",
    "GREATER_THAN",
    "GREATER_THAN_OR_EQUAL",
    "LESS_THAN",
    "LESS_THAN_OR_EQUAL",
    "IN_RANGE",
    "NOT_IN_RANGE",
    "CONTAIN",
    "NOT_CONTAIN",
    "IN",
    "NOT_IN",
    "STARTS_WITH",
    "ENDS_WITH",
    "ANY",
    "ALL",
    "AFTER",
    "BEFORE",
    "NONE",
}
_PREFIXES = {
    "campaign": CAMPAIGN,
    "adset": ADSET,
    "ad": AD,
    "adcreative": CREATIVE,
    "creative": CREATIVE,
}


def _filter_rules(raw: Any) -> list[dict[str, Any]]:
    rules = p.decode_json(raw, "filtering")
    if rules is None:
        return []
    if not isinstance(rules, list) or not all(
        isinstance(r, dict) and {"field", "operator"} <= r.keys() for r in rules
    ):
        raise invalid_parameter(
            "Param filtering must be an array of {field, operator, value} objects"
        )
    for rule in rules:
        if rule["operator"] not in _OPERATORS:
            raise invalid_parameter(
                f"Filtering operator {rule['operator']} is not one of "
                f"{{{', '.join(sorted(_OPERATORS))}}}"
            )
    return rules


def _field_value(world: World, obj: AdObject, field: str, context: Mapping[str, Any]) -> Any:
    target: AdObject | None = obj
    name = field
    if "." in field:
        prefix, name = field.split(".", 1)
        kind = _PREFIXES.get(prefix)
        if kind is None:
            raise invalid_parameter(f"Filtering field {field} is not supported")
        if kind != obj.node_type:
            linked = {CAMPAIGN: obj.campaign_id, ADSET: obj.adset_id, CREATIVE: obj.creative_id}
            target = get_object(world, linked.get(kind), kind)
            if target is None:
                return None
    full = object_json(world, target, context)
    if name not in full:
        raise invalid_parameter(f"Filtering field {field} is not supported")
    value = full[name]
    if name.endswith("_time") and target is not None:
        return {"created_time": target.created_time, "updated_time": target.updated_time}.get(
            name, value
        )
    return value


def _matches(value: Any, operator: str, wanted: Any) -> bool:
    def num(x: Any) -> Any:
        try:
            return float(x)
        except (TypeError, ValueError):
            return x

    if operator in ("IN", "ANY"):
        items = wanted if isinstance(wanted, list) else [wanted]
        return value in items or (isinstance(value, list) and any(v in items for v in value))
    if operator in ("NOT_IN", "NONE"):
        return not _matches(value, "IN", wanted)
    if operator == "ALL":
        return isinstance(value, list) and all(w in value for w in (wanted or []))
    if operator == "EQUAL":
        return value == wanted or str(value) == str(wanted)
    if operator == "NOT_EQUAL":
        return not _matches(value, "EQUAL", wanted)
    if operator == "CONTAIN":
        return value is not None and str(wanted).lower() in str(value).lower()
    if operator == "NOT_CONTAIN":
        return not _matches(value, "CONTAIN", wanted)
    if operator == "STARTS_WITH":
        return str(value).startswith(str(wanted))
    if operator == "ENDS_WITH":
        return str(value).endswith(str(wanted))
    if value is None:
        return False
    if operator in ("GREATER_THAN", "AFTER"):
        return num(value) > num(wanted)
    if operator == "GREATER_THAN_OR_EQUAL":
        return num(value) >= num(wanted)
    if operator in ("LESS_THAN", "BEFORE"):
        return num(value) < num(wanted)
    if operator == "LESS_THAN_OR_EQUAL":
        return num(value) <= num(wanted)
    low, high = (wanted or [None, None])[:2]
    inside = num(low) <= num(value) <= num(high)
    return inside if operator == "IN_RANGE" else not inside


def list_edge(
    world: World,
    *,
    kind: str,
    params: Mapping[str, Any],
    context: Mapping[str, Any],
    account_id: str | None = None,
    campaign_id: str | None = None,
    adset_id: str | None = None,
    ids: set[str] | None = None,
) -> list[AdObject]:
    """The objects an edge lists, newest first. Without a status filter ARCHIVED and DELETED
    objects (including children of archived/deleted parents) are left out (reference.md §7.4);
    `effective_status=[...]` or a `filtering` rule on effective_status chooses instead, and a
    filter naming DELETED is an error."""
    now = context["now"]
    objs = objects_of(world, kind, account_id)
    if campaign_id is not None:
        objs = [o for o in objs if o.campaign_id == campaign_id]
    if adset_id is not None:
        objs = [o for o in objs if o.adset_id == adset_id]
    if ids is not None:
        objs = [o for o in objs if o.id in ids]
    rules = _filter_rules(params.get("filtering"))
    statuses: list[str] | None = None
    if params.get("effective_status") not in (None, ""):
        statuses = _status_filter(params["effective_status"], kind)
    for rule in rules:
        prefix, _, field = rule["field"].rpartition(".")
        if field in ("effective_status", "configured_status", "status"):
            wanted = rule.get("value")
            values = wanted if isinstance(wanted, list) else [wanted]
            if "DELETED" in values and rule["operator"] in ("IN", "EQUAL", "ANY"):
                raise _deleted_filter_error()
            own = not prefix or _PREFIXES.get(prefix) == kind
            if own and field == "effective_status" and statuses is None:
                statuses = []  # an explicit status rule replaces the default exclusion
    if params.get("updated_since") not in (None, ""):
        since = p.integer(params["updated_since"], "updated_since")
        objs = [o for o in objs if o.updated_time >= since]
    if kind == AD and params.get("adset_ids"):
        wanted_ids = set(p.string_list(params["adset_ids"], "adset_ids"))
        objs = [o for o in objs if o.adset_id in wanted_ids]
    if kind in (ADSET, AD) and params.get("campaign_ids"):
        wanted_ids = set(p.string_list(params["campaign_ids"], "campaign_ids"))
        objs = [o for o in objs if o.campaign_id in wanted_ids]
    out = []
    for obj in objs:
        status = (
            creative_status(obj, now, "IN_PROCESS")
            if kind == CREATIVE
            else effective_status(world, obj, now)
        )
        if statuses is None:
            if status in _HIDDEN_BY_DEFAULT:
                continue
        elif statuses and status not in statuses:
            continue
        if status == "DELETED":
            continue  # never listed, whatever the filter (reference.md §7.4)
        if not all(
            _matches(_field_value(world, obj, r["field"], context), r["operator"], r.get("value"))
            for r in rules
        ):
            continue
        if kind == CAMPAIGN and params.get("is_completed") not in (None, ""):
            done = obj.data.get("stop_time") is not None and obj.data["stop_time"] <= now
            if done != p.boolean(params["is_completed"], "is_completed"):
                continue
        out.append(obj)
    out.sort(key=lambda o: (o.created_time, o.seq), reverse=True)
    return out
