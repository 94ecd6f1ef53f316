"""Exact arithmetic and the rounding and formatting the report card uses.

Rules compute with exact rationals (fractions.Fraction) and round once, half-up, at the end:
a ratio whose decimal expansion does not terminate (53/224) must still round as its exact value
does, or two implementations of SCORING.md would disagree in the second decimal.
"""

import math
from decimal import Decimal
from fractions import Fraction

TWO_PLACES = Decimal("0.01")
HALF = Fraction(1, 2)


def dec(value) -> Decimal:
    if type(value) is Decimal:
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def exact(value) -> Fraction:
    """The exact rational value of an int, Decimal, str or Fraction (a float by its repr)."""
    if type(value) is Fraction:
        return value
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def round2(value) -> Decimal:
    """Half-up to two decimals from the exact value (SCORING.md §3, §4); scores are never negative."""
    hundredths = math.floor(exact(value) * 100 + HALF)
    return (Decimal(hundredths) / 100).quantize(TWO_PLACES)


def div(a, b) -> Fraction:
    return exact(a) / exact(b)


def rupees(amount) -> str:
    """Indian style for the report card's words: ₹45,000 / ₹4.1 lakh / ₹2.3 crore (display only:
    the figures behind scores stay exact)."""
    amount = float(amount)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount >= 1e7:
        return f"{sign}₹{amount / 1e7:.1f} crore"
    if amount >= 1e5:
        return f"{sign}₹{amount / 1e5:.1f} lakh"
    return f"{sign}₹{_indian_grouping(round(amount))}"


def _indian_grouping(n: int) -> str:
    s = str(n)
    if len(s) <= 3:
        return s
    head, tail = s[:-3], s[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join(groups + [tail])


def percent(fraction) -> str:
    """0.3249 -> '32%' (whole percent, for words only)."""
    return f"{abs(float(fraction)) * 100:.0f}%"
