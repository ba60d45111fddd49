"""The builder's asset pickers: the ad set's and the creative's id fields become choices from
what Graph lists for the ad account (campaigns.assets); when Graph cannot list them, the field
stays a plain input and the step says why."""

from __future__ import annotations

from django import forms

from campaigns.assets import AssetsUnavailableError, account_assets
from campaigns.validation import rules


def _choices(items: list[dict], current: str, *, empty: str) -> list[tuple[str, str]]:
    choices = [("", empty)] + [(i["id"], i["name"]) for i in items]
    if current and current not in {i["id"] for i in items}:
        # Kept visible so the user sees what is saved; the rule set says it is not listed.
        choices.append((current, f"{current} (not listed by Meta)"))
    return choices


class Pickers:
    """Loads listings for one step, turns fields into selects, collects Graph's refusals."""

    def __init__(self, form: forms.Form, ad_account) -> None:
        self.form, self.ad_account = form, ad_account
        self.trouble: list[str] = []
        self.lists: dict[str, list[dict]] = {}

    def load(self, kind: str, parent_id: str = "") -> list[dict] | None:
        try:
            items = account_assets(ad_account=self.ad_account, kind=kind, parent_id=parent_id)
        except AssetsUnavailableError as exc:
            if exc.message not in self.trouble:
                self.trouble.append(exc.message)
            return None
        self.lists[kind] = items or []
        return self.lists[kind]

    def select(self, field: str, kind: str, *, parent_id: str = "", empty: str = "Choose…"
               ) -> None:
        if field not in self.form.fields:
            return
        items = self.load(kind, parent_id)
        if items is None:
            return  # the typed-in input stays
        current = str(self.form[field].value() or "")
        self.form.fields[field].widget = forms.Select(
            choices=_choices(items, current, empty=empty),
            attrs={"data-testid": f"pick-{field}"})


def adset_pickers(form: forms.Form, adset) -> dict:
    pickers = Pickers(form, adset.ad_account)
    pickers.select("pixel_id", "pixels", empty="No pixel")
    pickers.select("page_id", "pages", empty="No Page")
    pickers.select("application_id", "apps", empty="No app")
    current = str(form["custom_event_type"].value() or "")
    events = [("", "Choose…")] + [(e, e.replace("_", " ").title()) for e in rules.PIXEL_EVENTS]
    if current and current not in rules.PIXEL_EVENTS:
        events.append((current, current))
    form.fields["custom_event_type"].widget = forms.Select(choices=events)
    audiences = pickers.load("custom_audiences")
    return {"audiences": audiences, "picker_trouble": pickers.trouble}


def creative_pickers(form: forms.Form, creative) -> dict:
    pickers = Pickers(form, creative.ad_account)
    pickers.select("page_id", "pages", empty="Choose the Page…")
    pickers.select("instagram_user_id", "instagram_accounts", empty="Use the Page's identity")
    page_id = str(form["page_id"].value() or "")
    ig_id = str(form["instagram_user_id"].value() or "")
    fmt = str(form["format"].value() or creative.format)
    if page_id and fmt == "page_post":
        pickers.select("object_story_id", "page_posts", parent_id=page_id,
                       empty="Choose a post…")
    if ig_id and fmt == "instagram_post":
        pickers.select("source_instagram_media_id", "instagram_media", parent_id=ig_id,
                       empty="Choose a post…")
    return {"picker_trouble": pickers.trouble}


def ad_pickers(form: forms.Form, ad) -> dict:
    pickers = Pickers(form, ad.ad_account)
    pickers.select("tracking_pixel", "pixels", empty="No conversion tracking")
    return {"picker_trouble": pickers.trouble}
