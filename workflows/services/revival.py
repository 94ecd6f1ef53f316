"""The evidence rule for revival (DESIGN.md, "The case lifecycle"; SCORING.md §5): the remedies
of the approved plan are done and the unit has scored `stable` on the last N consecutive
assessments made after the last remedy was done (N: settings.REVIVAL_STABLE_ASSESSMENTS). When it
holds, the district officer gets a "confirm revival" task."""

from collections import defaultdict

from django.conf import settings
from django.db import transaction

from casework.choices import CaseStage, RemedyPlanStatus, RemedyStatus
from casework.models import Case, Remedy
from scoring.choices import Band
from scoring.models import Assessment

from ..choices import ACTIVE_TASK_STATUSES, TaskType
from ..models import Task
from ..routing import district_offices
from ..tasktypes import ROUTE_OF_TYPE
from .locks import cases_lock
from .tasks import TaskSpec, tasks_open


def _bands_by_date(assessments) -> list[str]:
    """One band per as-of date, newest first: for a date scored by several model versions, the
    newest version's."""
    best: dict = {}
    for as_of, version, band in assessments:
        if as_of not in best or version > best[as_of][0]:
            best[as_of] = (version, band)
    return [best[as_of][1] for as_of in sorted(best, reverse=True)]


def evidence_from(remedies: list[tuple[str, object]], assessments, *, needed: int) -> tuple[bool, str]:
    """The rule itself over plain inputs: `remedies` as (status, updated_at); `assessments` as
    (as_of, model version, band) of the unit."""
    if not remedies:
        return False, "The approved plan has no remedy."
    pending = [status for status, _ in remedies if status not in (RemedyStatus.DONE, RemedyStatus.DROPPED)]
    if pending:
        return False, f"{len(pending)} remedy(ies) of the plan are not done yet."
    done = [updated for status, updated in remedies if status == RemedyStatus.DONE]
    if not done:
        return False, "No remedy of the plan has been carried out."
    since = max(done).date()
    bands = _bands_by_date([a for a in assessments if a[0] > since])
    if len(bands) < needed:
        return False, f"The unit needs {needed} assessments after {since}; it has {len(bands)}."
    if any(band != Band.STABLE for band in bands[:needed]):
        return False, f"The unit has not scored stable on its last {needed} assessments."
    return True, ""


def revival_evidence(case: Case) -> tuple[bool, str]:
    """Does the evidence rule hold for `case` now? (ok, why not)."""
    if case.stage != CaseStage.HANDHOLDING:
        return False, "Only a case in handholding can be revived."
    remedies = list(
        Remedy.objects.filter(plan__case=case, plan__status=RemedyPlanStatus.APPROVED).values_list(
            "status", "updated_at"
        )
    )
    assessments = Assessment.objects.filter(enterprise_id=case.enterprise_id).values_list(
        "as_of", "model__version", "band"
    )
    return evidence_from(remedies, list(assessments), needed=settings.REVIVAL_STABLE_ASSESSMENTS)


def revival_check(*, case_ids=None, run_id: int | None = None) -> int:
    """Opens a "confirm revival" task on each case in handholding (of those given) whose evidence
    now holds and that has none open. A few queries whatever the number of cases."""
    cases = Case.objects.filter(stage=CaseStage.HANDHOLDING).exclude(
        tasks__type=TaskType.CONFIRM_REVIVAL, tasks__status__in=ACTIVE_TASK_STATUSES
    )
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    if run_id is not None:
        stable = Assessment.objects.filter(run_id=run_id, band=Band.STABLE).values("enterprise_id")
        cases = cases.filter(enterprise_id__in=stable)
    cases = list(cases.select_related("enterprise"))
    if not cases:
        return 0
    remedies, assessments = defaultdict(list), defaultdict(list)
    for case_id, status, updated in Remedy.objects.filter(
        plan__case__in=cases, plan__status=RemedyPlanStatus.APPROVED
    ).values_list("case_id", "status", "updated_at"):
        remedies[case_id].append((status, updated))
    for enterprise_id, as_of, version, band in Assessment.objects.filter(
        enterprise_id__in=[c.enterprise_id for c in cases]
    ).values_list("enterprise_id", "as_of", "model__version", "band"):
        assessments[enterprise_id].append((as_of, version, band))
    needed = settings.REVIVAL_STABLE_ASSESSMENTS
    ready = [c for c in cases if evidence_from(remedies[c.pk], assessments[c.enterprise_id], needed=needed)[0]]
    if not ready:
        return 0
    offices = district_offices()
    route = ROUTE_OF_TYPE[TaskType.CONFIRM_REVIVAL]
    with transaction.atomic():
        locked = set(cases_lock(Case.objects.filter(pk__in=[c.pk for c in ready], stage=CaseStage.HANDHOLDING)))
        busy = set(
            Task.objects.filter(
                case_id__in=locked, type=TaskType.CONFIRM_REVIVAL, status__in=ACTIVE_TASK_STATUSES
            ).values_list("case_id", flat=True)
        )
        specs = [
            TaskSpec(case=c, type=TaskType.CONFIRM_REVIVAL, route=route, organisation=offices[c.enterprise.district_id])
            for c in ready
            if c.pk in locked and c.pk not in busy
        ]
        tasks_open(specs)
    return len(specs)
