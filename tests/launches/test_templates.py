"""Templates: each kind saved from the builder's objects and applied to drafts, validated with
the builder's rules, renamed and deleted with audit rows."""

from __future__ import annotations

import pytest

from agency.errors import ConflictError
from agency.models import AuditEvent
from campaigns.launches.models import LaunchTemplate
from campaigns.launches.services.templates import (
    TemplateInvalidError,
    TemplateMismatchError,
    campaign_create_from_template,
    template_apply,
    template_create,
    template_delete,
    template_rename,
    template_save_from,
)
from campaigns.models import AdCreative, ObjectVersion
from tests.factories.campaigns import AdCreativeFactory, AdSetFactory

pytestmark = pytest.mark.django_db


def test_audience_saved_from_an_ad_set_applies_without_touching_placements(scoped, draft,
                                                                          manager):
    source = draft.adsets.get()
    source.targeting = {"geo_locations": {"countries": ["CA"]}, "age_min": 30, "age_max": 40,
                        "publisher_platforms": ["facebook"]}
    source.save()
    template = template_save_from(kind="audience", obj=source, name="Canada 30-40",
                                  actor=manager.user)
    assert template.payload == {"targeting": {"geo_locations": {"countries": ["CA"]},
                                              "age_min": 30, "age_max": 40}}

    target = AdSetFactory(campaign=draft, targeting={
        "geo_locations": {"countries": ["US"]}, "publisher_platforms": ["instagram"],
        "instagram_positions": ["stream"]})
    template_apply(template=template, obj=target, actor=manager.user)
    target.refresh_from_db()
    assert target.targeting == {"geo_locations": {"countries": ["CA"]}, "age_min": 30,
                                "age_max": 40, "publisher_platforms": ["instagram"],
                                "instagram_positions": ["stream"]}
    assert ObjectVersion.objects.filter(object_kind="adset", object_id=target.pk).exists()
    assert AuditEvent.objects.filter(verb="template.create").count() == 1


def test_placement_set_applies_placements_and_keeps_the_audience(scoped, draft, manager):
    source = draft.adsets.get()
    source.targeting = {"geo_locations": {"countries": ["US"]},
                        "publisher_platforms": ["facebook", "instagram"],
                        "facebook_positions": ["feed"], "instagram_positions": ["stream", "story"]}
    source.save()
    template = template_save_from(kind="placements", obj=source, name="Feeds",
                                  actor=manager.user)
    assert set(template.payload["targeting"]) == {"publisher_platforms", "facebook_positions",
                                                  "instagram_positions"}
    target = AdSetFactory(campaign=draft, targeting={"geo_locations": {"countries": ["FR"]},
                                                     "age_min": 21})
    template_apply(template=template, obj=target, actor=manager.user)
    target.refresh_from_db()
    assert target.targeting["geo_locations"] == {"countries": ["FR"]}
    assert target.targeting["age_min"] == 21
    assert target.targeting["facebook_positions"] == ["feed"]


def test_creative_set_saves_every_creative_and_applies_the_chosen_one(scoped, draft, manager):
    first = draft.creatives.get()
    AdCreativeFactory(campaign=draft, name="Sandals", spec={
        "message": "Summer", "link": "https://example.com/sandals", "image_hash": "def",
        "call_to_action": "SHOP_NOW"})
    template = template_save_from(kind="creatives", obj=first, name="Footwear",
                                  actor=manager.user, all_creatives=True)
    assert [c["name"] for c in template.payload["creatives"]] == ["Boots", "Sandals"]

    target = AdCreativeFactory(campaign=draft, name="Blank", spec={})
    template_apply(template=template, obj=target, actor=manager.user, index=1)
    target.refresh_from_db()
    assert target.name == "Sandals" and target.spec["link"] == "https://example.com/sandals"
    with pytest.raises(TemplateInvalidError):
        template_apply(template=template, obj=target, actor=manager.user, index=5)
    with pytest.raises(TemplateMismatchError):
        template_apply(template=template, obj=draft.adsets.get(), actor=manager.user)


def test_campaign_template_rebuilds_the_tree_in_another_draft(scoped, draft, manager):
    template = template_save_from(kind="campaign", obj=draft, name="Spring launch",
                                  actor=manager.user)
    assert template.payload["currency"] == "USD"
    assert len(template.payload["adsets"]) == 1
    assert template.payload["adsets"][0]["ads"][0]["creative"] == 0

    copy_ = campaign_create_from_template(template=template, ad_account=draft.ad_account,
                                          name="Autumn", actor=manager.user)
    assert copy_.name == "Autumn" and copy_.pk != draft.pk
    adset = copy_.adsets.get()
    ad = adset.ads.get()
    assert adset.targeting == draft.adsets.get().targeting
    assert ad.creative.campaign_id == copy_.pk and ad.creative.spec == draft.creatives.get().spec
    assert AdCreative.objects.filter(campaign=copy_).count() == 1


def test_invalid_templates_are_refused_with_the_builders_messages(scoped, agency, manager):
    with pytest.raises(TemplateInvalidError) as caught:
        template_create(agency_id=agency.pk, kind="audience", name="Too young", actor=manager.user,
                        payload={"targeting": {"geo_locations": {"countries": ["US"]},
                                               "age_min": 12}})
    assert caught.value.extra["errors"] == {"targeting.age_min": "Ages are 18 to 65."}
    with pytest.raises(TemplateInvalidError) as caught:
        template_create(agency_id=agency.pk, kind="placements", name="Explore only",
                        actor=manager.user, payload={"targeting": {
                            "publisher_platforms": ["instagram"],
                            "instagram_positions": ["explore"]}})
    assert "targeting.instagram_positions" in caught.value.extra["errors"]
    with pytest.raises(TemplateInvalidError) as caught:
        template_create(agency_id=agency.pk, kind="creatives", name="No link",
                        actor=manager.user, payload={"creatives": [{
                            "name": "x", "format": "image", "page_id": "1",
                            "contextual_multi_ads": "OPT_OUT", "spec": {"image_hash": "a"}}]})
    assert caught.value.extra["errors"] == {"creatives.0.spec.link": "Enter the destination URL."}
    assert not LaunchTemplate.objects.exists()


def test_rename_refuses_a_taken_name_and_delete_is_audited(scoped, agency, manager):
    payload = {"targeting": {"geo_locations": {"countries": ["US"]}}}
    first = template_create(agency_id=agency.pk, kind="audience", name="US", payload=payload,
                            actor=manager.user)
    second = template_create(agency_id=agency.pk, kind="audience", name="US 2", payload=payload,
                             actor=manager.user)
    with pytest.raises(ConflictError):
        template_rename(template=second, name="US", actor=manager.user)
    second.refresh_from_db()
    assert second.name == "US 2"
    template_rename(template=first, name="United States", actor=manager.user)
    template_delete(template=second, actor=manager.user)
    assert list(LaunchTemplate.objects.values_list("name", flat=True)) == ["United States"]
    assert {"template.rename", "template.delete"} <= set(
        AuditEvent.objects.values_list("verb", flat=True))


@pytest.mark.parametrize("part, changes, key", [
    ("campaign", {"leave_paused": "yes"}, "campaign.leave_paused"),
    ("campaign", {"daily_budget_minor": 2**70}, "campaign.daily_budget_minor"),
    ("adset", {"destination_type": "x" * 49}, "adsets.0.destination_type"),
    ("adset", {"dsa_payor": 5}, "adsets.0.dsa_payor"),
    ("creative", {"page_id": ["1"]}, "creatives.0.page_id"),
    ("ad", {"desired_status": None}, "adsets.0.ads.0.desired_status"),
])
def test_campaign_templates_from_the_api_are_checked_for_shapes_first(scoped, draft, manager,
                                                                      part, changes, key):
    from campaigns.launches.services.templates import template_payload_from

    payload = template_payload_from(kind="campaign", obj=draft)
    target = {"campaign": payload["campaign"], "adset": payload["adsets"][0],
              "creative": payload["creatives"][0], "ad": payload["adsets"][0]["ads"][0]}[part]
    target.update(changes)
    with pytest.raises(TemplateInvalidError) as caught:
        template_create(agency_id=draft.agency_id, kind="campaign", name="Odd", payload=payload,
                        actor=manager.user)
    assert key in caught.value.extra["errors"]
