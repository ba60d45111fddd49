"""Pages of templates, variants, CSV import and launch batches, and the builder's "Save as
template" / "Apply a template" actions (HTMX partials that re-render the builder's step)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from agency.errors import ServiceError
from campaigns.launches import access, selectors
from campaigns.launches.forms import (
    CampaignFromTemplateForm,
    CsvUploadForm,
    TemplateApplyForm,
    TemplateRenameForm,
    TemplateSaveForm,
    VariantForm,
)
from campaigns.launches.models import TemplateKind
from campaigns.launches.services import batches, csv_import, templates, variants
from campaigns.models import Campaign
from campaigns.views.builder import step_context
from campaigns.views.common import BuildMixin, CampaignPageMixin

# What each builder object can be saved as / filled from.
KINDS_OF = {"adset": (TemplateKind.AUDIENCE, TemplateKind.PLACEMENTS),
            "creative": (TemplateKind.CREATIVES,),
            "campaign": (TemplateKind.CAMPAIGN,)}


def _campaign_of(obj):
    return obj if isinstance(obj, Campaign) else obj.campaign


def _message_list(errors: dict[str, str]) -> list[str]:
    return [f"{key}: {message}" for key, message in errors.items()]


# --- templates page -------------------------------------------------------------------------

class TemplateListView(CampaignPageMixin, View):
    def get(self, request):
        listed = selectors.template_list(agency=self.agency)
        groups = [(label, [t for t in listed if t.kind == kind])
                  for kind, label in TemplateKind.choices]
        return render(request, "launches/templates.html", {
            "groups": groups, "can_build": self.can_build})


class TemplateRenameView(BuildMixin, View):
    def post(self, request, template_id: int):
        template = access.access_template_by_id(membership=self.membership,
                                                template_id=template_id)
        form = TemplateRenameForm(request.POST)
        if form.is_valid():
            try:
                templates.template_rename(template=template, name=form.cleaned_data["name"],
                                          actor=request.user)
                messages.success(request, "Template renamed.")
            except ServiceError as exc:
                messages.error(request, exc.message)
        else:
            messages.error(request, "Enter a name of at most 200 characters.")
        return HttpResponseRedirect(reverse("launches:templates"))


class TemplateDeleteView(BuildMixin, View):
    def post(self, request, template_id: int):
        template = access.access_template_by_id(membership=self.membership,
                                                template_id=template_id)
        templates.template_delete(template=template, actor=request.user)
        messages.success(request, f"“{template.name}” deleted.")
        return HttpResponseRedirect(reverse("launches:templates"))


# --- the builder's actions ------------------------------------------------------------------

class _BuilderTemplateView(BuildMixin, View):
    kind = ""  # adset, creative, campaign

    def _obj(self, pk: int):
        return self.load(self.kind, pk)

    def _step(self, request, obj, *, note: str = "", errors=()):
        campaign = _campaign_of(obj)
        template, context = step_context(self, campaign, self.kind, obj.pk, saved=not errors)
        response = render(request, template, context)
        bar = render(request, "launches/_note.html", {"note": note, "errors": errors})
        return HttpResponse(bar.content + response.content)


class TemplateSaveView(_BuilderTemplateView):
    def post(self, request, **kwargs):
        obj = self._obj(next(iter(kwargs.values())))
        form = TemplateSaveForm(request.POST)
        if not form.is_valid() or form.cleaned_data["kind"] not in KINDS_OF[self.kind]:
            return render(request, "launches/_note.html",
                          {"errors": ["Enter a template name (at most 200 characters)."]})
        try:
            saved = templates.template_save_from(
                kind=form.cleaned_data["kind"], obj=obj, name=form.cleaned_data["name"],
                actor=request.user, all_creatives=form.cleaned_data["all_creatives"])
        except ServiceError as exc:
            return render(request, "launches/_note.html", {
                "errors": [exc.message, *_message_list(exc.extra.get("errors") or {})]})
        return render(request, "launches/_note.html",
                      {"note": f"Saved as “{saved.name}” ({saved.get_kind_display().lower()})."})


class TemplateApplyView(_BuilderTemplateView):
    def post(self, request, **kwargs):
        obj = self._obj(next(iter(kwargs.values())))
        form = TemplateApplyForm(request.POST, kinds=KINDS_OF[self.kind])
        if not form.is_valid():
            return self._step(request, obj, errors=["Choose a template."])
        template = form.cleaned_data["template"]
        try:
            templates.template_apply(template=template, obj=obj, actor=request.user,
                                     index=form.cleaned_data.get("index") or 0)
        except ServiceError as exc:
            return self._step(request, obj, errors=[exc.message])
        obj.refresh_from_db()
        return self._step(request, obj, note=f"“{template.name}” applied.")


class AdSetTemplateSaveView(TemplateSaveView):
    kind = "adset"


class CreativeTemplateSaveView(TemplateSaveView):
    kind = "creative"


class CampaignTemplateSaveView(TemplateSaveView):
    kind = "campaign"


class AdSetTemplateApplyView(TemplateApplyView):
    kind = "adset"


class CreativeTemplateApplyView(TemplateApplyView):
    kind = "creative"


class CampaignTemplateApplyView(TemplateApplyView):
    kind = "campaign"


class CampaignFromTemplateView(BuildMixin, View):
    def post(self, request, ad_account_id: int):
        account = self.load("ad_account", ad_account_id)
        form = CampaignFromTemplateForm(request.POST, ad_account=account)
        if not form.is_valid():
            messages.error(request, "Choose a campaign template.")
            return HttpResponseRedirect(reverse("campaigns:account", args=[account.pk]))
        try:
            campaign = templates.campaign_create_from_template(
                template=form.cleaned_data["template"], ad_account=account,
                name=form.cleaned_data["name"], actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("campaigns:account", args=[account.pk]))
        return HttpResponseRedirect(reverse("campaigns:builder", args=[campaign.pk]))


# --- variants -------------------------------------------------------------------------------

class VariantView(BuildMixin, View):
    """GET: choose the axes, grouping and names. POST `review`: the plan, nothing created.
    POST `generate`: the drafts (the plan is computed again from the same choices)."""

    def get(self, request, campaign_id: int):
        campaign = self.load("campaign", campaign_id)
        return self._page(request, campaign, VariantForm(campaign=campaign))

    def post(self, request, campaign_id: int):
        campaign = self.load("campaign", campaign_id)
        form = VariantForm(request.POST, campaign=campaign)
        if not form.is_valid():
            return self._page(request, campaign, form, status=400)
        try:
            if request.POST.get("action") == "generate":
                batch = variants.variants_generate(base=campaign, choice=form.choice(),
                                                   actor=request.user)
                messages.success(request, "Drafts generated: review them, then publish all.")
                return HttpResponseRedirect(reverse("launches:batch", args=[batch.pk]))
            plan = variants.variant_plan(base=campaign, choice=form.choice())
        except ServiceError as exc:
            form.add_error(None, exc.message)
            for key, message in (exc.extra.get("errors") or {}).items():
                form.add_error(key if key in form.fields else None, message)
            return self._page(request, campaign, form, status=400)
        for key, message in plan.errors.items():
            form.add_error(key if key in form.fields else None,
                           message if key in form.fields else f"{key}: {message}")
        return self._page(request, campaign, form, plan=plan,
                          status=400 if plan.errors else 200)

    def _page(self, request, campaign, form, *, plan=None, status=200):
        return render(request, "launches/variants.html", {
            "campaign": campaign, "account": campaign.ad_account, "form": form, "plan": plan,
            "daily": plan.money(plan.daily_total_minor) if plan else "",
            "lifetime": plan.money(plan.lifetime_total_minor) if plan else "",
        }, status=status)


# --- batches --------------------------------------------------------------------------------

class BatchView(CampaignPageMixin, View):
    def get(self, request, batch_id: int):
        batch = access.access_batch_by_id(membership=self.membership, batch_id=batch_id)
        return render(request, "launches/batch.html", {
            "batch": batch, "campaigns": selectors.batch_campaigns(batch=batch),
            "can_build": self.can_build})


class BatchPublishView(BuildMixin, View):
    def post(self, request, batch_id: int):
        batch = access.access_batch_by_id(membership=self.membership, batch_id=batch_id)
        try:
            batches.batch_publish(batch=batch, actor=request.user,
                                  leave_paused=request.POST.get("leave_paused") == "on")
            messages.success(request, "Publishing every campaign of the batch.")
        except ServiceError as exc:
            messages.error(request, exc.message)
            errors = exc.extra.get("errors") or {}
            for campaign_id, objects in list(errors.items())[:20]:
                for where, fields in objects.items():
                    for message in list(fields.values())[:3]:
                        messages.error(request, f"Campaign {campaign_id}, {where}: {message}")
        return HttpResponseRedirect(reverse("launches:batch", args=[batch.pk]))


# --- CSV ------------------------------------------------------------------------------------

class CsvImportView(BuildMixin, View):
    def get(self, request, ad_account_id: int):
        account = self.load("ad_account", ad_account_id)
        return self._page(request, account, CsvUploadForm())

    def post(self, request, ad_account_id: int):
        account = self.load("ad_account", ad_account_id)
        form = CsvUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, account, form, status=400)
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            result, batch = csv_import.csv_import(ad_account=account, data=data,
                                                  filename=upload.name or "upload.csv",
                                                  actor=request.user)
        except csv_import.CsvImportError as exc:
            form.add_error("file", exc.message)
            return self._page(request, account, form, status=400)
        if batch is not None:
            messages.success(request, f"{batch.counts['ads']} ads imported as drafts.")
            return HttpResponseRedirect(reverse("launches:batch", args=[batch.pk]))
        # Kept for "Download the errors" (bounded; the latest import of this account only).
        request.session[_errors_key(account)] = [e.as_dict() for e in result.errors[:500]]
        return self._page(request, account, form, result=result, rows=_error_rows(data, result),
                          status=400)

    def _page(self, request, account, form, *, result=None, rows=None, status=200):
        return render(request, "launches/csv_import.html", {
            "account": account, "form": form, "result": result, "rows": rows,
            "columns": csv_import.COLUMNS}, status=status)


def _error_rows(data: bytes, result) -> list[dict]:
    """The rows with errors, each with its cells and its messages, for the page."""
    by_row: dict[int, list] = {}
    for error in result.errors:
        by_row.setdefault(error.row, []).append(error)
    cells = csv_import.csv_rows_by_number(data)
    out = []
    for number, errors in sorted(by_row.items())[:500]:
        row = cells.get(number, {})
        bad = {e.column for e in errors}
        out.append({"row": number, "errors": errors,
                    "cells": [(c, row.get(c, ""), c in bad) for c in csv_import.COLUMN_NAMES
                              if row.get(c) or c in bad]})
    return out


def _errors_key(account) -> str:
    return f"launches.csv_errors.{account.pk}"


class CsvErrorsView(BuildMixin, View):
    """The last refused import's errors as CSV (cells neutralised: they echo the file's text)."""

    def get(self, request, ad_account_id: int):
        account = self.load("ad_account", ad_account_id)
        stored = request.session.get(_errors_key(account)) or []
        errors = [csv_import.RowError(int(e["row"]), str(e["column"]), str(e["message"]))
                  for e in stored if isinstance(e, dict)]
        response = HttpResponse(csv_import.errors_csv(errors),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="import-errors.csv"'
        return response


class CsvTemplateView(CampaignPageMixin, View):
    def get(self, request):
        response = HttpResponse(csv_import.csv_template(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="adwright-ads-template.csv"'
        return response
