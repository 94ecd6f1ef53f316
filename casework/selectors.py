"""Reads of one case's parts for the pages and the API, composed from partners.selectors (which
alone decide who sees what). A user who sees a case only through a bank role sees its finance
side — the bank tasks they may see (the case engine's answer, casework.hooks), the financial remedies those tasks are
about, and the comments, attachments and audit events of those. A unit's owner sees what concerns
them: the remedies of the approved plan, the documents asked of them and what they sent, the
stage changes; not the clinic's tasks, comments or internal trail. Each function is one queryset,
composable, never a query per row."""

from django.db.models import Q, QuerySet

from casework.choices import FINANCIAL_REMEDY_TYPES, CaseEventKind, RemedyPlanStatus
from casework.models import Attachment, Case, CaseEvent, Comment, DocumentRequest, Remedy
from partners.selectors import user_may_direct_district
from scoring.visibility import enterprise_list_for_user, enterprise_list_full_view_for_user

from .hooks import case_tasks_seen_by


def case_list_for_user(user) -> QuerySet[Case]:
    """The cases `user` may see: the cases of the units they may see (one query for the
    memberships, then one composable queryset)."""
    if not (user.is_authenticated and user.is_active):
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    return Case.objects.filter(enterprise__in=enterprise_list_for_user(user))


def case_get_for_user(user, pk: int) -> Case:
    """The case `pk` if `user` may see it; Case.DoesNotExist (a 404) otherwise."""
    return case_list_for_user(user).get(pk=pk)


def user_may_direct_case(user, case: Case) -> bool:
    """May `user` steer `case` outside its tasks (close it, send it back a stage): the district
    officer of its district, its division's director, an IIM coordinator, a department admin."""
    district = case.enterprise.district
    return user_may_direct_district(user, district_id=district.pk, division_id=district.division_id)


def case_seen_in_full(user, case: Case) -> bool:
    """Does `user` see the whole case (not only its finance side)? One query."""
    return enterprise_list_full_view_for_user(user).filter(pk=case.enterprise_id).exists()


def case_owned_by(user, case: Case) -> bool:
    """Is `user` an owner of the case's unit? One query."""
    from partners.choices import Role
    from partners.selectors import user_roles

    return user_roles(user).filter(role=Role.ENTERPRISE_OWNER, enterprise_id=case.enterprise_id).exists()


def case_tasks_for_user(user, case: Case) -> QuerySet:
    """The case's tasks `user` may see, as the case engine answers (casework.hooks): a queryset
    read here for its `pk` and `remedy_id` only."""
    return case_tasks_seen_by(user=user, case=case)


def case_remedies_for_user(user, case: Case, *, full: bool, tasks: QuerySet | None = None) -> QuerySet:
    """The case's remedies (every plan's) that `user` may see (`tasks`: theirs of the case, if
    already built)."""
    remedies = Remedy.objects.filter(case=case)
    if full:
        return remedies
    if case_owned_by(user, case):
        return remedies.filter(plan__status=RemedyPlanStatus.APPROVED)
    tasks = case_tasks_for_user(user, case) if tasks is None else tasks
    finance_tasks = tasks.filter(remedy__isnull=False).values("remedy_id")
    return remedies.filter(type__in=sorted(FINANCIAL_REMEDY_TYPES), pk__in=finance_tasks)


def case_comments_for_user(user, case: Case, *, full: bool) -> QuerySet:
    comments = Comment.objects.filter(case=case)
    if full:
        return comments
    if case_owned_by(user, case):
        return comments.none()  # the clinic's notes among its staff
    return comments.filter(remedy__in=case_remedies_for_user(user, case, full=False))


def case_attachments_for_user(user, case: Case, *, full: bool) -> QuerySet:
    attachments = Attachment.objects.filter(case=case)
    if full:
        return attachments
    if case_owned_by(user, case):
        return attachments.filter(document_request__isnull=False)  # what the owner was asked for, and sent
    return attachments.filter(remedy__in=case_remedies_for_user(user, case, full=False))


def case_document_requests_for_user(user, case: Case, *, full: bool) -> QuerySet:
    """What the clinic asked the enterprise for: its staff and its owner see it, a bank does not."""
    requests = DocumentRequest.objects.filter(case=case)
    return requests if full or case_owned_by(user, case) else requests.none()


def case_events_for_user(user, case: Case, *, full: bool) -> QuerySet:
    """The audit trail: all of it, or the events of the finance side (its visible tasks, and the
    changes, comments and attachments about its visible remedies)."""
    events = CaseEvent.objects.filter(case=case)
    if full:
        return events
    if case_owned_by(user, case):
        return events.filter(
            kind__in=[CaseEventKind.OPENED, CaseEventKind.TRANSITION, CaseEventKind.DOCUMENTS_REQUESTED,
                      CaseEventKind.DOCUMENTS_RECEIVED]
        )  # fmt: skip
    tasks = case_tasks_for_user(user, case)
    remedies = list(case_remedies_for_user(user, case, full=False, tasks=tasks).values_list("pk", flat=True))
    comments = list(Comment.objects.filter(case=case, remedy_id__in=remedies).values_list("pk", flat=True))
    attachments = list(Attachment.objects.filter(case=case, remedy_id__in=remedies).values_list("pk", flat=True))
    seen = Q(task_id__in=tasks.values("pk"))
    if remedies:
        seen |= Q(data__remedy__in=remedies)
    if comments:
        seen |= Q(data__comment__in=comments)
    if attachments:
        seen |= Q(data__attachment__in=attachments)
    return events.filter(seen)
