"""What the casework pages share with the apps above casework, without naming them.

- `code_words`: a stored code as the pages say it (a stage, a priority, a close reason by its
  label), from casework's vocabulary and any other a page passes in (workflows' task types).
- The case page's hook: an app above casework adds its part of a case's page — workflows adds
  the tasks and their clocks, the moves the viewer may make and the documents asked of the unit —
  by appending a function to CASE_PAGE_PARTS (config/apps.py connects it). casework renders the
  case, its records, comments, attachments and timeline; the parts fill the page's slots.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Choices

from .choices import CasePriority, CaseStage, CloseReason, RemedyStatus

# Looked up in this order: a stage's label wins over another vocabulary's for the same code.
VOCABULARY: tuple[type[Choices], ...] = (CaseStage, CasePriority, CloseReason, RemedyStatus)


def code_words(code: str, *vocabularies: type[Choices]) -> str:
    """A stored code as the pages say it: by its label in casework's vocabulary or one of
    `vocabularies`, any other code (an outcome, a status) with its underscores as spaces."""
    if not code:
        return ""
    for choices in (*VOCABULARY, *vocabularies):
        if code in choices.values:
            return str(choices(code).label)
    return str(code).replace("_", " ")


@dataclass(frozen=True)
class CasePagePart:
    """An app's part of a case's page."""

    # Merged into the page's context. The page includes the templates named under its slots:
    # "work_panel" (first in the main column) and "actions_panel" (beside the unit's facts).
    context: dict = field(default_factory=dict)
    # Vocabularies of the codes its events carry (the timeline's from → to).
    vocabularies: tuple[type[Choices], ...] = ()
    # What each task id of the timeline's events is, in words.
    subjects: dict[int, str] = field(default_factory=dict)


# Each: (request, case, *, full) → CasePagePart; `full`: the viewer sees the whole case, not only
# its finance side.
CASE_PAGE_PARTS: list[Callable[..., CasePagePart]] = []


def case_page_parts(request, case, *, full: bool) -> list[CasePagePart]:
    return [part(request, case, full=full) for part in CASE_PAGE_PARTS]
