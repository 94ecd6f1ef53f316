"""The measures of SCORING.md §3: from a unit's gathered inputs to a sub-score.

Each measure kind is one function `(indicator, inputs, facts, as_of) -> Measured`, where
`indicator` is the indicator's entry in the model (model-v1.yaml) and `inputs` is the plain
dict the selector gathered for it (documented on each function). Sub-scores are returned
unrounded; the engine rounds what it reports.
"""

from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from functools import wraps
from itertools import pairwise

from .numbers import CONTEXT, div, exact
from .windows import due_periods, latest_year_end_before
from .wording import NO_DATA, SCORED, explain

ON_TIME, LATE = 2, 1  # period statuses the selector reports; anything else (None, 0) is missed


@dataclass
class Measured:
    sub_score: Decimal | None  # exact; None: no data
    values: dict = field(default_factory=dict)
    explanation: str = ""

    @property
    def has_data(self) -> bool:
        return self.sub_score is not None


def _exact_context(measure):
    """Run a measure in the 50-digit context its rounding relies on (numbers.py)."""

    @wraps(measure)
    def run(indicator, inputs, facts, as_of):
        with localcontext(CONTEXT):
            return measure(indicator, inputs, facts, as_of)

    return run


def no_data(indicator: dict, **values) -> Measured:
    return Measured(None, values, explain(indicator, NO_DATA, values))


def scored(indicator: dict, sub_score: Decimal, values: dict) -> Measured:
    return Measured(sub_score, values, explain(indicator, SCORED, values))


# -- scoring shapes (model-v1.yaml, comments above `indicators`) --------------------------


_COMPILED: dict[int, tuple] = {}


def _points(points) -> list[tuple[Decimal, Decimal]]:
    """The model's points as Decimals, converted once per model definition (scoring is hot)."""
    cached = _COMPILED.get(id(points))
    if cached is None or cached[0] is not points:
        if len(_COMPILED) > 256:  # definitions are reloaded per chunk: keep the cache small
            _COMPILED.clear()
        cached = (points, [(exact(px), exact(ps)) for px, ps in points])
        _COMPILED[id(points)] = cached
    return cached[1]


def curve(points, x) -> Decimal:
    """Piecewise-linear through [x, score] points sorted by x, flat beyond both ends."""
    pts = _points(points)
    x = exact(x)
    if x <= pts[0][0]:
        return pts[0][1]
    for (x0, s0), (x1, s1) in pairwise(pts):
        if x <= x1:
            return s0 + (x - x0) * (s1 - s0) / (x1 - x0)  # in CONTEXT (engine.assess)
    return pts[-1][1]


def steps(pairs, otherwise, x) -> Decimal:
    """The score of the first bound that x does not exceed; above every bound, `otherwise`."""
    x = exact(x)
    for bound, score in _points(pairs):
        if x <= bound:
            return score
    return exact(otherwise)


def _floor0(value) -> Decimal:
    return max(Decimal(0), exact(value))


def _num(value) -> float:
    """A measured value as the report card's words show it: the float nearest the exact figure
    (for words only; scores are computed from the exact figures)."""
    return float(value)


# -- yoy_mean_change ------------------------------------------------------------------------


@_exact_context
def yoy_mean_change(indicator, inputs, facts, as_of) -> Measured:
    """inputs: recent_total, recent_months, prior_total, prior_months: the sum of the month
    values over R_n and P_n and the number of months with a value in each."""
    measure = indicator["measure"]
    n, k = measure["window_months"], measure["min_months"]
    rn, pn = inputs["recent_months"], inputs["prior_months"]
    values = {"recent_months": rn, "prior_months": pn, "window_months": n}
    if rn < k or pn < k:
        return no_data(indicator, **values)
    rt, pt = exact(inputs["recent_total"]), exact(inputs["prior_total"])
    if pt == 0:
        return no_data(indicator, **values)
    x = (rt * pn) / (pt * rn) - 1
    values.update(recent_mean=_num(rt / rn), prior_mean=_num(pt / pn), change=_num(x))
    return scored(indicator, curve(indicator["curve"], x), values)


# -- filing_regularity and the EPFO part of payment_delays ----------------------------------


def _period_counts(statuses, commencement):
    """Counts on time / late / missed over the due periods the unit had started by."""
    on_time, late, missed = [], [], []
    # A period ending before the date of commencement is left out: it counts from the month of
    # commencement on (windows.started_by); ISO dates compare as strings.
    first = commencement.replace(day=1).isoformat() if commencement else ""
    for period_iso, status in statuses:
        if period_iso < first:
            continue
        if status == ON_TIME:
            on_time.append(period_iso[:7])
        elif status == LATE:
            late.append(period_iso[:7])
        else:
            missed.append(period_iso[:7])
    return on_time, late, missed


@_exact_context
def filing_regularity(indicator, inputs, facts, as_of) -> Measured:
    """inputs: statuses [(period ISO date, status)] for the model's due periods (windows.due_periods),
    status 2 on time, 1 late, None/0 missed; history_records: GST records in the 24 months before M0."""
    measure = indicator["measure"]
    if not facts.has_gstin:
        return no_data(indicator, has_gstin=False)
    if not inputs["history_records"]:
        return no_data(indicator, history_records=0)
    on_time, late, missed = _period_counts(inputs["statuses"], facts.date_of_commencement)
    counted = len(on_time) + len(late) + len(missed)
    values = {"periods": counted, "on_time": len(on_time), "late": late, "missed": missed}
    if counted < measure["min_periods"]:
        return no_data(indicator, **values)
    penalty = indicator["penalty"]
    return scored(indicator, _floor0(100 - penalty["late"] * len(late) - penalty["missed"] * len(missed)), values)


# -- max_dpd -------------------------------------------------------------------------------


@_exact_context
def max_dpd(indicator, inputs, facts, as_of) -> Measured:
    """inputs: max_dpd (largest dpd over the unit's credit records in R_n, None if none),
    bounced (bounced instruments summed over those records)."""
    if inputs["max_dpd"] is None:
        return no_data(indicator)
    worst, bounced = int(inputs["max_dpd"]), int(inputs["bounced"] or 0)
    base = steps(indicator["steps"], indicator["otherwise"], worst)
    score = _floor0(base - indicator["penalty"]["bounced_instrument"] * bounced)
    return scored(indicator, score, {"max_dpd": worst, "bounced_instruments": bounced})


# -- balance_growth ------------------------------------------------------------------------


@_exact_context
def balance_growth(indicator, inputs, facts, as_of) -> Measured:
    """inputs: now_total/now_records (the field summed over M0-1 records) and
    then_total/then_records (the same for M0-1-months_apart)."""
    if not inputs["now_records"] or not inputs["then_records"]:
        return no_data(indicator)
    now, then = exact(inputs["now_total"]), exact(inputs["then_total"])
    values = {"now": _num(now), "then": _num(then)}
    if then == 0:
        if now != 0:
            return no_data(indicator, **values)
        x = Decimal(0)
    else:
        x = div(now, then) - 1
    values["change"] = _num(x)
    return scored(indicator, curve(indicator["curve"], x), values)


# -- payment_delays ------------------------------------------------------------------------


@_exact_context
def payment_delays(indicator, inputs, facts, as_of) -> Measured:
    """inputs: epfo_statuses as for filing_regularity (EPFO due periods), epfo_history_records
    (EPFO records in the 24 months before M0), power_bills (bills in R_6), arrear_months
    (months of R_6 with a bill in arrears)."""
    penalty = indicator["penalty"]
    epfo_part = facts.has_epfo_code and bool(inputs["epfo_history_records"])
    power_part = bool(inputs["power_bills"])
    if not epfo_part and not power_part:
        return no_data(indicator)
    score, values = 100, {}
    if epfo_part:
        _, late, missed = _period_counts(inputs["epfo_statuses"], facts.date_of_commencement)
        score -= penalty["epfo_late"] * len(late) + penalty["epfo_missed"] * len(missed)
        values.update(epfo_late=late, epfo_missed=missed)
    if power_part:
        arrears = int(inputs["arrear_months"])
        score -= penalty["power_arrear_month"] * arrears
        values["arrear_months"] = arrears
    return scored(indicator, _floor0(score), values)


# -- margin_change -------------------------------------------------------------------------


@_exact_context
def margin_change(indicator, inputs, facts, as_of) -> Measured:
    """inputs: years {year_end: (revenue, net_profit)}, the unit's financial-year records."""
    cutoff = latest_year_end_before(as_of)
    years = {int(y): v for y, v in inputs["years"].items() if int(y) <= cutoff}
    if not years:
        return no_data(indicator)
    latest = max(years)
    revenue, profit = (exact(v) for v in years[latest])
    label = f"{latest - 1}-{latest % 100:02d}"
    if revenue <= 0:
        return no_data(indicator, year=label)
    margin = div(profit, revenue)
    values = {"year": label, "margin": _points_of(margin)}
    if margin < 0:
        return scored(indicator, exact(indicator["loss_score"]), values)
    prev = years.get(latest - 1)
    if prev is None or exact(prev[0]) <= 0:
        return no_data(indicator, **values)
    prev_margin = div(prev[1], prev[0])
    x = (prev_margin - margin) * 100
    values.update(previous_margin=_points_of(prev_margin), fall_points=_num(x))
    return scored(indicator, curve(indicator["curve"], x), values)


def _points_of(fraction) -> float:
    """A margin in percent as the words show it (the float of the fraction, times 100)."""
    return float(fraction) * 100


MEASURES = {
    "yoy_mean_change": yoy_mean_change,
    "filing_regularity": filing_regularity,
    "max_dpd": max_dpd,
    "balance_growth": balance_growth,
    "payment_delays": payment_delays,
    "margin_change": margin_change,
}


def epfo_due_periods(measure, as_of):
    return due_periods(as_of, measure.get("epfo_periods", 12), measure.get("epfo_due_day", 15))
