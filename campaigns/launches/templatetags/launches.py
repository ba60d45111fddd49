"""The builder's template bar: apply a saved template to this step's object, or save the object
as a template (`{% launch_template_bar obj "adset" %}`)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from campaigns.launches.models import LaunchTemplate, TemplateKind

register = template.Library()

_KINDS = {"adset": (TemplateKind.AUDIENCE, TemplateKind.PLACEMENTS),
          "creative": (TemplateKind.CREATIVES,), "campaign": (TemplateKind.CAMPAIGN,)}


@register.inclusion_tag("launches/_template_bar.html", takes_context=True)
def launch_template_bar(context, obj, step: str):
    kinds = _KINDS[step]
    show = bool(obj) and context.get("can_build") and not context.get("locked")
    return {
        "show": show, "step": step, "obj": obj, "csrf_token": context.get("csrf_token"),
        "templates": list(LaunchTemplate.objects.filter(kind__in=kinds)) if show else [],
        "kinds": [(k.value, k.label) for k in kinds],
        "apply_url": reverse(f"launches:{step}-apply-template", args=[obj.pk]) if show else "",
        "save_url": reverse(f"launches:{step}-save-template", args=[obj.pk]) if show else "",
    }


@register.simple_tag
def campaign_template_choices():
    """The agency's campaign templates (the account page's "New from template")."""
    return list(LaunchTemplate.objects.filter(kind=TemplateKind.CAMPAIGN)[:200])
