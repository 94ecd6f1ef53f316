"""Screenshots of the main pages, from a running demo (`make run`), into docs/screenshots/.

    make run                                   # in another shell: the demo on http://127.0.0.1:8000
    .venv/bin/python scripts/screenshots.py [--base-url http://127.0.0.1:8000] [--out docs/screenshots]

It signs in as the demo's people (password `demo`) with Playwright driving Debian's chromium
(scripts/ensure-chromium installs it) and saves one PNG per page: sign-in, owner registration,
the district officer's inbox, a field visit's task form, a case page, a bank task's form, a
unit's report card and its print version (also saved as a PDF, as the browser's "Save as PDF"
makes it), the owner portal in English and Hindi, and the dashboard if the deployment has one.

It reads the demo database (the same settings as the server: run it with the server's
environment) to pick pages worth showing, and acts as the demo's people would to fill them: the
officer claims a field visit if they hold none and asks the owner for documents if nothing is
asked yet; the owner gives consent to the five sources and withdraws one (once); a banker claims
the bank task shown.
A unit's score history needs assessments on several dates: `manage.py score --as-of` a few
earlier dates first.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop here

import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402

from casework.choices import CaseStage  # noqa: E402
from casework.models import Case  # noqa: E402
from partners.choices import Role  # noqa: E402
from partners.models import Membership  # noqa: E402
from scoring.models import DataConsent  # noqa: E402
from workflows.choices import ACTIVE_TASK_STATUSES, TaskStatus, TaskType  # noqa: E402
from workflows.models import Task  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "demo"


def _sign_in(context, base: str, username: str):
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('#login-form button[type="submit"], form button[type="submit"]').last.click()
    page.wait_for_load_state()
    return page


def _shot(page, out: Path, name: str, *, full_page: bool = True):
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print("saved", path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    options = parser.parse_args()
    base, out = options.base_url.rstrip("/"), Path(options.out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    officer = "officer.anantnag"
    owner = Membership.objects.filter(role=Role.ENTERPRISE_OWNER, is_active=True, user__username="owner").first()
    visit = (
        Task.objects.filter(type=TaskType.FIELD_VISIT, status__in=ACTIVE_TASK_STATUSES, assignee__username=officer)
        .order_by("pk")
        .first()
    )
    queued_visit = (
        Task.objects.filter(
            type=TaskType.FIELD_VISIT, status=TaskStatus.OPEN, case__enterprise__district__name="Anantnag"
        )
        .order_by("pk")
        .first()
    )
    bank_tasks = Task.objects.filter(type__in=[TaskType.BANK_DECISION, TaskType.BANK_REFERRAL])
    decision = (
        bank_tasks.filter(status__in=ACTIVE_TASK_STATUSES, branch__isnull=False)
        .select_related("branch")
        .order_by("-type", "pk")  # a decision if there is one, else a referral
        .first()
    )
    rich_case = (
        Case.objects.filter(
            stage__in=[CaseStage.HANDHOLDING, CaseStage.REMEDY_PLAN, CaseStage.DIAGNOSTIC_REPORT],
            enterprise__district__name="Anantnag",
        )
        .annotate(n=Count("events"))
        .order_by("-n", "pk")
        .first()
    )
    history_unit = (
        Case.objects.filter(stage__in=[CaseStage.HANDHOLDING, CaseStage.REMEDY_PLAN])
        .annotate(n=Count("enterprise__assessments"))
        .order_by("-n", "pk")
        .values_list("enterprise__udyam_number", flat=True)
        .first()
    )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        viewport = {"width": 1280, "height": 860}

        anonymous = browser.new_context(viewport=viewport, locale="en-GB")
        page = anonymous.new_page()
        page.goto(f"{base}/accounts/login/")
        _shot(page, out, "01-sign-in", full_page=False)
        page.goto(f"{base}/portal/register/")
        _shot(page, out, "02-owner-register", full_page=False)
        anonymous.close()

        staff = browser.new_context(viewport=viewport, locale="en-GB")
        page = _sign_in(staff, base, officer)
        page.goto(f"{base}/inbox/?tab=queue")
        _shot(page, out, "03-inbox")
        if visit is None and queued_visit is not None:
            page.locator(f"#task-{queued_visit.pk}").get_by_role("button", name="Claim").click()
            page.wait_for_timeout(500)
            visit = queued_visit
        if visit is not None:
            page.goto(f"{base}/tasks/{visit.pk}/")
            _shot(page, out, "04-task-form-field-visit")
        owner_case = owner and Case.objects.filter(enterprise_id=owner.enterprise_id).order_by("-opened_at").first()
        if owner_case is not None and not owner_case.document_requests.filter(status="open").exists():
            # The officer asks the owner for documents from the case page.
            page.goto(f"{base}/cases/{owner_case.pk}/")
            page.locator("#doc-items").fill("Bank statements of the last six months, and the GST returns for 2026-09.")
            page.get_by_role("button", name="Ask (pauses the clocks)").click()
            page.wait_for_load_state()

        if owner is not None:
            owners = browser.new_context(viewport=viewport, locale="en-GB")
            page = _sign_in(owners, base, "owner")
            page.goto(f"{base}/portal/")
            if not DataConsent.objects.filter(enterprise_id=owner.enterprise_id).exists():
                # The owner consents to all five sources, then withdraws one.
                page.get_by_role("button", name="Give consent to all five").click()
                page.wait_for_load_state()
                page.locator("#consent-power").get_by_role("button", name="Withdraw").click()
                page.wait_for_load_state()
            page.goto(f"{base}/portal/")
            _shot(page, out, "11-owner-portal")
            page.get_by_role("button", name="हिन्दी").first.click()
            page.wait_for_load_state()
            _shot(page, out, "12-owner-portal-hindi")
            page.goto(f"{base}/units/{owner.enterprise.udyam_number}/print/")
            _shot(page, out, "13-owner-report-card-print-hindi")
            page.get_by_role("button", name="English").first.click()
            owners.close()

        case_shown = owner_case or rich_case
        if case_shown is not None:
            page = staff.new_page()
            page.goto(f"{base}/cases/{case_shown.pk}/")
            _shot(page, out, "05-case")
        staff.close()

        if decision is not None:
            bank = browser.new_context(viewport=viewport, locale="en-GB")
            banker = Membership.objects.filter(role=Role.BANK_OFFICER, branch=decision.branch, is_active=True).first()
            username = banker.user.username if banker else f"nodal.{decision.branch.ifsc[:4].lower()}"
            page = _sign_in(bank, base, username)
            page.goto(f"{base}/tasks/{decision.pk}/")
            claim = page.get_by_role("button", name="Claim it")
            if claim.count():
                claim.click()
                page.wait_for_load_state()
            _shot(page, out, "06-task-form-bank")
            bank.close()

        department = browser.new_context(viewport=viewport, locale="en-GB")
        page = _sign_in(department, base, "department")
        if history_unit:
            page.goto(f"{base}/units/{history_unit}/")
            _shot(page, out, "07-report-card")
            page.goto(f"{base}/units/{history_unit}/print/")
            _shot(page, out, "08-report-card-print-screen")
            # What the browser's print (or Save as PDF) makes: print media on an A4 page's width.
            page.set_viewport_size({"width": 794, "height": 1123})
            page.emulate_media(media="print")
            _shot(page, out, "09-report-card-print-media")
            page.pdf(path=str(out / "report-card.pdf"), format="A4", print_background=True)
            print("saved", out / "report-card.pdf")
            page.emulate_media(media="screen")
            page.set_viewport_size(viewport)
        response = page.goto(f"{base}/dashboard/")
        if response is not None and response.status == 200:
            _shot(page, out, "10-dashboard")
        else:
            print("no dashboard at /dashboard/: skipped")
        department.close()

        browser.close()


if __name__ == "__main__":
    main()
