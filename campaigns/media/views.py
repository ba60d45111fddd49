"""Pages of the media library: a client's images and videos, their state on each ad account,
uploads, pushes and retries (HTMX partials refresh the grid while work is in flight)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from agency.access import access_client_by_id
from agency.errors import ServiceError
from agency.roles import Capability
from agency.web import AgencyViewMixin
from campaigns.media import selectors, services
from campaigns.media.access import access_account_media_by_id, access_media_by_id
from campaigns.media.forms import MediaUploadForm
from campaigns.media.models import AccountMediaState
from campaigns.media.validation import MediaRefusedError
from campaigns.models import AdAccount

IN_FLIGHT = {AccountMediaState.PENDING, AccountMediaState.UPLOADING, AccountMediaState.PROCESSING}


def library_context(*, agency, membership, client) -> dict:
    """What the grid shows: assets with their copies, the latest job of each, what is pending."""
    from agency.jobs.models import ACTIVE_STATES

    assets = list(selectors.media_list(agency=agency, client=client))
    account_count = AdAccount.objects.filter(client=client).count()
    in_flight = False
    for asset in assets:
        copies = list(asset.copies.all())
        jobs = [c.job for c in copies if c.job_id]
        asset.latest_job = max(jobs, key=lambda j: j.pk) if jobs else None
        asset.thumbnail_url = next((c.thumbnail_url for c in copies if c.thumbnail_url), "")
        asset.missing_accounts = account_count - len(
            [c for c in copies if c.state != AccountMediaState.FAILED])
        if any(c.state in IN_FLIGHT for c in copies) or any(
                j.state in ACTIVE_STATES for j in jobs):
            in_flight = True
    return {
        "client": client,
        "assets": assets,
        "account_count": account_count,
        "in_flight": in_flight,
        "can_build": membership.can(Capability.BUILD_CAMPAIGNS),
    }


class MediaLibraryView(AgencyViewMixin, TemplateView):
    """GET: the library. POST: upload a file (stored once, then sent to the ad accounts)."""

    template_name = "media/library.html"

    def _page(self, client, form, status=200):
        context = self.get_context_data(form=form, **library_context(
            agency=self.agency, membership=self.membership, client=client))
        return self.render_to_response(context, status=status)

    def get(self, request, client_id: int):
        client = access_client_by_id(membership=self.membership, client_id=client_id)
        return self._page(client, MediaUploadForm())

    def post(self, request, client_id: int):
        client = access_client_by_id(membership=self.membership, client_id=client_id)
        if not self.membership.can(Capability.BUILD_CAMPAIGNS):
            raise PermissionDenied("Your role does not allow uploading media.")
        form = MediaUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                asset = services.media_upload(client=client, actor=request.user,
                                              file=form.cleaned_data["file"],
                                              name=form.cleaned_data["name"] or None)
            except MediaRefusedError as exc:
                form.add_error("file", exc.message)
            else:
                if asset.deduplicated:
                    messages.info(request, f"“{asset.name}” is already in the library.")
                else:
                    messages.success(request, f"“{asset.name}” uploaded.")
                try:
                    services.media_push_to_accounts(asset=asset, actor=request.user)
                except ServiceError as exc:
                    messages.error(request, exc.message)
                return HttpResponseRedirect(reverse("media:library", args=[client.pk]))
        return self._page(client, form, status=400)


class MediaGridView(AgencyViewMixin, TemplateView):
    """The grid alone (HTMX polls it while uploads run)."""

    template_name = "media/_grid.html"

    def get(self, request, client_id: int):
        client = access_client_by_id(membership=self.membership, client_id=client_id)
        return self.render_to_response(self.get_context_data(**library_context(
            agency=self.agency, membership=self.membership, client=client)))


class MediaFileView(AgencyViewMixin, View):
    """The stored file, to members of its agency only (never a public URL)."""

    def get(self, request, media_id: int):
        asset = access_media_by_id(membership=self.membership, media_id=media_id)
        response = FileResponse(asset.file.open("rb"), content_type=asset.mime_type)
        response["Content-Disposition"] = f'inline; filename="media-{asset.pk}.{asset.extension}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        return response


def _back_to_library(request, view, client_id: int):
    """HTMX gets the refreshed grid; a plain form post goes back to the library page."""
    if request.htmx:
        client = access_client_by_id(membership=view.membership, client_id=client_id)
        context = library_context(agency=view.agency, membership=view.membership, client=client)
        context.update(membership=view.membership, agency=view.agency)
        return TemplateResponse(request, "media/_grid.html", context)
    return HttpResponseRedirect(reverse("media:library", args=[client_id]))


class MediaPushView(AgencyViewMixin, View):
    """Send an asset to every ad account of its client that does not have it yet."""

    capability = Capability.BUILD_CAMPAIGNS

    def post(self, request, media_id: int):
        asset = access_media_by_id(membership=self.membership, media_id=media_id)
        try:
            jobs = services.media_push_to_accounts(asset=asset, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            if not jobs:
                messages.info(request, "Every ad account of the client already has it.")
        return _back_to_library(request, self, asset.client_id)


class AccountMediaRetryView(AgencyViewMixin, View):
    """Send a failed copy again."""

    capability = Capability.BUILD_CAMPAIGNS

    def post(self, request, account_media_id: int):
        copy = access_account_media_by_id(membership=self.membership,
                                          account_media_id=account_media_id)
        try:
            services.account_media_retry(copy=copy, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        return _back_to_library(request, self, copy.asset.client_id)
