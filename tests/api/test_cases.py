"""Cases over the API: who sees which (the role × case matrix for the list and every detail), the
stage read-only, the direct moves as their own POST actions with 200/400/403/404/409, the timeline
(a bank sees the finance side only), query counts constant in the page size."""

import pytest

from casework.choices import CaseStage, CloseReason
from tests.api.support import PERSONAS, SEES, assert_constant_queries, assert_error, ids

pytestmark = pytest.mark.django_db

# Who may steer a case outside its tasks (partners.selectors.user_may_direct_case), of those who see it.
DIRECTS_A = {"officer_a", "director_k", "coordinator", "admin"}


def case_ids(w, names):
    return {w.cases[name].pk for name in names}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_case_list_holds_exactly_the_visible_cases(w, as_, persona):
    assert ids(as_(persona).get("/api/v1/cases/")) == case_ids(w, SEES[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_case_detail_is_404_unless_visible(w, as_, persona):
    client = as_(persona)
    for name, case in w.cases.items():
        response = client.get(f"/api/v1/cases/{case.pk}/")
        if name in SEES[persona]:
            assert response.status_code == 200, (persona, name)
            assert response.json()["stage"] == case.stage
        else:
            assert_error(response, 404, "not_found")


def test_a_missing_case_and_an_invisible_one_look_the_same(w, as_):
    missing = as_("officer_j").get("/api/v1/cases/999999/").json()
    hidden = as_("officer_j").get(f"/api/v1/cases/{w.cases['A'].pk}/").json()
    assert missing == hidden


def test_the_case_list_filters_by_stage_district_priority(w, as_):
    admin = as_("admin")
    assert ids(admin.get("/api/v1/cases/", {"stage": CaseStage.HANDHOLDING})) == case_ids(w, {"A"})
    assert ids(admin.get("/api/v1/cases/", {"district": "jammu"})) == case_ids(w, {"J"})
    assert ids(admin.get("/api/v1/cases/", {"priority": "normal"})) == case_ids(w, {"J"})
    assert ids(admin.get("/api/v1/cases/", {"open": "false"})) == set()
    assert_error(admin.get("/api/v1/cases/", {"stage": "flying"}), 400, "invalid")


def test_the_detail_says_which_direct_moves_the_viewer_has(w, as_):
    a = w.cases["A"].pk
    assert as_("officer_a").get(f"/api/v1/cases/{a}/").json()["actions"] == ["close", "revise_plan"]
    d = w.cases["D"].pk
    assert as_("director_k").get(f"/api/v1/cases/{d}/").json()["actions"] == ["close", "request_revisit"]
    banker = as_("banker_x").get(f"/api/v1/cases/{a}/").json()
    assert banker["actions"] == [] and banker["full_view"] is False
    assert as_("owner_u").get(f"/api/v1/cases/{a}/").json()["actions"] == []


def test_the_stage_is_read_only(w, as_):
    a = w.cases["A"].pk
    client = as_("admin")
    assert client.patch(f"/api/v1/cases/{a}/", {"stage": "revived"}, format="json").status_code == 405
    assert client.put(f"/api/v1/cases/{a}/", {"stage": "revived"}, format="json").status_code == 405
    assert w.case("A").stage == CaseStage.HANDHOLDING


@pytest.mark.parametrize("persona", PERSONAS)
def test_closing_a_case_matrix(w, as_, persona):
    a = w.cases["A"]
    response = as_(persona).post(
        f"/api/v1/cases/{a.pk}/close/", {"close_reason": CloseReason.WITHDREW, "reason": "Owner withdrew."}
    )
    if "A" not in SEES[persona]:
        assert_error(response, 404, "not_found")
        assert w.case("A").stage == CaseStage.HANDHOLDING
    elif persona in DIRECTS_A:
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["stage"], body["close_reason"]) == (CaseStage.CLOSED, CloseReason.WITHDREW)
        assert body["actions"] == []
    else:
        assert_error(response, 403, "permission_denied")
        assert w.case("A").stage == CaseStage.HANDHOLDING


def test_closing_needs_a_known_reason(w, as_):
    a = w.cases["A"].pk
    error = assert_error(as_("officer_a").post(f"/api/v1/cases/{a}/close/", {}), 400, "invalid")
    assert "close_reason" in error["fields"]
    error = assert_error(as_("officer_a").post(f"/api/v1/cases/{a}/close/", {"close_reason": "bored"}), 400)
    assert "close_reason" in error["fields"]


def test_closing_a_closed_case_is_a_conflict(w, as_):
    a = w.cases["A"].pk
    client = as_("officer_a")
    assert client.post(f"/api/v1/cases/{a}/close/", {"close_reason": CloseReason.DUPLICATE}).status_code == 200
    error = assert_error(client.post(f"/api/v1/cases/{a}/close/", {"close_reason": CloseReason.DUPLICATE}), 409)
    assert error["code"] == "illegal_transition"


def test_a_stale_version_is_told_the_case_changed(w, as_):
    a = w.case("A")
    response = as_("director_k").post(
        f"/api/v1/cases/{a.pk}/close/", {"close_reason": CloseReason.NOT_VIABLE, "expected_version": a.version - 1}
    )
    assert_error(response, 409, "case_changed")
    assert w.case("A").stage == CaseStage.HANDHOLDING


@pytest.mark.parametrize("persona", PERSONAS)
def test_revising_the_plan_matrix(w, as_, persona):
    a = w.cases["A"].pk
    response = as_(persona).post(f"/api/v1/cases/{a}/revise-plan/", {"reason": "Bank declined; rethink."})
    if "A" not in SEES[persona]:
        assert_error(response, 404)
    elif persona in DIRECTS_A:
        assert response.status_code == 200, response.content
        assert response.json()["stage"] == CaseStage.REMEDY_PLAN
    else:
        assert_error(response, 403, "permission_denied")


def test_a_back_edge_needs_a_reason_and_the_right_stage(w, as_):
    client = as_("officer_a")
    a, d = w.cases["A"].pk, w.cases["D"].pk
    assert "reason" in assert_error(client.post(f"/api/v1/cases/{a}/revise-plan/", {}), 400)["fields"]
    assert_error(
        client.post(f"/api/v1/cases/{a}/request-revisit/", {"reason": "Look again."}), 409, "illegal_transition"
    )
    response = client.post(f"/api/v1/cases/{d}/request-revisit/", {"reason": "Check the machinery again."})
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == CaseStage.FIELD_VISIT
    assert_error(as_("banker_x").post(f"/api/v1/cases/{d}/request-revisit/", {"reason": "x"}), 404)
    assert_error(as_("mentor").post(f"/api/v1/cases/{d}/request-revisit/", {"reason": "x"}), 403)


def test_the_timeline_is_the_audit_trail_and_a_bank_sees_its_side(w, as_):
    a = w.cases["A"]
    full = as_("officer_a").get(f"/api/v1/cases/{a.pk}/timeline/", {"page_size": 200}).json()
    assert full["count"] == a.events.count()
    kinds = [event["kind"] for event in full["results"]]
    assert kinds[0] == "opened" and "transition" in kinds
    bank = as_("banker_x").get(f"/api/v1/cases/{a.pk}/timeline/", {"page_size": 200}).json()["results"]
    referral = w.tasks["A_referral"].pk
    assert bank and len(bank) < full["count"]
    for event in bank:
        about_finance = event["task"] == referral or {"remedy", "comment", "attachment"} & set(event["data"])
        assert about_finance, event
    assert not any(event["kind"] == "transition" for event in bank)
    assert_error(as_("banker_y").get(f"/api/v1/cases/{a.pk}/timeline/"), 404)
    # The owner sees the case's progress, not the clinic's internal trail.
    progress = a.events.filter(kind__in=["opened", "transition", "documents_requested", "documents_received"])
    assert ids(as_("owner_u").get(f"/api/v1/cases/{a.pk}/timeline/", {"page_size": 200})) == set(
        progress.values_list("pk", flat=True)
    )


@pytest.mark.parametrize("persona", ["admin", "officer_a", "banker_x", "mentor"])
def test_case_lists_cost_the_same_for_any_page_size(w, as_, persona):
    client = as_(persona)
    a = w.cases["A"].pk
    assert assert_constant_queries(client, "/api/v1/cases/", at_most=6) >= 2
    assert assert_constant_queries(client, f"/api/v1/cases/{a}/timeline/", at_most=12) >= 2
