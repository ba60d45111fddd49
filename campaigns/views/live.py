"""What is live: the ad accounts, the tree per ad account (campaign > ad sets > ads) with status,
budget and spend, sync from Meta, status actions one by one or in bulk, and live edits."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from accounts.services.graph import ConnectionUnusableError
from agency.errors import ServiceError
from agency.graph import GraphError
from campaigns import selectors
from campaigns.models import Ad, AdSet, Campaign
from campaigns.services import manage
from campaigns.services.sync import SYNC_KIND
from campaigns.validation.rules import minor_per_major
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


class _LiveEditView(BuildMixin, View):
    kind = ""

    def post(self, request, **kwargs):
        obj = self.load(self.kind, next(iter(kwargs.values())))
        changes = {}
        name = (request.POST.get("name") or "").strip()
        if name and name != obj.name:
            changes["name"] = name[:400]
        budget = (request.POST.get("budget") or "").strip()
        if budget:
            try:
                minor = int(Decimal(budget) * minor_per_major(obj.ad_account.currency))
            except (InvalidOperation, ValueError):
                minor = -1
            field = "lifetime_budget_minor" if obj.lifetime_budget_minor else "daily_budget_minor"
            if minor != getattr(obj, field):
                changes[field] = minor
        try:
            if changes:
                manage.live_update(obj=obj, actor=request.user, changes=changes)
                messages.success(request, f"“{obj.name}” updated on Meta.")
        except ServiceError as exc:
            errors = exc.extra.get("errors") or {}
            messages.error(request, " ".join(errors.values()) or exc.message)
        except (GraphError, ConnectionUnusableError) as exc:
            messages.error(request, getattr(exc, "user_msg", None) or exc.message)
        return HttpResponseRedirect(reverse("campaigns:account", args=[obj.ad_account_id]))


class CampaignLiveEditView(_LiveEditView):
    kind = "campaign"


class AdSetLiveEditView(_LiveEditView):
    kind = "adset"
