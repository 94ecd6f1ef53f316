"""A case's progress in an owner's words: where it is, what happens next, and the steps of the
journey, with no internal task names or SLA terms (DESIGN.md, "The case lifecycle")."""

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from casework.choices import CaseStage, RemedyStatus
from casework.stages import STAGES

# The journey as the owner sees it: each step and the stages it covers.
STEPS = [
    (_("Found by the clinic"), (CaseStage.ONBOARDED, CaseStage.SCORED)),
    (_("Talk with a mentor"), (CaseStage.ONLINE_CONSULTATION,)),
    (_("Visit to your unit"), (CaseStage.FIELD_VISIT,)),
    (_("Study of your unit"), (CaseStage.DIAGNOSTIC_REPORT,)),
    (_("Plan of help"), (CaseStage.REMEDY_PLAN,)),
    (_("Help carried out"), (CaseStage.HANDHOLDING,)),
    (_("Back on its feet"), (CaseStage.REVIVED,)),
]

# What the owner is told of each stage: the stage table's words (casework/stages.py), one home.
NOW = {stage: row.now for stage, row in STAGES.items()}
NEXT = {stage: row.next for stage, row in STAGES.items()}

# Words for the plan of help, marked for translation (casework.choices keeps the English labels).
REMEDY_WORDS = [
    gettext_noop("Restructuring"),
    gettext_noop("Additional working capital"),
    gettext_noop("Interest subvention claim"),
    gettext_noop("CGTMSE guarantee cover"),
    gettext_noop("Subordinate debt (CGSSD)"),
    gettext_noop("TReDS onboarding"),
    gettext_noop("Mentoring"),
    gettext_noop("Market linkage / buyer-seller meet"),
    gettext_noop("Skill training"),
    gettext_noop("Technology upgrade"),
    gettext_noop("Compliance support"),
]
REMEDY_STATUS = {
    RemedyStatus.PLANNED: _("Planned"),
    RemedyStatus.IN_PROGRESS: _("In progress"),
    RemedyStatus.DONE: _("Done"),
    RemedyStatus.DECLINED: _("Declined by the bank"),
    RemedyStatus.DROPPED: _("Dropped from the plan"),
}
CLOSE_WORDS = [
    gettext_noop("Not viable"),
    gettext_noop("Unit closed"),
    gettext_noop("Unit withdrew"),
    gettext_noop("Referred for recovery"),
    gettext_noop("Duplicate"),
    gettext_noop("No distress found"),
]


def steps(stage: str) -> list[tuple[str, str]]:
    """(label, state) per step of the journey: "done", "now" or "" (to come); a closed case marks
    none (the case page's timeline says how far it got)."""
    current = next((i for i, (_label, stages) in enumerate(STEPS) if stage in stages), None)
    result = []
    for i, (label, _stages) in enumerate(STEPS):
        if current is None or i > current:
            state = ""
        elif i < current or stage == CaseStage.REVIVED:
            state = "done"
        else:
            state = "now"
        result.append((label, state))
    return result


def progress(case) -> dict:
    """Where the case is and what happens next, in the owner's words."""
    return {
        "now": NOW.get(case.stage, ""),
        "next": NEXT.get(case.stage, ""),
        "steps": steps(case.stage),
        "close_reason": gettext(case.get_close_reason_display()) if case.close_reason else "",
    }


def remedy_words(remedy) -> dict:
    return {
        "type": gettext(remedy.get_type_display()),
        "status": REMEDY_STATUS.get(remedy.status, remedy.get_status_display()),
        "progress": remedy.progress,
        "target_date": remedy.target_date,
    }
