"""Celery tasks of the scoring app: thin wrappers that carry ids and call a service."""

from celery import shared_task

from .services.scoring import score_chunk, score_run_fail


@shared_task(acks_late=True, max_retries=3, autoretry_for=(ConnectionError,), retry_backoff=True)
def score_chunk_task(run_id: int, id_from: int, id_to: int) -> int:
    try:
        return score_chunk(run_id=run_id, id_from=id_from, id_to=id_to)
    except ConnectionError:
        raise
    except Exception as exc:
        # The waiting `score --distributed` must learn that the run cannot complete.
        score_run_fail(run_id=run_id, error=f"chunk [{id_from}, {id_to}): {exc!r}")
        raise


@shared_task(acks_late=True, ignore_result=True)
def model_what_if_task(comparison_id: int) -> None:
    """Runs a draft model's what-if (scoring.services.whatif)."""
    from .services.whatif import model_what_if_run

    model_what_if_run(comparison_id=comparison_id)
