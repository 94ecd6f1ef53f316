"""Exact arithmetic and the rounding and formatting the report card uses."""

from decimal import ROUND_HALF_UP, Context, Decimal

# Every rule computes in Decimal at this precision so two implementations agree after rounding.
CONTEXT = Context(prec=40)
TWO_PLACES = Decimal("0.01")


def dec(value) -> Decimal:
    if type(value) is Decimal:
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round2(value: Decimal) -> Decimal:
    """Half-up to two decimals (SCORING.md §3, §4)."""
    return dec(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def div(a, b) -> Decimal:
    return CONTEXT.divide(dec(a), dec(b))


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
