"""From sub-scores to score, coverage, band, overrides and distress signals (SCORING.md §4)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext

from ..choices import Band
from .measures import MEASURES, Measured
from .numbers import CONTEXT, below, exact, round2
from .wording import NO_DATA, NOT_APPLICABLE, SCORED


@dataclass
class UnitFacts:
    """What the rules know of one unit as of T: profile attributes and, per indicator code,
    the plain inputs its measure reads (see measures.py), plus the largest dpd in R_3."""

    major_activity: str
    date_of_commencement: date | None
    has_gstin: bool
    has_epfo_code: bool
    inputs: dict[str, dict]
    max_dpd_r3: int | None = None
    category: str = ""


@dataclass
class IndicatorResult:
    status: str
    sub_score: Decimal | None = None  # exact, unrounded
    values: dict = field(default_factory=dict)
    explanation: str = ""

    def as_json(self) -> dict:
        """What an assessment stores: the words are made from `values` when the card is shown
        (wording.explain), the same words `explanation` holds."""
        return {
            "status": self.status,
            "sub_score": None if self.sub_score is None else str(round2(self.sub_score)),
            "values": self.values,
        }


@dataclass
class AssessmentResult:
    score: Decimal | None
    coverage: Decimal
    band: str
    indicators: dict[str, IndicatorResult]
    distress: list[str]
    overrides: list[dict]


def applies(indicator: dict, facts: UnitFacts) -> bool:
    """`applies_to` (§4.1): every named attribute of the unit must be among the listed values."""
    for attribute, allowed in (indicator.get("applies_to") or {}).items():
        if getattr(facts, attribute) not in allowed:
            return False
    return True


def measure(code: str, indicator: dict, facts: UnitFacts, as_of: date) -> IndicatorResult:
    if not applies(indicator, facts):
        return IndicatorResult(NOT_APPLICABLE, explanation="Does not apply to this unit.")
    kind = indicator["measure"]["kind"]
    result: Measured = MEASURES[kind](indicator, facts.inputs[code], facts, as_of)
    status = SCORED if result.has_data else NO_DATA
    return IndicatorResult(status, result.sub_score, result.values, result.explanation)


def band_for(model: dict, score: Decimal | None, coverage: Decimal) -> str:
    """§4.3: insufficient data under the minimum coverage, else the first band the score reaches."""
    if score is None or coverage < model["insufficient_data"]["min_coverage"]:
        return Band.INSUFFICIENT_DATA.value
    for band in model["bands"]:
        if score >= Decimal(str(band["min_score"])):
            return band["code"]
    return model["bands"][-1]["code"]


def apply_overrides(model: dict, band: str, max_dpd_r3: int | None) -> tuple[str, list[dict]]:
    """§4.4, in order, whatever the coverage. `band` sets the band; `cap_band` lowers a better
    band to the cap and leaves worse bands and insufficient_data as they are."""
    ranking = [b["code"] for b in model["bands"]]  # best first
    applied = []
    for override in model.get("overrides", []):
        threshold = override["when"]["max_dpd_over"]
        if max_dpd_r3 is None or max_dpd_r3 <= threshold:
            continue
        if "band" in override:
            changed = band != override["band"]
            band = override["band"]
        else:
            cap = override["cap_band"]
            if band not in ranking or ranking.index(band) > ranking.index(cap):
                continue  # already worse than the cap, or not a ranked band: stays
            changed = band != cap
            band = cap
        applied.append({"code": override["code"], "reason": override["reason"], "changed_band": changed})
    return band, applied


def assess(model: dict, facts: UnitFacts, as_of: date) -> AssessmentResult:
    """The report card of one unit under `model` (the parsed model YAML) as of `as_of`."""
    with localcontext(CONTEXT):
        return _assess(model, facts, as_of)


def _assess(model: dict, facts: UnitFacts, as_of: date) -> AssessmentResult:
    results = {code: measure(code, ind, facts, as_of) for code, ind in model["indicators"].items()}
    weight_applicable = weight_with_data = weighted = Decimal(0)
    for code, result in results.items():
        if result.status == NOT_APPLICABLE:
            continue
        weight = exact(model["indicators"][code]["weight"])
        weight_applicable += weight
        if result.status == SCORED:
            weight_with_data += weight
            weighted += weight * result.sub_score
    # §4.2: sub-scores enter unrounded; the score and coverage are rounded once, half-up.
    score = round2(weighted / weight_with_data) if weight_with_data else None
    coverage = round2(100 * weight_with_data / weight_applicable) if weight_applicable else Decimal("0.00")
    band = band_for(model, score, coverage)
    band, overrides = apply_overrides(model, band, facts.max_dpd_r3)
    threshold = exact(model["distress_below"])
    distress = [code for code, r in results.items() if r.status == SCORED and below(r.sub_score, threshold)]
    return AssessmentResult(score, coverage, band, results, distress, overrides)
