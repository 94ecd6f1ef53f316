"""The stage table (casework/stages.py) and the flow (workflows/flow.py) agree: a direct move is
offered exactly at the stages the flow lets it start from, and the journey is the lifecycle."""

import pytest

from casework.choices import OPEN_STAGES, CaseStage, DirectMove
from casework.stages import JOURNEY, STAGES, direct_moves_of, stage_bar
from workflows.flow import TRANSITIONS, CaseFlow


def _sources(transition: str) -> set[str]:
    sources = set()
    for move in getattr(CaseFlow, transition).get_transitions():
        sources |= set(move.source) if isinstance(move.source, list | tuple | set | frozenset) else {move.source}
    return {str(source) for source in sources}


def test_every_stage_has_one_row():
    assert set(STAGES) == set(CaseStage.values)


@pytest.mark.parametrize("move", DirectMove.values)
def test_a_direct_move_is_offered_where_the_flow_allows_it(move):
    assert move in TRANSITIONS
    offered = {stage for stage in STAGES if move in direct_moves_of(stage)}
    assert offered == _sources(move)


def test_closed_and_revived_cases_offer_no_move():
    assert {stage for stage in STAGES if direct_moves_of(stage)} == set(OPEN_STAGES)


def test_the_journey_and_its_bar():
    assert [row.stage for row in JOURNEY] == [s for s in CaseStage.values if s != CaseStage.CLOSED]
    assert stage_bar(CaseStage.FIELD_VISIT)[2:5] == [
        ("Online consultation", "done"),
        ("Field visit", "now"),
        ("Diagnostic report", ""),
    ]
    assert {state for _, state in stage_bar(CaseStage.CLOSED)} == {""}
