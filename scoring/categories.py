"""The MSME categories' ceilings (MSMED Act 2006, section 7, as notified): an enterprise is micro,
small or medium by its investment in plant and machinery or equipment *and* its annual turnover,
each not above the category's ceiling. Data: one entry per notification, the latest in force
applies. A Udyam profile whose stated category its figures exceed still loads as Udyam classifies
it, with a warning in its batch's report (services/feeds/profiles.py).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .choices import Category

CRORE = Decimal(10**7)


@dataclass(frozen=True)
class CategoryLimits:
    in_force_from: date
    notification: str
    ceilings: dict[str, tuple[Decimal, Decimal]]  # category -> (investment, turnover), rupees


LIMITS = (
    CategoryLimits(
        date(2020, 7, 1),
        "S.O. 2119(E) of 26 June 2020",
        {
            Category.MICRO: (1 * CRORE, 5 * CRORE),
            Category.SMALL: (10 * CRORE, 50 * CRORE),
            Category.MEDIUM: (50 * CRORE, 250 * CRORE),
        },
    ),
    CategoryLimits(
        date(2025, 4, 1),
        "the limits notified in 2025, in force from 1 April 2025",
        {
            Category.MICRO: (Decimal("2.5") * CRORE, 10 * CRORE),
            Category.SMALL: (25 * CRORE, 100 * CRORE),
            Category.MEDIUM: (125 * CRORE, 500 * CRORE),
        },
    ),
)


def limits_on(day: date) -> CategoryLimits:
    """The ceilings in force on `day` (the earliest notification's before it was in force)."""
    in_force = [limits for limits in LIMITS if limits.in_force_from <= day]
    return max(in_force, key=lambda limits: limits.in_force_from) if in_force else LIMITS[0]


def crore(amount: Decimal) -> str:
    """₹ in crore, as the notifications state the ceilings: 900, 2.5, 0.25."""
    value = (Decimal(amount) / CRORE).quantize(Decimal("0.01")).normalize()
    return f"₹{value:f} crore"


def category_misfit(category: str, investment: Decimal, turnover: Decimal, *, on: date) -> str:
    """Why `category` does not fit the figures under the ceilings in force on `on`, or "" if it
    does. Only ceilings: a unit under a smaller category's may have been classified before the
    ceilings were raised, and keeps its category until Udyam reclassifies it."""
    limits = limits_on(on)
    investment_ceiling, turnover_ceiling = limits.ceilings[category]
    over = []
    if investment > investment_ceiling:
        over.append(f"investment {crore(investment)} is over {category}'s {crore(investment_ceiling)}")
    if turnover > turnover_ceiling:
        over.append(f"turnover {crore(turnover)} is over {category}'s {crore(turnover_ceiling)}")
    if not over:
        return ""
    return (
        f"category {category} does not fit its figures: {' and '.join(over)} ({limits.notification}); "
        "loaded as Udyam classifies it"
    )
