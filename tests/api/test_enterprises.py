"""Units and report cards over the API: the role × unit matrix for the list and each detail, the
filters (district, band on the current run, search), the score history and the full card."""

import pytest

from scoring.choices import Band
from tests.api.support import PERSONAS, assert_constant_queries, assert_error, ids

pytestmark = pytest.mark.django_db

ANANTNAG = {"U", "P", "F", "D", "S"}
SEES_UNITS = {
    "officer_a": ANANTNAG,
    "officer_j": {"V"},
    "banker_x": {"U", "P"},
    "nodal_x": {"U", "P"},
    "banker_y": {"V"},
    "owner_u": {"U"},
    "owner_v": {"V"},
    "mentor": {"U", "P", "F", "D"},
    "mentor_new": set(),
    "coordinator": ANANTNAG | {"V"},
    "director_k": ANANTNAG,
    "director_j": {"V"},
    "admin": ANANTNAG | {"V"},
    "nobody": set(),
}


def unit_ids(w, names):
    return {w.units[name].pk for name in names}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_unit_list_and_details_follow_visibility(w, as_, persona):
    client = as_(persona)
    assert ids(client.get("/api/v1/enterprises/")) == unit_ids(w, SEES_UNITS[persona])
    for name, unit in w.units.items():
        for url in (f"/api/v1/enterprises/{unit.pk}/", f"/api/v1/enterprises/{unit.pk}/assessments/"):
            response = client.get(url)
            if name in SEES_UNITS[persona]:
                assert response.status_code == 200, (persona, name, url)
            else:
                assert_error(response, 404, "not_found")


def test_the_list_filters_by_district_band_and_search(w, as_):
    client = as_("admin")
    assert ids(client.get("/api/v1/enterprises/", {"district": "jammu"})) == unit_ids(w, {"V"})
    assert ids(client.get("/api/v1/enterprises/", {"band": Band.STABLE})) == unit_ids(w, {"S"})
    assert ids(client.get("/api/v1/enterprises/", {"band": Band.PRONE_TO_SICK})) == unit_ids(w, {"U", "D"})
    v = w.units["V"]
    assert ids(client.get("/api/v1/enterprises/", {"q": v.udyam_number[-7:]})) == unit_ids(w, {"V"})
    assert ids(client.get("/api/v1/enterprises/", {"q": v.enterprise_name.upper()})) == unit_ids(w, {"V"})
    assert_error(client.get("/api/v1/enterprises/", {"band": "purple"}), 400, "invalid")
    row = next(r for r in client.get("/api/v1/enterprises/").json()["results"] if r["id"] == w.units["S"].pk)
    assert (row["band"], row["score"], row["district"]["code"]) == (Band.STABLE, "82.00", "anantnag")


def test_the_detail_has_the_latest_card_and_the_open_case(w, as_):
    body = as_("owner_u").get(f"/api/v1/enterprises/{w.units['U'].pk}/").json()
    assert body["open_case"] == w.cases["A"].pk
    assert body["latest_assessment"]["band"] == Band.PRONE_TO_SICK
    assert as_("admin").get(f"/api/v1/enterprises/{w.units['S'].pk}/").json()["open_case"] is None


def test_the_history_and_the_full_report_card(w, as_):
    u = w.units["U"]
    client = as_("owner_u")
    history = client.get(f"/api/v1/enterprises/{u.pk}/assessments/").json()["results"]
    assert len(history) == 2 and history[0]["as_of"] > history[1]["as_of"]
    card = client.get(f"/api/v1/assessments/{history[0]['id']}/").json()
    assert card["band"] == Band.PRONE_TO_SICK and card["enterprise"] == u.pk
    codes = [row["code"] for row in card["indicators"]]
    model = u.assessments.first().model
    assert codes == list(model.definition["indicators"])
    assert all({"label", "weight", "status", "values", "explanation"} <= set(row) for row in card["indicators"])
    assert_error(as_("owner_v").get(f"/api/v1/assessments/{history[0]['id']}/"), 404)
    assert_error(as_("banker_y").get(f"/api/v1/assessments/{history[0]['id']}/"), 404)
    assert as_("banker_x").get(f"/api/v1/assessments/{history[0]['id']}/").status_code == 200


@pytest.mark.parametrize("persona", ["admin", "officer_a", "banker_x", "mentor", "owner_u"])
def test_unit_lists_cost_the_same_for_any_page_size(w, as_, persona):
    client = as_(persona)
    assert_constant_queries(client, "/api/v1/enterprises/", at_most=6)
    assert_constant_queries(client, "/api/v1/enterprises/", at_most=6, band=Band.RECOVERABLE, q="Unit")
    assert_constant_queries(client, f"/api/v1/enterprises/{w.units['U'].pk}/assessments/", at_most=6)
