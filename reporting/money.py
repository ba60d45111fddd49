"""Money in an account currency's minor unit (cents; the yen itself for zero-decimal currencies)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Currencies whose basic unit is the major unit (Graph: "basic unit for JPY/KRW").
ZERO_DECIMAL = frozenset(
    {"JPY", "KRW", "CLP", "COP", "CRC", "HUF", "ISK", "IDR", "PYG", "TWD", "VND"}
)


def minor_per_major(currency: str) -> int:
    return 1 if (currency or "").upper() in ZERO_DECIMAL else 100


def to_minor(amount: str | float | int | None, currency: str) -> int:
    """Graph's decimal string ("2352.45", "1830000") → integer minor units."""
    if amount in (None, ""):
        return 0
    try:
        value = Decimal(str(amount)) * minor_per_major(currency)
    except InvalidOperation:
        return 0
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor(minor: int | None, currency: str) -> Decimal:
    unit = minor_per_major(currency)
    places = Decimal(1) if unit == 1 else Decimal("0.01")
    return (Decimal(int(minor or 0)) / unit).quantize(places)


def format_money(minor: int | None, currency: str) -> str:
    amount = from_minor(minor, currency)
    return f"{amount:,} {currency}"
