"""The builder's step forms. They check shapes and lengths only and turn the input into model
changes (money in minor units, times in the account's time zone); the business rules are the one
rule set in campaigns.validation, whose field keys `RULE_FIELDS` maps onto these forms' fields."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from agency.ids import IdModelChoiceField
from campaigns import money
from campaigns.models import Objective
from campaigns.validation import rules

COUNTRIES_HELP = "2-letter codes separated by commas, e.g. US, CA"


def _split_codes(value: str) -> list[str]:
    return [c.strip().upper() for c in (value or "").replace(";", ",").split(",") if c.strip()]


def _to_minor(amount: Decimal | None, currency: str) -> int | None:
    return money.to_minor(amount, currency)


def _to_major(minor: int | None, currency: str) -> Decimal | None:
    return None if minor is None else money.from_minor(minor, currency)


def _money_inputs(form: forms.Form, currency: str) -> None:
    """Money inputs say their currency and step by its smallest unit (1 for JPY, 0.01 for USD)."""
    step = "1" if money.exponent(currency) == 0 else "0.01"
    for field in form.fields.values():
        if isinstance(field, MoneyField):
            field.label = f"{field.label} ({currency})"
            field.widget.attrs["step"] = step


class JSONListField(forms.CharField):
    """A hidden list of picked items (targeting search results), as JSON."""

    widget = forms.HiddenInput

    def __init__(self, **kw):
        kw.setdefault("required", False)
        kw.setdefault("max_length", 20000)
        super().__init__(**kw)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return []
        try:
            data = json.loads(value)
        except ValueError as exc:
            raise forms.ValidationError("Invalid selection.") from exc
        if not isinstance(data, list) or len(data) > 200 or not all(
            isinstance(i, dict) and len(i) <= 8 for i in data
        ):
            raise forms.ValidationError("Invalid selection.")
        return [{k: v for k, v in i.items() if isinstance(v, str | int | float)} for i in data]

    def prepare_value(self, value):
        return value if isinstance(value, str) else json.dumps(value or [])


class MoneyField(forms.DecimalField):
    def __init__(self, **kw):
        kw.setdefault("required", False)
        kw.setdefault("min_value", Decimal("0"))
        kw.setdefault("max_value", Decimal("100000000"))
        kw.setdefault("decimal_places", 2)
        kw.setdefault("max_digits", 12)
        super().__init__(**kw)


# --- campaign -------------------------------------------------------------------------------

BUDGET_MODES = [("adset", "Ad set budgets"), ("daily", "Campaign daily budget (Advantage)"),
                ("lifetime", "Campaign lifetime budget (Advantage)")]
CATEGORY_CHOICES = [(c, c.replace("_", " ").title()) for c in sorted(rules.SPECIAL_AD_CATEGORIES)]
BID_CHOICES = [("", "Highest volume (lowest cost)")] + [
    (s, s.replace("_", " ").title()) for s in rules.BID_STRATEGIES[1:]]


class CampaignStepForm(forms.Form):
    name = forms.CharField(max_length=400)
    objective = forms.ChoiceField(choices=Objective.choices)
    special_ad_categories = forms.MultipleChoiceField(
        choices=CATEGORY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
        label="Special ad categories")
    special_ad_category_country = forms.CharField(
        max_length=300, required=False, label="Countries of the special ad category",
        help_text=COUNTRIES_HELP)
    budget_mode = forms.ChoiceField(choices=BUDGET_MODES, label="Budget")
    budget = MoneyField(label="Campaign budget")
    bid_strategy = forms.ChoiceField(choices=BID_CHOICES, required=False,
                                     label="Campaign bid strategy")
    spend_cap = MoneyField(label="Spending limit (optional)")
    leave_paused = forms.BooleanField(required=False, label="Leave the ads paused after publishing")

    def __init__(self, *args, currency: str = "USD", **kw):
        self.currency = currency
        super().__init__(*args, **kw)
        _money_inputs(self, currency)

    @classmethod
    def initial_for(cls, campaign) -> dict[str, Any]:
        cur = campaign.ad_account.currency
        mode = "daily" if campaign.daily_budget_minor else (
            "lifetime" if campaign.lifetime_budget_minor else "adset")
        return {
            "name": campaign.name, "objective": campaign.objective,
            "special_ad_categories": campaign.special_ad_categories,
            "special_ad_category_country": ", ".join(campaign.special_ad_category_country or []),
            "budget_mode": mode,
            "budget": _to_major(campaign.daily_budget_minor or campaign.lifetime_budget_minor,
                                cur),
            "bid_strategy": campaign.bid_strategy,
            "spend_cap": _to_major(campaign.spend_cap_minor, cur),
            "leave_paused": campaign.leave_paused,
        }

    def changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        mode = d["budget_mode"]
        amount = _to_minor(d.get("budget"), self.currency)
        return {
            "name": d["name"], "objective": d["objective"],
            "special_ad_categories": list(d["special_ad_categories"]),
            "special_ad_category_country": _split_codes(d["special_ad_category_country"]),
            "daily_budget_minor": amount if mode == "daily" else None,
            "lifetime_budget_minor": amount if mode == "lifetime" else None,
            "bid_strategy": d["bid_strategy"] if mode != "adset" else "",
            "spend_cap_minor": _to_minor(d.get("spend_cap"), self.currency),
            "leave_paused": d["leave_paused"],
        }


# --- ad set ---------------------------------------------------------------------------------

ALL_GOALS = sorted({g for goals in rules.GOALS_BY_OBJECTIVE.values() for g in goals})
GENDERS = [("", "All"), ("1", "Men"), ("2", "Women")]
FB_POSITIONS = [(p, p.replace("_", " ")) for p in rules.POSITIONS["facebook_positions"]]
IG_POSITIONS = [(p, p.replace("_", " ")) for p in rules.POSITIONS["instagram_positions"]]
PLATFORMS = [(p, p.replace("_", " ").title()) for p in rules.PUBLISHER_PLATFORMS]


class AdSetStepForm(forms.Form):
    name = forms.CharField(max_length=400)
    optimization_goal = forms.ChoiceField(choices=[(g, g.replace("_", " ").title())
                                                   for g in ALL_GOALS], label="Performance goal")
    billing_event = forms.ChoiceField(choices=[(b, b.replace("_", " ").title()) for b in (
        "IMPRESSIONS", "LINK_CLICKS", "THRUPLAY", "POST_ENGAGEMENT", "PAGE_LIKES")],
        label="You pay for")
    bid_strategy = forms.ChoiceField(choices=BID_CHOICES, required=False)
    bid_amount = MoneyField(label="Bid amount / cost cap")
    budget_type = forms.ChoiceField(choices=[("daily", "Daily"), ("lifetime", "Lifetime")],
                                    required=False)
    budget = MoneyField(label="Ad set budget")
    start_time = forms.DateTimeField(required=False, label="Start",
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    end_time = forms.DateTimeField(required=False, label="End (optional with a daily budget)",
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    countries = forms.CharField(max_length=600, required=False, help_text=COUNTRIES_HELP)
    regions = JSONListField()
    cities = JSONListField()
    interests = JSONListField()
    custom_audiences = JSONListField()
    age_min = forms.IntegerField(min_value=13, max_value=65, initial=18)
    age_max = forms.IntegerField(min_value=13, max_value=65, initial=65)
    genders = forms.ChoiceField(choices=GENDERS, required=False)
    placements = forms.ChoiceField(choices=[("automatic", "Advantage+ placements (automatic)"),
                                            ("manual", "Manual placements")])
    publisher_platforms = forms.MultipleChoiceField(choices=PLATFORMS, required=False,
                                                    widget=forms.CheckboxSelectMultiple)
    facebook_positions = forms.MultipleChoiceField(choices=FB_POSITIONS, required=False,
                                                   widget=forms.CheckboxSelectMultiple)
    instagram_positions = forms.MultipleChoiceField(choices=IG_POSITIONS, required=False,
                                                    widget=forms.CheckboxSelectMultiple)
    pixel_id = forms.CharField(max_length=32, required=False, label="Pixel")
    custom_event_type = forms.CharField(max_length=40, required=False, label="Conversion event")
    page_id = forms.CharField(max_length=32, required=False, label="Page (promoted)")
    application_id = forms.CharField(max_length=32, required=False, label="App")
    object_store_url = forms.CharField(max_length=500, required=False, label="App store URL")
    dsa_beneficiary = forms.CharField(max_length=200, required=False,
                                      label="Beneficiary (EU Digital Services Act)")
    dsa_payor = forms.CharField(max_length=200, required=False,
                                label="Payor (EU Digital Services Act)")

    def __init__(self, *args, currency: str = "USD", tz_name: str = "UTC", **kw):
        self.currency, self.tz_name = currency, tz_name
        super().__init__(*args, **kw)
        _money_inputs(self, currency)

    @property
    def zone(self):
        try:
            return ZoneInfo(self.tz_name)
        except (KeyError, ValueError):
            return ZoneInfo("UTC")

    def clean_start_time(self):
        return self._aware(self.cleaned_data.get("start_time"))

    def clean_end_time(self):
        return self._aware(self.cleaned_data.get("end_time"))

    def _aware(self, value):
        if value is None:
            return None
        # The inputs are in the ad account's time zone, whatever the browser's.
        return timezone.make_aware(value.replace(tzinfo=None), self.zone)

    @classmethod
    def initial_for(cls, adset) -> dict[str, Any]:
        cur = adset.ad_account.currency
        zone = cls(tz_name=adset.ad_account.timezone_name).zone
        t = adset.targeting or {}
        geo = t.get("geo_locations") or {}
        po = adset.promoted_object or {}
        manual = any(k in t for k in ("publisher_platforms", "facebook_positions",
                                      "instagram_positions"))
        return {
            "name": adset.name, "optimization_goal": adset.optimization_goal,
            "billing_event": adset.billing_event, "bid_strategy": adset.bid_strategy,
            "bid_amount": _to_major(adset.bid_amount_minor, cur),
            "budget_type": "lifetime" if adset.lifetime_budget_minor else "daily",
            "budget": _to_major(adset.daily_budget_minor or adset.lifetime_budget_minor, cur),
            "start_time": adset.start_time.astimezone(zone).replace(tzinfo=None)
            if adset.start_time else None,
            "end_time": adset.end_time.astimezone(zone).replace(tzinfo=None)
            if adset.end_time else None,
            "countries": ", ".join(geo.get("countries") or []),
            "regions": geo.get("regions") or [], "cities": geo.get("cities") or [],
            "interests": t.get("interests") or [],
            "custom_audiences": t.get("custom_audiences") or [],
            "age_min": t.get("age_min", 18), "age_max": t.get("age_max", 65),
            "genders": str((t.get("genders") or [""])[0]) if len(t.get("genders") or []) == 1
            else "",
            "placements": "manual" if manual else "automatic",
            "publisher_platforms": t.get("publisher_platforms") or [],
            "facebook_positions": t.get("facebook_positions") or [],
            "instagram_positions": t.get("instagram_positions") or [],
            "pixel_id": po.get("pixel_id", ""),
            "custom_event_type": po.get("custom_event_type", ""),
            "page_id": po.get("page_id", ""), "application_id": po.get("application_id", ""),
            "object_store_url": po.get("object_store_url", ""),
            "dsa_beneficiary": adset.dsa_beneficiary, "dsa_payor": adset.dsa_payor,
        }

    def changes(self, *, campaign_budget: bool) -> dict[str, Any]:
        d = self.cleaned_data
        geo: dict[str, Any] = {}
        if _split_codes(d["countries"]):
            geo["countries"] = _split_codes(d["countries"])
        for key in ("regions", "cities"):
            if d[key]:
                geo[key] = d[key]
        targeting: dict[str, Any] = {"geo_locations": geo, "age_min": d["age_min"],
                                     "age_max": d["age_max"]}
        if d["genders"]:
            targeting["genders"] = [int(d["genders"])]
        if d["interests"]:
            targeting["interests"] = d["interests"]
        if d["custom_audiences"]:
            targeting["custom_audiences"] = d["custom_audiences"]
        if d["placements"] == "manual":
            targeting["publisher_platforms"] = list(d["publisher_platforms"])
            if d["facebook_positions"]:
                targeting["facebook_positions"] = list(d["facebook_positions"])
            if d["instagram_positions"]:
                targeting["instagram_positions"] = list(d["instagram_positions"])
        promoted = {k: d[k].strip() for k in ("pixel_id", "custom_event_type", "page_id",
                                               "application_id", "object_store_url")
                    if d[k].strip()}
        amount = None if campaign_budget else _to_minor(d.get("budget"), self.currency)
        lifetime = d.get("budget_type") == "lifetime"
        return {
            "name": d["name"], "optimization_goal": d["optimization_goal"],
            "billing_event": d["billing_event"], "bid_strategy": d["bid_strategy"],
            "bid_amount_minor": _to_minor(d.get("bid_amount"), self.currency),
            "daily_budget_minor": None if lifetime else amount,
            "lifetime_budget_minor": amount if lifetime else None,
            "start_time": d.get("start_time"), "end_time": d.get("end_time"),
            "targeting": targeting, "promoted_object": promoted,
            "dsa_beneficiary": d["dsa_beneficiary"].strip(),
            "dsa_payor": d["dsa_payor"].strip(),
        }


# --- creative -------------------------------------------------------------------------------

FORMATS = [("image", "Single image"), ("video", "Single video"), ("carousel", "Carousel"),
           ("page_post", "Boost a Page post"), ("instagram_post", "Boost an Instagram post")]


class CreativeStepForm(forms.Form):
    """The creative step. Media come from the client's media library (`library`: a queryset of
    its assets): one image or one video, or 2-10 carousel cards (`card-<i>-*` fields, their
    number in `card_count`), each with an image or a video, headline, description and link."""

    name = forms.CharField(max_length=400)
    format = forms.ChoiceField(choices=FORMATS)
    page_id = forms.CharField(max_length=32, required=False, label="Facebook Page")
    instagram_user_id = forms.CharField(max_length=32, required=False,
                                        label="Instagram account (optional)")
    message = forms.CharField(max_length=rules.TEXT_LIMITS["message"], required=False,
                              label="Primary text", widget=forms.Textarea(attrs={"rows": 3}))
    headline = forms.CharField(max_length=rules.TEXT_LIMITS["headline"], required=False)
    description = forms.CharField(max_length=rules.TEXT_LIMITS["description"], required=False)
    link = forms.CharField(max_length=2000, required=False, label="Website URL")
    call_to_action = forms.ChoiceField(choices=[(c, c.replace("_", " ").title())
                                                for c in rules.CTA_TYPES],
                                       label="Call to action")
    url_tags = forms.CharField(max_length=rules.URL_TAGS_MAX, required=False, label="URL tags")
    image_asset = IdModelChoiceField(queryset=None, required=False, widget=forms.RadioSelect,
                                     empty_label=None, label="Image from the media library")
    video_asset = IdModelChoiceField(queryset=None, required=False, widget=forms.RadioSelect,
                                     empty_label=None, label="Video from the media library")
    image_hash = forms.CharField(max_length=64, required=False,
                                 label="Or an image hash of the ad account's library")
    video_id = forms.CharField(max_length=32, required=False,
                               label="Or a video id of the ad account")
    card_count = forms.IntegerField(min_value=0, max_value=rules.CAROUSEL_MAX, required=False,
                                    widget=forms.HiddenInput)
    object_story_id = forms.CharField(max_length=80, required=False, label="Page post")
    source_instagram_media_id = forms.CharField(max_length=32, required=False,
                                                label="Instagram post")
    contextual_multi_ads = forms.ChoiceField(
        choices=[("OPT_OUT", "No: show this ad on its own only"),
                 ("OPT_IN", "Yes: may appear in multi-advertiser ads")],
        widget=forms.RadioSelect, label="Multi-advertiser ads")

    SPEC_KEYS = ("message", "headline", "description", "link", "call_to_action", "url_tags",
                 "image_hash", "video_id", "object_story_id", "source_instagram_media_id")
    CARD_KEYS = ("headline", "description", "link")

    def __init__(self, *args, library=None, **kw):
        super().__init__(*args, **kw)
        from campaigns.media.models import MediaAsset

        library = library if library is not None else MediaAsset.objects.none()
        self.library = library
        self.fields["image_asset"].queryset = library.filter(kind="image")
        self.fields["video_asset"].queryset = library.filter(kind="video")
        self.card_total = self._card_total()
        for i in range(self.card_total):
            self.fields[f"card-{i}-asset"] = IdModelChoiceField(
                queryset=library, required=False, label="Image or video",
                empty_label="Choose from the media library…")
            self.fields[f"card-{i}-headline"] = forms.CharField(
                max_length=rules.CARD_TEXT_LIMITS["headline"], required=False, label="Headline")
            self.fields[f"card-{i}-description"] = forms.CharField(
                max_length=rules.CARD_TEXT_LIMITS["description"], required=False,
                label="Description")
            self.fields[f"card-{i}-link"] = forms.CharField(max_length=2000, required=False,
                                                           label="Link")

    def _card_total(self) -> int:
        raw = self.data.get("card_count") if self.is_bound else self.initial.get("card_count")
        try:
            return max(0, min(int(raw or 0), rules.CAROUSEL_MAX))
        except (TypeError, ValueError):
            return 0

    @property
    def card_rows(self) -> list[dict]:
        return [{"index": i, **{k: self[f"card-{i}-{k}"] for k in ("asset", *self.CARD_KEYS)}}
                for i in range(self.card_total)]

    @classmethod
    def initial_for(cls, creative) -> dict[str, Any]:
        spec = creative.spec or {}
        asset_id = spec.get("media_asset_id")
        initial = {"name": creative.name, "format": creative.format, "page_id": creative.page_id,
                   "instagram_user_id": creative.instagram_user_id,
                   "contextual_multi_ads": creative.contextual_multi_ads,
                   "image_asset": asset_id if creative.format != "video" else None,
                   "video_asset": asset_id if creative.format == "video" else None,
                   **{k: spec.get(k) for k in cls.SPEC_KEYS}}
        cards = [c for c in spec.get("cards") or [] if isinstance(c, dict)]
        initial["card_count"] = len(cards)
        for i, card in enumerate(cards[:rules.CAROUSEL_MAX]):
            initial[f"card-{i}-asset"] = card.get("media_asset_id")
            for key in cls.CARD_KEYS:
                initial[f"card-{i}-{key}"] = card.get(key, "")
        return initial

    def cards(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        out = []
        for i in range(self.card_total):
            card: dict[str, Any] = {k: d[f"card-{i}-{k}"].strip() for k in self.CARD_KEYS
                                    if d.get(f"card-{i}-{k}", "").strip()}
            if d.get(f"card-{i}-asset") is not None:
                card["media_asset_id"] = d[f"card-{i}-asset"].pk
            out.append(card)
        return out

    def changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        spec = {k: d[k] for k in self.SPEC_KEYS if d.get(k) not in (None, "", [])}
        asset = d.get("video_asset") if d["format"] == "video" else d.get("image_asset")
        if asset is not None and d["format"] in ("image", "video"):
            spec["media_asset_id"] = asset.pk
            spec.pop("image_hash" if d["format"] == "image" else "video_id", None)
        cards = self.cards()
        if cards:
            spec["cards"] = cards
        return {"name": d["name"], "format": d["format"], "page_id": d["page_id"].strip(),
                "instagram_user_id": d["instagram_user_id"].strip(), "spec": spec,
                "contextual_multi_ads": d["contextual_multi_ads"]}


def cards_edit(cards: list[dict], op: str) -> list[dict]:
    """A carousel card operation from the builder: "add", "remove:<i>", "up:<i>", "down:<i>"."""
    cards = list(cards)
    verb, _, raw = (op or "").partition(":")
    if verb == "add":
        if len(cards) < rules.CAROUSEL_MAX:
            cards.append({})
        return cards
    try:
        i = int(raw)
    except ValueError:
        return cards
    if not 0 <= i < len(cards):
        return cards
    if verb == "remove":
        cards.pop(i)
    elif verb == "up" and i > 0:
        cards[i - 1], cards[i] = cards[i], cards[i - 1]
    elif verb == "down" and i < len(cards) - 1:
        cards[i + 1], cards[i] = cards[i], cards[i + 1]
    return cards


# --- ad -------------------------------------------------------------------------------------


def _pixel_of(specs: Any) -> str:
    """The pixel of a conversion tracking spec (core-flows.md §4.9 action-spec format)."""
    for spec in specs if isinstance(specs, list) else []:
        if not isinstance(spec, dict):
            continue
        types = spec.get("action.type")
        types = types if isinstance(types, list) else [types]
        pixels = spec.get("fb_pixel")
        pixels = pixels if isinstance(pixels, list) else [pixels]
        if "offsite_conversion" in types and pixels and pixels[0]:
            return str(pixels[0])
    return ""


class AdStepForm(forms.Form):
    name = forms.CharField(max_length=400)
    creative = IdModelChoiceField(queryset=None, required=False, empty_label="Choose…")
    desired_status = forms.ChoiceField(choices=[("ACTIVE", "Active once published"),
                                                ("PAUSED", "Paused")], label="Status")
    tracking_pixel = forms.CharField(max_length=32, required=False,
                                     label="Track website conversions with the pixel")

    def __init__(self, *args, creatives=None, **kw):
        super().__init__(*args, **kw)
        self.fields["creative"].queryset = creatives

    @classmethod
    def initial_for(cls, ad) -> dict[str, Any]:
        return {"name": ad.name, "creative": ad.creative_id, "desired_status": ad.desired_status,
                "tracking_pixel": _pixel_of(ad.tracking_specs)}

    def changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        pixel = d["tracking_pixel"].strip()
        specs = [{"action.type": ["offsite_conversion"], "fb_pixel": [pixel]}] if pixel else []
        return {"name": d["name"], "creative": d["creative"],
                "desired_status": d["desired_status"], "tracking_specs": specs}


# Rule-set keys (campaigns.validation) → the form field that shows the message.
RULE_FIELDS = {
    "campaign": {"daily_budget_minor": "budget", "lifetime_budget_minor": "budget",
                 "spend_cap_minor": "spend_cap"},
    "adset": {"daily_budget_minor": "budget", "lifetime_budget_minor": "budget",
              "bid_amount_minor": "bid_amount", "targeting": "countries",
              "targeting.geo_locations": "countries",
              "targeting.geo_locations.countries": "countries",
              "targeting.geo_locations.regions": "regions",
              "targeting.geo_locations.cities": "cities",
              "targeting.interests": "interests", "targeting.custom_audiences": "custom_audiences",
              "targeting.age_min": "age_min", "targeting.age_max": "age_max",
              "targeting.genders": "genders",
              "targeting.publisher_platforms": "publisher_platforms",
              "targeting.facebook_positions": "facebook_positions",
              "targeting.instagram_positions": "instagram_positions",
              "targeting.threads_positions": "publisher_platforms",
              "targeting.device_platforms": "publisher_platforms",
              "promoted_object": "pixel_id"},
    "creative": {"spec": "message", "spec.image": "image_asset", "spec.video": "video_asset",
                 "spec.cards": "card_count"},
    "ad": {"tracking_specs": "tracking_pixel"},
}


def form_field_for(kind: str, key: str, form: forms.Form) -> str | None:
    mapped = RULE_FIELDS.get(kind, {}).get(key)
    if mapped is None:
        tail = key.split(".")[-1]
        if key.startswith("spec.cards."):
            # spec.cards.<i>.image → card-<i>-asset; spec.cards.<i>.<field> → card-<i>-<field>
            parts = key.split(".")
            field = parts[3] if len(parts) > 3 else "asset"
            mapped = f"card-{parts[2]}-{'asset' if field == 'image' else field}"
        elif key.startswith(("promoted_object.", "spec.", "targeting.")):
            mapped = tail
        else:
            mapped = key
    return mapped if mapped in form.fields else None
