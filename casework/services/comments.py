"""Comments and attachments: anyone who may see the case writes them, within what they see."""

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.selectors import case_list_for_user, enterprise_list_full_view_for_user

from ..audit import case_event
from ..choices import AttachmentKind, CaseEventKind
from ..models import Attachment, Case, Comment, FieldVisitReport, Remedy

ATTACHMENT_TYPES = {
    AttachmentKind.PHOTO: ("image/jpeg", "image/png", "image/webp", "image/heic"),
    AttachmentKind.DOCUMENT: (
        "application/pdf",
        "image/jpeg",
        "image/png",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/csv",
    ),
}


def _require_visible(case: Case, user, *, remedy: Remedy | None = None, document_request=None) -> None:
    """The user sees the case. One who sees only part of it writes only there: bank staff about
    a financial remedy their bank acts on; the unit's owner an answer to a document request."""
    if not case_list_for_user(user).filter(pk=case.pk).exists():
        raise Case.DoesNotExist("No such case, or not yours to see.")
    if enterprise_list_full_view_for_user(user).filter(pk=case.enterprise_id).exists():
        return
    from ..selectors import case_document_requests_for_user, case_remedies_for_user

    if (
        document_request is not None
        and case_document_requests_for_user(user, case, full=False).filter(pk=document_request.pk).exists()
    ):
        return
    if remedy is None or not case_remedies_for_user(user, case, full=False).filter(pk=remedy.pk).exists():
        raise PermissionDenied(
            "Bank staff see and write only the finance side of a case: the financial remedies their bank acts on; "
            "an owner sends the documents the clinic asked for."
        )


@transaction.atomic
def comment_add(*, case: Case, author, body: str, remedy: Remedy | None = None) -> Comment:
    """Adds a comment to a case (about one of its remedies, optionally)."""
    _require_visible(case, author, remedy=remedy)
    if not (body or "").strip():
        raise ValidationError({"body": "Write the comment."})
    if remedy is not None and remedy.case_id != case.pk:
        raise ValidationError({"remedy": "That remedy belongs to another case."})
    now = timezone.now()
    comment = Comment.objects.create(case=case, remedy=remedy, author=author, body=body.strip(), created_at=now)
    case_event(case=case, kind=CaseEventKind.COMMENT, actor=author, at=now, data={"comment": comment.pk})
    return comment


def attachment_check(*, file, kind: str = AttachmentKind.DOCUMENT, field: str = "file") -> None:
    """The one check of a file put on a case, whatever carries it (an attachment, a visit's photo, a
    bank's letter, the diagnostic study report): there is one, within CASE_ATTACHMENT_MAX_BYTES, of
    a type its kind allows. ValidationError under `field` otherwise. Callers that store several
    files at once check them all before storing any."""
    content_type = getattr(file, "content_type", "") or ""
    name = getattr(file, "name", "") or "The file"
    if file is None:
        raise ValidationError({field: "Choose a file."})
    if file.size > settings.CASE_ATTACHMENT_MAX_BYTES:
        limit = settings.CASE_ATTACHMENT_MAX_BYTES
        raise ValidationError({field: f"{name} is {file.size / 1e6:.1f} MB: the limit is {limit / 1e6:g} MB."})
    if kind in ATTACHMENT_TYPES and content_type not in ATTACHMENT_TYPES[kind]:
        allowed = ", ".join(ATTACHMENT_TYPES[kind])
        raise ValidationError({field: f"{name}: a {kind} must be one of: {allowed} (got {content_type or 'unknown'})."})


@transaction.atomic
def attachment_add(
    *,
    case: Case,
    uploader,
    file,
    kind: str = AttachmentKind.DOCUMENT,
    visit_report: FieldVisitReport | None = None,
    remedy: Remedy | None = None,
    document_request=None,
) -> Attachment:
    """Stores a file on a case after checking its size and type (attachment_check); the digest is kept."""
    _require_visible(case, uploader, remedy=remedy, document_request=document_request)
    errors = {}
    if kind not in AttachmentKind.values:
        errors["kind"] = f"One of {', '.join(AttachmentKind.values)}."
    else:
        try:
            attachment_check(file=file, kind=kind)
        except ValidationError as refused:
            errors.update(refused.message_dict)
    for related, name in ((visit_report, "visit_report"), (remedy, "remedy"), (document_request, "document_request")):
        if related is not None and related.case_id != case.pk:
            errors[name] = "That record belongs to another case."
    if errors:
        raise ValidationError(errors)
    content_type = getattr(file, "content_type", "") or ""
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    now = timezone.now()
    attachment = Attachment.objects.create(
        case=case,
        kind=kind,
        file=file,
        original_name=getattr(file, "name", "upload")[:255],
        content_type=content_type,
        size=file.size,
        sha256=digest.hexdigest(),
        uploaded_by=uploader,
        uploaded_at=now,
        visit_report=visit_report,
        remedy=remedy,
        document_request=document_request,
    )
    case_event(
        case=case,
        kind=CaseEventKind.ATTACHMENT,
        actor=uploader,
        at=now,
        to_value=attachment.original_name,
        data={"attachment": attachment.pk, "kind": kind, "sha256": attachment.sha256},
    )
    return attachment
