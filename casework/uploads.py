"""What a file uploaded to a case must be, checked in one place (`upload_check`): typed by its
content, not by the Content-Type the browser or client declared (an HTML page sent as a PDF, or an
SVG with a script sent as a PNG, was stored and served back as what it claimed to be); one of the
types its purpose allows; within the size limit; stored under a name without control or
direction characters (a right-to-left override turns "gnp.exe" into what reads as "exe.png"),
with the extension of what it is.

The size is also capped while the body streams in (core.uploads.CappedUploadHandler): past the
limit nothing more is kept, and the file arrives here marked oversize."""

import hashlib
import os
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import AttachmentKind

PDF = "application/pdf"
JPEG, PNG, WEBP, HEIC = "image/jpeg", "image/png", "image/webp", "image/heic"
DOC, DOCX = "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLS, XLSX = "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"

# What each purpose takes, by detected type.
ALLOWED_TYPES = {
    AttachmentKind.PHOTO: (JPEG, PNG, WEBP, HEIC),
    AttachmentKind.DOCUMENT: (PDF, JPEG, PNG, WEBP, HEIC, DOC, DOCX, XLS, XLSX, CSV),
}
# Each in words, for people (never a MIME type), and the extension its stored name gets.
TYPE_WORDS = {
    PDF: gettext_lazy("a PDF"),
    JPEG: gettext_lazy("a JPEG photo"),
    PNG: gettext_lazy("a PNG image"),
    WEBP: gettext_lazy("a WebP image"),
    HEIC: gettext_lazy("a HEIC photo"),
    DOC: gettext_lazy("a Word document"),
    DOCX: gettext_lazy("a Word document"),
    XLS: gettext_lazy("an Excel workbook"),
    XLSX: gettext_lazy("an Excel workbook"),
    CSV: gettext_lazy("a CSV table"),
}
EXTENSIONS = {
    PDF: ("pdf",),
    JPEG: ("jpg", "jpeg"),
    PNG: ("png",),
    WEBP: ("webp",),
    HEIC: ("heic", "heif"),
    DOC: ("doc",),
    DOCX: ("docx",),
    XLS: ("xls",),
    XLSX: ("xlsx",),
    CSV: ("csv",),
}
KIND_WORDS = {
    AttachmentKind.PHOTO: gettext_lazy("a photo (JPEG, PNG, WebP or HEIC)"),
    AttachmentKind.DOCUMENT: gettext_lazy(
        "a PDF, a photo (JPEG, PNG, WebP or HEIC), a Word or Excel file, or a CSV table"
    ),
}
KIND_NAMES = {AttachmentKind.PHOTO: gettext_lazy("A photo"), AttachmentKind.DOCUMENT: gettext_lazy("A document")}
# How much of a file is read to tell its type (filetype needs the first few kilobytes).
HEAD_BYTES = 8192
# Text that a browser would take for a page or an image with scripts, whatever it is called.
MARKUP = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe", b"<head")
NAME_MAX = 200


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed: the file (renamed to `name`), its detected type, size and digest."""

    file: object
    name: str
    content_type: str
    size: int
    sha256: str


def megabytes(size: int) -> str:
    """A size in MB (of 1024 × 1024 bytes, as the limit is set), the way people write it: 20 MB,
    2.5 MB, not 20.9715 MB."""
    return f"{round(size / 2**20, 4):g} MB"


def clean_name(name: str) -> str:
    """The file's name without folders, control characters (category Cc) or format characters
    (Cf: right-to-left overrides, zero-width joiners), in NFC, at most NAME_MAX characters
    keeping its extension."""
    name = unicodedata.normalize("NFC", os.path.basename(str(name or "").replace("\\", "/")))
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf")).strip(" .")
    stem, ext = os.path.splitext(name)
    if len(name) > NAME_MAX:
        name = stem[: NAME_MAX - len(ext)] + ext
    return name or "upload"


def _with_extension(name: str, content_type: str) -> str:
    """The name ending as its content is: "invoice.pdf" stays, "photo.html" of a PNG becomes
    "photo.html.png" (downloaded, it opens as what it is)."""
    stem, ext = os.path.splitext(name)
    if ext[1:].lower() in EXTENSIONS[content_type]:
        return name
    return f"{name}.{EXTENSIONS[content_type][0]}"


def _looks_like_csv(file, head: bytes, declared: str, name: str) -> bool:
    """Plain text declared or named as CSV: UTF-8 throughout, no NUL, no markup at its start."""
    if declared != CSV and not name.lower().endswith(".csv"):
        return False
    if b"\x00" in head or any(tag in head.lower() for tag in MARKUP):
        return False
    try:
        for chunk in file.chunks():
            chunk.decode("utf-8")  # a chunk may split a character: then it is refused (rare, safe)
    except UnicodeDecodeError:
        return False
    finally:
        file.seek(0)
    return True


def detected_type(file, *, declared: str = "", name: str = "") -> str:
    """The type of the file's content ("" if none we know)."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    return CSV if _looks_like_csv(file, head, declared, name) else ""


def upload_check(*, file, kind: str) -> CheckedUpload:
    """The file checked for `kind` (an AttachmentKind); ValidationError({"file": ...}) otherwise.
    Its stored type is the detected one, its name cleaned."""
    limit = settings.CASE_ATTACHMENT_MAX_BYTES
    if file is None:
        raise ValidationError({"file": _("Choose a file.")})
    if getattr(file, "oversize", False) or file.size > limit:
        raise ValidationError(
            {"file": _("The file is too large: the limit is %(limit)s.") % {"limit": megabytes(limit)}}
        )
    name = clean_name(getattr(file, "name", ""))
    content_type = detected_type(file, declared=getattr(file, "content_type", "") or "", name=name)
    allowed = ALLOWED_TYPES.get(kind, ALLOWED_TYPES[AttachmentKind.DOCUMENT])
    if content_type not in allowed:
        what = TYPE_WORDS.get(content_type)
        found = _("This file is %(what)s.") % {"what": what} if what else _("This file is not one of them.")
        raise ValidationError(
            {
                "file": _("%(kind)s must be one of: %(allowed)s. %(found)s")
                % {
                    "kind": KIND_NAMES.get(kind, KIND_NAMES[AttachmentKind.DOCUMENT]),
                    "allowed": KIND_WORDS.get(kind, KIND_WORDS[AttachmentKind.DOCUMENT]),
                    "found": found,
                }
            }
        )
    name = _with_extension(name, content_type)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    file.name = name
    return CheckedUpload(file=file, name=name, content_type=content_type, size=file.size, sha256=digest.hexdigest())
