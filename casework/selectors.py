"""Reads of one case's parts for the pages and the API, composed from partners.selectors (which
alone decide who sees what): a user who sees a case only through a bank role sees its finance side — the bank tasks
they may see (task_list_for_user), the financial remedies those tasks are about, and the comments,
attachments and audit events of those — and nothing else of it. Each function is one queryset,
composable, never a query per row."""

from django.db.models import Q, QuerySet

from casework.choices import FINANCIAL_REMEDY_TYPES
from casework.models import Attachment, Case, CaseEvent, Comment, DocumentRequest, Remedy
from partners.selectors import enterprise_list_full_view_for_user, task_list_for_user


def case_seen_in_full(user, case: Case) -> bool:
    """Does `user` see the whole case (not only its finance side)? One query."""
    return enterprise_list_full_view_for_user(user).filter(pk=case.enterprise_id).exists()


def case_tasks_for_user(user, case: Case) -> QuerySet:
    return task_list_for_user(user).filter(case=case)


def case_remedies_for_user(user, case: Case, *, full: bool, tasks: QuerySet | None = None) -> QuerySet:
    """The case's remedies (every plan's) that `user` may see (`tasks`: theirs of the case, if
    already built)."""
    remedies = Remedy.objects.filter(case=case)
    if full:
        return remedies
    tasks = case_tasks_for_user(user, case) if tasks is None else tasks
    finance_tasks = tasks.filter(remedy__isnull=False).values("remedy_id")
    return remedies.filter(type__in=sorted(FINANCIAL_REMEDY_TYPES), pk__in=finance_tasks)


def case_comments_for_user(user, case: Case, *, full: bool) -> QuerySet:
    comments = Comment.objects.filter(case=case)
    return comments if full else comments.filter(remedy__in=case_remedies_for_user(user, case, full=False))


def case_attachments_for_user(user, case: Case, *, full: bool) -> QuerySet:
    attachments = Attachment.objects.filter(case=case)
    return attachments if full else attachments.filter(remedy__in=case_remedies_for_user(user, case, full=False))


def case_document_requests_for_user(user, case: Case, *, full: bool) -> QuerySet:
    """What the clinic asked the enterprise for: not the finance side."""
    requests = DocumentRequest.objects.filter(case=case)
    return requests if full else requests.none()


def case_events_for_user(user, case: Case, *, full: bool) -> QuerySet:
    """The audit trail: all of it, or the events of the finance side (its visible tasks, and the
    changes, comments and attachments about its visible remedies)."""
    events = CaseEvent.objects.filter(case=case)
    if full:
        return events
    tasks = case_tasks_for_user(user, case)
    remedies = list(case_remedies_for_user(user, case, full=False, tasks=tasks).values_list("pk", flat=True))
    comments = list(Comment.objects.filter(case=case, remedy_id__in=remedies).values_list("pk", flat=True))
    attachments = list(Attachment.objects.filter(case=case, remedy_id__in=remedies).values_list("pk", flat=True))
    seen = Q(task__in=tasks)
    if remedies:
        seen |= Q(data__remedy__in=remedies)
    if comments:
        seen |= Q(data__comment__in=comments)
    if attachments:
        seen |= Q(data__attachment__in=attachments)
    return events.filter(seen)
