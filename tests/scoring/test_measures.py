"""SCORING.md §2 and §3, checked through the public service `score_run` against hand-computed values.

Unless a test says otherwise T = 2026-11-22, so (SCORING.md §2):
  M0 = 2026-11
  R_6 = 2026-05 … 2026-10, P_6 = 2025-05 … 2025-10
  R_3 = 2026-08 … 2026-10, P_3 = 2025-08 … 2025-10
  GST periods due (day 20 of the next month) strictly before T: 2025-11 … 2026-10 (12 periods)
  EPFO wage months due (day 15 of the next month) strictly before T: 2025-11 … 2026-10
  "the 24 months before M0": 2024-11 … 2026-10
  balance_growth: now = M0-1 = 2026-10, then = M0-7 = 2026-04
  margin_change: the latest 31 March strictly before T is 2026-03-31, i.e. FY 2025-26

Every expected sub-score is worked out by hand in a comment next to it. The helpers here are
shared with test_bands.py.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from scoring.models import Assessment, GstReturn
from scoring.rules.windows import prior, recent
from scoring.selectors import scoring_model_get
from scoring.services.scoring import score_run
from tests.factories.scoring import (
    CreditRecordFactory,
    EnterpriseFactory,
    EpfoReturnFactory,
    FinancialYearFactory,
    GstReturnFactory,
    PowerBillFactory,
    PowerConnectionFactory,
    make_gstin,
)

pytestmark = pytest.mark.django_db

T = date(2026, 11, 22)
ON_DUE = object()  # marker: filed / remitted exactly on the due date


# -- month arithmetic, written independently of scoring.rules.windows ---------------------------


def m(text: str) -> date:
    """'2026-05' -> date(2026, 5, 1)."""
    return date.fromisoformat(f"{text}-01")


def shift(month: date, k: int) -> date:
    index = month.year * 12 + month.month - 1 + k
    return date(index // 12, index % 12 + 1, 1)


def months(first: str, last: str) -> list[date]:
    """Every month from `first` to `last`, inclusive, ascending."""
    out, month = [], m(first)
    while month <= m(last):
        out.append(month)
        month = shift(month, 1)
    return out


def gst_due(period: date) -> date:
    return shift(period, 1).replace(day=20)


def epfo_due(wage_month: date) -> date:
    return shift(wage_month, 1).replace(day=15)


# -- records ------------------------------------------------------------------------------------


def gst(unit, periods, turnover=100000, filed_on=ON_DUE):
    for period in periods:
        GstReturnFactory(
            enterprise=unit,
            period=period,
            taxable_turnover=Decimal(str(turnover)),
            filed_on=gst_due(period) if filed_on is ON_DUE else filed_on,
        )


def gst_history(unit, recent_mean, *, prior_mean=100000, late=()):
    """GST returns 2025-05 … 2026-10, every one filed on its due date except the periods in `late`
    (filed 5 days after the due date, still before T). P_6 months carry `prior_mean`, R_6 months
    `recent_mean`, the months between (2025-11 … 2026-04) 100000.
    So turnover_trend has x = recent_mean / prior_mean - 1 and gst_filing_regularity counts the 12
    periods 2025-11 … 2026-10 with len(late) late: sub-score 100 - 10·len(late)."""
    late = {m(p) for p in late}
    for period in months("2025-05", "2026-10"):
        if period >= m("2026-05"):
            value = recent_mean
        elif period <= m("2025-10"):
            value = prior_mean
        else:
            value = 100000
        filed = gst_due(period) + timedelta(days=5) if period in late else gst_due(period)
        GstReturnFactory(enterprise=unit, period=period, taxable_turnover=Decimal(str(value)), filed_on=filed)


def credit(unit, month, account="LN-A", **fields):
    defaults = {"outstanding": 500000, "credits": 200000, "dpd": 0, "bounced_instruments": 0}
    defaults.update(fields)
    for key in ("outstanding", "credits"):
        defaults[key] = Decimal(str(defaults[key]))
    # account references are per bank: keep them distinct between units
    return CreditRecordFactory(enterprise=unit, month=month, account_ref=f"{unit.udyam_number}/{account}", **defaults)


def credit_r3(unit, dpd=0, **fields):
    """One account with a record in each month of R_3 (2026-08 … 2026-10) only: repayment_discipline
    has data; debt_growth has none (no 2026-04 record) nor has cash_inflow_trend (nothing in P_3)."""
    for month in months("2026-08", "2026-10"):
        credit(unit, month, dpd=dpd, **fields)


def epfo(unit, wage_months, members=10, remitted_on=ON_DUE):
    for wage_month in wage_months:
        EpfoReturnFactory(
            enterprise=unit,
            wage_month=wage_month,
            members=members,
            remitted_on=epfo_due(wage_month) if remitted_on is ON_DUE else remitted_on,
        )


def power(unit, bill_months, units_kwh=1000, arrears=0, connection=None):
    connection = connection or PowerConnectionFactory(enterprise=unit)
    for month in bill_months:
        PowerBillFactory(
            enterprise=unit,
            consumer_number=connection.consumer_number,
            bill_month=month,
            units_kwh=Decimal(str(units_kwh)),
            arrears=Decimal(str(arrears)),
        )
    return connection


def year(unit, fy, revenue, net_profit):
    return FinancialYearFactory(
        enterprise=unit, fy=fy, revenue=Decimal(str(revenue)), net_profit=Decimal(str(net_profit))
    )


# -- scoring ------------------------------------------------------------------------------------


def run(as_of=T):
    return score_run(as_of=as_of, model=scoring_model_get())


def assessment(unit, as_of=T) -> Assessment:
    return Assessment.objects.get(enterprise=unit, as_of=as_of, model=scoring_model_get())


def scored(unit, as_of=T) -> Assessment:
    run(as_of)
    return assessment(unit, as_of)


def indicator(unit, code, as_of=T, *, rerun=True) -> dict:
    a = scored(unit, as_of) if rerun else assessment(unit, as_of)
    return a.indicators[code]


def sub(unit, code, as_of=T) -> str | None:
    """The reported (2 dp string) sub-score, or None with no data."""
    return indicator(unit, code, as_of)["sub_score"]


def assert_no_data(result: dict):
    assert result["status"] == "no_data", result
    assert result["sub_score"] is None, result


# == §2 Time windows ============================================================================


def test_windows_of_the_spec_example_for_as_of_2026_11_22():
    # "T = 2026-11-22 gives R_6 = 2026-05 … 2026-10 and P_6 = 2025-05 … 2025-10."
    assert sorted(recent(T, 6)) == months("2026-05", "2026-10")
    assert sorted(prior(T, 6)) == months("2025-05", "2025-10")


def test_turnover_trend_reads_exactly_r6_and_p6_for_as_of_2026_11_22():
    unit = EnterpriseFactory()
    gst(unit, months("2026-05", "2026-10"), 80000)
    gst(unit, months("2025-05", "2025-10"), 100000)
    # Months just outside both windows carry a large value: none of them may be read.
    gst(unit, [m("2025-04"), *months("2025-11", "2026-04")], 1_000_000)
    gst(unit, [m("2026-11")], 1_000_000, filed_on=T)  # M0 itself is not a complete month
    result = indicator(unit, "turnover_trend")
    # mean R6 = 6×80k/6 = 80k; mean P6 = 100k; x = 80k/100k - 1 = -0.20
    # curve between (-0.25, 40) and (-0.10, 75): 40 + (0.05/0.15)×35 = 51.666… -> 51.67
    assert result["status"] == "scored"
    assert result["sub_score"] == "51.67"
    assert result["values"]["recent_months"] == 6
    assert result["values"]["prior_months"] == 6


def test_gst_return_filed_after_as_of_is_not_counted_in_turnover_trend():
    unit = EnterpriseFactory()
    gst(unit, months("2026-05", "2026-09"), 80000)
    gst(unit, [m("2026-10")], 1_000_000, filed_on=T + timedelta(days=1))
    gst(unit, months("2025-05", "2025-10"), 100000)
    result = indicator(unit, "turnover_trend")
    # 2026-10 is left out (filed 2026-11-23 > T): mean R6 = 5×80k/5 = 80k; x = -0.20 -> 51.67
    assert result["values"]["recent_months"] == 5
    assert result["sub_score"] == "51.67"


def test_gst_return_filed_on_as_of_is_counted_in_turnover_trend():
    unit = EnterpriseFactory()
    gst(unit, months("2026-05", "2026-09"), 80000)
    gst(unit, [m("2026-10")], 80000, filed_on=T)
    gst(unit, months("2025-05", "2025-10"), 100000)
    result = indicator(unit, "turnover_trend")
    # filed_on = T counts (filed_on <= T): 6 months, mean 80k, x = -0.20 -> 51.67
    assert result["values"]["recent_months"] == 6
    assert result["sub_score"] == "51.67"


def test_gst_return_not_filed_is_not_counted_in_turnover_trend():
    unit = EnterpriseFactory()
    gst(unit, months("2026-05", "2026-09"), 80000)
    gst(unit, [m("2026-10")], 1_000_000, filed_on=None)
    gst(unit, months("2025-05", "2025-10"), 100000)
    result = indicator(unit, "turnover_trend")
    assert result["values"]["recent_months"] == 5
    assert result["sub_score"] == "51.67"


def test_gst_return_filed_after_as_of_counts_as_missed_in_filing_regularity():
    unit = EnterpriseFactory()
    gst(unit, months("2025-11", "2026-09"))
    gst(unit, [m("2026-10")], filed_on=T + timedelta(days=1))
    result = indicator(unit, "gst_filing_regularity")
    # 11 on time, 2026-10 not filed by T -> missed: 100 - 20×1 = 80
    assert result["sub_score"] == "80.00"
    assert result["values"]["missed"] == ["2026-10"]
    assert result["values"]["late"] == []


# == §3 yoy_mean_change ==========================================================================


def test_month_with_zero_value_counts_and_missing_month_does_not():
    unit = EnterpriseFactory()
    gst(unit, months("2026-05", "2026-08"), 100000)
    gst(unit, [m("2026-09")], 0)  # a filed return with 0 turnover: a month with a value
    # 2026-10: no return at all, the month is left out
    gst(unit, months("2025-05", "2025-10"), 100000)
    result = indicator(unit, "turnover_trend")
    # mean R6 = (4×100k + 0)/5 = 80k (not 100k, not 400k/6); x = -0.20 -> 51.67
    assert result["values"]["recent_months"] == 5
    assert result["sub_score"] == "51.67"


def test_turnover_trend_has_data_with_exactly_min_months_in_each_window():
    unit = EnterpriseFactory()
    gst(unit, months("2026-07", "2026-10"), 80000)  # 4 months = min_months
    gst(unit, months("2025-05", "2025-08"), 100000)  # 4 months
    result = indicator(unit, "turnover_trend")
    # mean R = 320k/4 = 80k, mean P = 400k/4 = 100k, x = -0.20 -> 51.67
    assert result["status"] == "scored"
    assert result["sub_score"] == "51.67"


def test_turnover_trend_has_no_data_with_one_month_fewer_than_min_months_in_recent_window():
    unit = EnterpriseFactory()
    gst(unit, months("2026-08", "2026-10"), 80000)  # 3 months < 4
    gst(unit, months("2025-05", "2025-10"), 100000)
    assert_no_data(indicator(unit, "turnover_trend"))


def test_turnover_trend_has_no_data_with_one_month_fewer_than_min_months_in_prior_window():
    unit = EnterpriseFactory()
    gst(unit, months("2026-05", "2026-10"), 80000)
    gst(unit, months("2025-08", "2025-10"), 100000)  # 3 months < 4
    assert_no_data(indicator(unit, "turnover_trend"))


def test_employment_trend_min_months_boundary_two_months_have_data_one_does_not():
    enough, short = EnterpriseFactory(), EnterpriseFactory()
    epfo(enough, months("2026-09", "2026-10"), members=8)  # 2 of R3
    epfo(enough, months("2025-08", "2025-09"), members=10)  # 2 of P3
    epfo(short, [m("2026-10")], members=8)  # 1 of R3
    epfo(short, months("2025-08", "2025-10"), members=10)
    run()
    # enough: x = 8/10 - 1 = -0.20; curve (-0.25, 35)-(-0.10, 70): 35 + (0.05/0.15)×35 = 46.666… -> 46.67
    assert assessment(enough).indicators["employment_trend"]["sub_score"] == "46.67"
    assert_no_data(assessment(short).indicators["employment_trend"])


def test_yoy_has_no_data_when_prior_mean_is_zero():
    unit = EnterpriseFactory()
    gst(unit, months("2026-05", "2026-10"), 100000)
    gst(unit, months("2025-05", "2025-10"), 0)
    assert_no_data(indicator(unit, "turnover_trend"))


def test_yoy_recent_mean_zero_scores_the_first_curve_point():
    unit = EnterpriseFactory()
    gst(unit, months("2026-05", "2026-10"), 0)
    gst(unit, months("2025-05", "2025-10"), 100000)
    result = indicator(unit, "turnover_trend")
    # x = 0/100k - 1 = -1 < -0.50, the first x: flat at the first score, 0
    assert result["status"] == "scored"
    assert result["sub_score"] == "0.00"


def test_yoy_growth_beyond_the_last_curve_point_scores_the_last_score():
    unit = EnterpriseFactory()
    gst(unit, months("2026-05", "2026-10"), 150000)
    gst(unit, months("2025-05", "2025-10"), 100000)
    # x = +0.50 > 0.00, the last x: 100
    assert sub(unit, "turnover_trend") == "100.00"


def test_credit_month_value_is_summed_over_accounts_and_each_month_counted_once():
    unit = EnterpriseFactory()
    for month in months("2025-08", "2025-10"):
        credit(unit, month, "LN-A", credits=100000)
    credit(unit, m("2026-08"), "LN-A", credits=40000)
    credit(unit, m("2026-09"), "LN-A", credits=40000)
    credit(unit, m("2026-09"), "LN-B", credits=40000)
    credit(unit, m("2026-10"), "LN-B", credits=80000)
    result = indicator(unit, "cash_inflow_trend")
    # month values R3: Aug 40k, Sep 40k+40k = 80k, Oct 80k -> 3 months (4 records), mean 200k/3 = 66,666.67
    # mean P3 = 100k; x = -1/3; curve (-0.40, 10)-(-0.25, 40): 10 + (0.0666…/0.15)×30 = 23.333… -> 23.33
    assert result["values"]["recent_months"] == 3
    assert result["sub_score"] == "23.33"


def test_power_month_value_is_summed_over_consumer_numbers():
    unit = EnterpriseFactory(major_activity="manufacturing")
    power(unit, months("2026-05", "2026-10"), units_kwh=500)
    power(unit, months("2026-05", "2026-10"), units_kwh=300)
    power(unit, months("2025-05", "2025-10"), units_kwh=1000)
    result = indicator(unit, "power_trend")
    # each R6 month: 500 + 300 = 800 kWh (6 months, not 12); P6 1000; x = -0.20 -> 51.67
    assert result["values"]["recent_months"] == 6
    assert result["sub_score"] == "51.67"


def test_employment_trend_counts_epfo_records_not_remitted_or_remitted_after_as_of():
    unit = EnterpriseFactory()
    EpfoReturnFactory(enterprise=unit, wage_month=m("2026-08"), members=8, remitted_on=epfo_due(m("2026-08")))
    EpfoReturnFactory(enterprise=unit, wage_month=m("2026-09"), members=8, remitted_on=None)
    EpfoReturnFactory(enterprise=unit, wage_month=m("2026-10"), members=8, remitted_on=T + timedelta(days=8))
    epfo(unit, months("2025-08", "2025-10"), members=10)
    result = indicator(unit, "employment_trend")
    # all three R3 records count: mean 8 vs 10, x = -0.20 -> 35 + (0.05/0.15)×35 = 46.67
    assert result["values"]["recent_months"] == 3
    assert result["sub_score"] == "46.67"


# == §3 filing_regularity ========================================================================


def test_filing_regularity_counts_on_time_late_and_missed():
    unit = EnterpriseFactory()
    on_time = ["2025-11", "2025-12", "2026-02", "2026-04", "2026-06", "2026-08", "2026-10"]
    gst(unit, [m(p) for p in on_time])  # filed exactly on the due date: on time
    gst(unit, [m("2026-01")], filed_on=date(2026, 2, 21))  # one day after the due date: late
    gst(unit, [m("2026-03")], filed_on=T)  # after the due date, on T: late
    # 2026-05: no record -> missed
    gst(unit, [m("2026-07")], filed_on=None)  # not filed -> missed
    gst(unit, [m("2026-09")], filed_on=T + timedelta(days=1))  # filed after T -> missed
    result = indicator(unit, "gst_filing_regularity")
    # 12 periods: 7 on time, 2 late, 3 missed: max(0, 100 - 10×2 - 20×3) = 20
    assert result["sub_score"] == "20.00"
    assert result["values"]["periods"] == 12
    assert result["values"]["on_time"] == 7
    assert sorted(result["values"]["late"]) == ["2026-01", "2026-03"]
    assert sorted(result["values"]["missed"]) == ["2026-05", "2026-07", "2026-09"]


def test_filing_regularity_is_floored_at_zero():
    unit = EnterpriseFactory()
    gst(unit, months("2025-11", "2026-10"), filed_on=None)
    # 12 missed: 100 - 240 -> 0
    assert sub(unit, "gst_filing_regularity") == "0.00"


def test_filing_regularity_period_due_on_as_of_itself_is_not_counted():
    unit = EnterpriseFactory()
    gst(unit, months("2025-10", "2026-09"))  # on time; 2026-10 (due 2026-11-20) never filed
    # T = 2026-11-20: 2026-10 is due on T, not strictly before: periods 2025-10 … 2026-09, all on time
    assert sub(unit, "gst_filing_regularity", date(2026, 11, 20)) == "100.00"
    # T = 2026-11-21: 2026-10 is due before T and missed; 2025-10 drops out: 100 - 20 = 80
    assert sub(unit, "gst_filing_regularity", date(2026, 11, 21)) == "80.00"


def test_filing_regularity_leaves_out_periods_ending_before_commencement():
    from_feb_1 = EnterpriseFactory(date_of_commencement=date(2026, 2, 1))
    from_jan_31 = EnterpriseFactory(date_of_commencement=date(2026, 1, 31))
    for unit in (from_feb_1, from_jan_31):
        gst(unit, months("2026-02", "2026-10"))
    run()
    # commenced 2026-02-01: 2025-11, 2025-12, 2026-01 end before it and are left out: 9 periods on time -> 100
    a = assessment(from_feb_1).indicators["gst_filing_regularity"]
    assert (a["sub_score"], a["values"]["periods"]) == ("100.00", 9)
    # commenced 2026-01-31: 2026-01 ends on 2026-01-31, not before it: counted, missed -> 100 - 20 = 80
    b = assessment(from_jan_31).indicators["gst_filing_regularity"]
    assert (b["sub_score"], b["values"]["periods"], b["values"]["missed"]) == ("80.00", 10, ["2026-01"])


def test_filing_regularity_has_no_data_with_fewer_than_min_periods():
    five = EnterpriseFactory(date_of_commencement=date(2026, 6, 1))  # counts 2026-06 … 2026-10: 5 periods
    six = EnterpriseFactory(date_of_commencement=date(2026, 5, 31))  # counts 2026-05 … 2026-10: 6 periods
    for unit in (five, six):
        gst(unit, months("2026-05", "2026-10"))
    run()
    assert_no_data(assessment(five).indicators["gst_filing_regularity"])
    assert assessment(six).indicators["gst_filing_regularity"]["sub_score"] == "100.00"


def test_filing_regularity_has_no_data_for_a_unit_without_gstin():
    unit = EnterpriseFactory(gstin=None)
    # Even GST records linked to it do not help: "No data if the unit has no GSTIN".
    for period in months("2025-11", "2026-10"):
        GstReturnFactory(enterprise=unit, gstin=make_gstin(unit.pan), period=period, filed_on=None)
    assert_no_data(indicator(unit, "gst_filing_regularity"))


def test_filing_regularity_has_no_data_without_gst_record_in_the_24_months_before_m0():
    unit = EnterpriseFactory()
    gst(unit, [m("2024-10")])  # 25 months before M0
    gst(unit, [m("2026-11")], filed_on=T)  # M0 is not "before M0"
    assert_no_data(indicator(unit, "gst_filing_regularity"))


def test_filing_regularity_with_a_gst_record_24_months_before_m0_scores_every_period_missed():
    unit = EnterpriseFactory()
    gst(unit, [m("2024-11")])  # M0-24: inside the 24 months before M0
    # the 12 due periods 2025-11 … 2026-10 have no return: 12 missed, max(0, 100 - 240) = 0
    result = indicator(unit, "gst_filing_regularity")
    assert result["status"] == "scored"
    assert result["sub_score"] == "0.00"


# == §3 max_dpd ==================================================================================


@pytest.mark.parametrize(
    ("dpd", "expected"),
    [(0, "100.00"), (30, "70.00"), (31, "40.00"), (60, "40.00"), (61, "15.00"), (90, "15.00"), (91, "0.00")],
)
def test_max_dpd_scores_from_steps_at_the_bounds(dpd, expected):
    # steps [[0,100],[30,70],[60,40],[90,15]], otherwise 0: the first bound x does not exceed
    unit = EnterpriseFactory()
    credit(unit, m("2026-07"), dpd=150)  # outside R3: ignored
    credit(unit, m("2026-08"), dpd=dpd)
    credit(unit, m("2026-09"), dpd=0)
    credit(unit, m("2026-10"), dpd=0)
    result = indicator(unit, "repayment_discipline")
    assert result["values"]["max_dpd"] == dpd
    assert result["sub_score"] == expected


def test_max_dpd_takes_the_largest_dpd_over_accounts_in_r3():
    unit = EnterpriseFactory()
    credit(unit, m("2026-10"), "LN-A", dpd=10)
    credit(unit, m("2026-09"), "LN-B", dpd=45)
    credit(unit, m("2026-10"), "LN-B", dpd=5)
    # x = max(10, 45, 5) = 45 -> bound 60 -> 40
    assert sub(unit, "repayment_discipline") == "40.00"


def test_bounced_instruments_summed_over_r3_records_subtract_10_each():
    unit = EnterpriseFactory()
    credit(unit, m("2026-07"), "LN-A", bounced_instruments=5)  # outside R3
    credit(unit, m("2026-08"), "LN-A", bounced_instruments=1)
    credit(unit, m("2026-10"), "LN-B", bounced_instruments=2)
    result = indicator(unit, "repayment_discipline")
    # dpd 0 -> 100; bounced 1 + 2 = 3 -> 100 - 30 = 70
    assert result["values"]["bounced_instruments"] == 3
    assert result["sub_score"] == "70.00"


def test_bounced_instrument_penalty_is_floored_at_zero():
    unit = EnterpriseFactory()
    credit(unit, m("2026-10"), dpd=45, bounced_instruments=5)
    # dpd 45 -> 40; 40 - 10×5 = -10 -> floored at 0
    assert sub(unit, "repayment_discipline") == "0.00"


def test_max_dpd_has_no_data_without_a_credit_record_in_r3():
    unit = EnterpriseFactory()
    credit(unit, m("2026-07"), dpd=0)
    credit(unit, m("2026-11"), dpd=0)  # M0: not part of R3
    assert_no_data(indicator(unit, "repayment_discipline"))


# == §3 balance_growth ===========================================================================


def test_balance_growth_sums_outstanding_over_accounts():
    unit = EnterpriseFactory()
    credit(unit, m("2026-04"), "LN-A", outstanding=500000)
    credit(unit, m("2026-10"), "LN-A", outstanding=300000)
    credit(unit, m("2026-10"), "LN-B", outstanding=300000)
    credit(unit, m("2026-05"), "LN-B", outstanding=9_000_000)  # neither M0-1 nor M0-7
    result = indicator(unit, "debt_growth")
    # now = 300k + 300k = 600k; then = 500k; x = 0.20
    # curve (0.10, 80)-(0.25, 50): 80 - (0.10/0.15)×30 = 60
    assert result["sub_score"] == "60.00"


def test_balance_growth_then_zero_and_now_zero_scores_100():
    unit = EnterpriseFactory()
    credit(unit, m("2026-04"), outstanding=0)
    credit(unit, m("2026-10"), outstanding=0)
    # then = 0 and now = 0 -> x = 0 -> curve(0) = 100
    assert sub(unit, "debt_growth") == "100.00"


def test_balance_growth_then_zero_and_now_positive_is_no_data():
    unit = EnterpriseFactory()
    credit(unit, m("2026-04"), outstanding=0)
    credit(unit, m("2026-10"), outstanding=1000)
    assert_no_data(indicator(unit, "debt_growth"))


def test_balance_growth_missing_month_is_no_data():
    no_then, no_now = EnterpriseFactory(), EnterpriseFactory()
    credit(no_then, m("2026-10"), outstanding=100000)
    credit(no_then, m("2026-03"), outstanding=100000)  # M0-8, not M0-7
    credit(no_now, m("2026-04"), outstanding=100000)
    credit(no_now, m("2026-09"), outstanding=100000)  # M0-2, not M0-1
    run()
    assert_no_data(assessment(no_then).indicators["debt_growth"])
    assert_no_data(assessment(no_now).indicators["debt_growth"])


def test_balance_growth_fall_in_outstanding_scores_100():
    unit = EnterpriseFactory()
    credit(unit, m("2026-04"), outstanding=500000)
    credit(unit, m("2026-10"), outstanding=400000)
    # x = -0.20 < 0.00, the first x -> 100
    assert sub(unit, "debt_growth") == "100.00"


# == §3 payment_delays ===========================================================================


def test_payment_delays_epfo_part_counts_late_and_missed():
    unit = EnterpriseFactory()  # has an EPFO code, no power connection
    epfo(unit, [m(p) for p in ("2025-11", "2025-12", "2026-01", "2026-03", "2026-05", "2026-07", "2026-10")])
    epfo(unit, [m("2026-02")], remitted_on=date(2026, 3, 16))  # a day after the due date: late
    epfo(unit, [m("2026-09")], remitted_on=T)  # after the due date, on T: late
    # 2026-04: no record -> missed
    epfo(unit, [m("2026-06")], remitted_on=None)  # not remitted -> missed
    epfo(unit, [m("2026-08")], remitted_on=T + timedelta(days=1))  # remitted after T -> missed
    result = indicator(unit, "payment_delays")
    # 100 - 8×2 - 15×3 = 39 (power part has no data: no penalty)
    assert result["sub_score"] == "39.00"
    assert sorted(result["values"]["epfo_late"]) == ["2026-02", "2026-09"]
    assert sorted(result["values"]["epfo_missed"]) == ["2026-04", "2026-06", "2026-08"]


def test_payment_delays_epfo_month_due_on_as_of_itself_is_not_counted():
    unit = EnterpriseFactory()
    epfo(unit, months("2025-10", "2026-09"))  # 2026-10 (due 2026-11-15) never remitted
    # T = 2026-11-15: 2026-10 not due strictly before T -> 2025-10 … 2026-09, all on time: 100
    assert sub(unit, "payment_delays", date(2026, 11, 15)) == "100.00"
    # T = 2026-11-16: 2026-10 counted, missed: 100 - 15 = 85
    assert sub(unit, "payment_delays", date(2026, 11, 16)) == "85.00"


def test_payment_delays_epfo_leaves_out_months_before_commencement_with_no_minimum_count():
    unit = EnterpriseFactory(date_of_commencement=date(2026, 9, 10))
    epfo(unit, [m("2026-09")])
    epfo(unit, [m("2026-10")], remitted_on=date(2026, 11, 16))  # late
    # 2025-11 … 2026-08 end before 2026-09-10: left out (not missed). 2 periods count, no minimum:
    # 100 - 8×1 = 92
    assert sub(unit, "payment_delays") == "92.00"


def test_payment_delays_epfo_record_24_months_before_m0_gives_the_epfo_part_data():
    inside, outside = EnterpriseFactory(), EnterpriseFactory()
    epfo(inside, [m("2024-11")])  # M0-24
    epfo(outside, [m("2024-10")])  # M0-25
    run()
    # inside: 12 wage months 2025-11 … 2026-10 missed: max(0, 100 - 15×12) = 0
    assert assessment(inside).indicators["payment_delays"]["sub_score"] == "0.00"
    assert_no_data(assessment(outside).indicators["payment_delays"])


def test_payment_delays_epfo_part_needs_an_epfo_code():
    unit = EnterpriseFactory(epfo_code=None)
    # An EPFO record linked to the unit anyway (not through its profile): the part still has no data.
    EpfoReturnFactory(enterprise=unit, epfo_code="JKSRG9999999999", wage_month=m("2026-10"), remitted_on=None)
    power(unit, months("2026-05", "2026-10"))  # no arrears
    # power part only: 0 arrear months -> 100 (the EPFO part would have added 12 missed)
    assert sub(unit, "payment_delays") == "100.00"


def test_payment_delays_power_part_counts_arrear_months_over_consumer_numbers():
    unit = EnterpriseFactory(epfo_code=None)
    one, two = PowerConnectionFactory(enterprise=unit), PowerConnectionFactory(enterprise=unit)
    in_arrears = {(one, "2026-04"), (one, "2026-06"), (two, "2026-06"), (two, "2026-08")}
    for connection in (one, two):
        for month in months("2026-04", "2026-10"):
            arrears = 500 if (connection, month.isoformat()[:7]) in in_arrears else 0
            power(unit, [month], arrears=arrears, connection=connection)
    result = indicator(unit, "payment_delays")
    # arrear months of R6: 2026-06 (both connections: one month) and 2026-08; 2026-04 is outside R6
    # 100 - 10×2 = 80
    assert result["values"]["arrear_months"] == 2
    assert result["sub_score"] == "80.00"


def test_payment_delays_combines_the_epfo_and_power_parts():
    unit = EnterpriseFactory()
    epfo(unit, months("2025-11", "2026-09"))
    epfo(unit, [m("2026-10")], remitted_on=date(2026, 11, 20))  # late
    power(unit, [m("2026-05"), m("2026-07"), m("2026-09"), m("2026-10")])
    power(unit, [m("2026-06"), m("2026-08")], arrears=1500)
    # 100 - 8×1 (EPFO late) - 10×2 (arrear months 2026-06, 2026-08) = 72
    assert sub(unit, "payment_delays") == "72.00"


def test_payment_delays_power_part_alone_needs_a_bill_in_r6():
    with_bill, old_bill = EnterpriseFactory(epfo_code=None), EnterpriseFactory(epfo_code=None)
    power(with_bill, [m("2026-05")], arrears=10)
    power(old_bill, [m("2026-04")], arrears=10)  # outside R6
    run()
    # with_bill: one bill in R6, in arrears: 100 - 10 = 90
    assert assessment(with_bill).indicators["payment_delays"]["sub_score"] == "90.00"
    assert_no_data(assessment(old_bill).indicators["payment_delays"])


def test_payment_delays_has_no_data_when_neither_part_has_data():
    no_code = EnterpriseFactory(epfo_code=None)
    no_records = EnterpriseFactory()  # EPFO code but no EPFO record, no power bill
    run()
    assert_no_data(assessment(no_code).indicators["payment_delays"])
    assert_no_data(assessment(no_records).indicators["payment_delays"])


# == §3 margin_change ============================================================================


def _three_years(unit):
    year(unit, "2023-24", 10_000_000, 1_000_000)  # margin 10%
    year(unit, "2024-25", 10_000_000, 800_000)  # margin 8%
    year(unit, "2025-26", 10_000_000, 200_000)  # margin 2%


def test_margin_change_on_31_march_uses_the_year_before():
    unit = EnterpriseFactory()
    _three_years(unit)
    # T = 2026-03-31: FY 2025-26 ends on T, not before it; latest = 2024-25 (8%), previous 2023-24 (10%)
    # x = (0.10 - 0.08)×100 = 2 -> curve point (2, 75)
    assert sub(unit, "profitability", date(2026, 3, 31)) == "75.00"


def test_margin_change_on_1_april_uses_the_year_just_ended():
    unit = EnterpriseFactory()
    _three_years(unit)
    # T = 2026-04-01: latest = 2025-26 (2%), previous 2024-25 (8%): x = 6
    # curve (5, 50)-(10, 20): 50 - (1/5)×30 = 44
    assert sub(unit, "profitability", date(2026, 4, 1)) == "44.00"


def test_margin_change_ignores_a_year_not_ended_before_as_of():
    unit = EnterpriseFactory()
    year(unit, "2024-25", 10_000_000, 1_000_000)  # 10%
    year(unit, "2025-26", 10_000_000, 800_000)  # 8%
    year(unit, "2026-27", 10_000_000, -500_000)  # ends 2027-03-31, after T: ignored (else loss -> 20)
    # x = 10 - 8 = 2 -> 75
    assert sub(unit, "profitability") == "75.00"


def test_margin_change_loss_scores_loss_score_with_or_without_previous_year():
    with_prev, alone = EnterpriseFactory(), EnterpriseFactory()
    year(with_prev, "2024-25", 10_000_000, 1_000_000)
    year(with_prev, "2025-26", 10_000_000, -100_000)
    year(alone, "2025-26", 10_000_000, -1)
    run()
    assert assessment(with_prev).indicators["profitability"]["sub_score"] == "20.00"
    assert assessment(alone).indicators["profitability"]["sub_score"] == "20.00"


def test_margin_change_latest_revenue_not_positive_is_no_data_even_with_a_loss():
    unit = EnterpriseFactory()
    year(unit, "2024-25", 10_000_000, 1_000_000)
    year(unit, "2025-26", 0, -50_000)
    assert_no_data(indicator(unit, "profitability"))


def test_margin_change_previous_revenue_not_positive_is_no_data():
    unit = EnterpriseFactory()
    year(unit, "2024-25", 0, 0)
    year(unit, "2025-26", 10_000_000, 800_000)
    assert_no_data(indicator(unit, "profitability"))


def test_margin_change_missing_previous_year_is_no_data():
    alone, gap = EnterpriseFactory(), EnterpriseFactory()
    year(alone, "2025-26", 10_000_000, 800_000)
    year(gap, "2023-24", 10_000_000, 1_000_000)  # not the year immediately before 2025-26
    year(gap, "2025-26", 10_000_000, 800_000)
    run()
    assert_no_data(assessment(alone).indicators["profitability"])
    assert_no_data(assessment(gap).indicators["profitability"])


def test_margin_change_fall_is_read_from_the_curve():
    unit = EnterpriseFactory()
    year(unit, "2024-25", 10_000_000, 1_200_000)  # 12%
    year(unit, "2025-26", 10_000_000, 850_000)  # 8.5%
    # x = 12 - 8.5 = 3.5 points; curve (2, 75)-(5, 50): 75 - (1.5/3)×25 = 62.5
    assert sub(unit, "profitability") == "62.50"


def test_margin_change_rise_scores_100_and_zero_margin_is_not_a_loss():
    rise, zero = EnterpriseFactory(), EnterpriseFactory()
    year(rise, "2024-25", 10_000_000, 500_000)  # 5%
    year(rise, "2025-26", 10_000_000, 900_000)  # 9%: x = -4 < 0 -> 100
    year(zero, "2024-25", 10_000_000, 500_000)  # 5%
    year(zero, "2025-26", 10_000_000, 0)  # 0%: not negative (no loss_score 20); x = 5 -> curve point (5, 50)
    run()
    assert assessment(rise).indicators["profitability"]["sub_score"] == "100.00"
    assert assessment(zero).indicators["profitability"]["sub_score"] == "50.00"


# == §4.1 applies_to and §4.2 coverage ===========================================================


def test_power_trend_not_applicable_to_services_unit_drops_out_of_coverage():
    units = {activity: EnterpriseFactory(major_activity=activity) for activity in ("manufacturing", "services")}
    for unit in units.values():
        gst_history(unit, 100000)  # turnover_trend 20 + gst_filing_regularity 10
        credit_r3(unit)  # repayment_discipline 20
        power(unit, months("2026-05", "2026-10"))  # payment_delays 10; power_trend: nothing in P6
    run()
    mfg, svc = assessment(units["manufacturing"]), assessment(units["services"])
    assert mfg.indicators["power_trend"]["status"] == "no_data"
    assert svc.indicators["power_trend"]["status"] == "not_applicable"
    assert svc.indicators["power_trend"]["sub_score"] is None
    # manufacturing: 100 × 60 / 100 = 60.00; services: 100 × 60 / 95 = 63.157… -> 63.16
    assert mfg.coverage == Decimal("60.00")
    assert svc.coverage == Decimal("63.16")


def test_power_trend_with_data_is_still_not_applicable_to_a_trading_unit():
    unit = EnterpriseFactory(major_activity="trading")
    power(unit, months("2025-05", "2025-10"), units_kwh=1000)
    power(unit, months("2026-05", "2026-10"), units_kwh=800)
    a = scored(unit)
    assert a.indicators["power_trend"]["status"] == "not_applicable"
    # only payment_delays (10) has data, out of 95 applicable: 100 × 10/95 = 10.526… -> 10.53
    assert a.coverage == Decimal("10.53")
    assert a.score == Decimal("100.00")


def test_score_and_coverage_of_a_unit_with_every_indicator():
    unit = EnterpriseFactory(major_activity="manufacturing")
    gst_history(unit, 80000)  # turnover: x = -0.20 -> 51.666…; filing: 12 on time -> 100
    for month in months("2025-08", "2025-10"):
        credit(unit, month, credits=100000)
    credit(unit, m("2026-04"), outstanding=500000, credits=0)
    credit(unit, m("2026-08"), credits=90000)
    credit(unit, m("2026-09"), credits=90000)
    credit(unit, m("2026-10"), credits=90000, outstanding=550000)
    # repayment: dpd 0 -> 100; debt: 550k/500k - 1 = 0.10 -> 80; cash: 90k/100k - 1 = -0.10 -> 75
    epfo(unit, months("2025-08", "2025-10"), members=10)
    epfo(unit, months("2025-11", "2026-07"), members=9)
    epfo(unit, months("2026-08", "2026-10"), members=8)
    # employment: 8/10 - 1 = -0.20 -> 46.666…; payment_delays: EPFO all on time, no arrears -> 100
    connection = power(unit, months("2025-05", "2025-10"), units_kwh=1000)
    power(unit, months("2026-05", "2026-10"), units_kwh=900, connection=connection)
    # power_trend: 900/1000 - 1 = -0.10 -> 75
    year(unit, "2024-25", 10_000_000, 1_000_000)
    year(unit, "2025-26", 10_000_000, 800_000)
    # profitability: x = 2 -> 75
    a = scored(unit)
    subs = {code: r["sub_score"] for code, r in a.indicators.items()}
    assert subs == {
        "turnover_trend": "51.67",
        "gst_filing_regularity": "100.00",
        "repayment_discipline": "100.00",
        "debt_growth": "80.00",
        "cash_inflow_trend": "75.00",
        "employment_trend": "46.67",
        "payment_delays": "100.00",
        "power_trend": "75.00",
        "profitability": "75.00",
    }
    # score = (20×51.666… + 10×100 + 20×100 + 10×80 + 10×75 + 10×46.666… + 10×100 + 5×75 + 5×75) / 100
    #       = (1033.333… + 466.666… + 1000 + 2000 + 800 + 750 + 1000 + 375 + 375) / 100 = 7800/100 = 78.00
    assert a.score == Decimal("78.00")
    assert a.coverage == Decimal("100.00")
    assert a.band == "stable"
    # employment_trend 46.67 < 50 is a distress signal; turnover_trend 51.67 is not
    assert a.distress == ["employment_trend"]
    assert a.overrides == []


def test_unit_without_any_data_has_no_score_and_zero_coverage():
    a = scored(EnterpriseFactory(epfo_code=None, gstin=None))
    assert a.score is None
    assert a.coverage == Decimal("0.00")
    assert a.band == "insufficient_data"
    assert a.distress == []


# == rounding (§3, §4.2) =========================================================================


def test_sub_score_is_rounded_half_up_to_two_decimals():
    unit = EnterpriseFactory()
    gst(unit, months("2026-05", "2026-10"), 90002)
    gst(unit, months("2025-05", "2025-10"), 100000)
    # x = 90002/100000 - 1 = -0.09998; curve (-0.10, 75)-(0, 100): 75 + 0.00002×250 = 75.005 -> 75.01 (half-up)
    assert sub(unit, "turnover_trend") == "75.01"


def _exact_43_125_unit():
    # commenced 2026-06-01: only 5 GST periods count, so gst_filing_regularity has no data and the
    # score is turnover_trend alone.
    unit = EnterpriseFactory(date_of_commencement=date(2026, 6, 1))
    gst(unit, months("2026-05", "2026-10"), 171000)
    gst(unit, months("2025-05", "2025-10"), 224000)
    # x = 171000/224000 - 1 = -53/224 (= -0.236607142857…, a non-terminating decimal)
    # curve (-0.25, 40)-(-0.10, 75): 40 + (x + 0.25)×35/0.15 = 40 + (3/224)×(700/3) = 40 + 700/224 = 43.125 exactly
    a = scored(unit)
    assert a.indicators["gst_filing_regularity"]["status"] == "no_data"
    return a


def test_sub_score_is_rounded_half_up_from_the_exact_value_when_the_ratio_does_not_terminate():
    # 43.125 half-up -> 43.13
    assert _exact_43_125_unit().indicators["turnover_trend"]["sub_score"] == "43.13"


def test_score_is_rounded_half_up_from_the_exact_value_when_a_sub_score_does_not_terminate():
    # score = 20×43.125/20 = 43.125 -> 43.13
    assert _exact_43_125_unit().score == Decimal("43.13")


def test_score_is_rounded_half_up_from_an_unrounded_x_xx5():
    unit = EnterpriseFactory()
    gst_history(unit, 90003, late=["2026-01"])
    a = scored(unit)
    # turnover: x = -0.09997 -> 75 + 0.00003×250 = 75.0075 (reported 75.01)
    # filing: one late -> 90
    # score = (20×75.0075 + 10×90) / 30 = (1500.15 + 900)/30 = 80.005 -> 80.01 (half-up; half-even gives 80.00)
    assert a.indicators["turnover_trend"]["sub_score"] == "75.01"
    assert a.score == Decimal("80.01")


def test_score_uses_unrounded_sub_scores():
    unit = EnterpriseFactory()
    gst_history(unit, 90002, late=["2026-01"])
    a = scored(unit)
    # turnover 75.005 (reported 75.01), filing 90
    # score = (20×75.005 + 900)/30 = 2400.1/30 = 80.00333… -> 80.00
    # (rounding the sub-score first would give (1500.2 + 900)/30 = 80.00666… -> 80.01)
    assert a.score == Decimal("80.00")


# == re-running ==================================================================================


def test_rerunning_the_same_scoring_replaces_the_assessment_never_duplicates():
    unit = EnterpriseFactory()
    gst(unit, months("2025-11", "2026-10"))
    first = scored(unit)
    assert first.indicators["gst_filing_regularity"]["sub_score"] == "100.00"
    GstReturn.objects.filter(enterprise=unit, period=m("2026-10")).update(filed_on=None)
    second = scored(unit)
    assert Assessment.objects.filter(enterprise=unit, as_of=T, model=scoring_model_get()).count() == 1
    assert second.pk == first.pk
    assert second.indicators["gst_filing_regularity"]["sub_score"] == "80.00"
    scored(unit)
    assert Assessment.objects.filter(enterprise=unit).count() == 1
