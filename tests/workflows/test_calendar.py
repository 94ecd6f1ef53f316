"""SLA arithmetic over J&K working days: weekends, the `holidays` package's J&K calendar (e.g.
Accession Day 26 Oct, Diwali), the department's corrections, pauses. Expected instants are
worked out by hand from the 2026 calendar in each test's comment."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.calendar import DAY, WorkingCalendar, calendar_current
from workflows.choices import DurationUnit, ThresholdKind
from workflows.sla import SlaTerms, sla_due, sla_thresholds

IST = ZoneInfo("Asia/Kolkata")


def at(y, m, d, h=10, minute=0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=IST)


@pytest.fixture
def cal():
    return WorkingCalendar(tz="Asia/Kolkata")


def test_jk_holidays_and_weekends_are_not_working_days(cal):
    assert not cal.is_working_day(date(2026, 10, 26))  # Accession Day (Monday)
    assert not cal.is_working_day(date(2026, 11, 24))  # Guru Nanak's Birthday (Tuesday)
    assert not cal.is_working_day(date(2026, 10, 20))  # Dussehra (Tuesday)
    assert not cal.is_working_day(date(2026, 12, 5))  # Saturday
    assert not cal.is_working_day(date(2026, 12, 6))  # Sunday
    assert cal.is_working_day(date(2026, 12, 7))  # an ordinary Monday


def test_five_working_days_from_a_monday_is_the_next_monday(cal):
    # Mon 30 Nov 2026 10:00 + 5 working days: Mon..Fri consumed, due Mon 7 Dec 10:00.
    assert cal.add_working_days(at(2026, 11, 30), 5) == at(2026, 12, 7)


def test_working_days_skip_accession_day(cal):
    # Fri 23 Oct 2026 10:00 + 3 working days. Counted: the rest of Fri 23, Tue 27 (26 is
    # Accession Day, 24-25 weekend), Wed 28, and Thu 29 until 10:00.
    assert cal.add_working_days(at(2026, 10, 23), 3) == at(2026, 10, 29)


def test_working_days_around_dussehra_and_mahanavami(cal):
    # Fri 16 Oct 2026 + 2 working days: Mon 19 Oct is Mahanavami and Tue 20 Dussehra,
    # so the clock runs Fri 16 (rest), Wed 21 (whole), Thu 22 until 10:00.
    assert cal.add_working_days(at(2026, 10, 16), 2) == at(2026, 10, 22)


def test_diwali_on_a_sunday_costs_nothing_but_a_weekday_diwali_does(cal):
    # Diwali 2026 is Sunday 8 Nov: Fri 6 Nov + 1 working day = Mon 9 Nov 10:00.
    assert cal.add_working_days(at(2026, 11, 6), 1) == at(2026, 11, 9)
    # Diwali 2025 was Monday 20 Oct: Fri 17 Oct 2025 + 1 working day = Tue 21 Oct 10:00.
    assert cal.add_working_days(at(2025, 10, 17), 1) == at(2025, 10, 21)


def test_a_task_opened_on_a_holiday_starts_counting_the_next_working_day(cal):
    # Opened Sat 5 Dec 2026 15:00; 2 working days are Mon 7 and Tue 8 whole: due end of Tue 8.
    assert cal.add_working_days(at(2026, 12, 5, 15), 2) == at(2026, 12, 9, 0)


def test_department_corrections_add_and_remove_holidays():
    # 26 Oct 2026 (Accession Day) marked a working day; Wed 28 Oct declared a holiday.
    cal = WorkingCalendar(added=[date(2026, 10, 28)], removed=[date(2026, 10, 26)], tz="Asia/Kolkata")
    assert cal.is_working_day(date(2026, 10, 26))
    assert not cal.is_working_day(date(2026, 10, 28))
    # Fri 23 Oct + 3: rest of Fri 23, Mon 26, Tue 27, then (28 off) Thu 29 until 10:00.
    assert cal.add_working_days(at(2026, 10, 23), 3) == at(2026, 10, 29)


def test_estimated_islamic_holiday_corrected_in_the_admin(db):
    from workflows.services import holiday_set

    # Eid al-Adha 2026 is listed (estimated) on Wed 27 May; the department moves it to Thu 28.
    assert not calendar_current().is_working_day(date(2026, 5, 27))
    holiday_set(day=date(2026, 5, 27), name="Eid al-Adha (moved)", is_holiday=False)
    holiday_set(day=date(2026, 5, 28), name="Eid al-Adha", is_holiday=True)
    cal = calendar_current()
    assert cal.is_working_day(date(2026, 5, 27))
    assert not cal.is_working_day(date(2026, 5, 28))


def test_working_seconds_between_counts_only_working_days(cal):
    # Fri 23 Oct 18:00 to Tue 27 Oct 06:00: Fri 6 h + (Sat, Sun, Mon 26 Accession Day off) + Tue 6 h.
    assert cal.working_seconds_between(at(2026, 10, 23, 18), at(2026, 10, 27, 6)) == 12 * 3600


def test_subtract_is_the_inverse_of_add(cal):
    due = cal.add_working_days(at(2026, 10, 23), 3)
    assert cal.subtract_working_time(due, 3 * DAY) == at(2026, 10, 23)


def test_monthly_check_in_lands_on_the_next_working_day(cal):
    # 2 Dec 2026 + 1 month = Sat 2 Jan 2027 → Mon 4 Jan 2027, same time.
    assert cal.add_months(at(2026, 12, 2), 1) == at(2027, 1, 4)
    # 31 Jan + 1 month = 28 Feb 2027 (a Sunday) → Mon 1 Mar 2027.
    assert cal.add_months(at(2027, 1, 31), 1) == at(2027, 3, 1)


def test_thresholds_of_a_policy(cal):
    # Consultation, normal priority: 5 working days, reminder 1 before, escalations 2 and 5 after.
    terms = SlaTerms(duration=5, remind_before=1, escalate_after=(2, 5))
    start = at(2026, 10, 19)  # Mon 19 Oct, Mahanavami: counting starts Wed 21
    # Working days from then: Wed 21, Thu 22, Fri 23, Tue 27, Wed 28 → due end of Wed 28.
    thresholds = sla_thresholds(terms, start, cal)
    assert [(t.kind, t.level, t.at) for t in thresholds] == [
        (ThresholdKind.REMINDER, 0, at(2026, 10, 28, 0)),  # one working day earlier: start of Wed 28
        (ThresholdKind.BREACH, 0, at(2026, 10, 29, 0)),
        (ThresholdKind.ESCALATION, 1, at(2026, 10, 31, 0)),  # Thu 29, Fri 30 → end of Fri 30
        (ThresholdKind.ESCALATION, 2, at(2026, 11, 5, 0)),  # Thu 29, Fri 30, Mon 2, Tue 3, Wed 4 Nov
    ]


def test_a_pause_moves_due_by_the_working_time_paused(cal):
    terms = SlaTerms(duration=5, remind_before=0)
    start = at(2026, 11, 30)  # Mon
    # Paused Thu 3 Dec 10:00 to Tue 8 Dec 10:00: Thu rest 14 h, Fri 24 h, Mon 24 h, Tue 10 h = 3 working days.
    paused = cal.working_seconds_between(at(2026, 12, 3), at(2026, 12, 8))
    assert paused == 3 * DAY
    assert sla_due(terms, start, cal) == at(2026, 12, 7)
    # Due Mon 7 Dec 10:00 moved on by 3 working days: Thu 10 Dec 10:00.
    assert sla_due(terms, start, cal, paused) == at(2026, 12, 10)


def test_a_reminder_before_the_start_is_dropped(cal):
    terms = SlaTerms(duration=1, remind_before=2)
    kinds = [t.kind for t in sla_thresholds(terms, at(2026, 12, 1), cal)]
    assert kinds == [ThresholdKind.BREACH]


def test_monthly_terms():
    terms = SlaTerms(duration=1, unit=DurationUnit.MONTHS, remind_before=3)
    cal = WorkingCalendar(tz="Asia/Kolkata")
    # Due Mon 4 Jan 2027 10:00; 3 working days earlier: Wed 30 Dec 10:00 (Thu 31, Fri 1 Jan, Mon 4 counted).
    thresholds = sla_thresholds(terms, at(2026, 12, 2), cal)
    assert thresholds[0].at == at(2026, 12, 30)


# Properties: the arithmetic holds for any start, duration and pause.

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=IST)
)
durations = st.floats(min_value=0, max_value=40 * DAY, allow_nan=False).map(lambda x: round(x))


@settings(max_examples=300, deadline=None)
@given(start=instants, seconds=durations)
def test_adding_working_time_consumes_exactly_that_much(start, seconds):
    cal = WorkingCalendar(tz="Asia/Kolkata")
    end = cal.add_working_time(start, seconds)
    assert end >= start
    assert cal.working_seconds_between(start, end) == pytest.approx(seconds, abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(start=instants, a=durations, b=durations)
def test_adding_working_time_is_additive_and_monotone(start, a, b):
    cal = WorkingCalendar(tz="Asia/Kolkata")
    assert cal.add_working_time(cal.add_working_time(start, a), b) == cal.add_working_time(start, a + b)
    if a <= b:
        assert cal.add_working_time(start, a) <= cal.add_working_time(start, b)


@settings(max_examples=200, deadline=None)
@given(
    start=instants,
    days=st.integers(min_value=1, max_value=30),
    remind=st.integers(0, 5),
    esc=st.lists(st.integers(1, 10), max_size=3),
)
def test_thresholds_are_in_order_and_due_is_n_working_days_on(start, days, remind, esc):
    cal = WorkingCalendar(tz="Asia/Kolkata")
    terms = SlaTerms(duration=days, remind_before=remind, escalate_after=tuple(sorted(esc)))
    thresholds = sla_thresholds(terms, start, cal)
    times = [t.at for t in thresholds]
    assert times == sorted(times)
    breach = next(t.at for t in thresholds if t.kind == ThresholdKind.BREACH)
    assert cal.working_seconds_between(start, breach) == days * DAY
    # A due time never lands inside a weekend or holiday, except exactly at its midnight start.
    local = breach.astimezone(IST)
    assert cal.is_working_day(local.date()) or local.time() == datetime.min.time()


@settings(max_examples=200, deadline=None)
@given(start=instants, pause_start=durations, pause_length=durations)
def test_a_pause_never_shortens_the_clock(start, pause_start, pause_length):
    cal = WorkingCalendar(tz="Asia/Kolkata")
    terms = SlaTerms(duration=10, remind_before=0)
    a = cal.add_working_time(start, pause_start)
    b = a + timedelta(seconds=pause_length)
    paused = cal.working_seconds_between(a, b)
    assert sla_due(terms, start, cal, paused) >= sla_due(terms, start, cal)
    assert cal.working_seconds_between(sla_due(terms, start, cal), sla_due(terms, start, cal, paused)) == pytest.approx(
        paused, abs=1e-6
    )
