"""Arithmetic, rounding and formatting of the report card.

Rules compute in Decimal at 50 significant digits (`CONTEXT`, entered by engine.assess) and round
once, half-up, at the end. Every value a rule produces is a rational whose denominator stays far
below 10**30 for any feed amounts, so a value that is not exactly on a rounding boundary (a half
hundredth, or the distress threshold) lies more than 1e-33 from it, while 50-digit arithmetic errs
by less than 1e-40: a computed value within `EPS` of a boundary is on it. That is how 53/224, whose
sub-score is exactly 43.125 but computes as 43.12499…, still reports 43.13, as the exact value does.
"""

from decimal import ROUND_FLOOR, Context, Decimal

CONTEXT = Context(prec=50)
EPS = Decimal("1e-35")
HALF = Decimal("0.5")
TWO_PLACES = Decimal("0.01")


def exact(value) -> Decimal:
    """An int, str, Decimal or float (by its repr) as a Decimal, without loss."""
    if type(value) is Decimal:
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round2(value) -> Decimal:
    """Half-up to two decimals as the exact value would round (SCORING.md §3, §4); never negative."""
    hundredths = CONTEXT.add(CONTEXT.multiply(exact(value), 100), HALF + EPS)
    return (hundredths.to_integral_value(rounding=ROUND_FLOOR) / 100).quantize(TWO_PLACES)


def below(value, threshold) -> bool:
    """value < threshold for the exact values (a value computed a hair under it is on it)."""
    return exact(value) < exact(threshold) - EPS


def div(a, b) -> Decimal:
    return CONTEXT.divide(exact(a), exact(b))


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
