import pytest

from casework.choices import CaseStage
from tests.factories.cases import clinic, flagged_case, unit_at, walk
from workflows.selectors import case_problems

pytestmark = pytest.mark.django_db


def test_case_walks_to_handholding():
    people_ = clinic()
    case = flagged_case(unit_at(branch=people_.branch))
    walk(case, CaseStage.HANDHOLDING, people_)
    assert list(case_problems()) == []
