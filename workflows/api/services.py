"""The one write the API composes from two services: completing a field visit with its photos.

task_complete records the visit report and moves the case; the photos must hang off that report,
which exists only once the completion ran. Both happen in one transaction, so a refused photo
(wrong type, too large) refuses the completion too and nothing is half-written. (A candidate for
workflows.services.completion itself: the pages' visit form needs the same.)"""

from django.db import transaction

from casework.choices import AttachmentKind
from casework.models import FieldVisitReport
from casework.services import attachment_add

from ..models import Task
from ..services import task_complete


@transaction.atomic
def task_complete_with_photos(*, task: Task, user, payload: dict, photos: list, expected_version: int | None) -> Task:
    """Completes a field-visit task and attaches the visit photos to its report, or neither."""
    done = task_complete(task=task, user=user, payload=payload, expected_version=expected_version)
    report = FieldVisitReport.objects.filter(task=done).order_by("-updated_at").first()
    for photo in photos:
        attachment_add(case=done.case, uploader=user, file=photo, kind=AttachmentKind.PHOTO, visit_report=report)
    return done
