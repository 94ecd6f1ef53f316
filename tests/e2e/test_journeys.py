"""Three journeys through a real browser: a district officer reports a field visit with a photo
and the case moves on; a banker records a restructuring decision and the remedy is done; an
owner registers with Udyam number, PAN and email, signs in and reads the report card."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.choices import VISIT_CHECKLIST, CaseStage, RemedyStatus, RemedyType
from casework.models import Attachment, Case, Remedy
from partners.choices import Role
from partners.models import Membership
from tests.factories.cases import PNG, active_task, clinic, flagged_case, unit_at, walk, work
from workflows.choices import TaskStatus, TaskType

from .conftest import PASSWORD, sign_in, with_password

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_district_officer_claims_a_field_visit_reports_it_with_a_photo_and_the_case_moves_on(page):
    team = clinic("Anantnag")
    case = walk(flagged_case(unit_at("Anantnag", branch=team.branch)), CaseStage.FIELD_VISIT, team)
    task = active_task(case, TaskType.FIELD_VISIT)
    sign_in(page, with_password(team.officer))

    page.goto("/inbox/?tab=queue")
    row = page.locator(f"#task-{task.pk}")
    expect(row).to_contain_text("Field visit")
    row.get_by_role("button", name="Claim").click()  # htmx swaps the row in place
    expect(row).to_contain_text("me")
    row.get_by_role("link", name="Open").click()

    expect(page.locator("#task-form")).to_be_visible()
    page.locator('input[name="visit_date"]').fill(timezone.localdate().isoformat())
    for item in VISIT_CHECKLIST:
        page.locator(f'input[name="check_{item}"][value="yes"]').check()
    page.locator('textarea[name="summary"]').fill("Working one shift; two buyers owe four months of bills.")
    page.locator('input[name="photos"]').set_input_files(
        [{"name": "shop-floor.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Complete the task").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator(".stagebar span.now")).to_have_text("Diagnostic report")
    expect(page.locator("body")).to_contain_text("shop-floor.png")
    case.refresh_from_db()
    assert case.stage == CaseStage.DIAGNOSTIC_REPORT
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_by == team.officer
    photo = Attachment.objects.get(case=case, visit_report__isnull=False)
    assert photo.original_name == "shop-floor.png" and photo.kind == "photo"


def test_a_banker_records_a_restructuring_decision_and_the_remedy_is_done(page):
    team = clinic("Anantnag")
    case = walk(
        flagged_case(unit_at("Anantnag", branch=team.branch)),
        CaseStage.HANDHOLDING,
        team,
        remedies=(RemedyType.RESTRUCTURING,),
    )
    work(case, TaskType.BANK_REFERRAL, team.banker, {"reference": "CSM/2026/77"})
    task = active_task(case, TaskType.BANK_DECISION)
    sign_in(page, with_password(team.banker))

    page.goto("/inbox/?tab=queue")
    page.locator(f"#task-{task.pk}").get_by_role("link", name="Report the corrective action plan decided").click()
    page.get_by_role("button", name="Claim it").click()
    page.locator('select[name="decision"]').select_option("restructuring")
    page.locator('input[name="reference"]').fill("RS/2026/41")
    page.get_by_role("button", name="Complete the task").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    remedies = page.locator("#remedies")
    expect(remedies).to_contain_text("Restructuring")
    expect(remedies).to_contain_text("Done")
    expect(remedies).to_contain_text("RS/2026/41")
    remedy = Remedy.objects.get(case=case, type=RemedyType.RESTRUCTURING, plan__status="approved")
    assert (remedy.status, remedy.bank_decision, remedy.bank_reference) == (
        RemedyStatus.DONE,
        "restructuring",
        "RS/2026/41",
    )


def test_an_owner_registers_with_udyam_number_pan_and_email_and_sees_the_report_card(page, mailoutbox):
    case = flagged_case(unit_at("Anantnag"))
    unit = case.enterprise
    unit.email = "accounts@unit.example.in"  # the one-time code goes to the Udyam record's email (issue 16)
    unit.save()

    page.goto("/accounts/login/")
    page.get_by_role("link", name="register with your Udyam number").click()
    form = page.locator("#register-form")
    form.get_by_label("Udyam registration number").fill(unit.udyam_number)
    form.get_by_label("The unit's PAN").fill("ZZZZZ9999Z")  # not the unit's
    form.get_by_label("Your email").fill("Owner.E2E@example.org")
    form.get_by_label("Choose a password").fill(PASSWORD)
    form.get_by_label("The password again").fill(PASSWORD)
    form.get_by_role("button", name="Register").click()
    expect(page.locator(".errorlist")).to_contain_text("do not match a Udyam registration")

    form.get_by_label("The unit's PAN").fill(unit.pan.lower())
    form.get_by_label("Choose a password").fill(PASSWORD)
    form.get_by_label("The password again").fill(PASSWORD)
    form.get_by_role("button", name="Register").click()
    expect(page.locator("#register-code")).to_contain_text("We sent a code")
    code = re.search(r"code is (\d{6})", mailoutbox[-1].body).group(1)
    page.get_by_label("The code we sent").fill(code)
    page.get_by_role("button", name="Finish registering").click()
    expect(page.locator(".messages")).to_contain_text("Your account is ready")
    membership = Membership.objects.get(user__email="owner.e2e@example.org")
    assert membership.role == Role.ENTERPRISE_OWNER and membership.enterprise_id == unit.pk

    page.get_by_label("Username or email").fill("owner.e2e@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.locator("h1")).to_have_text(unit.enterprise_name)
    card = page.locator("#report-card")
    expect(card).to_contain_text("Prone to Sick")
    expect(card).to_contain_text("31.00")
    expect(card.locator("svg")).to_be_visible()
    expect(page.locator("#progress")).to_contain_text("sees signs of stress")
    page.get_by_role("button", name="हिन्दी").click()
    expect(page.locator("#report-card h2").first).to_have_text("आपकी इकाई का स्वास्थ्य रिपोर्ट कार्ड")
    assert Case.objects.filter(enterprise=unit).count() == 1
