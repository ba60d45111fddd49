"""The agency's logo on its reports: validated and re-encoded (Pillow) before it is stored."""

from __future__ import annotations

import io

from django.utils import timezone

from agency.errors import ServiceError
from agency.services import audit_record
from reporting.models import ReportBranding

MAX_LOGO_BYTES = 512 * 1024
MAX_SIDE = 400


class LogoInvalidError(ServiceError):
    code = "logo_invalid"


def report_logo_set(*, agency, actor, data: bytes) -> ReportBranding:
    """Store `data` (PNG, JPEG, GIF or WebP, at most 512 KB) as a PNG at most 400 px a side.
    Re-encoding drops metadata and anything that is not the picture."""
    from PIL import Image, UnidentifiedImageError

    if not data or len(data) > MAX_LOGO_BYTES:
        raise LogoInvalidError("The logo is a PNG, JPEG, GIF or WebP image of at most 512 KB.",
                               field="logo")
    try:
        image = Image.open(io.BytesIO(data))
        if image.format not in {"PNG", "JPEG", "GIF", "WEBP"}:
            raise LogoInvalidError("The logo is a PNG, JPEG, GIF or WebP image.", field="logo")
        if image.width * image.height > 25_000_000:
            raise LogoInvalidError("That image is far too large.", field="logo")
        image.load()
        image = image.convert("RGBA")
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise LogoInvalidError("That file is not an image we can read.", field="logo") from None
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    branding = ReportBranding.objects.filter(agency=agency).first() or ReportBranding(
        agency_id=agency.pk)
    branding.logo_png = out.getvalue()
    branding.logo_width, branding.logo_height = image.width, image.height
    branding.updated_at = timezone.now()
    branding.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    branding.save()
    audit_record(agency=agency, actor=actor, verb="reports.logo_set", target=branding,
                 data={"bytes": len(branding.logo_png)})
    return branding


def report_logo_remove(*, agency, actor) -> None:
    ReportBranding.objects.filter(agency=agency).update(logo_png=None, logo_width=0,
                                                        logo_height=0)
    audit_record(agency=agency, actor=actor, verb="reports.logo_removed")
