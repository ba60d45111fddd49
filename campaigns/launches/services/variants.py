"""Variants: one draft campaign multiplied along creatives x audiences x placements. The plan
(names, counts, budgets, the builder's rules on every generated object) is computed before
anything is written; generating writes the whole tree in one transaction."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from agency.errors import ServiceError
from agency.services import audit_record
from campaigns import selectors
from campaigns.launches import naming
from campaigns.launches.models import BatchSource, LaunchBatch, LaunchTemplate, TemplateKind
from campaigns.launches.services.trees import NewAdSet, NewCampaign, trees_create
from campaigns.launches.snapshots import (
    ADSET_FIELDS,
    CREATIVE_FIELDS,
    PLACEMENT_KEYS,
    audience_of,
    creative_spec,
    placements_of,
    targeting_join,
)
from campaigns.models import (
    AdSet,
    Campaign,
    ConfiguredStatus,
)
from campaigns.validation import AccountFacts, adset_errors, campaign_errors, rules
from campaigns.validation import creative_errors as builder_creative_errors

AXES = ("audience", "placement", "creative")
SPLITS = ("", "audience", "placement", "creative")
MAX_CAMPAIGNS = 100
MAX_ADSETS_PER_CAMPAIGN = 100
MAX_ADS_PER_ADSET = 50  # Meta's limit of ads in one ad set
MAX_ADS = 5000
MAX_AXIS_ITEMS = 100
_PLACEMENT_ERROR_KEYS = tuple(f"targeting.{k}" for k in PLACEMENT_KEYS)


class VariantPlanError(ServiceError):
    code = "variant_plan_invalid"


@dataclass
class AxisItem:
    label: str
    value: dict[str, Any]  # audience / placements: a targeting half; creative: the spec


@dataclass
class VariantInput:
    """What the user chose. Axis sources: `{"template_id": n}` (a creative set may add
    `"index"`), `{"adset_id": n}` (audiences, placements) or `{"creative_id": n}` (creatives),
    all of the base campaign. An empty axis keeps the base campaign's own."""

    audiences: list[dict] = field(default_factory=list)
    placements: list[dict] = field(default_factory=list)
    creatives: list[dict] = field(default_factory=list)
    split_by: str = ""  # which axis makes one campaign per item ("" = one campaign)
    campaign_pattern: str = naming.DEFAULT_PATTERNS["campaign"]
    adset_pattern: str = naming.DEFAULT_PATTERNS["adset"]
    ad_pattern: str = naming.DEFAULT_PATTERNS["ad"]


@dataclass
class PlannedAd:
    name: str
    creative: int


@dataclass
class PlannedAdSet:
    name: str
    audience: int
    placement: int
    ads: list[PlannedAd]


@dataclass
class PlannedCampaign:
    name: str
    adsets: list[PlannedAdSet]


@dataclass
class VariantPlan:
    base: Campaign
    base_adset: AdSet
    audiences: list[AxisItem]
    placements: list[AxisItem]
    creatives: list[AxisItem]
    campaigns: list[PlannedCampaign]
    errors: dict[str, str]
    daily_total_minor: int = 0
    lifetime_total_minor: int = 0

    @property
    def currency(self) -> str:
        return self.base.ad_account.currency

    @property
    def counts(self) -> dict[str, int]:
        adsets = sum(len(c.adsets) for c in self.campaigns)
        ads = sum(len(a.ads) for c in self.campaigns for a in c.adsets)
        return {"campaigns": len(self.campaigns), "adsets": adsets, "ads": ads}

    def money(self, minor: int) -> str:
        return AccountFacts.of(self.base.ad_account).money(minor)


# --- resolving the axes ---------------------------------------------------------------------

def _template(pk: Any, kind: str, key: str) -> LaunchTemplate:
    found = LaunchTemplate.objects.filter(pk=pk, kind=kind).first() if isinstance(pk, int) \
        else None
    if found is None:
        raise VariantPlanError("No such template.", field=key)
    return found


def _label(text: str) -> str:
    return " ".join(str(text).split())[:120] or "—"


def _resolve(base: Campaign, base_adset: AdSet, axis: str, sources: list[dict]
             ) -> list[AxisItem]:
    key = {"audience": "audiences", "placement": "placements", "creative": "creatives"}[axis]
    if len(sources) > MAX_AXIS_ITEMS:
        raise VariantPlanError(f"At most {MAX_AXIS_ITEMS} {key}.", field=key)
    items: list[AxisItem] = []
    for i, source in enumerate(sources):
        where = f"{key}.{i}"
        if not isinstance(source, dict):
            raise VariantPlanError("Invalid choice.", field=where)
        if "template_id" in source:
            kind = {"audience": TemplateKind.AUDIENCE, "placement": TemplateKind.PLACEMENTS,
                    "creative": TemplateKind.CREATIVES}[axis]
            template = _template(source["template_id"], kind, where)
            if axis != "creative":
                items.append(AxisItem(_label(template.name),
                                      copy.deepcopy(template.payload.get("targeting") or {})))
                continue
            specs = template.payload.get("creatives") or []
            index = source.get("index")
            chosen = range(len(specs)) if index is None else [index]
            for j in chosen:
                if not isinstance(j, int) or not 0 <= j < len(specs):
                    raise VariantPlanError("That creative is not in the set.", field=where)
                spec = copy.deepcopy(specs[j])
                items.append(AxisItem(_label(spec.get("name") or template.name), spec))
        elif axis != "creative" and "adset_id" in source:
            adset = base.adsets.filter(pk=source["adset_id"]).first() \
                if isinstance(source["adset_id"], int) else None
            if adset is None:
                raise VariantPlanError("Choose an ad set of this campaign.", field=where)
            half = audience_of if axis == "audience" else placements_of
            items.append(AxisItem(_label(adset.name), half(adset.targeting)))
        elif axis == "creative" and "creative_id" in source:
            creative = base.creatives.filter(pk=source["creative_id"]).first() \
                if isinstance(source["creative_id"], int) else None
            if creative is None:
                raise VariantPlanError("Choose a creative of this campaign.", field=where)
            items.append(AxisItem(_label(creative.name), creative_spec(creative)))
        else:
            raise VariantPlanError("Choose a template or an object of this campaign.",
                                   field=where)
    if items:
        return items
    # The base campaign's own: its first ad set's audience and placements, its creatives.
    if axis == "audience":
        return [AxisItem(_label(base_adset.name), audience_of(base_adset.targeting))]
    if axis == "placement":
        placements = placements_of(base_adset.targeting)
        return [AxisItem("Automatic" if not placements else _label(base_adset.name), placements)]
    creatives = selectors.campaign_children(campaign=base)[1]
    if not creatives:
        raise VariantPlanError("The campaign has no creative: add one or choose a creative set.",
                               field=key)
    return [AxisItem(_label(c.name), creative_spec(c)) for c in creatives]


# --- the plan -------------------------------------------------------------------------------

def _base_adset(base: Campaign) -> AdSet:
    adset = base.adsets.exclude(status=ConfiguredStatus.DELETED).order_by("pk").first()
    if adset is None:
        raise VariantPlanError("The campaign needs an ad set to copy settings from.")
    return adset


def variant_plan(*, base: Campaign, choice: VariantInput) -> VariantPlan:
    """Everything that would be generated, with counts, budget totals and every rule error."""
    if choice.split_by not in SPLITS:
        raise VariantPlanError("Split campaigns by audience, placement, creative or nothing.",
                               field="split_by")
    base_adset = _base_adset(base)
    audiences = _resolve(base, base_adset, "audience", choice.audiences)
    placements = _resolve(base, base_adset, "placement", choice.placements)
    creatives = _resolve(base, base_adset, "creative", choice.creatives)
    sizes = {"audience": len(audiences), "placement": len(placements),
             "creative": len(creatives)}
    split = choice.split_by
    n_campaigns = sizes[split] if split else 1
    n_adsets = (sizes["audience"] * sizes["placement"]) // (sizes[split] if split in (
        "audience", "placement") else 1)
    n_ads = sizes["creative"] if split != "creative" else 1
    errors: dict[str, str] = {}
    if n_campaigns > MAX_CAMPAIGNS:
        errors["split_by"] = f"At most {MAX_CAMPAIGNS} campaigns at once."
    if n_adsets > MAX_ADSETS_PER_CAMPAIGN:
        errors["audiences"] = f"At most {MAX_ADSETS_PER_CAMPAIGN} ad sets per campaign."
    if n_ads > MAX_ADS_PER_ADSET:
        errors["creatives"] = f"At most {MAX_ADS_PER_ADSET} ads per ad set."
    if n_campaigns * n_adsets * n_ads > MAX_ADS:
        errors["creatives"] = f"At most {MAX_ADS} ads at once."
    differ = {"audience", "placement"} - {split}
    for level, pattern, siblings, by in (
        ("campaign", choice.campaign_pattern, n_campaigns, (split,) if split else ()),
        ("adset", choice.adset_pattern, n_adsets,
         tuple(a for a in ("audience", "placement") if a in differ and sizes[a] > 1)),
        ("ad", choice.ad_pattern, n_ads, ("creative",)),
    ):
        message = naming.pattern_errors(pattern, level=level, split_by=split,
                                        siblings_differ_by=by, siblings=siblings)
        if message:
            errors[f"{level}_pattern"] = message
    plan = VariantPlan(base=base, base_adset=base_adset, audiences=audiences,
                       placements=placements, creatives=creatives, campaigns=[], errors=errors)
    if errors:
        return plan
    _build(plan, choice)
    _check_rules(plan)
    _totals(plan)
    return plan


def _build(plan: VariantPlan, choice: VariantInput) -> None:
    split = choice.split_by
    groups = {"audience": plan.audiences, "placement": plan.placements,
              "creative": plan.creatives}
    campaign_items = list(enumerate(groups[split])) if split else [(None, None)]
    too_long = False
    for ci, (split_index, split_item) in enumerate(campaign_items, 1):
        values = {"campaign": plan.base.name, "n": str(ci)}
        if split_item is not None:
            values[split] = split_item.label
        campaign_name = naming.render(choice.campaign_pattern, values)
        audience_range = [split_index] if split == "audience" else range(len(plan.audiences))
        placement_range = [split_index] if split == "placement" else range(len(plan.placements))
        creative_range = [split_index] if split == "creative" else range(len(plan.creatives))
        adsets = []
        for ai, (a, p) in enumerate(itertools.product(audience_range, placement_range), 1):
            adset_values = {**values, "audience": plan.audiences[a].label,
                            "placement": plan.placements[p].label, "n": str(ai)}
            ads = []
            for di, c in enumerate(creative_range, 1):
                ad_name = naming.render(choice.ad_pattern, {
                    **adset_values, "creative": plan.creatives[c].label, "n": str(di)})
                too_long |= len(ad_name) > rules.NAME_MAX
                ads.append(PlannedAd(ad_name, c))
            adset_name = naming.render(choice.adset_pattern, adset_values)
            too_long |= len(adset_name) > rules.NAME_MAX
            adsets.append(PlannedAdSet(adset_name, a, p, ads))
        too_long |= len(campaign_name) > rules.NAME_MAX
        plan.campaigns.append(PlannedCampaign(campaign_name, adsets))
    if too_long:
        plan.errors["ad_pattern"] = f"Some names would be longer than {rules.NAME_MAX} characters."


def _adset_values(plan: VariantPlan, audience: int, placement: int) -> dict[str, Any]:
    values = {k: copy.deepcopy(getattr(plan.base_adset, k)) for k in ADSET_FIELDS}
    values["targeting"] = targeting_join(plan.audiences[audience].value,
                                         plan.placements[placement].value)
    values["start_time"] = plan.base_adset.start_time
    values["end_time"] = plan.base_adset.end_time
    return values


def _check_rules(plan: VariantPlan) -> None:
    """The builder's rules on every distinct generated object (a combination is checked once)."""
    from django.utils import timezone

    facts = AccountFacts.of(plan.base.ad_account)
    base = plan.base
    parent = {f: getattr(base, f) for f in ("objective", "daily_budget_minor",
                                            "lifetime_budget_minor", "bid_strategy",
                                            "special_ad_categories")}
    campaign_data = {f.name: getattr(base, f.attname) for f in base._meta.concrete_fields}
    for key, message in campaign_errors(data=campaign_data, account=facts).items():
        if key != "name":
            plan.errors[f"campaign.{key}"] = message
    now = timezone.now()
    seen: set[tuple[int, int]] = set()
    for campaign in plan.campaigns:
        for adset in campaign.adsets:
            pair = (adset.audience, adset.placement)
            if pair in seen:
                continue
            seen.add(pair)
            values = {**_adset_values(plan, *pair), "name": adset.name}
            for key, message in adset_errors(data=values, campaign=parent, account=facts,
                                             now=now).items():
                if key.startswith(_PLACEMENT_ERROR_KEYS):
                    where = f"placements[{plan.placements[pair[1]].label}]"
                elif key.startswith("targeting"):
                    where = f"audiences[{plan.audiences[pair[0]].label}]"
                else:
                    where = f"adset[{plan.base_adset.name}]"
                plan.errors.setdefault(f"{where}.{key}", message)
    for item in plan.creatives:
        for key, message in builder_creative_errors(data=item.value).items():
            plan.errors.setdefault(f"creatives[{item.label}].{key}", message)


def _totals(plan: VariantPlan) -> None:
    base, adset = plan.base, plan.base_adset
    if base.uses_campaign_budget:
        plan.daily_total_minor = (base.daily_budget_minor or 0) * len(plan.campaigns)
        plan.lifetime_total_minor = (base.lifetime_budget_minor or 0) * len(plan.campaigns)
    else:
        adsets = plan.counts["adsets"]
        plan.daily_total_minor = (adset.daily_budget_minor or 0) * adsets
        plan.lifetime_total_minor = (adset.lifetime_budget_minor or 0) * adsets


# --- generating -----------------------------------------------------------------------------

_CAMPAIGN_COPIED = ("objective", "special_ad_categories", "special_ad_category_country",
                    "buying_type", "daily_budget_minor", "lifetime_budget_minor", "bid_strategy",
                    "spend_cap_minor", "leave_paused")


def variants_generate(*, base: Campaign, choice: VariantInput, actor, source: str = "page"
                      ) -> LaunchBatch:
    """Create every planned campaign, ad set, creative and ad as drafts, in one transaction, and
    the batch that publishes them together. Refused when the plan has any error."""
    plan = variant_plan(base=base, choice=choice)
    if plan.errors:
        raise VariantPlanError("Fix the plan before generating.", extra={"errors": plan.errors})
    account = base.ad_account
    trees = []
    for planned in plan.campaigns:
        used = sorted({ad.creative for a in planned.adsets for ad in a.ads})
        local = {index: i for i, index in enumerate(used)}
        trees.append(NewCampaign(
            values={"name": planned.name,
                    **{f: copy.deepcopy(getattr(base, f)) for f in _CAMPAIGN_COPIED}},
            creatives=[{k: copy.deepcopy(plan.creatives[index].value[k])
                        for k in CREATIVE_FIELDS if k in plan.creatives[index].value}
                       for index in used],
            adsets=[NewAdSet(values={**_adset_values(plan, a.audience, a.placement),
                                     "name": a.name},
                             ads=[({"name": ad.name}, local[ad.creative]) for ad in a.ads])
                    for a in planned.adsets]))
    with transaction.atomic():
        campaigns = trees_create(ad_account=account, trees=trees, actor=actor, source=source,
                                 campaign_diff={"variant_of": [None, base.pk]})
        batch = LaunchBatch.objects.create(
            agency_id=base.agency_id, ad_account=account, source=BatchSource.VARIANTS,
            name=f"Variants of {base.name}"[:400], counts=plan.counts, created_by=actor)
        batch.campaigns.set(campaigns)
        audit_record(agency=base.agency_id, actor=actor, verb="launch.variants_generate",
                     target=batch, data={"base": base.pk, **plan.counts})
    return batch

