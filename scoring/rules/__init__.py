"""The scoring rules of SCORING.md as pure functions over plain inputs: no ORM here.

`windows` says which months and periods a run reads (SCORING.md §2), `measures` turns a unit's
gathered facts into measured values and sub-scores (§3), `engine.assess` combines them into the
report card (§4). The selector in scoring/selectors.py gathers the facts in bulk.
"""

from .engine import AssessmentResult, IndicatorResult, UnitFacts, assess

__all__ = ["AssessmentResult", "IndicatorResult", "UnitFacts", "assess"]
