"""Working time: J&K's working days and the arithmetic of SLA clocks over them.

A working day is a weekday that is not a J&K public holiday: the `holidays` package's India
calendar, subdivision JK, corrected by the department's own `Holiday` rows (a day added, or a
listed day, such as an estimated Islamic date, that turned out to be a working day).

Clocks run in whole working days of local time (Asia/Kolkata): all of a working day counts, none
of a weekend or holiday. "5 working days" from Monday 10:00 is the next Monday 10:00; from
Saturday 10:00 it is the end of Friday. A paused clock is moved on by the working time paused.
The functions below are pure over a `WorkingCalendar`; `calendar_current()` builds one from
the database.
"""

import calendar as _calendar
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

DAY = 86_400
ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=1)
def _jk_holidays() -> holidays.HolidayBase:
    # Shared and grown lazily by year; the package computes a year's dates on first lookup.
    return holidays.India(subdiv="JK")


class WorkingCalendar:
    """Which local dates are working days, and the time zone whose days they are."""

    def __init__(self, *, added: Iterable[date] = (), removed: Iterable[date] = (), tz: str | None = None):
        self.added = frozenset(added)
        self.removed = frozenset(removed)
        self.tz = ZoneInfo(tz or settings.TIME_ZONE)
        self._jk = _jk_holidays()

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= 5 or day in self.added:
            return False
        return day in self.removed or day not in self._jk

    def holiday_name(self, day: date) -> str:
        if day in self.added or day in self.removed:
            return ""
        return self._jk.get(day, "")

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.tz)

    def next_working_day(self, day: date) -> date:
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def add_working_time(self, start: datetime, seconds: float) -> datetime:
        """The instant at which `seconds` of working time have passed since `start`."""
        if seconds < 0:
            return self.subtract_working_time(start, -seconds)
        # timedelta arithmetic (whole microseconds) keeps add and measure exact inverses.
        moment = start.astimezone(self.tz)
        day = moment.date()
        remaining = timedelta(seconds=seconds)
        if not remaining:
            return moment
        while True:
            if self.is_working_day(day):
                available = self._midnight(day + ONE_DAY) - moment
                if remaining <= available:
                    return moment + remaining
                remaining -= available
            day += ONE_DAY
            moment = self._midnight(day)

    def subtract_working_time(self, end: datetime, seconds: float) -> datetime:
        """The instant `seconds` of working time before `end`."""
        moment = end.astimezone(self.tz)
        day = moment.date()
        remaining = timedelta(seconds=seconds)
        if not remaining:
            return moment
        if moment == self._midnight(day):  # 00:00 belongs to the day that ends there
            day -= ONE_DAY
        while True:
            if self.is_working_day(day):
                available = moment - self._midnight(day)
                if remaining <= available:
                    return moment - remaining
                remaining -= available
            moment = self._midnight(day)
            day -= ONE_DAY

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Working time from `start` to `end` (0 if `end` is not after `start`)."""
        if end <= start:
            return 0.0
        moment, end = start.astimezone(self.tz), end.astimezone(self.tz)
        total = timedelta(0)
        day = moment.date()
        while moment < end:
            next_midnight = self._midnight(day + ONE_DAY)
            if self.is_working_day(day):
                total += min(next_midnight, end) - moment
            day += ONE_DAY
            moment = next_midnight
        return total.total_seconds()

    def add_working_days(self, start: datetime, days: int) -> datetime:
        return self.add_working_time(start, days * DAY)

    def add_months(self, start: datetime, months: int) -> datetime:
        """The same local time `months` calendar months later (the last day of a shorter month),
        moved on to the next working day if it falls on a weekend or holiday."""
        moment = start.astimezone(self.tz)
        index = moment.month - 1 + months
        year, month = moment.year + index // 12, index % 12 + 1
        day = min(moment.day, _calendar.monthrange(year, month)[1])
        target = self.next_working_day(date(year, month, day))
        return datetime.combine(target, moment.timetz())


def calendar_current() -> WorkingCalendar:
    """The calendar in force: the package's J&K holidays with the department's corrections."""
    from .models import Holiday

    added, removed = [], []
    for day, is_holiday in Holiday.objects.values_list("date", "is_holiday"):
        (added if is_holiday else removed).append(day)
    return WorkingCalendar(added=added, removed=removed)
