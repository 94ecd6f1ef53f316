"""The embedded demo's people and case work (`manage.py demo_setup`, DEBUG only).

Seeds, idempotently: the demo's banks and branches (the IFSCs the demo feeds lend from), one
person per role (district officers, directors, IIM mentors and coordinator, bankers, nodal
officers, a department admin, one owner), all with the password `demo`; then moves a share of the
open cases along their lifecycle with the real services, so every stage has cases in it and
inboxes hold real work. Never used outside the demo."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from casework.choices import VISIT_CHECKLIST, CaseStage, CloseReason, RemedyType
from casework.models import Case
from casework.services import unit_branches
from partners.choices import OrganisationKind, Role
from partners.models import Branch, District, Membership, Organisation
from partners.services import branch_create, membership_grant, organisation_create_bank
from scoring.demo import demo_bank_branches

from .choices import ACTIVE_TASK_STATUSES, TaskStatus, TaskType
from .models import Task
from .services import case_advance, remedy_add, task_claim, task_complete

PASSWORD = "demo"


def demo_banks() -> int:
    """The banks and branches of the demo's credit records; returns how many branches were added."""
    added = 0
    banks = {}
    for row in demo_bank_branches():
        bank = banks.get(row["bank"])
        if bank is None:
            bank = Organisation.objects.filter(kind=OrganisationKind.BANK, bank_code=row["bank"]).first()
            if bank is None:
                bank = organisation_create_bank(
                    name=row["bank_name"], code=f"bank-{row['bank'].lower()}", bank_code=row["bank"]
                )
            banks[row["bank"]] = bank
        if not Branch.objects.filter(ifsc=row["ifsc"]).exists():
            district = District.objects.get(name=row["district"])
            branch_create(bank=bank, ifsc=row["ifsc"], name=row["name"], district=district)
            added += 1
    return added


def _person(username: str, first_name: str, **grant):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": first_name})
    if created:
        user.set_password(PASSWORD)
        user.save()
    if not Membership.objects.filter(user=user, is_active=True, role=grant["role"]).exists():
        membership_grant(user=user, **grant)
    return user


def demo_people() -> list[str]:
    """One person per role, named for what they do; returns the usernames."""
    names = []
    for district in District.objects.select_related("division"):
        dic = Organisation.objects.get(kind=OrganisationKind.DISTRICT_OFFICE, district=district)
        names.append(
            _person(
                f"officer.{district.code}",
                f"DIC officer, {district.name}",
                organisation=dic,
                role=Role.DISTRICT_OFFICER,
            ).username
        )
    for directorate in Organisation.objects.filter(kind=OrganisationKind.DIRECTORATE).select_related("division"):
        names.append(
            _person(
                f"director.{directorate.division.code}",
                f"Director of Industries, {directorate.division.name}",
                organisation=directorate,
                role=Role.DIVISIONAL_DIRECTOR,
            ).username
        )
    iim = Organisation.objects.get(kind=OrganisationKind.IIM)
    for n in (1, 2, 3):
        names.append(_person(f"mentor{n}", f"IIM mentor {n}", organisation=iim, role=Role.IIM_MENTOR).username)
    names.append(_person("coordinator", "IIM coordinator", organisation=iim, role=Role.IIM_COORDINATOR).username)
    department = Organisation.objects.get(kind=OrganisationKind.DEPARTMENT)
    names.append(
        _person("department", "Department admin", organisation=department, role=Role.DEPARTMENT_ADMIN).username
    )
    for bank in Organisation.objects.filter(kind=OrganisationKind.BANK):
        code = bank.bank_code.lower()
        names.append(
            _person(
                f"nodal.{code}", f"Nodal officer, {bank.name}", organisation=bank, role=Role.BANK_NODAL_OFFICER
            ).username
        )
        for branch in bank.branches.filter(district__name__in=("Anantnag", "Jammu", "Srinagar"))[:3]:
            names.append(
                _person(
                    f"banker.{branch.ifsc.lower()}",
                    f"Bank officer, {branch.name}",
                    organisation=bank,
                    role=Role.BANK_OFFICER,
                    branch=branch,
                ).username
            )
    owner_case = Case.objects.filter(enterprise__district__name="Anantnag").order_by("pk").first()
    if owner_case is not None:
        names.append(
            _person(
                "owner",
                "Owner of a flagged unit",
                organisation=None,
                role=Role.ENTERPRISE_OWNER,
                enterprise=owner_case.enterprise,
            ).username
        )
    return names


def _worker(task: Task):
    """A person of the task's queue (for the demo's moves)."""
    memberships = Membership.objects.filter(is_active=True, organisation=task.organisation)
    if task.branch_id:
        memberships = memberships.filter(branch=task.branch) | Membership.objects.filter(
            is_active=True, organisation=task.organisation, role=Role.BANK_NODAL_OFFICER
        )
    elif task.organisation.kind == OrganisationKind.IIM:
        memberships = memberships.filter(role=Role.IIM_MENTOR)
    membership = memberships.order_by("pk").first()
    return membership.user if membership else None


def _payload(task: Task) -> dict:
    today = timezone.localdate()
    return {
        TaskType.OUTREACH: {"outcome": "consultation_booked", "note": "Owner agreed to a video consultation."},
        TaskType.CONSULTATION: {
            "outcome": "field_visit",
            "notes": "Orders down since the highway closure; two buyers pay after 120 days.",
            "issues_raised": "Working capital; delayed receivables.",
        },
        TaskType.FIELD_VISIT: {
            "visit_date": today.isoformat(),
            "findings": {item: {"answer": "yes", "remarks": ""} for item in VISIT_CHECKLIST},
            "summary": "Unit running one shift of three; stock of finished goods high.",
        },
        TaskType.DIAGNOSTIC_REPORT: {
            "outcome": "submit",
            "document": SimpleUploadedFile(
                "diagnostic-study.pdf", b"%PDF-1.4\n% demo diagnostic study\n%%EOF\n", content_type="application/pdf"
            ),
            "summary": "Liquidity stress from delayed receivables; viable with restructuring.",
            "findings": [
                {"category": "finance", "severity": "high", "description": "Receivables over 120 days."},
                {"category": "market", "severity": "medium", "description": "Two buyers account for 70% of sales."},
            ],
        },
        TaskType.REMEDY_PLAN: {"outcome": "approve"},
    }.get(task.type, {})


def _step(case: Case) -> bool:
    """Does the one stage task of `case` as its people would; False if there is none to do."""
    task = Task.objects.filter(case=case, status__in=ACTIVE_TASK_STATUSES).select_related("organisation").first()
    if task is None or task.type not in (
        TaskType.OUTREACH,
        TaskType.CONSULTATION,
        TaskType.FIELD_VISIT,
        TaskType.DIAGNOSTIC_REPORT,
        TaskType.REMEDY_PLAN,
    ):
        return False
    user = task.assignee or _worker(task)
    if user is None:
        return False
    if task.status == TaskStatus.OPEN:
        task = task_claim(task=task, user=user)
    if task.type == TaskType.REMEDY_PLAN:
        target = timezone.localdate() + timedelta(days=90)
        if unit_branches(case.enterprise):
            remedy_add(task=task, actor=user, type=RemedyType.RESTRUCTURING, target_date=target)
        remedy_add(task=task, actor=user, type=RemedyType.MARKET_LINKAGE, target_date=target)
    task_complete(task=task, user=user, payload=_payload(task))
    return True


# How far the demo moves each tenth of the open cases: most stay where scoring left them.
TARGETS = [
    CaseStage.SCORED,
    CaseStage.SCORED,
    CaseStage.SCORED,
    CaseStage.ONLINE_CONSULTATION,
    CaseStage.ONLINE_CONSULTATION,
    CaseStage.FIELD_VISIT,
    CaseStage.FIELD_VISIT,
    CaseStage.DIAGNOSTIC_REPORT,
    CaseStage.REMEDY_PLAN,
    CaseStage.HANDHOLDING,
]
ORDER = [
    CaseStage.SCORED,
    CaseStage.ONLINE_CONSULTATION,
    CaseStage.FIELD_VISIT,
    CaseStage.DIAGNOSTIC_REPORT,
    CaseStage.REMEDY_PLAN,
    CaseStage.HANDHOLDING,
]


def demo_progress(*, limit: int = 120) -> int:
    """Moves up to `limit` cases still at `scored` (never touched by the demo) along, a tenth to
    each target stage; closes a few as not viable. Returns how many cases moved."""
    moved = 0
    cases = list(Case.objects.filter(stage=CaseStage.SCORED).order_by("pk")[:limit])
    for n, case in enumerate(cases):
        target = TARGETS[n % len(TARGETS)]
        with transaction.atomic():
            while case.stage != target and ORDER.index(case.stage) < ORDER.index(target) and _step(case):
                case.refresh_from_db()
            if n % 17 == 16:
                director = Membership.objects.filter(
                    role=Role.DIVISIONAL_DIRECTOR, organisation__division=case.enterprise.district.division
                ).first()
                if director:
                    case_advance(
                        case=case, transition="close", actor=director.user, close_reason=CloseReason.NOT_VIABLE,
                        reason="Demo: the unit's promoters have exited.",
                    )  # fmt: skip
        moved += case.stage != CaseStage.SCORED
    return moved
