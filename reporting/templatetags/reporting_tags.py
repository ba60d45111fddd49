"""Formatting for the reporting pages: money, ratios, changes, sortable column links."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    if value is None:
        return "—"
    return f"{float(value):,.2f} {currency}".strip()


@register.filter
def number(value) -> str:
    if value is None:
        return "—"
    return f"{int(value):,}"


@register.filter
def ratio(value, places: int = 2) -> str:
    if value is None:
        return "—"
    return f"{float(value):,.{int(places)}f}"


@register.filter
def change(value) -> str:
    """+12.3% / -4.0% against the previous period; — when there is nothing to compare."""
    if value is None:
        return "—"
    if abs(value) < 0.05:
        return "0.0%"
    sign = "+" if value >= 0 else "-"
    return f"{sign}{abs(value):.1f}%"


@register.filter
def change_class(value) -> str:
    if value is None or abs(value) < 0.05:
        return "flat"
    return "up" if value > 0 else "down"


@register.simple_tag(takes_context=True)
def sort_url(context, prefix: str, column: str) -> str:
    """The page's URL with `<prefix>_sort` toggled on `column` (page reset)."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get(f"{prefix}_sort", "-spend")
    params[f"{prefix}_sort"] = column if current == f"-{column}" else f"-{column}"
    params.pop(f"{prefix}_page", None)
    return "?" + urlencode(sorted(params.lists()), doseq=True)


@register.simple_tag(takes_context=True)
def page_url(context, prefix: str, number: int) -> str:
    params = context["request"].GET.copy()
    params[f"{prefix}_page"] = str(number)
    return "?" + urlencode(sorted(params.lists()), doseq=True)


@register.simple_tag(takes_context=True)
def with_param(context, name: str, value: str) -> str:
    params = context["request"].GET.copy()
    params[name] = value
    return "?" + urlencode(sorted(params.lists()), doseq=True)


@register.simple_tag
def sort_mark(sort: str, column: str) -> str:
    if sort == column:
        return "▲"
    if sort == f"-{column}":
        return "▼"
    return ""


@register.filter
def initials(name: str) -> str:
    words = [w for w in str(name or "").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "A"
