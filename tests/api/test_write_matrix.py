"""Who may write what (issue 16, "Abuse"): each write the attack found open, for every persona, as
thorough as the read matrices. What a persona may not see answers 404; what they see but may not
do, 403; a write that is theirs but not now, 400 or 409. Nothing a refused write touches changes.

The rules:
- documents are asked of a unit by those who direct its case (its district's officer, its
  division's director, the IIM coordinator, the department) or work its non-finance side (the
  mentor holding one of its tasks); never by a bank, whose work is the finance side, and never by
  the owner;
- a request is withdrawn by whoever asked or directs the case; the owner closes it only as
  received, and only once something was sent; nothing is sent to a request no longer open;
- a remedy is owned by an organisation that does that kind of work for that unit (a bank for a
  finance remedy, the unit's own district office or IIM for the rest);
- a refusal never names someone the actor may not know about."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.choices import DocumentRequestStatus, RemedyType
from casework.models import Attachment, DocumentRequest, Remedy
from partners.choices import OrganisationKind
from partners.models import Organisation
from tests.api.support import PERSONAS, SEES, assert_error, later
from tests.factories.cases import PDF
from workflows.services import task_claim

pytestmark = pytest.mark.django_db

ASKS_DOCUMENTS_OF_A = {"officer_a", "director_k", "coordinator", "admin"}  # the mentor holds no task of A
WITHDRAWS_OFFICERS_REQUEST_ON_A = {"officer_a", "director_k", "coordinator", "admin"}


def url(w, case, part):
    return f"/api/v1/cases/{w.cases[case].pk}/{part}/"


def _ask(w, as_, persona="officer_a", items="Audited accounts for FY 2024-25."):
    response = as_(persona).post(url(w, "A", "document-requests"), {"items": items})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize("persona", PERSONAS)
def test_asking_for_documents_matrix(w, as_, persona):
    # The banker holds the bank's task on A: working the case is not a licence to pause its clocks.
    task_claim(task=w.task("A_referral"), user=w.people["banker_x"])
    response = as_(persona).post(url(w, "A", "document-requests"), {"items": "Stock register."})
    if "A" not in SEES[persona]:
        assert_error(response, 404)
    elif persona in ASKS_DOCUMENTS_OF_A:
        assert response.status_code == 201, response.content
        return
    else:
        assert_error(response, 403, "permission_denied")
    assert not DocumentRequest.objects.filter(case=w.cases["A"]).exists()
    assert w.case("A").waiting_since is None


@pytest.mark.parametrize("persona", PERSONAS)
def test_withdrawing_a_request_matrix(w, as_, persona):
    asked = _ask(w, as_)
    close = url(w, "A", f"document-requests/{asked['id']}") + "close/"
    response = as_(persona).post(close, {"status": DocumentRequestStatus.WITHDRAWN})
    if persona in WITHDRAWS_OFFICERS_REQUEST_ON_A:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == DocumentRequestStatus.WITHDRAWN
        return
    if "A" not in SEES[persona] or persona in {"banker_x", "nodal_x"}:
        assert_error(response, 404)  # banks do not see the documents asked of the owner
    else:
        assert_error(response, 403, "permission_denied")
    assert DocumentRequest.objects.get(pk=asked["id"]).status == DocumentRequestStatus.OPEN
    assert w.case("A").waiting_since is not None


def test_the_owner_closes_a_request_only_as_received_and_only_after_sending(w, as_):
    asked = _ask(w, as_)
    close = url(w, "A", f"document-requests/{asked['id']}") + "close/"
    owner = as_("owner_u")
    assert_error(owner.post(close, {"status": DocumentRequestStatus.WITHDRAWN}), 403)
    error = assert_error(owner.post(close, {"status": DocumentRequestStatus.RECEIVED}), 400)
    assert "Upload" in error["message"]
    assert w.case("A").waiting_since is not None
    sent = owner.post(
        url(w, "A", "attachments"),
        {"file": SimpleUploadedFile("accounts.pdf", PDF, "application/pdf"), "document_request": asked["id"]},
        format="multipart",
    )
    assert sent.status_code == 201, sent.content
    closed = owner.post(close, {"status": DocumentRequestStatus.RECEIVED})
    assert closed.status_code == 200 and closed.json()["status"] == DocumentRequestStatus.RECEIVED
    assert w.case("A").waiting_since is None


def test_nothing_is_sent_to_a_request_no_longer_open(w, as_):
    asked = _ask(w, as_)
    as_("officer_a").post(
        url(w, "A", f"document-requests/{asked['id']}") + "close/", {"status": DocumentRequestStatus.WITHDRAWN}
    )
    before = Attachment.objects.count()
    response = as_("owner_u").post(
        url(w, "A", "attachments"),
        {"file": SimpleUploadedFile("late.pdf", PDF, "application/pdf"), "document_request": asked["id"]},
        format="multipart",
    )
    assert "document_request" in assert_error(response, 400)["fields"]
    assert Attachment.objects.count() == before


@pytest.mark.parametrize(
    ("remedy_type", "owner_kind", "why"),
    [
        (RemedyType.MENTORING, OrganisationKind.BANK, "a bank does not mentor"),
        (RemedyType.RESTRUCTURING, OrganisationKind.IIM, "only a bank restructures an account"),
        (RemedyType.MENTORING, "other district", "another district's DIC does not work this unit"),
    ],
)
def test_a_remedy_is_owned_by_an_organisation_that_does_that_work_for_the_unit(w, as_, remedy_type, owner_kind, why):
    if owner_kind == "other district":
        owner = Organisation.objects.get(kind=OrganisationKind.DISTRICT_OFFICE, district__name="Jammu")
    else:
        owner = Organisation.objects.filter(kind=owner_kind).first()
    before = Remedy.objects.filter(case=w.cases["P"]).count()
    body = {"type": remedy_type, "target_date": later(), "owner": owner.pk}
    error = assert_error(as_("mentor").post(url(w, "P", "remedies"), body), 400)
    assert "owner" in error["fields"], why
    assert Remedy.objects.filter(case=w.cases["P"]).count() == before


def test_an_assign_refusal_names_nobody_the_supervisor_cannot_see(w, as_):
    outreach = w.tasks["J_outreach"].pk
    stranger = w.people["nobody"]
    stranger.email = "attacker@example.org"
    stranger.save(update_fields=["email"])
    error = assert_error(as_("director_j").post(f"/api/v1/tasks/{outreach}/assign/", {"assignee": stranger.pk}), 400)
    words = str(error)
    assert stranger.username not in words and "attacker@example.org" not in words
