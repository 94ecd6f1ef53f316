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

from .numbers import CONTEXT, div, exact, percent, rupees
from .windows import due_periods, latest_year_end_before

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


def no_data(explanation: str, **values) -> Measured:
    return Measured(None, values, f"No data: {explanation}.")


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


def _num(value) -> float | int | None:
    """A JSON-friendly number for the report card's measured values."""
    if value is None or type(value) is int:
        return value
    return round(float(value), 4)


# -- yoy_mean_change ------------------------------------------------------------------------

_FIELD_NOUNS = {
    "taxable_turnover": ("GST turnover", "rupees"),
    "credits": ("Bank credits (cash inflows)", "rupees"),
    "members": ("EPFO members", "members"),
    "units_kwh": ("Power consumption", "kwh"),
    "wages": ("EPFO wages", "rupees"),
    "tax_paid": ("GST paid", "rupees"),
    "billed": ("Power billing", "rupees"),
    "outstanding": ("Outstanding loans", "rupees"),
}


def _quantity(value: Decimal, unit: str) -> str:
    if unit == "rupees":
        return rupees(value)
    whole = f"{float(value):,.0f}"
    return f"{whole} members" if unit == "members" else f"{whole} kWh"


@_exact_context
def yoy_mean_change(indicator, inputs, facts, as_of) -> Measured:
    """inputs: recent_total, recent_months, prior_total, prior_months: the sum of the month
    values over R_n and P_n and the number of months with a value in each."""
    measure = indicator["measure"]
    n, k = measure["window_months"], measure["min_months"]
    rn, pn = inputs["recent_months"], inputs["prior_months"]
    values = {"recent_months": rn, "prior_months": pn, "window_months": n}
    if rn < k or pn < k:
        return no_data(
            f"{rn} of the last {n} months and {pn} of the same months a year before have a value; "
            f"at least {k} of each are needed",
            **values,
        )
    rt, pt = exact(inputs["recent_total"]), exact(inputs["prior_total"])
    if pt == 0:
        return no_data("the same months a year before average zero", **values)
    recent_mean, prior_mean = rt / rn, pt / pn
    x = (rt * pn) / (pt * rn) - 1
    values.update(recent_mean=_num(recent_mean), prior_mean=_num(prior_mean), change=_num(x))
    noun, unit = _FIELD_NOUNS.get(measure["field"], (indicator.get("label", measure["field"]), "rupees"))
    per_month = " a month" if unit != "members" else ""
    now, then = _quantity(recent_mean, unit), _quantity(prior_mean, unit)
    if x < 0:
        text = f"{noun} fell {percent(x)} year on year: average {now}{per_month}, down from {then}"
    elif x > 0:
        text = f"{noun} rose {percent(x)} year on year: average {now}{per_month}, up from {then}"
    else:
        text = f"{noun} held steady year on year: average {now}{per_month}"
    return Measured(curve(indicator["curve"], x), values, text)


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


def _listing(months: list[str]) -> str:
    return f" ({', '.join(months)})" if months else ""


@_exact_context
def filing_regularity(indicator, inputs, facts, as_of) -> Measured:
    """inputs: statuses [(period ISO date, status)] for the model's due periods (windows.due_periods),
    status 2 on time, 1 late, None/0 missed; history_records: GST records in the 24 months before M0."""
    measure = indicator["measure"]
    if not facts.has_gstin:
        return no_data("the unit has no GSTIN")
    if not inputs["history_records"]:
        return no_data("no GST record in the 24 months before this month")
    on_time, late, missed = _period_counts(inputs["statuses"], facts.date_of_commencement)
    counted = len(on_time) + len(late) + len(missed)
    values = {"periods": counted, "on_time": len(on_time), "late": late, "missed": missed}
    if counted < measure["min_periods"]:
        return no_data(
            f"only {counted} return periods since the unit began; at least {measure['min_periods']} needed",
            **values,
        )
    penalty = indicator["penalty"]
    score = _floor0(100 - penalty["late"] * len(late) - penalty["missed"] * len(missed))
    text = (
        f"GST returns for the last {counted} periods: {len(on_time)} filed on time, "
        f"{len(late)} late{_listing(late)}, {len(missed)} not filed{_listing(missed)}"
    )
    return Measured(score, values, text)


# -- max_dpd -------------------------------------------------------------------------------


@_exact_context
def max_dpd(indicator, inputs, facts, as_of) -> Measured:
    """inputs: max_dpd (largest dpd over the unit's credit records in R_n, None if none),
    bounced (bounced instruments summed over those records)."""
    n = indicator["measure"]["window_months"]
    if inputs["max_dpd"] is None:
        return no_data(f"no loan account record in the last {n} months")
    worst, bounced = int(inputs["max_dpd"]), int(inputs["bounced"] or 0)
    base = steps(indicator["steps"], indicator["otherwise"], worst)
    score = _floor0(base - indicator["penalty"]["bounced_instrument"] * bounced)
    text = f"Loan repayment over the last {n} months: at most {worst} days past due"
    text += f", {bounced} bounced instrument{'s' if bounced != 1 else ''}" if bounced else ", no bounced instrument"
    return Measured(score, {"max_dpd": worst, "bounced_instruments": bounced}, text)


# -- balance_growth ------------------------------------------------------------------------


@_exact_context
def balance_growth(indicator, inputs, facts, as_of) -> Measured:
    """inputs: now_total/now_records (the field summed over M0-1 records) and
    then_total/then_records (the same for M0-1-months_apart)."""
    apart = indicator["measure"]["months_apart"]
    if not inputs["now_records"] or not inputs["then_records"]:
        return no_data(f"no loan record for last month or for {apart} months before it")
    now, then = exact(inputs["now_total"]), exact(inputs["then_total"])
    values = {"now": _num(now), "then": _num(then)}
    if then == 0:
        if now != 0:
            return no_data(f"nothing was outstanding {apart} months ago", **values)
        x = Decimal(0)
    else:
        x = div(now, then) - 1
    values["change"] = _num(x)
    if x > 0:
        text = f"Outstanding loans grew {percent(x)} in {apart} months: {rupees(now)} now, up from {rupees(then)}"
    elif x < 0:
        text = f"Outstanding loans fell {percent(x)} in {apart} months: {rupees(now)} now, down from {rupees(then)}"
    else:
        text = f"Outstanding loans unchanged over {apart} months: {rupees(now)}"
    return Measured(curve(indicator["curve"], x), values, text)


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
        return no_data("no EPFO remittance history and no power bill in the last 6 months")
    score, parts, values = 100, [], {}
    if epfo_part:
        _, late, missed = _period_counts(inputs["epfo_statuses"], facts.date_of_commencement)
        score -= penalty["epfo_late"] * len(late) + penalty["epfo_missed"] * len(missed)
        values.update(epfo_late=late, epfo_missed=missed)
        parts.append(
            f"EPFO dues paid late in {len(late)} months{_listing(late)}, not paid in {len(missed)}{_listing(missed)}"
        )
    if power_part:
        arrears = int(inputs["arrear_months"])
        score -= penalty["power_arrear_month"] * arrears
        values["arrear_months"] = arrears
        parts.append(f"power bill in arrears in {arrears} of the last 6 months")
    text = "; ".join(parts)
    return Measured(_floor0(score), values, text[:1].upper() + text[1:])


# -- margin_change -------------------------------------------------------------------------


@_exact_context
def margin_change(indicator, inputs, facts, as_of) -> Measured:
    """inputs: years {year_end: (revenue, net_profit)}, the unit's financial-year records."""
    cutoff = latest_year_end_before(as_of)
    years = {int(y): v for y, v in inputs["years"].items() if int(y) <= cutoff}
    if not years:
        return no_data("no financial year ended before the as-of date")
    latest = max(years)
    revenue, profit = (exact(v) for v in years[latest])
    label = f"{latest - 1}-{latest % 100:02d}"
    if revenue <= 0:
        return no_data(f"no revenue reported for {label}")
    margin = div(profit, revenue)
    values = {"year": label, "margin": _num(margin * 100)}
    if margin < 0:
        text = f"Net loss in {label}: margin {_pct(margin)}"
        return Measured(exact(indicator["loss_score"]), values, text)
    prev = years.get(latest - 1)
    if prev is None or exact(prev[0]) <= 0:
        return no_data(f"no usable financials for the year before {label}", **values)
    prev_margin = div(prev[1], prev[0])
    x = (prev_margin - margin) * 100
    values.update(previous_margin=_num(prev_margin * 100), fall_points=_num(x))
    text = f"Net profit margin {_pct(margin)} in {label}, against {_pct(prev_margin)} the year before"
    return Measured(curve(indicator["curve"], x), values, text)


def _pct(fraction) -> str:
    return f"{float(fraction) * 100:.1f}%"


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
