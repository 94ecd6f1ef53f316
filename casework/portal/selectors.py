"""Reads of the owner portal. An owner's units come through partners.selectors (the one place
that answers who sees what); everything else is read from those units."""

from django.db.models import Prefetch, QuerySet

from casework.choices import OPEN_STAGES, DocumentRequestStatus, OwnerClaimStatus, RemedyPlanStatus
from casework.models import Attachment, Case, DocumentRequest, OwnerClaim
from casework.selectors import case_list_for_user
from partners.choices import Role
from partners.selectors import user_roles
from scoring.models import Enterprise
from scoring.visibility import enterprise_list_for_user


def owner_units(user) -> QuerySet[Enterprise]:
    """The units `user` holds an owner's membership of (and may see): none for anyone else."""
    owned = sorted(m.enterprise_id for m in user_roles(user) if m.role == Role.ENTERPRISE_OWNER)
    return enterprise_list_for_user(user).filter(pk__in=owned).select_related("district").order_by("udyam_number")


def owner_unit_get(user, udyam_number: str) -> Enterprise:
    """One of the owner's units; Enterprise.DoesNotExist (a 404) for any other."""
    return owner_units(user).get(udyam_number=udyam_number)


def owner_case(user, unit: Enterprise) -> Case | None:
    """The unit's open case, else its latest one; None if it never had one."""
    cases = case_list_for_user(user).filter(enterprise=unit)
    return cases.filter(stage__in=OPEN_STAGES).first() or cases.order_by("-opened_at", "-pk").first()


def owner_document_requests(case: Case) -> list[DocumentRequest]:
    """What the clinic asked of the owner, the open requests first, with the files sent."""
    files = Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at"))
    requests = list(case.document_requests.select_related("asked_by").prefetch_related(files).order_by("-asked_at"))
    return sorted(requests, key=lambda r: r.status != DocumentRequestStatus.OPEN)


def owner_document_request_get(user, unit: Enterprise, pk: int) -> DocumentRequest:
    """A request of the unit's cases; DocumentRequest.DoesNotExist for any other."""
    cases = case_list_for_user(user).filter(enterprise=unit)
    return DocumentRequest.objects.select_related("case").get(pk=pk, case__in=cases)


def owner_remedies(case: Case) -> list:
    """The remedies of the case's approved plan (a draft is the clinic's working paper)."""
    plan = case.remedy_plans.filter(status=RemedyPlanStatus.APPROVED).order_by("-number").first()
    return list(plan.remedies.select_related("owner").order_by("target_date", "pk")) if plan else []


def owner_claim_started(claim_id, *, method: str) -> OwnerClaim | None:
    """The registration `claim_id` (from the session that started it) while it waits, by `method`."""
    if not isinstance(claim_id, int):
        return None
    return (
        OwnerClaim.objects.filter(pk=claim_id, status=OwnerClaimStatus.PENDING, method=method)
        .select_related("enterprise")
        .first()
    )


def user_is_district_officer(user) -> bool:
    return any(m.role == Role.DISTRICT_OFFICER for m in user_roles(user))
