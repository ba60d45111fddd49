"""The builder: one page per campaign whose steps (campaign, ad sets, creatives, ads, review) are
HTMX partials; every change autosaves the draft; Check with Meta, previews and Publish with its
progress, then the status follow-up."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from accounts.services.graph import ConnectionUnusableError
from agency.errors import ServiceError
from agency.graph import GraphError
from agency.ids import parse_id
from campaigns import selectors
from campaigns.assets import asset_errors
from campaigns.forms.builder import (
    AdSetStepForm,
    AdStepForm,
    CampaignStepForm,
    CreativeStepForm,
    cards_edit,
)
from campaigns.models import AdCreative, AdSet, Campaign
from campaigns.services import drafts, meta_check, publish, sync
from campaigns.services.creative_media import creative_media_prepare
from campaigns.validation import AccountFacts, ad_errors, adset_errors, campaign_errors, rules
from campaigns.validation import creative_errors as creative_rule_errors
from campaigns.views.common import (
    BuildMixin,
    CampaignPageMixin,
    field_rows,
    graph_trouble,
    object_errors,
)
from campaigns.views.pickers import ad_pickers, adset_pickers, creative_pickers

STEPS = ("campaign", "adset", "creative", "ad", "review")


def _fields(obj) -> dict:
    return {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _parent(campaign: Campaign) -> dict:
    return {f: getattr(campaign, f) for f in ("objective", "daily_budget_minor",
                                              "lifetime_budget_minor", "bid_strategy",
                                              "special_ad_categories")}


def rule_errors(obj) -> dict[str, str]:
    facts = AccountFacts.of(obj.ad_account)
    if isinstance(obj, Campaign):
        return campaign_errors(data=_fields(obj), account=facts)
    if isinstance(obj, AdSet):
        errors = adset_errors(data=_fields(obj), campaign=_parent(obj.campaign), account=facts,
                              now=timezone.now(), creating=not obj.graph_id)
        return errors if obj.graph_id else asset_errors(obj=obj, kind="adset") | errors
    if isinstance(obj, AdCreative):
        errors = creative_rule_errors(data=_fields(obj))
        return errors if obj.graph_id else asset_errors(obj=obj, kind="creative") | errors
    errors = ad_errors(data={**_fields(obj), "creative_id": obj.creative_id})
    return errors if obj.graph_id else asset_errors(obj=obj, kind="ad") | errors


def _form_for(kind: str, obj, data=None):
    account = obj.ad_account
    if kind == "campaign":
        return CampaignStepForm(data, initial=None if data else CampaignStepForm.initial_for(obj),
                                currency=account.currency)
    if kind == "adset":
        form = AdSetStepForm(data, initial=None if data else AdSetStepForm.initial_for(obj),
                             currency=account.currency, tz_name=account.timezone_name)
        goals = rules.GOALS_BY_OBJECTIVE.get(obj.campaign.objective, ())
        form.fields["optimization_goal"].choices = [(g, g.replace("_", " ").title())
                                                    for g in goals]
        return form
    if kind == "creative":
        from campaigns.media.models import MediaAsset

        library = MediaAsset.objects.filter(client_id=account.client_id).order_by("-pk")
        form = CreativeStepForm(data, initial=None if data else CreativeStepForm.initial_for(obj),
                                library=library)
        for name in ("message", "headline", "description"):
            form.fields[name].widget.attrs.update({
                "data-counter": rules.TEXT_LIMITS[name],
                "data-recommended": rules.TEXT_RECOMMENDED[name],
            })
        return form
    creatives = AdCreative.objects.filter(ad_account=obj.ad_account).filter(
        campaign=obj.adset.campaign) | AdCreative.objects.filter(pk=obj.creative_id or 0)
    return AdStepForm(data, initial=None if data else AdStepForm.initial_for(obj),
                      creatives=creatives.distinct())


def step_context(view, campaign: Campaign, step: str, obj_id: int | None, *, form=None,
                 saved: bool = False) -> tuple[str, dict]:
    """The template and context of one step of the builder."""
    adsets, creatives, ads = selectors.campaign_children(campaign=campaign)
    context = {"campaign": campaign, "step": step, "adsets": adsets, "creatives": creatives,
               "ads": ads, "can_build": view.can_build, "saved": saved,
               "account": campaign.ad_account,
               "locked": bool(campaign.graph_id) or not view.can_build}
    if step == "review":
        context["tree_errors"] = selectors.campaign_tree_errors(campaign=campaign,
                                                                assets="fetch")
        context["preview_formats"] = meta_check.PREVIEW_FORMATS
        context["job"] = selectors.publish_job(campaign=campaign)
        return "campaigns/_step_review.html", context
    pool = {"campaign": [campaign], "adset": adsets, "creative": creatives, "ad": ads}[step]
    obj = next((o for o in pool if o.pk == obj_id), pool[0] if pool else None)
    context["obj"] = obj
    if obj is None:
        return f"campaigns/_step_{step}.html", context
    form = form or _form_for(step, obj)
    if step == "adset" and not obj.graph_id:
        context.update(adset_pickers(form, obj))
    if step == "creative" and not obj.graph_id:
        context.update(creative_pickers(form, obj))
    if step == "ad" and not obj.graph_id:
        context.update(ad_pickers(form, obj))
    errors = object_errors(obj, rule_errors(obj))
    context["rows"], context["general"] = field_rows(form, errors, step)
    context["form"] = form
    context["locked"] = bool(obj.graph_id) or not view.can_build
    if step == "creative":
        context["library"] = library = _library(form, obj)
        context["card_rows"] = _card_rows(form, context["rows"], library["assets"])
    if step == "adset":
        context["eu"] = bool(obj.targeting) and _reaches_eu(obj)
    return f"campaigns/_step_{step}.html", context


def _reaches_eu(adset) -> bool:
    from campaigns.validation import reaches_eu

    return reaches_eu(adset.targeting or {})


def _card_rows(form, rows: dict, assets: dict) -> list[dict]:
    out = []
    for i in range(form.card_total):
        card = {key: rows[f"card-{i}-{key}"] for key in ("asset", "headline", "description",
                                                          "link")}
        asset_id = parse_id(str(card["asset"][0].value() or "")) or None
        out.append({"index": i, **card, "asset_id": asset_id,
                    "asset_obj": assets.get(asset_id)})
    return out


def _library(form, creative) -> dict:
    """The media library's files for the creative step: which are on the ad account already
    (the others are sent before the creative), and their choices in the form."""
    from campaigns.media.models import AccountMedia, AccountMediaState

    ready = set(AccountMedia.objects.filter(ad_account=creative.ad_account,
                                            state=AccountMediaState.READY)
                .values_list("asset_id", flat=True))
    assets = {a.pk: a for a in form.library}
    return {"ready": ready, "assets": assets, "client_id": creative.ad_account.client_id}


class CampaignBuilderView(CampaignPageMixin, View):
    def get(self, request, campaign_id: int):
        campaign = self.load("campaign", campaign_id)
        step = request.GET.get("step", "campaign")
        if step not in STEPS:
            step = "campaign"
        obj_id = parse_id(request.GET.get("obj")) or 0
        template, context = step_context(self, campaign, step, obj_id)
        if request.headers.get("HX-Request"):
            return render(request, template, context)
        context["step_template"] = template
        context["steps"] = STEPS
        return allow_preview_frames(render(request, "campaigns/builder.html", context))


def allow_preview_frames(response):
    """Meta's previews are iframes served by Meta (or the configured Graph host, the simulator):
    the builder page lets those, and only those, be framed (Content-Security-Policy frame-src)."""
    from urllib.parse import urlsplit

    from django.conf import settings

    parts = urlsplit(getattr(settings, "GRAPH_API_BASE_URL", ""))
    sources = ["'self'", "https://www.facebook.com", "https://business.facebook.com"]
    if parts.scheme and parts.netloc:
        sources.append(f"{parts.scheme}://{parts.netloc}")
    response._csp_update = {"frame-src": sources}
    return response


class _SaveView(BuildMixin, View):
    kind = ""

    def post(self, request, **kwargs):
        obj = self.load(self.kind, next(iter(kwargs.values())))
        campaign = obj if isinstance(obj, Campaign) else (
            obj.campaign if isinstance(obj, AdSet | AdCreative) else obj.adset.campaign)
        if campaign is None:
            raise Http404("No such campaign.")
        form = _form_for(self.kind, obj, request.POST)
        saved = False
        if form.is_valid():
            if isinstance(obj, AdSet):
                changes = form.changes(campaign_budget=campaign.uses_campaign_budget)
            else:
                changes = form.changes()
            rebuild = isinstance(obj, AdCreative) and _carousel_cards(request, obj, changes)
            try:
                drafts.draft_update(obj=obj, actor=request.user, changes=changes, source="page")
                saved = True
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                if rebuild:
                    form = None  # the cards changed: a fresh form from the saved creative
        template, context = step_context(self, campaign, self.kind, obj.pk, form=form,
                                         saved=saved)
        return render(request, template, context)


def _carousel_cards(request, creative, changes: dict) -> bool:
    """Card operations (add, remove, move) ride on the creative's autosave; a creative that
    becomes a carousel starts with two empty cards. True when the cards changed."""
    spec = changes.setdefault("spec", {})
    cards = list(spec.get("cards") or [])
    op = (request.POST.get("card_op") or "")[:20]
    if changes.get("format") == "carousel" and not cards and not op:
        cards = [{}, {}]
    elif op:
        cards = cards_edit(cards, op)
    else:
        return False
    spec["cards"] = cards
    return True


class CampaignSaveView(_SaveView):
    kind = "campaign"


class AdSetSaveView(_SaveView):
    kind = "adset"


class CreativeSaveView(_SaveView):
    kind = "creative"


class AdSaveView(_SaveView):
    kind = "ad"


class CampaignCreateView(BuildMixin, View):
    def post(self, request, ad_account_id: int):
        ad_account = self.load("ad_account", ad_account_id)
        name = (request.POST.get("name") or "").strip()[:400] or "New campaign"
        objective = request.POST.get("objective") or "OUTCOME_TRAFFIC"
        if objective not in rules.OBJECTIVES:
            objective = "OUTCOME_TRAFFIC"
        campaign = drafts.campaign_draft_create(ad_account=ad_account, actor=request.user,
                                                name=name, objective=objective)
        return HttpResponseRedirect(reverse("campaigns:builder", args=[campaign.pk]))


class CampaignDuplicateView(BuildMixin, View):
    def post(self, request, campaign_id: int):
        campaign = self.load("campaign", campaign_id)
        copy_ = drafts.campaign_duplicate(campaign=campaign, actor=request.user)
        messages.success(request, f"“{campaign.name}” duplicated as a draft.")
        return HttpResponseRedirect(reverse("campaigns:builder", args=[copy_.pk]))


class AdSetAddView(BuildMixin, View):
    def post(self, request, campaign_id: int):
        campaign = self.load("campaign", campaign_id)
        adset = drafts.adset_draft_create(campaign=campaign, actor=request.user)
        creative = campaign.creatives.order_by("pk").first() or drafts.creative_draft_create(
            campaign=campaign, actor=request.user)
        drafts.ad_draft_create(adset=adset, creative=creative, actor=request.user)
        template, context = step_context(self, campaign, "adset", adset.pk)
        return render(request, template, context)


class AdAddView(BuildMixin, View):
    def post(self, request, adset_id: int):
        adset = self.load("adset", adset_id)
        creative = drafts.creative_draft_create(campaign=adset.campaign, actor=request.user)
        ad = drafts.ad_draft_create(adset=adset, creative=creative, actor=request.user)
        template, context = step_context(self, adset.campaign, "ad", ad.pk)
        return render(request, template, context)


class CampaignCheckView(BuildMixin, View):
    def post(self, request, campaign_id: int):
        campaign = self.load("campaign", campaign_id)
        try:
            for creative in selectors.campaign_children(campaign=campaign)[1]:
                if not creative.graph_id:
                    creative_media_prepare(creative=creative, actor=request.user)
            result = meta_check.campaign_check_with_meta(campaign=campaign, actor=request.user)
        except (GraphError, ConnectionUnusableError) as exc:
            return graph_trouble(request, exc)
        labels = _labels(campaign)
        return render(request, "campaigns/_check_result.html", {
            "result": result, "campaign": campaign,
            "items": [(labels.get(k, k), k, errs) for k, errs in result.errors.items()],
        })


def _labels(campaign: Campaign) -> dict[str, str]:
    adsets, creatives, ads = selectors.campaign_children(campaign=campaign)
    out = {"campaign": f"Campaign “{campaign.name}”"}
    out.update({f"adset:{a.pk}": f"Ad set “{a.name}”" for a in adsets})
    out.update({f"creative:{c.pk}": f"Creative “{c.name}”" for c in creatives})
    out.update({f"ad:{a.pk}": f"Ad “{a.name}”" for a in ads})
    return out


class CreativePreviewView(CampaignPageMixin, View):
    def get(self, request, creative_id: int):
        creative = self.load("creative", creative_id)
        formats = [f for f in request.GET.getlist("format") if f in meta_check.PREVIEW_FORMATS]
        try:
            waiting = []
            if self.can_build and not creative.graph_id:
                waiting = creative_media_prepare(creative=creative, actor=request.user)
            previews = meta_check.creative_previews(creative=creative, formats=formats[:6],
                                                    actor=request.user)
        except (GraphError, ConnectionUnusableError) as exc:
            return graph_trouble(request, exc)
        return render(request, "campaigns/_previews.html", {"previews": previews,
                                                            "waiting": waiting})


class CampaignPublishView(BuildMixin, View):
    def post(self, request, campaign_id: int):
        campaign = self.load("campaign", campaign_id)
        leave_paused = request.POST.get("leave_paused") == "on"
        try:
            publish.campaign_publish(campaign=campaign, actor=request.user,
                                     leave_paused=leave_paused)
        except ServiceError as exc:
            labels = _labels(campaign)
            errors = exc.extra.get("errors") or {}
            return render(request, "campaigns/_check_result.html", {
                "campaign": campaign, "refused": exc.message,
                "items": [(labels.get(k, k), k, errs) for k, errs in errors.items()],
            })
        return _status(request, campaign)


def _status(request, campaign: Campaign, *, refresh: bool = False):
    campaign.refresh_from_db()
    if refresh and campaign.graph_id:
        # On failure the last known statuses are shown; the next poll tries again.
        with contextlib.suppress(GraphError, ConnectionUnusableError):
            sync.campaign_status_refresh(campaign=campaign, actor=request.user)
    job = selectors.publish_job(campaign=campaign)
    adsets, creatives, ads = selectors.campaign_children(campaign=campaign)
    settling = any(o.effective_status in ("IN_PROCESS", "PENDING_REVIEW")
                   for o in [campaign, *adsets, *ads])
    active_job = job is not None and job.state in ("queued", "running")
    return render(request, "campaigns/_status.html", {
        "campaign": campaign, "job": job, "adsets": adsets, "ads": ads,
        "creatives": creatives, "poll": active_job or settling,
    })


class CampaignStatusView(CampaignPageMixin, View):
    def get(self, request, campaign_id: int):
        campaign = self.load("campaign", campaign_id)
        return _status(request, campaign, refresh=request.GET.get("refresh") == "1")


class TargetingSearchView(CampaignPageMixin, View):
    def get(self, request, ad_account_id: int):
        ad_account = self.load("ad_account", ad_account_id)
        kind = request.GET.get("kind", "location")
        try:
            results = selectors.targeting_search(ad_account=ad_account, kind=kind,
                                                 query=request.GET.get("q", ""))
        except (GraphError, ConnectionUnusableError) as exc:
            return graph_trouble(request, exc)
        return render(request, "campaigns/_search_results.html",
                      {"results": results, "kind": kind,
                       "target": request.GET.get("target", "interests")[:20]})


class AdSetEstimateView(CampaignPageMixin, View):
    def get(self, request, adset_id: int):
        adset = self.load("adset", adset_id)
        try:
            estimate = selectors.audience_estimate(adset=adset)
        except ConnectionUnusableError as exc:
            return graph_trouble(request, exc)
        return render(request, "campaigns/_estimate.html", {"estimate": estimate})

