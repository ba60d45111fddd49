"""Forms of the live edits: the fields Graph lets us change on a published campaign, ad set,
creative or ad (campaigns.services.manage.LIVE_EDITABLE). `changes()` returns only what differs
from the object, in model terms (money in minor units, times in the account's time zone)."""

from __future__ import annotations

from typing import Any

from django import forms

from agency.ids import IdModelChoiceField
from campaigns.forms.builder import (
    BID_CHOICES,
    COUNTRIES_HELP,
    GENDERS,
    AdSetStepForm,
    MoneyField,
    _money_inputs,
    _split_codes,
    _to_major,
    _to_minor,
)
from campaigns.validation import rules


def _bid_initial(value: str) -> str:
    # The choices spell "no cap" as "" (BID_CHOICES); Graph reports it by name.
    return "" if value == "LOWEST_COST_WITHOUT_CAP" else value


def _bid_wanted(chosen: str, current: str) -> str:
    if chosen:
        return chosen
    # Unchanged "no cap" stays as stored; a change to it is sent by name.
    return current if current in ("", "LOWEST_COST_WITHOUT_CAP") else "LOWEST_COST_WITHOUT_CAP"


class _LiveForm(forms.Form):
    name = forms.CharField(max_length=400)

    def __init__(self, *args, obj, **kw):
        self.obj = obj
        self.currency = obj.ad_account.currency
        super().__init__(*args, initial=self.initial_for(obj), **kw)
        _money_inputs(self, self.currency)

    def initial_for(self, obj) -> dict[str, Any]:
        return {"name": obj.name}

    def wanted(self) -> dict[str, Any]:
        return {"name": self.cleaned_data["name"].strip()}

    def changes(self) -> dict[str, Any]:
        out = {}
        for key, value in self.wanted().items():
            current = getattr(self.obj, key)
            if value != current:
                out[key] = value
        return out


class LiveCampaignForm(_LiveForm):
    budget = MoneyField(label="Campaign budget")
    spend_cap = MoneyField(label="Spending limit")
    bid_strategy = forms.ChoiceField(choices=BID_CHOICES, required=False,
                                     label="Campaign bid strategy")

    def __init__(self, *args, obj, **kw):
        super().__init__(*args, obj=obj, **kw)
        if not obj.uses_campaign_budget:
            del self.fields["budget"], self.fields["bid_strategy"]

    def initial_for(self, obj):
        return {"name": obj.name, "bid_strategy": _bid_initial(obj.bid_strategy),
                "budget": _to_major(obj.daily_budget_minor or obj.lifetime_budget_minor,
                                    obj.ad_account.currency),
                "spend_cap": _to_major(obj.spend_cap_minor, obj.ad_account.currency)}

    def wanted(self):
        d = self.cleaned_data
        out = {"name": d["name"].strip(),
               "spend_cap_minor": _to_minor(d.get("spend_cap"), self.currency)}
        if "budget" in self.fields:
            field = ("lifetime_budget_minor" if self.obj.lifetime_budget_minor
                     else "daily_budget_minor")
            out[field] = _to_minor(d.get("budget"), self.currency)
            out["bid_strategy"] = _bid_wanted(d.get("bid_strategy") or "", self.obj.bid_strategy)
        return out


class LiveAdSetForm(_LiveForm):
    optimization_goal = forms.ChoiceField(choices=[], label="Performance goal")
    billing_event = AdSetStepForm.base_fields["billing_event"]
    budget = MoneyField(label="Ad set budget")
    bid_strategy = forms.ChoiceField(choices=BID_CHOICES, required=False)
    bid_amount = MoneyField(label="Bid amount / cost cap")
    end_time = forms.DateTimeField(required=False, label="End",
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    countries = forms.CharField(max_length=600, required=False, help_text=COUNTRIES_HELP)
    age_min = forms.IntegerField(min_value=13, max_value=65)
    age_max = forms.IntegerField(min_value=13, max_value=65)
    genders = forms.ChoiceField(choices=GENDERS, required=False)

    def __init__(self, *args, obj, **kw):
        super().__init__(*args, obj=obj, **kw)
        goals = rules.GOALS_BY_OBJECTIVE.get(obj.campaign.objective, ())
        self.fields["optimization_goal"].choices = [(g, g.replace("_", " ").title())
                                                    for g in goals]
        if obj.campaign.uses_campaign_budget:
            del self.fields["budget"]
        self.zone = AdSetStepForm(tz_name=obj.ad_account.timezone_name).zone

    def initial_for(self, obj):
        initial = AdSetStepForm.initial_for(obj)
        keep = ("name", "optimization_goal", "billing_event", "budget", "bid_strategy",
                "bid_amount", "end_time", "countries", "age_min", "age_max", "genders")
        return {**{k: initial[k] for k in keep},
                "bid_strategy": _bid_initial(obj.bid_strategy)}

    def clean_end_time(self):
        from django.utils import timezone

        value = self.cleaned_data.get("end_time")
        return None if value is None else timezone.make_aware(value.replace(tzinfo=None),
                                                              self.zone)

    def wanted(self):
        d = self.cleaned_data
        targeting = dict(self.obj.targeting or {})
        geo = dict(targeting.get("geo_locations") or {})
        codes = _split_codes(d["countries"])
        if codes:
            geo["countries"] = codes
        else:
            geo.pop("countries", None)
        targeting.update({"geo_locations": geo, "age_min": d["age_min"],
                          "age_max": d["age_max"]})
        if d["genders"]:
            targeting["genders"] = [int(d["genders"])]
        else:
            targeting.pop("genders", None)
        out = {"name": d["name"].strip(), "optimization_goal": d["optimization_goal"],
               "billing_event": d["billing_event"],
               "bid_strategy": _bid_wanted(d["bid_strategy"] or "", self.obj.bid_strategy),
               "bid_amount_minor": _to_minor(d.get("bid_amount"), self.currency),
               "end_time": d.get("end_time"), "targeting": targeting}
        if "budget" in self.fields:
            field = ("lifetime_budget_minor" if self.obj.lifetime_budget_minor
                     else "daily_budget_minor")
            out[field] = _to_minor(d.get("budget"), self.currency)
        return out


class LiveCreativeForm(_LiveForm):
    """A live creative's content is immutable on Meta: only its name changes; to change the
    content, give the ad another creative."""


class LiveAdForm(_LiveForm):
    status = forms.ChoiceField(choices=[("ACTIVE", "Active"), ("PAUSED", "Paused")])
    creative = IdModelChoiceField(queryset=None, label="Creative",
                                  help_text="Creatives of this ad account that are on Meta")

    def __init__(self, *args, obj, creatives, **kw):
        super().__init__(*args, obj=obj, **kw)
        self.fields["creative"].queryset = creatives

    def initial_for(self, obj):
        return {"name": obj.name, "creative": obj.creative_id,
                "status": obj.status if obj.status in ("ACTIVE", "PAUSED") else "PAUSED"}

    def wanted(self):
        d = self.cleaned_data
        return {"name": d["name"].strip(), "creative": d["creative"]}

    def status_action(self) -> str | None:
        wanted = self.cleaned_data["status"]
        if wanted == self.obj.status:
            return None
        return "activate" if wanted == "ACTIVE" else "pause"


# Rule-set keys of the live edit → the form field that shows the message.
LIVE_FIELDS = {"daily_budget_minor": "budget", "lifetime_budget_minor": "budget",
               "spend_cap_minor": "spend_cap", "bid_amount_minor": "bid_amount",
               "targeting": "countries", "targeting.geo_locations": "countries",
               "targeting.geo_locations.countries": "countries",
               "targeting.age_min": "age_min", "targeting.age_max": "age_max",
               "targeting.genders": "genders"}
