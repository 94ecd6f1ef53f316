"""The report card's plain words (SCORING.md §4.5), from an indicator's stored measured values.

A measure (measures.py, or the SQL form of the rules in scoring/sql.py) stores what it measured;
these functions say it in words, for the report card and for the rules' own results, so that the
words shown are the same whoever computed the values. Floats here are for display only: each is
the one the measure computed from the exact figure (its `values`), never an input to a score.
"""

from ..choices import IndicatorStatus
from .numbers import percent, rupees

# The indicator statuses of scoring.choices.IndicatorStatus, as the plain strings the rules store.
NOT_APPLICABLE, NO_DATA, SCORED = (
    IndicatorStatus.NOT_APPLICABLE.value,
    IndicatorStatus.NO_DATA.value,
    IndicatorStatus.SCORED.value,
)

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


def explain(indicator: dict, status: str, values: dict) -> str:
    """The explanation of one indicator's result: `indicator` is its entry in the model, `status`
    scored / no_data / not_applicable, `values` what its measure stored."""
    if status == NOT_APPLICABLE:
        return "Does not apply to this unit."
    words = _WORDS[indicator["measure"]["kind"]](indicator, values or {}, status == SCORED)
    return words if status == SCORED else f"No data: {words}."


def _quantity(value, unit: str) -> str:
    if unit == "rupees":
        return rupees(value)
    whole = f"{float(value):,.0f}"
    return f"{whole} members" if unit == "members" else f"{whole} kWh"


def _yoy_mean_change(indicator, values, scored):
    measure = indicator["measure"]
    n, k = measure["window_months"], measure["min_months"]
    rn, pn = values.get("recent_months", 0), values.get("prior_months", 0)
    if not scored:
        if rn < k or pn < k:
            return (
                f"{rn} of the last {n} months and {pn} of the same months a year before have a value; "
                f"at least {k} of each are needed"
            )
        return "the same months a year before average zero"
    noun, unit = _FIELD_NOUNS.get(measure["field"], (indicator.get("label", measure["field"]), "rupees"))
    per_month = " a month" if unit != "members" else ""
    now, then = _quantity(values["recent_mean"], unit), _quantity(values["prior_mean"], unit)
    x = values["change"]
    if x < 0:
        return f"{noun} fell {percent(x)} year on year: average {now}{per_month}, down from {then}"
    if x > 0:
        return f"{noun} rose {percent(x)} year on year: average {now}{per_month}, up from {then}"
    return f"{noun} held steady year on year: average {now}{per_month}"


def _listing(months: list[str]) -> str:
    return f" ({', '.join(months)})" if months else ""


def _filing_regularity(indicator, values, scored):
    if "periods" not in values:
        if values.get("has_gstin") is False:
            return "the unit has no GSTIN"
        return "no GST record in the 24 months before this month"
    counted, late, missed = values["periods"], values["late"], values["missed"]
    if not scored:
        return (
            f"only {counted} return periods since the unit began; at least {indicator['measure']['min_periods']} needed"
        )
    return (
        f"GST returns for the last {counted} periods: {values['on_time']} filed on time, "
        f"{len(late)} late{_listing(late)}, {len(missed)} not filed{_listing(missed)}"
    )


def _max_dpd(indicator, values, scored):
    n = indicator["measure"]["window_months"]
    if not scored:
        return f"no loan account record in the last {n} months"
    worst, bounced = values["max_dpd"], values["bounced_instruments"]
    text = f"Loan repayment over the last {n} months: at most {worst} days past due"
    return text + (
        f", {bounced} bounced instrument{'s' if bounced != 1 else ''}" if bounced else ", no bounced instrument"
    )


def _balance_growth(indicator, values, scored):
    apart = indicator["measure"]["months_apart"]
    if not scored:
        if "then" in values:
            return f"nothing was outstanding {apart} months ago"
        return f"no loan record for last month or for {apart} months before it"
    now, then, x = rupees(values["now"]), rupees(values["then"]), values["change"]
    if x > 0:
        return f"Outstanding loans grew {percent(x)} in {apart} months: {now} now, up from {then}"
    if x < 0:
        return f"Outstanding loans fell {percent(x)} in {apart} months: {now} now, down from {then}"
    return f"Outstanding loans unchanged over {apart} months: {now}"


def _payment_delays(indicator, values, scored):
    if not scored:
        return "no EPFO remittance history and no power bill in the last 6 months"
    parts = []
    if "epfo_late" in values:
        late, missed = values["epfo_late"], values["epfo_missed"]
        parts.append(
            f"EPFO dues paid late in {len(late)} months{_listing(late)}, not paid in {len(missed)}{_listing(missed)}"
        )
    if "arrear_months" in values:
        parts.append(f"power bill in arrears in {values['arrear_months']} of the last 6 months")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def _pct(points) -> str:
    return f"{points:.1f}%"


def _margin_change(indicator, values, scored):
    label = values.get("year")
    if label is None:
        return "no financial year ended before the as-of date"
    if "margin" not in values:
        return f"no revenue reported for {label}"
    if not scored:
        return f"no usable financials for the year before {label}"
    if "previous_margin" not in values:
        return f"Net loss in {label}: margin {_pct(values['margin'])}"
    return (
        f"Net profit margin {_pct(values['margin'])} in {label}, "
        f"against {_pct(values['previous_margin'])} the year before"
    )


_WORDS = {
    "yoy_mean_change": _yoy_mean_change,
    "filing_regularity": _filing_regularity,
    "max_dpd": _max_dpd,
    "balance_growth": _balance_growth,
    "payment_delays": _payment_delays,
    "margin_change": _margin_change,
}
