"""Months, periods and windows of SCORING.md §2, computed from the as-of date T."""

from dataclasses import dataclass
from datetime import date


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(month: date, n: int) -> date:
    """The first day of the month `n` months after (or before, n < 0) `month`."""
    index = month.year * 12 + (month.month - 1) + n
    return date(index // 12, index % 12 + 1, 1)


def months_back(as_of: date, first: int, last: int) -> list[date]:
    """[M0-first, ..., M0-last] as first-of-month dates, most recent first."""
    m0 = month_start(as_of)
    return [add_months(m0, -k) for k in range(first, last + 1)]


def recent(as_of: date, n: int) -> list[date]:
    """R_n: the last n complete months, M0-1 … M0-n."""
    return months_back(as_of, 1, n)


def prior(as_of: date, n: int) -> list[date]:
    """P_n: the same months a year before, M0-13 … M0-12-n."""
    return months_back(as_of, 13, 12 + n)


def history(as_of: date, n: int = 24) -> tuple[date, date]:
    """(first, last) month of the n months before M0, inclusive."""
    return add_months(month_start(as_of), -n), add_months(month_start(as_of), -1)


@dataclass(frozen=True)
class DuePeriod:
    period: date  # first day of the period's month
    due: date


def due_periods(as_of: date, count: int, due_day: int) -> list[DuePeriod]:
    """The `count` most recent monthly periods whose due date (day `due_day` of the next month)
    is strictly before T, most recent first (SCORING.md §3, filing_regularity, payment_delays)."""
    periods = []
    month = month_start(as_of)
    while len(periods) < count:
        due = add_months(month, 1).replace(day=due_day)
        if due < as_of:
            periods.append(DuePeriod(month, due))
        month = add_months(month, -1)
    return periods


def started_by(period: date, commencement: date | None) -> bool:
    """False for a period that ends before the date of commencement (it is left out)."""
    if commencement is None:
        return True
    return add_months(period, 1) > commencement


def latest_year_end_before(as_of: date) -> int:
    """The calendar year of the latest 31 March strictly before T."""
    return as_of.year if date(as_of.year, 3, 31) < as_of else as_of.year - 1
