"""What is live: the ad accounts, the tree per ad account (campaign > ad sets > ads) with status,
budget and spend, sync from Meta, status actions one by one or in bulk, and live edits."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from accounts.services.graph import ConnectionUnusableError
from agency.errors import ServiceError
from agency.graph import GraphError
from campaigns import selectors
from campaigns.forms.live import (
    LIVE_FIELDS,
    LiveAdForm,
    LiveAdSetForm,
    LiveCampaignForm,
    LiveCreativeForm,
)
from campaigns.models import Ad, AdCreative, AdSet, Campaign
from campaigns.services import manage
from campaigns.services.sync import SYNC_KIND
from campaigns.views.common import BuildMixin, CampaignPageMixin

MAX_BULK = 1000


class CampaignIndexView(CampaignPageMixin, View):
    def get(self, request):
        accounts = selectors.ad_account_list(agency=self.agency, membership=self.membership)
        drafts = selectors.campaign_list(agency=self.agency).filter(graph_id="")[:50]
        return render(request, "campaigns/index.html", {
            "accounts": accounts, "drafts": drafts, "can_build": self.can_build,
            "objectives": Campaign._meta.get_field("objective").choices,
        })


class AdAccountTreeView(CampaignPageMixin, View):
    def get(self, request, ad_account_id: int):
        ad_account = self.load("ad_account", ad_account_id)
        from agency.jobs.models import Job

        sync_job = (Job.objects.filter(kind=SYNC_KIND, target_id=str(ad_account.pk),
                                       target_type=ad_account._meta.label_lower)
                    .order_by("-pk").first())
        return render(request, "campaigns/account.html", {
            "account": ad_account, "tree": selectors.account_tree(ad_account=ad_account),
            "can_build": self.can_build, "sync_job": sync_job,
            "objectives": Campaign._meta.get_field("objective").choices,
        })


class AdAccountSyncView(BuildMixin, View):
    def post(self, request, ad_account_id: int):
        ad_account = self.load("ad_account", ad_account_id)
        from agency.jobs import services as jobs

        jobs.job_start(kind=SYNC_KIND, actor=request.user, target=ad_account,
                       params={"ad_account_id": ad_account.pk},
                       connection=ad_account.connection)
        messages.success(request, "Sync from Meta started.")
        return HttpResponseRedirect(reverse("campaigns:account", args=[ad_account.pk]))


def _pick(model, ad_account, ids: list[str]):
    wanted = []
    for raw in ids[:MAX_BULK]:
        try:
            wanted.append(int(raw))
        except ValueError:
            continue
    return list(model.objects.filter(ad_account=ad_account, pk__in=wanted))


class AdAccountBulkView(BuildMixin, View):
    def post(self, request, ad_account_id: int):
        ad_account = self.load("ad_account", ad_account_id)
        action = request.POST.get("action", "")
        objects = (_pick(Campaign, ad_account, request.POST.getlist("campaign"))
                   + _pick(AdSet, ad_account, request.POST.getlist("adset"))
                   + _pick(Ad, ad_account, request.POST.getlist("ad")))
        try:
            result = manage.bulk_status_change(objects=objects, actor=request.user,
                                               action=action)
        except ServiceError as exc:
            messages.error(request, exc.message)
        except (GraphError, ConnectionUnusableError) as exc:
            messages.error(request, getattr(exc, "user_msg", None) or exc.message)
        else:
            text = f"{len(result.done)} updated in {result.batches} batch request(s)."
            if result.failed:
                text += f" {len(result.failed)} refused by Meta."
            (messages.warning if result.failed else messages.success)(request, text)
        return HttpResponseRedirect(reverse("campaigns:account", args=[ad_account.pk]))


class _ActionView(BuildMixin, View):
    kind = ""

    def post(self, request, **kwargs):
        obj = self.load(self.kind, next(iter(kwargs.values())))
        try:
            manage.status_change(obj=obj, actor=request.user,
                                 action=request.POST.get("action", ""))
            messages.success(request, f"“{obj.name}”: {obj.get_status_display().lower()}.")
        except ServiceError as exc:
            messages.error(request, exc.message)
        except (GraphError, ConnectionUnusableError) as exc:
            messages.error(request, getattr(exc, "user_msg", None) or exc.message)
        return HttpResponseRedirect(reverse("campaigns:account", args=[obj.ad_account_id]))


class CampaignActionView(_ActionView):
    kind = "campaign"


class AdSetActionView(_ActionView):
    kind = "adset"


class AdActionView(_ActionView):
    kind = "ad"


class _LiveEditView(CampaignPageMixin, View):
    """The fields Graph lets us edit on a live object: a page (GET, analysts read it), sent
    to Graph (POST, builders only) through the same rules as the builder, versioned and
    audited by the service."""

    kind = ""
    form_class: type = LiveCreativeForm

    def _form(self, obj, data=None):
        if self.kind == "ad":
            creatives = AdCreative.objects.filter(ad_account=obj.ad_account).exclude(
                graph_id="").filter(deleted_on_graph=False)
            return LiveAdForm(data, obj=obj, creatives=creatives)
        return self.form_class(data, obj=obj)

    def _render(self, request, obj, form, errors=None, status=200):
        errors = dict(errors or {})
        rows, general = field_rows_live(form, errors)
        return render(request, "campaigns/live_edit.html", {
            "obj": obj, "kind": self.kind, "form": form,
            "kind_label": {"campaign": "Campaign", "adset": "Ad set", "creative": "Creative",
                           "ad": "Ad"}[self.kind], "rows": rows, "general": general,
            "account": obj.ad_account, "can_build": self.can_build,
            "editable": bool(obj.graph_id) and not obj.deleted_on_graph
            and obj.status != "DELETED",
            "versions": selectors.object_versions(obj=obj)[:20],
        }, status=status)

    def get(self, request, **kwargs):
        obj = self.load(self.kind, next(iter(kwargs.values())))
        return self._render(request, obj, self._form(obj))

    def post(self, request, **kwargs):
        if not self.can_build:
            raise PermissionDenied("Your role does not allow this.")
        obj = self.load(self.kind, next(iter(kwargs.values())))
        form = self._form(obj, request.POST)
        if not form.is_valid():
            return self._render(request, obj, form)
        changes = form.changes()
        action = form.status_action() if isinstance(form, LiveAdForm) else None
        try:
            if changes:
                manage.live_update(obj=obj, actor=request.user, changes=changes)
            if action:
                manage.status_change(obj=obj, actor=request.user, action=action)
        except ServiceError as exc:
            errors = exc.extra.get("errors") or {exc.field or "__all__": exc.message}
            return self._render(request, obj, form, errors)
        except (GraphError, ConnectionUnusableError) as exc:
            return self._render(request, obj, form,
                                {"__all__": getattr(exc, "user_msg", None) or exc.message})
        if changes or action:
            messages.success(request, f"“{obj.name}” updated on Meta.")
        else:
            messages.info(request, "Nothing changed.")
        return HttpResponseRedirect(reverse("campaigns:account", args=[obj.ad_account_id]))


def field_rows_live(form, errors: dict[str, str]):
    """Messages of the rule set or Graph on the live form's fields; the rest are general."""
    per_field: dict[str, list[str]] = {}
    general: list[str] = []
    for key, message in errors.items():
        target = LIVE_FIELDS.get(key, key)
        if target not in form.fields and key.startswith("targeting."):
            target = "countries"
        (per_field.setdefault(target, []) if target in form.fields else general).append(message)
    for name, field_errors in (form.errors.items() if form.is_bound else []):
        (general if name == "__all__" else per_field.setdefault(name, [])).extend(field_errors)
    rows = {name: (form[name], " ".join(dict.fromkeys(per_field.get(name, []))))
            for name in form.fields}
    return rows, general


class CampaignLiveEditView(_LiveEditView):
    kind = "campaign"
    form_class = LiveCampaignForm


class AdSetLiveEditView(_LiveEditView):
    kind = "adset"
    form_class = LiveAdSetForm


class CreativeLiveEditView(_LiveEditView):
    kind = "creative"
    form_class = LiveCreativeForm


class AdLiveEditView(_LiveEditView):
    kind = "ad"
