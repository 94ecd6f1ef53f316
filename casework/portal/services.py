"""Writes of the owner portal: who may register (the unit's numbers; the proof of control and the
account are in registration.py), an owner answers a request for documents.

Each calls the owning app's services (partners.services.membership_grant,
casework.services.attachment_add, and the case engine's document_request_close through
casework.hooks) and adds only what
the portal itself guarantees: who may register, and that a request is answered with files."""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from casework.choices import AttachmentKind, DocumentRequestStatus
from casework.hooks import document_request_close
from casework.models import Attachment, DocumentRequest
from casework.services import attachment_add
from scoring.models import Enterprise


def normalise_udyam(value: str) -> str:
    """Udyam numbers are written in capitals with hyphens (UDYAM-JK-02-0001234); accept them
    typed in small letters or with spaces."""
    return re.sub(r"[\s-]+", "-", (value or "").strip().upper())


def normalise_pan(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def not_matched_message() -> str:
    # The same words whether the number is unknown or the PAN is wrong: a stranger learns
    # nothing about which Udyam numbers are registered, nor about a unit's PAN.
    return _(
        "These details do not match a Udyam registration we hold. Check the Udyam number and the "
        "unit's PAN as they appear on your Udyam registration certificate."
    )


def enterprise_for_registration(*, udyam_number: str, pan: str) -> Enterprise:
    """The unit whose Udyam profile has this number and this PAN; ValidationError otherwise."""
    unit = Enterprise.objects.filter(udyam_number=normalise_udyam(udyam_number), pan=normalise_pan(pan)).first()
    if unit is None:
        raise ValidationError(not_matched_message(), code="not_matched")
    return unit


def email_taken(email: str) -> bool:
    User = get_user_model()
    email = (email or "").strip()
    return User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists()


@transaction.atomic
def owner_documents_add(*, owner, request: DocumentRequest, files: list) -> list[Attachment]:
    """Stores the files the owner sends against an open request (all or none)."""
    if request.status != DocumentRequestStatus.OPEN:
        raise ValidationError(_("The clinic already has what it asked for here."))
    if not files:
        raise ValidationError({"file": _("Choose at least one file.")})
    return [
        attachment_add(
            case=request.case, uploader=owner, file=file, kind=AttachmentKind.DOCUMENT, document_request=request
        )
        for file in files
    ]


def owner_documents_done(*, owner, request: DocumentRequest) -> DocumentRequest:
    """The owner says everything asked for is sent: the request is closed as received (the
    case's clocks resume when no other request is open). Refused before any file is sent."""
    if request.status == DocumentRequestStatus.OPEN and not request.attachments.exists():
        raise ValidationError(_("Upload the documents first, then tell the clinic they are all sent."))
    return document_request_close(request=request, actor=owner, status=DocumentRequestStatus.RECEIVED)
