"""Money of an ad account: amounts are stored in the account currency's basic unit (Graph's
"offset": cents for USD, the yen itself for JPY, reference.md L81), shown with that currency's
number of decimals. The app's own table, independent of the simulator."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Currencies Meta bills in whole units (offset 1): Meta's currency table, which differs from
# ISO 4217 for a few (HUF, TWD, COP, CRC have minor units in ISO, not on Meta).
ZERO_DECIMAL = frozenset(
    {"JPY", "KRW", "CLP", "COP", "CRC", "HUF", "ISK", "IDR", "PYG", "TWD", "VND"}
)
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "KRW": "₩", "INR": "₹",
           "BRL": "R$", "CAD": "CA$", "AUD": "A$", "MXN": "MX$", "CHF": "CHF "}


def exponent(currency: str | None) -> int:
    """Decimals of the currency: 0 for JPY, 2 for USD."""
    return 0 if (currency or "").upper() in ZERO_DECIMAL else 2


def minor_per_major(currency: str | None) -> int:
    return 10 ** exponent(currency)


def to_minor(amount: Decimal | str | int | None, currency: str) -> int | None:
    """A major-unit amount ("12.50") → minor units (1250), rounded half up; None if unreadable."""
    if amount in (None, ""):
        return None
    try:
        value = Decimal(str(amount)) * minor_per_major(currency)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor(minor: int, currency: str) -> Decimal:
    places = exponent(currency)
    return (Decimal(int(minor)) / minor_per_major(currency)).quantize(Decimal(1).scaleb(-places))


def format_money(minor: int | None, currency: str | None, *, code: bool = True) -> str:
    """1250 USD → "12.50 USD"; 1250 JPY → "1,250 JPY"; None → "—"."""
    if minor is None or minor == "":
        return "—"
    try:
        amount = from_minor(int(minor), currency or "USD")
    except (TypeError, ValueError, InvalidOperation):
        return "—"
    text = f"{amount:,}"
    return f"{text} {(currency or '').upper()}".strip() if code else text
