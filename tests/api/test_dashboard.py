"""The dashboard's figures (workflows/dashboard.py) over the API: scoped to what the viewer sees,
for the people who look at the programme; a constant number of queries however many rows."""

import pytest

from casework.choices import CaseStage
from scoring.choices import Band
from tests.api.support import assert_error
from tests.factories.cases import flagged_case, unit_at
from workflows import dashboard

pytestmark = pytest.mark.django_db


def test_the_department_sees_every_district(w, as_):
    body = as_("admin").get("/api/v1/dashboard/").json()
    bands = {d["district"]: d["counts"] for d in body["bands"]["districts"]}
    assert bands["anantnag"][Band.STABLE] == 1 and bands["anantnag"][Band.PRONE_TO_SICK] == 2
    assert bands["jammu"][Band.RECOVERABLE] == 1
    assert body["bands"]["totals"][Band.RECOVERABLE] == 3
    funnel = body["funnel"]
    assert funnel["open"] == 5
    assert funnel["stages"][CaseStage.HANDHOLDING] == 1 and funnel["stages"][CaseStage.SCORED] == 1
    assert list(funnel["stages"]) == list(CaseStage.values)
    sla = body["sla"]
    assert sla["overall"]["done"] > 0 and sla["overall"]["compliance"] == 100.0
    assert {row["district"] for row in sla["by_district"]} == {"anantnag", "jammu"}
    assert [row["user"] for row in sla["by_mentor"]] == [w.people["mentor"].pk]
    assert body["overdue"]["by_sla_state"]["breached"] == 1
    assert body["revivals"] == {"total": 0, "by_district": [], "by_month": []}


def test_a_district_officer_sees_their_district_only(w, as_):
    body = as_("officer_a").get("/api/v1/dashboard/").json()
    assert [d["district"] for d in body["bands"]["districts"]] == ["anantnag"]
    assert [d["district"] for d in body["funnel"]["districts"]] == ["anantnag"]
    assert {row["district"] for row in body["sla"]["by_district"]} == {"anantnag"}
    jammu = as_("director_j").get("/api/v1/dashboard/").json()
    assert jammu["funnel"]["open"] == 1 and jammu["overdue"]["by_sla_state"]["breached"] == 1


@pytest.mark.parametrize("persona", ["banker_x", "owner_u", "mentor", "nobody"])
def test_the_dashboard_is_not_for_everyone(w, as_, persona):
    assert_error(as_(persona).get("/api/v1/dashboard/"), 403, "permission_denied")


def test_the_figures_cost_the_same_queries_with_more_cases(w, as_, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = w.people["admin"]
    with CaptureQueriesContext(connection) as before:
        dashboard.dashboard_for_user(admin)
    for district in ("Anantnag", "Jammu", "Kupwara", "Kathua"):
        flagged_case(unit_at(district))
    with CaptureQueriesContext(connection) as after:
        figures = dashboard.dashboard_for_user(admin)
    assert len(after) == len(before)
    assert figures["funnel"]["open"] == 9
    with django_assert_max_num_queries(24):
        assert as_("admin").get("/api/v1/dashboard/").status_code == 200
