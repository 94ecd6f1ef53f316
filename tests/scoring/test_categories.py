"""The MSME category ceilings (scoring/categories.py): a stated category is warned about exactly
when its investment or turnover is over its ceiling in force, and the import's SQL agrees."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.categories import CRORE, LIMITS, category_misfit, limits_on
from scoring.choices import Category

AMOUNTS = st.one_of(
    st.integers(0, 600).map(lambda c: Decimal(c) * CRORE),  # whole crores: often exactly a ceiling
    st.decimals(0, Decimal("6e9"), places=4, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(list(Category)), AMOUNTS, AMOUNTS, st.dates(date(2019, 1, 1), date(2030, 12, 31)))
def test_a_category_is_warned_about_exactly_when_a_figure_is_over_its_ceiling(category, investment, turnover, on):
    limits = limits_on(on)
    assert limits.in_force_from <= on or on < LIMITS[0].in_force_from
    investment_ceiling, turnover_ceiling = limits.ceilings[category]
    reason = category_misfit(category, investment, turnover, on=on)
    assert bool(reason) == (investment > investment_ceiling or turnover > turnover_ceiling)
    assert ("investment" in reason) == (investment > investment_ceiling)
    assert ("turnover" in reason) == (turnover > turnover_ceiling)


def test_the_2025_ceilings_are_those_notified():
    limits = limits_on(date(2026, 11, 22))
    assert limits.ceilings == {
        "micro": (Decimal("2.5") * CRORE, 10 * CRORE),
        "small": (25 * CRORE, 100 * CRORE),
        "medium": (125 * CRORE, 500 * CRORE),
    }


@pytest.mark.django_db
@settings(max_examples=15, deadline=None)
@given(
    st.sampled_from(list(Category)),
    st.sampled_from([Decimal(0), Decimal("2.5") * CRORE, 25 * CRORE, 125 * CRORE, 10 * CRORE, 500 * CRORE]),
    st.sampled_from([Decimal(0), Decimal("0.0001"), Decimal(-1)]),
    st.sampled_from([Decimal(0), 10 * CRORE, 100 * CRORE, 500 * CRORE, 900 * CRORE]),
)
def test_the_import_warns_exactly_as_the_ceilings_say(category, investment, nudge, turnover):
    """The import finds candidates in SQL and words them in Python: both from the same ceilings."""
    import tempfile
    from pathlib import Path

    from scoring.services.feeds import feed_import
    from tests.scoring.test_import_hardening import udyam_row, write

    investment = max(investment + nudge, Decimal(0))
    received = datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Asia/Kolkata"))
    row = udyam_row(category=str(category), investment=f"{investment:f}", turnover=f"{turnover:f}")
    with tempfile.TemporaryDirectory() as directory, time_machine.travel(received, tick=False):
        batch = feed_import(source="udyam", path=write(Path(directory), "udyam", [row]))
    expected = bool(category_misfit(category, investment, turnover, on=received.date()))
    assert (batch.rejected, batch.warned) == (0, int(expected))
