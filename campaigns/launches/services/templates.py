"""Templates: saving builder objects as shared templates, renaming, deleting, and applying them
to drafts (the fields are filled and saved like an autosave, with a version row)."""

from __future__ import annotations

import copy
from typing import Any

from django.db import IntegrityError, transaction

from agency.errors import ConflictError, ServiceError
from agency.services import audit_record
from campaigns.launches import validation
from campaigns.launches.models import LaunchTemplate, TemplateKind
from campaigns.launches.snapshots import (
    AD_FIELDS,
    ADSET_FIELDS,
    CAMPAIGN_FIELDS,
    CREATIVE_FIELDS,
    audience_of,
    campaign_snapshot,
    creative_spec,
    placements_of,
    targeting_join,
)
from campaigns.models import Ad, AdAccount, AdCreative, AdSet, Campaign, ConfiguredStatus
from campaigns.services import drafts
from campaigns.services.versions import version_record
from campaigns.validation import AccountFacts


class TemplateInvalidError(ServiceError):
    code = "template_invalid"


class TemplateMismatchError(ServiceError):
    code = "template_mismatch"


def template_payload_errors(*, kind: str, payload: Any) -> dict[str, str]:
    """The builder's rules on a payload of `kind`; `{}` when it is valid."""
    if not isinstance(payload, dict):
        return {"payload": "Invalid template."}
    errors = validation.payload_size_errors(payload)
    if errors:
        return errors
    if kind == TemplateKind.AUDIENCE:
        return validation.audience_errors(payload.get("targeting"))
    if kind == TemplateKind.PLACEMENTS:
        return validation.placements_errors(payload.get("targeting"))
    if kind == TemplateKind.CREATIVES:
        return validation.creatives_errors(payload.get("creatives"))
    if kind == TemplateKind.CAMPAIGN:
        currency = payload.get("currency")
        if not isinstance(currency, str) or len(currency) != 3:
            return {"currency": "Name the currency of the budgets (3 letters)."}
        return validation.campaign_tree_errors(payload, account=AccountFacts(currency=currency))
    return {"kind": "Unknown kind of template."}


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise TemplateInvalidError("Enter a name.", field="name")
    if len(name) > 200:
        raise TemplateInvalidError("At most 200 characters.", field="name")
    return name


def template_create(*, agency_id: int, kind: str, name: str, payload: dict, actor
                    ) -> LaunchTemplate:
    """A new shared template, refused (with field-keyed errors) if the builder's rules refuse
    its content or the name is taken for that kind."""
    name = _clean_name(name)
    errors = template_payload_errors(kind=kind, payload=payload)
    if errors:
        raise TemplateInvalidError("This template breaks the builder's rules.",
                                   extra={"errors": errors})
    try:
        with transaction.atomic():
            template = LaunchTemplate.objects.create(agency_id=agency_id, kind=kind, name=name,
                                                     payload=payload, created_by=actor)
            audit_record(agency=agency_id, actor=actor, verb="template.create", target=template,
                         data={"kind": kind, "name": name})
    except IntegrityError as exc:
        raise ConflictError(f"A {TemplateKind(kind).label.lower()} named “{name}” exists "
                            "already.", field="name") from exc
    return template


def template_payload_from(*, kind: str, obj: Any, all_creatives: bool = False) -> dict:
    """What a builder object gives each kind of template."""
    if kind == TemplateKind.AUDIENCE and isinstance(obj, AdSet):
        return {"targeting": audience_of(obj.targeting)}
    if kind == TemplateKind.PLACEMENTS and isinstance(obj, AdSet):
        return {"targeting": placements_of(obj.targeting)}
    if kind == TemplateKind.CREATIVES and isinstance(obj, AdCreative):
        if all_creatives and obj.campaign_id:
            from campaigns import selectors

            creatives = selectors.campaign_children(campaign=obj.campaign)[1]
        else:
            creatives = [obj]
        return {"creatives": [creative_spec(c) for c in creatives]}
    if kind == TemplateKind.CAMPAIGN and isinstance(obj, Campaign):
        return {"currency": obj.ad_account.currency, **campaign_snapshot(obj)}
    raise TemplateInvalidError("That object cannot be saved as this kind of template.")


def template_save_from(*, kind: str, obj: Any, name: str, actor, all_creatives: bool = False
                       ) -> LaunchTemplate:
    payload = template_payload_from(kind=kind, obj=obj, all_creatives=all_creatives)
    return template_create(agency_id=obj.agency_id, kind=kind, name=name, payload=payload,
                           actor=actor)


def template_rename(*, template: LaunchTemplate, name: str, actor) -> LaunchTemplate:
    name = _clean_name(name)
    before = template.name
    try:
        with transaction.atomic():
            template.name = name
            template.save(update_fields=["name", "updated_at"])
            audit_record(agency=template.agency_id, actor=actor, verb="template.rename",
                         target=template, data={"from": before, "to": name})
    except IntegrityError as exc:
        template.name = before
        raise ConflictError(f"“{name}” is taken.", field="name") from exc
    return template


def template_delete(*, template: LaunchTemplate, actor) -> None:
    with transaction.atomic():
        audit_record(agency=template.agency_id, actor=actor, verb="template.delete",
                     target=template, data={"kind": template.kind, "name": template.name})
        template.delete()


# --- applying -------------------------------------------------------------------------------

def _creative_values(spec: dict) -> dict:
    return {k: copy.deepcopy(spec[k]) for k in CREATIVE_FIELDS if k in spec}


def template_apply(*, template: LaunchTemplate, obj: Any, actor, index: int = 0,
                   source: str = "page") -> Any:
    """Fill a draft from a template: an audience or placement set into an ad set's targeting
    (the other half is kept), one creative of a set into a creative, a campaign template into
    a draft campaign (its ad sets, creatives and ads are replaced)."""
    payload = template.payload
    kind = template.kind
    if kind in (TemplateKind.AUDIENCE, TemplateKind.PLACEMENTS):
        if not isinstance(obj, AdSet):
            raise TemplateMismatchError("Apply audiences and placement sets to an ad set.")
        targeting = payload.get("targeting") or {}
        joined = (targeting_join(targeting, obj.targeting) if kind == TemplateKind.AUDIENCE
                  else targeting_join(obj.targeting, targeting))
        return drafts.draft_update(obj=obj, actor=actor, changes={"targeting": joined},
                                   source=source)
    if kind == TemplateKind.CREATIVES:
        if not isinstance(obj, AdCreative):
            raise TemplateMismatchError("Apply a creative set to a creative.")
        creatives = payload.get("creatives") or []
        if not 0 <= index < len(creatives):
            raise TemplateInvalidError("That creative is not in the set.", field="index")
        return drafts.draft_update(obj=obj, actor=actor,
                                   changes=_creative_values(creatives[index]), source=source)
    if not isinstance(obj, Campaign):
        raise TemplateMismatchError("Apply a campaign template to a campaign.")
    return _campaign_apply(template=template, campaign=obj, actor=actor, source=source)


def _campaign_apply(*, template: LaunchTemplate, campaign: Campaign, actor, source: str
                    ) -> Campaign:
    payload = template.payload
    if payload.get("currency") != campaign.ad_account.currency:
        raise TemplateMismatchError(
            f"This template's budgets are in {payload.get('currency')}; the ad account uses "
            f"{campaign.ad_account.currency}.")
    if campaign.graph_id or campaign.adsets.exclude(graph_id="").exists() or \
            campaign.creatives.exclude(graph_id="").exists():
        raise drafts.PublishedObjectError("Part of this campaign is on Meta already.")
    with transaction.atomic():
        values = {k: copy.deepcopy(v) for k, v in payload["campaign"].items()
                  if k in CAMPAIGN_FIELDS and k != "name"}
        drafts.draft_update(obj=campaign, actor=actor, changes=values, source=source)
        Ad.objects.filter(adset__campaign=campaign).delete()
        campaign.adsets.all().delete()
        campaign.creatives.filter(ads__isnull=True).delete()
        tree_create(campaign=campaign, payload=payload, actor=actor, source=source)
        audit_record(agency=campaign.agency_id, actor=actor, verb="template.apply",
                     target=campaign, data={"template": template.pk, "kind": template.kind})
    return campaign


def tree_create(*, campaign: Campaign, payload: dict, actor, source: str = "page") -> None:
    """The ad sets, creatives and ads of a campaign template, as drafts under `campaign`."""
    common = {"agency_id": campaign.agency_id, "ad_account": campaign.ad_account,
              "created_by": actor}
    creatives = []
    for spec in payload.get("creatives") or []:
        creative = AdCreative.objects.create(campaign=campaign, status=ConfiguredStatus.ACTIVE,
                                             **common, **_creative_values(spec))
        version_record(obj=creative, actor=actor, source=source,
                       diff={"created": [None, creative.name]})
        creatives.append(creative)
    for row in payload.get("adsets") or []:
        values = {k: copy.deepcopy(v) for k, v in row.items() if k in ADSET_FIELDS}
        adset = AdSet.objects.create(campaign=campaign, status=ConfiguredStatus.ACTIVE, **common,
                                     **values)
        version_record(obj=adset, actor=actor, source=source, diff={"created": [None, adset.name]})
        for ad_row in row.get("ads") or []:
            index = ad_row.get("creative")
            creative = creatives[index] if isinstance(index, int) and \
                0 <= index < len(creatives) else None
            ad = Ad.objects.create(adset=adset, creative=creative, status=ConfiguredStatus.PAUSED,
                                   **common, **{k: copy.deepcopy(ad_row[k])
                                                for k in AD_FIELDS if k in ad_row})
            version_record(obj=ad, actor=actor, source=source, diff={"created": [None, ad.name]})


def campaign_create_from_template(*, template: LaunchTemplate, ad_account: AdAccount, name: str,
                                  actor, source: str = "page") -> Campaign:
    """A new draft campaign in `ad_account` built from a campaign template."""
    if template.kind != TemplateKind.CAMPAIGN:
        raise TemplateMismatchError("Choose a campaign template.")
    if template.payload.get("currency") != ad_account.currency:
        raise TemplateMismatchError(
            f"This template's budgets are in {template.payload.get('currency')}; the ad account "
            f"uses {ad_account.currency}.")
    with transaction.atomic():
        campaign = drafts.campaign_draft_create(
            ad_account=ad_account, actor=actor,
            name=(name or template.payload["campaign"].get("name") or template.name)[:400],
            objective=template.payload["campaign"].get("objective", "OUTCOME_TRAFFIC"),
            source=source, with_children=False)
        _campaign_apply(template=template, campaign=campaign, actor=actor, source=source)
    return campaign
