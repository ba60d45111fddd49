"""What the campaign pages share: loading objects through the access functions, turning rule-set
and Graph errors into per-field messages, and Graph failures into friendly answers."""

from __future__ import annotations

from django.shortcuts import render

from agency.graph import GraphError
from agency.roles import Capability
from agency.web import AgencyViewMixin
from campaigns import access
from campaigns.forms.builder import form_field_for


class CampaignPageMixin(AgencyViewMixin):
    """Reads need VIEW_AGENCY (analysts read); writes say BUILD_CAMPAIGNS."""

    capability = Capability.VIEW_AGENCY

    def load(self, kind: str, pk: int):
        loader = {
            "ad_account": access.access_ad_account_by_id,
            "campaign": access.access_campaign_by_id,
            "adset": access.access_adset_by_id,
            "creative": access.access_creative_by_id,
            "ad": access.access_ad_by_id,
        }[kind]
        return loader(membership=self.membership, **{f"{kind}_id": pk})

    @property
    def can_build(self) -> bool:
        return self.membership.can(Capability.BUILD_CAMPAIGNS)


class BuildMixin(CampaignPageMixin):
    capability = Capability.BUILD_CAMPAIGNS


def field_rows(form, errors: dict[str, str], kind: str, names: list[str] | None = None):
    """(bound field, its message) for each field; messages keyed by rule keys are moved onto
    the form field that shows them, the rest are returned as `general`."""
    per_field: dict[str, list[str]] = {}
    general: list[str] = []
    for key, message in errors.items():
        target = form_field_for(kind, key, form)
        if target is None:
            general.append(message)
        else:
            per_field.setdefault(target, []).append(message)
    for name, field_errors in (form.errors.items() if form.is_bound else []):
        if name == "__all__":
            general.extend(field_errors)
        else:
            per_field.setdefault(name, []).extend(field_errors)
    rows = {name: (form[name], " ".join(dict.fromkeys(per_field.get(name, []))))
            for name in (names or form.fields)}
    return rows, general


def object_errors(obj, rule_errors: dict[str, str]) -> dict[str, str]:
    """The rule set's messages plus Graph's last answer on the field it blamed."""
    errors = dict(rule_errors)
    info = obj.graph_error or {}
    if info.get("message"):
        key = info.get("field") or "__all__"
        title = f"{info['title']}: " if info.get("title") else ""
        errors.setdefault(key, f"Meta: {title}{info['message']}")
    return errors


def graph_trouble(request, exc: Exception, *, status: int = 503):
    """Graph refused, throttled or was unreachable: a readable partial, never a 500."""
    if isinstance(exc, GraphError):
        message = exc.user_msg or exc.message
    else:
        message = getattr(exc, "message", str(exc))
    if request.headers.get("HX-Request"):
        status = 200  # htmx swaps only successful answers: show the message where it belongs
    return render(request, "campaigns/_trouble.html", {"message": message}, status=status)
