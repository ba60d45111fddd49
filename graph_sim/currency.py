"""Currencies in the simulator: which have no minor unit, and rough rates to the US dollar.

Budgets and spend are in the account currency's basic unit: cents for USD, the yen itself for JPY
(reference.md L81, "basic unit for JPY/KRW"). One table for every module that needs it.
"""

from __future__ import annotations

# Currencies whose basic unit is the major unit.
ZERO_DECIMAL = frozenset(
    {"JPY", "KRW", "CLP", "COP", "CRC", "HUF", "ISK", "IDR", "PYG", "TWD", "VND"}
)

# Rough units per US dollar, so that a yen account spends a plausible number of yen.
PER_USD = {
    "USD": 1.0, "EUR": 0.92, "GBP": 0.79, "CAD": 1.36, "AUD": 1.52, "NZD": 1.65, "CHF": 0.9,
    "SEK": 10.5, "NOK": 10.6, "DKK": 6.9, "PLN": 4.0, "INR": 83.0, "BRL": 5.0, "MXN": 17.0,
    "SGD": 1.35, "HKD": 7.8, "ZAR": 18.5, "TRY": 32.0,
    "JPY": 150.0, "KRW": 1350.0, "CLP": 930.0, "COP": 4000.0, "CRC": 520.0, "HUF": 360.0,
    "ISK": 140.0, "IDR": 16000.0, "PYG": 7300.0, "TWD": 32.0, "VND": 25000.0,
}  # fmt: skip


def is_zero_decimal(currency: str) -> bool:
    return currency.upper() in ZERO_DECIMAL


def minor_per_major(currency: str) -> int:
    """Basic units per major unit: 100 for USD, 1 for JPY."""
    return 1 if is_zero_decimal(currency) else 100
