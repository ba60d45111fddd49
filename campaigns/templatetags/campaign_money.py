"""`{% load campaign_money %}`: budgets, spend and caps in the account currency."""

from django import template

from campaigns.money import format_money

register = template.Library()


@register.filter
def money(minor, currency):
    """`{{ c.daily_budget_minor|money:account.currency }}` → "12.50 USD", "1,250 JPY"."""
    return format_money(minor, currency)


@register.filter
def money_amount(minor, currency):
    """The number alone, for an input's value: "12.50", "1250"."""
    return "" if minor is None else format_money(minor, currency, code=False).replace(",", "")
