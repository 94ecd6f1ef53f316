"""Each task type is declared once (workflows/tasktypes.py) and the declaration is whole: the
flow's task-bound moves, the forms, the serializers, the routes, the SLA policies and the stage
tables all agree with it."""

import pytest

from casework.choices import CaseStage
from workflows.choices import BANK_TASK_TYPES, Route, TaskOutcome, TaskType
from workflows.flow import TRANSITIONS, CaseFlow
from workflows.models import SlaPolicy
from workflows.tasktypes import CONDITIONAL_WORK, STAGE_WORK, TASK_TYPES, task_types_of_stage


def test_every_task_type_is_declared_with_its_own_form_and_serializer():
    assert set(TASK_TYPES) == set(TaskType.values)
    for code, spec in TASK_TYPES.items():
        assert spec.form.task_type == code and spec.serializer.task_type == code
        assert spec.outcomes and len({o.value for o in spec.outcomes}) == len(spec.outcomes)
        assert all(o.value in TaskOutcome.values for o in spec.outcomes)


def test_every_move_a_task_makes_is_a_transition_and_every_task_bound_transition_is_made_by_one():
    made = set().union(*(spec.moves for spec in TASK_TYPES.values()))
    assert made <= TRANSITIONS
    for transition in TRANSITIONS:
        permissions = {t.permission.__name__ for t in getattr(CaseFlow, transition).get_transitions()}
        if any(name.startswith("via_task") for name in permissions):
            assert transition in made, transition


def test_follow_ups_stay_in_the_stage_and_bank_work_goes_to_a_branch():
    for spec in TASK_TYPES.values():
        if spec.follow_up:
            assert TASK_TYPES[spec.follow_up].stage == spec.stage
    assert {t for t, spec in TASK_TYPES.items() if spec.route == Route.BANK_BRANCH} == set(BANK_TASK_TYPES)
    assert all(spec.per_financial_remedy == (spec.route == Route.BANK_BRANCH) for spec in TASK_TYPES.values())


def test_the_stage_tables_are_the_declarations():
    assert [w.task_type for w in STAGE_WORK[CaseStage.HANDHOLDING]] == [TaskType.CHECK_IN, TaskType.BANK_REFERRAL]
    assert [w.task_type for w in CONDITIONAL_WORK[CaseStage.HANDHOLDING]] == [
        TaskType.BANK_DECISION,
        TaskType.CONFIRM_REVIVAL,
    ]
    assert STAGE_WORK[CaseStage.REVIVED] == () and STAGE_WORK[CaseStage.CLOSED] == ()
    assert task_types_of_stage(CaseStage.SCORED) == {TaskType.OUTREACH}


@pytest.mark.django_db
def test_every_task_type_has_its_sla_policy_at_each_priority():
    policies = set(SlaPolicy.objects.values_list("task_type", "priority"))
    for spec in TASK_TYPES.values():
        assert {(spec.sla_key, "normal"), (spec.sla_key, "high")} <= policies, spec.type
