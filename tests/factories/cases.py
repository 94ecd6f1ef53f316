"""Factories for assessments, cases and the people who work them, and `walk`, which takes a case
through its lifecycle with the real services (claim, record, complete), as people would.

Cases are never built by assigning a stage: they open through scoring (`flagged_case`) or
`case_open`, and move only through workflows.services."""

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.choices import VISIT_CHECKLIST, CaseStage, RemedyType
from casework.models import Case
from partners.models import District
from scoring.choices import Band, RunStatus
from scoring.models import Assessment, ScoringModel, ScoringRun
from tests.factories import partners as people
from tests.factories.scoring import CreditRecordFactory, EnterpriseFactory
from workflows.choices import ACTIVE_TASK_STATUSES, TaskStatus, TaskType
from workflows.models import Task
from workflows.services import cases_after_scoring, remedy_add, task_claim, task_complete

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def scoring_model() -> ScoringModel:
    return ScoringModel.objects.order_by("-version").first()


_run_days = itertools.count()


def scoring_run(*, as_of: date | None = None) -> ScoringRun:
    """A finished scoring run; each without an `as_of` is a day later than the one before (an
    assessment is one per unit, date and model version)."""
    as_of = as_of or timezone.localdate() + timedelta(days=next(_run_days))
    return ScoringRun.objects.create(
        model=scoring_model(), as_of=as_of, status=RunStatus.DONE, chunks_total=1, chunks_done=1
    )


def assessment(unit, *, band: str, as_of: date | None = None, run: ScoringRun | None = None) -> Assessment:
    """A report card for `unit` with the given band (the indicators are not the point here)."""
    run = run or scoring_run(as_of=as_of)
    score = {Band.STABLE: "82.00", Band.RECOVERABLE: "55.00", Band.PRONE_TO_SICK: "31.00"}.get(band)
    return Assessment.objects.create(
        enterprise=unit,
        model=run.model,
        as_of=run.as_of,
        run=run,
        score=Decimal(score) if score else None,
        coverage=Decimal("100.00"),
        band=band,
        indicators={},
        distress=[],
        overrides=[],
        scored_at=timezone.now(),
    )


def score_units(units_bands: dict, *, as_of: date | None = None) -> ScoringRun:
    """One scoring run that gave each unit its band, followed by what a run does to cases."""
    run = scoring_run(as_of=as_of)
    for unit, band in units_bands.items():
        assessment(unit, band=band, run=run)
    cases_after_scoring(run_id=run.pk)
    return run


@dataclass
class Clinic:
    """The people around one district's cases: named personas of the permission tests."""

    district: str
    officer: object
    mentor: object
    coordinator: object
    director: object
    admin: object
    branch: object
    banker: object
    nodal: object


def clinic(district: str = "Anantnag", *, branch=None) -> Clinic:
    division = District.objects.get(name=district).division.code
    branch = branch or people.BranchFactory(district=District.objects.get(name=district))
    return Clinic(
        district=district,
        officer=people.district_officer(district),
        mentor=people.iim_mentor(),
        coordinator=people.iim_coordinator(),
        director=people.divisional_director(division),
        admin=people.department_admin(),
        branch=branch,
        banker=people.bank_officer(branch),
        nodal=people.bank_nodal_officer(branch.bank),
    )


def unit_at(district: str = "Anantnag", *, branch=None):
    """A unit of `district`, borrowing at `branch` if given (a credit record this month)."""
    unit = EnterpriseFactory(district=District.objects.get(name=district))
    if branch is not None:
        month = timezone.localdate().replace(day=1) - timedelta(days=1)
        CreditRecordFactory(enterprise=unit, ifsc=branch.ifsc, month=month.replace(day=1))
    return unit


def flagged_case(unit=None, *, band: str = Band.PRONE_TO_SICK, district: str = "Anantnag", branch=None) -> Case:
    """A case opened by scoring for a flagged unit."""
    unit = unit or unit_at(district, branch=branch)
    score_units({unit: band})
    return Case.objects.get(enterprise=unit, stage=CaseStage.SCORED)


def active_task(case: Case, task_type: str | None = None, **filters) -> Task:
    tasks = Task.objects.filter(case=case, status__in=ACTIVE_TASK_STATUSES, **filters)
    if task_type:
        tasks = tasks.filter(type=task_type)
    return tasks.get()


def work(case: Case, task_type: str, user, payload: dict | None = None) -> Task:
    """Claims (unless already theirs) and completes the case's active task of `task_type`."""
    task = active_task(case, task_type)
    if task.status == TaskStatus.OPEN:
        task = task_claim(task=task, user=user)
    elif task.assignee_id != user.pk:
        raise AssertionError(f"{task} belongs to {task.assignee}, not {user}")
    return task_complete(task=task, user=user, payload=payload or {})


def visit_payload(**overrides) -> dict:
    return {
        "visit_date": timezone.localdate().isoformat(),
        "findings": {item: {"answer": "yes", "remarks": ""} for item in VISIT_CHECKLIST},
        "summary": "Unit operating at half capacity; receivables stuck with two buyers.",
        **overrides,
    }


def diagnosis_payload() -> dict:
    return {
        "outcome": "submit",
        "document": SimpleUploadedFile("diagnosis.pdf", PDF, content_type="application/pdf"),
        "summary": "Working capital squeeze from delayed receivables.",
        "findings": [{"category": "finance", "severity": "high", "description": "Receivables over 120 days."}],
    }


def walk(case: Case, to_stage: str, people_: Clinic, *, remedies=(RemedyType.RESTRUCTURING,)) -> Case:
    """Moves `case` forward, stage by stage, doing each stage's work as its people would."""
    steps = [
        (CaseStage.SCORED, lambda: work(case, TaskType.OUTREACH, people_.officer, {"outcome": "consultation_booked"})),
        (
            CaseStage.ONLINE_CONSULTATION,
            lambda: work(
                case,
                TaskType.CONSULTATION,
                _iim_assignee(case, people_),
                {"outcome": "field_visit", "notes": "Owner reports delayed payments from buyers."},
            ),
        ),
        (CaseStage.FIELD_VISIT, lambda: work(case, TaskType.FIELD_VISIT, people_.officer, visit_payload())),
        (
            CaseStage.DIAGNOSTIC_REPORT,
            lambda: work(case, TaskType.DIAGNOSTIC_REPORT, _iim_assignee(case, people_), diagnosis_payload()),
        ),
        (CaseStage.REMEDY_PLAN, lambda: _plan(case, people_, remedies)),
    ]
    for stage, step in steps:
        case.refresh_from_db()
        if case.stage == to_stage:
            return case
        if case.stage == stage:
            step()
    case.refresh_from_db()
    assert case.stage == to_stage, f"walked to {case.stage}, wanted {to_stage}"
    return case


def _iim_assignee(case: Case, people_: Clinic):
    """Whoever the IIM task went to (auto-assignment), else the clinic's mentor."""
    task = Task.objects.filter(case=case, status__in=ACTIVE_TASK_STATUSES).select_related("assignee").get()
    return task.assignee or people_.mentor


def _plan(case: Case, people_: Clinic, remedies) -> Task:
    task = active_task(case, TaskType.REMEDY_PLAN)
    mentor = task.assignee or people_.mentor
    if task.status == TaskStatus.OPEN:
        task = task_claim(task=task, user=mentor)
    for remedy_type in remedies:
        remedy_add(task=task, actor=mentor, type=remedy_type, target_date=timezone.localdate() + timedelta(days=60))
    return task_complete(task=task, user=mentor, payload={"outcome": "approve"})
