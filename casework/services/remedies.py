"""The remedy plan and its remedies: the plan's versions (started and approved by the stage
changes), remedies added and dropped while drafting, their progress, and the bank's action on a
financial remedy."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from casework.selectors import user_may_direct_case
from partners.choices import OrganisationKind
from partners.models import Branch, Organisation
from partners.selectors import user_roles

from ..audit import case_event, changes_between
from ..choices import (
    FINANCIAL_REMEDY_TYPES,
    FINISHED_REMEDY_STATUSES,
    BankDecision,
    CaseEventKind,
    RemedyPlanStatus,
    RemedyStatus,
    RemedyType,
)
from ..models import Case, Remedy, RemedyPlan
from ._common import _added, _not_in_future

# Who owns a non-financial remedy unless the plan says otherwise.
DEFAULT_REMEDY_OWNER = {
    RemedyType.MENTORING: OrganisationKind.IIM,
    RemedyType.MARKET_LINKAGE: OrganisationKind.DISTRICT_OFFICE,
    RemedyType.SKILL_TRAINING: OrganisationKind.DISTRICT_OFFICE,
    RemedyType.TECHNOLOGY_UPGRADE: OrganisationKind.DISTRICT_OFFICE,
    RemedyType.COMPLIANCE_SUPPORT: OrganisationKind.DISTRICT_OFFICE,
}


# Remedy plan. Started and approved by the stage changes (workflows.services.cases.ON_ENTER).


def remedy_plan_current(case: Case) -> RemedyPlan | None:
    return case.remedy_plans.filter(status__in=[RemedyPlanStatus.DRAFT, RemedyPlanStatus.APPROVED]).first()


def remedy_plan_start(*, case: Case, actor, revise: bool, now: datetime) -> RemedyPlan:
    """A draft plan for the case: the first one, or (revising) a copy of the approved plan's
    unfinished remedies, the approved plan superseded. Called inside case_advance."""
    current = remedy_plan_current(case)
    if current is not None and current.status == RemedyPlanStatus.DRAFT:
        return current
    number = (case.remedy_plans.aggregate(n=Max("number"))["n"] or 0) + 1
    if current is not None:
        RemedyPlan.objects.filter(pk=current.pk).update(status=RemedyPlanStatus.SUPERSEDED, superseded_at=now)
    plan = RemedyPlan.objects.create(case=case, number=number, drafted_by=actor, created_at=now)
    if current is not None and revise:
        carried = [
            Remedy(
                plan=plan,
                case=case,
                type=r.type,
                description=r.description,
                owner_id=r.owner_id,
                branch_id=r.branch_id,
                target_date=r.target_date,
                status=r.status,
                progress=r.progress,
                bank_reference=r.bank_reference,
                bank_decision=r.bank_decision,
                amount=r.amount,
                updated_at=now,
            )
            for r in current.remedies.exclude(status__in=FINISHED_REMEDY_STATUSES)
        ]
        Remedy.objects.bulk_create(carried)
    case_event(
        case=case,
        kind=CaseEventKind.ARTEFACT_ADDED,
        actor=actor,
        at=now,
        to_value=f"remedy plan {number} (draft)",
        data={"remedy_plan": plan.pk, "supersedes": current.pk if current else None},
    )
    return plan


def remedy_plan_approve(*, case: Case, actor, now: datetime) -> RemedyPlan:
    """The draft plan becomes the approved one. Called inside case_advance (approve_plan)."""
    plan = case.remedy_plans.get(status=RemedyPlanStatus.DRAFT)
    RemedyPlan.objects.filter(pk=plan.pk).update(status=RemedyPlanStatus.APPROVED, approved_by=actor, approved_at=now)
    plan.refresh_from_db()
    case_event(
        case=case,
        kind=CaseEventKind.ARTEFACT_CHANGED,
        actor=actor,
        at=now,
        from_value=RemedyPlanStatus.DRAFT,
        to_value=RemedyPlanStatus.APPROVED,
        data={"remedy_plan": plan.pk, "remedies": list(plan.remedies.values_list("pk", flat=True))},
    )
    return plan


def unit_branches(enterprise) -> list[Branch]:
    """The registered bank branches the unit borrows from: the IFSCs of its credit accounts in
    its latest credit month, largest outstanding first."""
    from scoring.models import CreditRecord

    latest = CreditRecord.objects.filter(enterprise=enterprise).aggregate(m=Max("month"))["m"]
    if latest is None:
        return []
    ifscs = list(
        CreditRecord.objects.filter(enterprise=enterprise, month=latest)
        .order_by("-outstanding")
        .values_list("ifsc", flat=True)
    )
    branches = Branch.objects.in_bulk(ifscs, field_name="ifsc")
    return [branches[ifsc] for ifsc in dict.fromkeys(ifscs) if ifsc in branches]


def _draft_plan_of(case: Case) -> RemedyPlan:
    plan = case.remedy_plans.filter(status=RemedyPlanStatus.DRAFT).first()
    if plan is None:
        raise ValidationError("The case has no draft remedy plan to edit.")
    return plan


def _may_own(owner: Organisation, case: Case) -> bool:
    """Who may carry out a remedy that is not a bank's: the IIM, or the unit's own district office."""
    if owner.kind == OrganisationKind.IIM:
        return True
    return owner.kind == OrganisationKind.DISTRICT_OFFICE and owner.district_id == case.enterprise.district_id


def _remedy_clean(case: Case, *, type: str, owner, branch, target_date: date, amount) -> tuple:
    errors = {}
    if type not in RemedyType.values:
        errors["type"] = f"One of {', '.join(RemedyType.values)}."
    elif type in FINANCIAL_REMEDY_TYPES:
        branches = unit_branches(case.enterprise)
        if branch is None:
            branch = branches[0] if branches else None
        if branch is None:
            errors["branch"] = (
                "A financial remedy needs the unit's bank branch: "
                "none of its credit accounts is at a registered branch."
            )
        elif branch not in branches:
            errors["branch"] = f"{branch} is not a branch the unit borrows from."
        elif owner is not None and owner.pk != branch.bank_id:
            # Issue 16: a remedy's owner could be any organisation.
            errors["owner"] = f"A finance remedy is the bank's: its owner is {branch.bank}, the bank of its branch."
        else:
            owner = branch.bank
    else:
        if branch is not None:
            errors["branch"] = "Only a financial remedy names a bank branch."
        if owner is not None and not _may_own(owner, case):
            errors["owner"] = (
                "This remedy is carried out by IIM Jammu or the unit's own District Industries Centre, "
                "not by a bank or another district's office."
            )
        elif owner is None:
            kind = DEFAULT_REMEDY_OWNER[type]
            owner = (
                Organisation.objects.filter(
                    kind=kind,
                    **(
                        {"district_id": case.enterprise.district_id} if kind == OrganisationKind.DISTRICT_OFFICE else {}
                    ),
                )
                .order_by("pk")
                .first()
            )
    if target_date is None:
        errors["target_date"] = "Set a target date."
    elif target_date < timezone.localdate():
        errors["target_date"] = "The target date has passed."
    if amount is not None and Decimal(amount) < 0:
        errors["amount"] = "An amount cannot be negative."
    if errors:
        raise ValidationError(errors)
    return owner, branch


@transaction.atomic
def remedy_add(
    *,
    case: Case,
    actor,
    type: str,
    target_date: date,
    description: str = "",
    owner: Organisation | None = None,
    branch: Branch | None = None,
    amount: Decimal | None = None,
    task_id: int | None = None,
) -> Remedy:
    """Adds a remedy to the case's draft plan (the work of its remedy-plan task). A financial
    remedy goes to the unit's branch (by default the one with the largest exposure)."""
    plan = _draft_plan_of(case)
    owner, branch = _remedy_clean(case, type=type, owner=owner, branch=branch, target_date=target_date, amount=amount)
    now = timezone.now()
    remedy = Remedy.objects.create(
        plan=plan,
        case=case,
        type=type,
        description=description.strip(),
        owner=owner,
        branch=branch,
        target_date=target_date,
        amount=amount,
        updated_at=now,
    )
    _added(
        case,
        task_id,
        actor,
        now,
        f"remedy: {remedy.get_type_display()}",
        {"remedy": remedy.pk, "owner": owner.name, "branch": branch.ifsc if branch else None},
    )
    return remedy


@transaction.atomic
def remedy_drop(*, case: Case, actor, remedy: Remedy, reason: str, task_id: int | None = None) -> Remedy:
    """Drops a remedy from the case's draft plan, with the reason."""
    plan = _draft_plan_of(case)
    if remedy.plan_id != plan.pk:
        raise ValidationError("Only a remedy of the draft plan can be dropped.")
    return _remedy_status_change(remedy, actor=actor, status=RemedyStatus.DROPPED, reason=reason, task_id=task_id)


def _remedy_status_change(remedy: Remedy, *, actor, task_id: int | None = None, reason: str = "", **values) -> Remedy:
    before = {key: getattr(remedy, key) for key in values}
    changes = changes_between(before, values)
    if not changes:
        return remedy
    now = timezone.now()
    Remedy.objects.filter(pk=remedy.pk).update(updated_at=now, **values)
    remedy.refresh_from_db()
    case_event(
        case=remedy.case,
        task_id=task_id,
        kind=CaseEventKind.ARTEFACT_CHANGED,
        actor=actor,
        at=now,
        from_value=before.get("status", ""),
        to_value=values.get("status", ""),
        reason=reason,
        data={"remedy": remedy.pk, "changes": changes},
    )
    from notifications.choices import NotificationEvent
    from notifications.services import notification_request

    notification_request(
        event=NotificationEvent.REMEDY_UPDATED,
        enterprise=remedy.case.enterprise,
        case=remedy.case,
        data={"remedy": remedy.pk, "type": remedy.type, "changes": changes},
        at=now,
    )
    return remedy


@transaction.atomic
def remedy_progress_set(*, remedy: Remedy, actor, progress: int, note: str = "") -> Remedy:
    """Records a non-financial remedy's progress (0-100); 100 marks it done. Its owner
    organisation's people or those who direct the case (the district officer also records it at
    a handholding check-in, check_in_record)."""
    if not (
        any(m.organisation_id == remedy.owner_id for m in user_roles(actor)) or user_may_direct_case(actor, remedy.case)
    ):
        raise PermissionDenied(
            "Only the remedy's owner organisation, or whoever directs the case, records its progress."
        )
    return _remedy_progress(remedy, actor=actor, progress=progress, note=note)


def _remedy_progress(remedy: Remedy, *, actor, progress: int, note: str = "", task_id: int | None = None) -> Remedy:
    if remedy.type in FINANCIAL_REMEDY_TYPES:
        raise ValidationError("A financial remedy moves by the bank's referral and decision.")
    if remedy.status in FINISHED_REMEDY_STATUSES:
        raise ValidationError(f"This remedy is already {remedy.get_status_display().lower()}.")
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise ValidationError({"progress": "A percentage from 0 to 100."})
    if remedy.plan.status != RemedyPlanStatus.APPROVED:
        raise ValidationError("Progress is recorded on the approved plan's remedies.")
    status = RemedyStatus.DONE if progress == 100 else RemedyStatus.IN_PROGRESS if progress else RemedyStatus.PLANNED
    return _remedy_status_change(remedy, actor=actor, task_id=task_id, reason=note, progress=progress, status=status)


# Bank action on a financial remedy (RBI, March 2016: referral to the committee, then its plan).


@transaction.atomic
def bank_referral_record(
    *, remedy: Remedy, officer, referred_on: date, reference: str, note: str = "", task_id: int | None = None
) -> Remedy:
    """The branch referred the financial remedy's account to its Committee for Stressed MSMEs."""
    if not (reference or "").strip():
        raise ValidationError({"reference": "Give the bank's reference for the referral."})
    _not_in_future(referred_on, "referred_on")
    return _remedy_status_change(
        remedy,
        actor=officer,
        task_id=task_id,
        reason=note or f"Referred to the committee on {referred_on}.",
        status=RemedyStatus.IN_PROGRESS,
        bank_reference=reference.strip(),
    )


@transaction.atomic
def bank_decision_record(
    *,
    remedy: Remedy,
    officer,
    decision: str,
    reference: str,
    amount: Decimal | None = None,
    note: str = "",
    task_id: int | None = None,
) -> Remedy:
    """The committee's corrective action plan on the financial remedy: rectification or
    restructuring carry it out (done); recovery declines it."""
    errors = {}
    if decision not in BankDecision.values:
        errors["decision"] = f"One of {', '.join(BankDecision.values)}."
    if not (reference or "").strip():
        errors["reference"] = "Give the bank's reference for the decision."
    if amount is not None and Decimal(amount) < 0:
        errors["amount"] = "An amount cannot be negative."
    if errors:
        raise ValidationError(errors)
    status = RemedyStatus.DECLINED if decision == BankDecision.RECOVERY else RemedyStatus.DONE
    values = {"status": status, "bank_decision": decision, "bank_reference": reference.strip()}
    if amount is not None:
        values["amount"] = Decimal(amount)
    return _remedy_status_change(remedy, actor=officer, task_id=task_id, reason=note, **values)
