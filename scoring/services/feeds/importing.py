"""`feed_import`: one feed file loaded as one batch, with its counts, rejects and report."""

import csv
import hashlib
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ...choices import BatchStatus, Source
from ...feeds import SPECS
from ...models import ImportBatch
from .loading import FeedFileError
from .profiles import ProfileLoad
from .records import RecordLoad


def feed_import(*, source: str, path: Path, user=None) -> ImportBatch:
    """Load one feed file; returns its batch with the counts. Every row is either stored or
    rejected with its reason (FeedReject rows and a CSV report); raises FeedFileError, after
    recording the batch as failed, only when the file itself cannot be read."""
    source = Source(source)
    path = Path(path)
    batch = ImportBatch.objects.create(source=source, file_name=str(path), received_at=timezone.now(), created_by=user)
    load = ProfileLoad if source == Source.UDYAM else RecordLoad
    try:
        batch.file_sha256 = _sha256(path)
        with path.open(newline="", encoding="utf-8-sig") as handle:
            with transaction.atomic():
                load(batch, SPECS[source], handle).run()
    except (OSError, UnicodeDecodeError, csv.Error, FeedFileError) as exc:
        batch.status = BatchStatus.FAILED
        batch.error = f"{type(exc).__name__}: {exc}" if not isinstance(exc, FeedFileError) else str(exc)
        batch.finished_at = timezone.now()
        batch.save()
        raise FeedFileError(batch.error) from exc
    batch.status = BatchStatus.DONE
    batch.finished_at = timezone.now()
    with transaction.atomic():
        batch.save()
        # Rows were rejected: the department (and whoever loaded the file) is told, with the report.
        from notifications.services import notify_import_rejects

        notify_import_rejects(batch)
    return batch


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()
