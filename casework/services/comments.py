"""Comments and attachments: anyone who may see the case writes them, within what they see."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from scoring.visibility import enterprise_list_full_view_for_user

from ..audit import case_event
from ..choices import AttachmentKind, CaseEventKind, DocumentRequestStatus
from ..models import Attachment, Case, Comment, FieldVisitReport, Remedy
from ..selectors import case_list_for_user
from ..uploads import CheckedUpload, clean_name, upload_check


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


def attachment_check(
    *, file, kind: str = AttachmentKind.DOCUMENT, field: str = "file", named: bool = False
) -> CheckedUpload:
    """The one check of a file put on a case, whatever carries it (an attachment, a visit's photo, a
    bank's letter, the diagnostic study report): casework/uploads.py's, typed by its content, within
    the size limit, its name cleaned. ValidationError under `field` otherwise, naming the file when
    `named` or under another field (where several travel together: a visit's photos, a letter).
    Callers that store several files at once check them all before storing any."""
    try:
        return upload_check(file=file, kind=kind)
    except ValidationError as refused:
        if field == "file" and not named:
            raise
        # Which file, where several travel together (a visit's photos, a letter): its name, cleaned.
        name = clean_name(getattr(file, "name", "") or "") if file is not None else ""
        messages = refused.message_dict.get("file", refused.messages)
        raise ValidationError({field: [f"{name}: {m}" if name else m for m in messages]}) from None


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
    """Stores a file on a case after checking it (attachment_check: typed by its content, size,
    name); the digest is kept. A file answering a request for documents goes only to an open one."""
    _require_visible(case, uploader, remedy=remedy, document_request=document_request)
    errors = {}
    checked = None
    if kind not in AttachmentKind.values:
        errors["kind"] = f"One of {', '.join(AttachmentKind.values)}."
    else:
        try:
            checked = attachment_check(file=file, kind=kind)
        except ValidationError as refused:
            errors.update(refused.message_dict)
    for related, name in ((visit_report, "visit_report"), (remedy, "remedy"), (document_request, "document_request")):
        if related is not None and related.case_id != case.pk:
            errors[name] = "That record belongs to another case."
    if document_request is not None and document_request.status != DocumentRequestStatus.OPEN:
        # Issue 16: an owner uploaded to requests already received or withdrawn.
        errors["document_request"] = "This request is closed: the clinic is not waiting for files here."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    attachment = Attachment.objects.create(
        case=case,
        kind=kind,
        file=checked.file,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
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
