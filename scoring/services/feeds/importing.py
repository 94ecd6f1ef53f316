"""`feed_import`: one feed file loaded as one batch, with its counts, rejects and report."""

import csv
import hashlib
import logging
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ...choices import BatchStatus, Source
from ...feeds import SPECS
from ...models import ImportBatch
from .loading import FeedFileError, printable
from .profiles import ProfileLoad
from .records import RecordLoad

logger = logging.getLogger(__name__)


def feed_import(*, source: str, path: Path, user=None, received_at: datetime | None = None) -> ImportBatch:
    """Load one feed file; returns its batch with the counts. Every row is either stored or
    rejected with its reason (FeedReject rows and a CSV report); raises FeedFileError, after
    recording the batch as failed, only when the file itself cannot be read. A load that stops for
    any other reason rolls back whole, records the batch as failed with the reason, and re-raises:
    a batch is never left running. `received_at` (default now): when the file was received; no
    record may be of a later period (feeds.not_after)."""
    source = Source(source)
    path = Path(path)
    batch = ImportBatch.objects.create(
        source=source, file_name=str(path), received_at=received_at or timezone.now(), created_by=user
    )
    load_class = ProfileLoad if source == Source.UDYAM else RecordLoad
    load = None
    try:
        batch.file_sha256 = _sha256(path)
        # Bytes that are not UTF-8 are kept as lone surrogates: the row that has one is rejected
        # (loading._unreadable), the rest of the file loads.
        with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
            # The records, the batch's counts and status, and the word to the department commit
            # together or not at all.
            with transaction.atomic():
                load = load_class(batch, SPECS[source], handle)
                load.run()
                batch.status = BatchStatus.DONE
                batch.finished_at = timezone.now()
                batch.save()
                # Rows were rejected: the department (and whoever loaded the file) is told, with the report.
                from notifications.services import notify_import_rejects

                notify_import_rejects(batch)
    except FeedFileError as exc:
        _failed(batch, load, str(exc))
        raise
    except (OSError, csv.Error) as exc:
        _failed(batch, load, f"{type(exc).__name__}: {exc}")
        raise FeedFileError(batch.error) from exc
    except BaseException as exc:
        logger.exception("feed import of %s (batch %s) stopped", path, batch.pk)
        _failed(batch, load, f"the load stopped and nothing was loaded: {type(exc).__name__}: {exc}")
        raise
    return batch


def _failed(batch: ImportBatch, load, reason: str):
    """Record the batch as failed. Its load rolled back whole: no record, count or reject of it
    was kept, so neither is its partial report."""
    if load is not None:
        load.close()
        if batch.reject_report:
            Path(batch.reject_report).unlink(missing_ok=True)
    batch.status, batch.error, batch.finished_at = BatchStatus.FAILED, printable(reason), timezone.now()
    try:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=batch.status, error=batch.error, finished_at=batch.finished_at, file_sha256=batch.file_sha256
        )
    except Exception:  # the database itself is gone: the log is all that is left
        logger.exception("could not record batch %s as failed (%s)", batch.pk, reason)


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()
