"""Variants: the cross product's counts and budget totals before anything is created, naming
pattern errors, the builder's rules on generated objects, and a 1,000-ad generation."""

from __future__ import annotations

import time

import pytest

from agency.models import AuditEvent
from campaigns.launches.models import LaunchBatch
from campaigns.launches.services.variants import (
    VariantInput,
    VariantPlanError,
    variant_plan,
    variants_generate,
)
from campaigns.models import Ad, AdCreative, AdSet, Campaign, ObjectVersion
from tests.factories.launches import LaunchTemplateFactory

pytestmark = pytest.mark.django_db


def _audiences(agency, n):
    return [LaunchTemplateFactory(agency=agency, name=f"Age {20 + i}", payload={"targeting": {
        "geo_locations": {"countries": ["US"]}, "age_min": 20 + i, "age_max": 65}})
        for i in range(n)]


def _placements(agency, n):
    sets = [{"publisher_platforms": ["facebook"], "facebook_positions": ["feed"]},
            {"publisher_platforms": ["instagram"], "instagram_positions": ["stream"]},
            {"publisher_platforms": ["facebook"], "facebook_positions": ["marketplace"]},
            {"publisher_platforms": ["instagram"], "instagram_positions": ["story"]},
            {"publisher_platforms": ["facebook"], "facebook_positions": ["story"]},
            {"publisher_platforms": ["instagram"], "instagram_positions": ["reels"]},
            {"publisher_platforms": ["facebook"], "facebook_positions": ["video_feeds"]},
            {"publisher_platforms": ["facebook"], "facebook_positions": ["search"]},
            {"publisher_platforms": ["instagram"], "instagram_positions": ["profile_feed"]},
            {"publisher_platforms": ["facebook"], "facebook_positions": ["facebook_reels"]}]
    return [LaunchTemplateFactory(agency=agency, kind="placements", name=f"Place {i}",
                                  payload={"targeting": sets[i]}) for i in range(n)]


def _creatives(agency, n):
    return LaunchTemplateFactory(agency=agency, kind="creatives", name="Set", payload={
        "creatives": [{"name": f"Look {i}", "format": "image", "page_id": "1",
                       "contextual_multi_ads": "OPT_OUT",
                       "spec": {"message": f"Look {i}", "link": "https://example.com/",
                                "image_hash": f"h{i}", "call_to_action": "SHOP_NOW"}}
                      for i in range(n)]})


def test_plan_counts_the_cross_product_and_totals_the_budget(scoped, agency, draft):
    audiences = _audiences(agency, 3)
    placements = _placements(agency, 2)
    creatives = _creatives(agency, 4)
    choice = VariantInput(audiences=[{"template_id": t.pk} for t in audiences],
                          placements=[{"template_id": t.pk} for t in placements],
                          creatives=[{"template_id": creatives.pk}])
    plan = variant_plan(base=draft, choice=choice)

    assert plan.errors == {}
    assert plan.counts == {"campaigns": 1, "adsets": 6, "ads": 24}
    assert plan.daily_total_minor == 6 * 2000  # each ad set keeps the base's 20.00 a day
    assert plan.money(plan.daily_total_minor) == "120.00 USD"
    assert plan.campaigns[0].adsets[0].name == "Spring - Age 20 - Place 0"
    assert plan.campaigns[0].adsets[0].ads[3].name == "Spring - Age 20 - Look 3"
    assert not Campaign.objects.exclude(pk=draft.pk).exists()  # nothing created by a plan


def test_split_by_audience_makes_one_campaign_each_and_a_campaign_budget_counts_once_each(
        scoped, agency, draft):
    draft.daily_budget_minor = 5000
    draft.save()
    AdSet.objects.filter(campaign=draft).update(daily_budget_minor=None)
    audiences = _audiences(agency, 3)
    choice = VariantInput(audiences=[{"template_id": t.pk} for t in audiences],
                          split_by="audience", campaign_pattern="{campaign} / {audience}",
                          adset_pattern="{audience}", ad_pattern="{creative}")
    plan = variant_plan(base=draft, choice=choice)
    assert plan.errors == {}
    assert plan.counts == {"campaigns": 3, "adsets": 3, "ads": 3}
    assert [c.name for c in plan.campaigns] == ["Spring / Age 20", "Spring / Age 21",
                                                "Spring / Age 22"]
    assert plan.daily_total_minor == 3 * 5000 and plan.lifetime_total_minor == 0


@pytest.mark.parametrize("field, pattern, message", [
    ("ad_pattern", "{campaign} {headline}", "Unknown token {headline}"),
    ("ad_pattern", "{campaign", "A brace is not closed"),
    ("ad_pattern", "", "Enter a naming pattern."),
    ("campaign_pattern", "{campaign} {creative}", "{creative} is not known for a campaign name"),
    ("ad_pattern", "{campaign} - {audience}", "Several ads would share a name: add {creative}"),
    ("adset_pattern", "{campaign}", "Several adsets would share a name: add {audience}"),
])
def test_naming_pattern_errors_point_at_the_pattern(scoped, agency, draft, field, pattern,
                                                    message):
    choice = VariantInput(audiences=[{"template_id": t.pk} for t in _audiences(agency, 2)],
                          creatives=[{"template_id": _creatives(agency, 2).pk}],
                          **{field: pattern})
    plan = variant_plan(base=draft, choice=choice)
    assert message in plan.errors[field]
    with pytest.raises(VariantPlanError):
        variants_generate(base=draft, choice=choice, actor=None)
    assert Campaign.objects.count() == 1


def test_names_over_400_characters_are_refused(scoped, agency, draft):
    draft.name = "S" * 395
    draft.save()
    choice = VariantInput(ad_pattern="{campaign} {creative}")
    plan = variant_plan(base=draft, choice=choice)
    assert "longer than 400" in plan.errors["ad_pattern"]


def test_builder_rules_on_generated_objects_block_generation(scoped, agency, draft):
    bad = LaunchTemplateFactory(agency=agency, kind="placements", name="Explore alone",
                                payload={"targeting": {"publisher_platforms": ["instagram"],
                                                       "instagram_positions": ["explore"]}})
    choice = VariantInput(placements=[{"template_id": bad.pk}])
    plan = variant_plan(base=draft, choice=choice)
    assert plan.errors == {"placements[Explore alone].targeting.instagram_positions":
                           "Explore needs the Instagram feed (stream)."}
    with pytest.raises(VariantPlanError):
        variants_generate(base=draft, choice=choice, actor=None)


def test_unknown_or_foreign_sources_are_refused(agency, other_agency, draft):
    from agency.tenancy import agency_scope

    with agency_scope(other_agency):
        foreign = LaunchTemplateFactory(agency=other_agency)
    choices = (VariantInput(audiences=[{"template_id": foreign.pk}]),
               VariantInput(audiences=[{"adset_id": 10**9}]),
               VariantInput(creatives=[{"creative_id": "1"}]),
               VariantInput(creatives=[{"nothing": 1}]))
    with agency_scope(agency):
        for choice in choices:
            with pytest.raises(VariantPlanError):
                variant_plan(base=draft, choice=choice)


def test_generate_creates_the_tree_and_a_batch_in_one_go(scoped, agency, draft, manager):
    choice = VariantInput(audiences=[{"template_id": t.pk} for t in _audiences(agency, 2)],
                          creatives=[{"template_id": _creatives(agency, 3).pk},
                                     {"creative_id": draft.creatives.get().pk}])
    batch = variants_generate(base=draft, choice=choice, actor=manager.user)

    assert batch.counts == {"campaigns": 1, "adsets": 2, "ads": 8}
    campaign = batch.campaigns.get()
    assert campaign.objective == draft.objective and campaign.publish_state == "draft"
    assert AdSet.objects.filter(campaign=campaign).count() == 2
    assert AdCreative.objects.filter(campaign=campaign).count() == 4
    ads = Ad.objects.filter(adset__campaign=campaign)
    assert ads.count() == 8 and all(a.creative.campaign_id == campaign.pk for a in ads)
    assert {a.targeting["age_min"] for a in AdSet.objects.filter(campaign=campaign)} == {20, 21}
    assert ObjectVersion.objects.filter(object_kind="ad", object_id__in=ads.values("pk")).count() \
        == 8
    assert AuditEvent.objects.filter(verb="launch.variants_generate").count() == 1
    from campaigns import selectors

    assert selectors.campaign_tree_errors(campaign=campaign) == {}


def test_a_thousand_ads_are_generated_quickly(scoped, agency, draft, manager,
                                              django_assert_max_num_queries):
    choice = VariantInput(audiences=[{"template_id": t.pk} for t in _audiences(agency, 10)],
                          placements=[{"template_id": t.pk} for t in _placements(agency, 10)],
                          creatives=[{"template_id": _creatives(agency, 10).pk}],
                          split_by="placement", campaign_pattern="{campaign} - {placement}")
    started = time.monotonic()
    with django_assert_max_num_queries(80):
        batch = variants_generate(base=draft, choice=choice, actor=manager.user)
    elapsed = time.monotonic() - started

    assert batch.counts == {"campaigns": 10, "adsets": 100, "ads": 1000}
    assert Ad.objects.filter(adset__campaign__in=batch.campaigns.all()).count() == 1000
    assert LaunchBatch.objects.get().campaigns.count() == 10
    assert elapsed < 10, f"1,000 ads took {elapsed:.1f}s"


def test_split_by_creative_gives_each_campaign_its_own_creative(scoped, agency, draft, manager):
    choice = VariantInput(audiences=[{"template_id": t.pk} for t in _audiences(agency, 2)],
                          creatives=[{"template_id": _creatives(agency, 3).pk}],
                          split_by="creative", campaign_pattern="{campaign} - {creative}",
                          ad_pattern="{creative} {audience}")
    batch = variants_generate(base=draft, choice=choice, actor=manager.user)
    assert batch.counts == {"campaigns": 3, "adsets": 6, "ads": 6}
    for campaign in batch.campaigns.all():
        creative = AdCreative.objects.get(campaign=campaign)
        assert campaign.name == f"Spring - {creative.name}"
        assert set(Ad.objects.filter(adset__campaign=campaign).values_list(
            "creative_id", flat=True)) == {creative.pk}
