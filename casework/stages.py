"""The stages of a case, one row each: where it stands in the journey, its label, what the owner
is told about it ("now" and "what happens next", in plain words: DESIGN.md, "Who uses it"), and
the moves a person may ask for directly while a case is there.

The lifecycle's transitions are declared once, in workflows/flow.py (source, target, guard, who
may make them); this table says only what a person is offered: a direct move listed here is
still checked by the flow when asked for. A test keeps the two in step.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import CaseStage, DirectMove


@dataclass(frozen=True)
class Stage:
    """One stage of the lifecycle."""

    stage: CaseStage
    # Position in the journey a case makes (the stage bar); None: off the journey (closed).
    order: int | None
    now: Promise
    next: Promise
    # The one line of news an owner is sent when the case reaches this stage (a notification).
    news: Promise
    direct_moves: tuple[DirectMove, ...] = ()

    @property
    def label(self) -> str:
        return self.stage.label


_ANY_OPEN = (DirectMove.CLOSE,)

STAGES: dict[str, Stage] = {
    row.stage: row
    for row in (
        Stage(
            CaseStage.ONBOARDED,
            1,
            now=_("Your unit has joined the J&K MSME Health Clinic."),
            next=_("The clinic scores your unit's records every month."),
            news=_("Your unit has joined the J&K MSME Health Clinic."),
            direct_moves=_ANY_OPEN,
        ),
        Stage(
            CaseStage.SCORED,
            2,
            now=_(
                "The clinic has looked at your unit's records and sees signs of stress. It has opened a case to help."
            ),
            next=_(
                "Your District Industries Centre will contact you to book an online meeting with a mentor from IIM "
                "Jammu."
            ),
            news=_("The clinic has looked at your unit's records and will contact you."),
            direct_moves=_ANY_OPEN,
        ),
        Stage(
            CaseStage.ONLINE_CONSULTATION,
            3,
            now=_("A mentor from IIM Jammu will meet you online to talk about your unit's difficulties."),
            next=_("After the meeting, an officer of your District Industries Centre visits your unit."),
            news=_("A mentor from IIM Jammu will meet you online to talk about your unit's difficulties."),
            direct_moves=_ANY_OPEN,
        ),
        Stage(
            CaseStage.FIELD_VISIT,
            4,
            now=_(
                "An officer of your District Industries Centre will visit your unit to see its work, machines and "
                "books."
            ),
            next=_("After the visit, a mentor studies your unit's difficulties and writes them down."),
            news=_("An officer of your District Industries Centre will visit your unit."),
            direct_moves=_ANY_OPEN,
        ),
        Stage(
            CaseStage.DIAGNOSTIC_REPORT,
            5,
            now=_("A mentor is writing a study of what is holding your unit back and why."),
            next=_("From the study, the clinic prepares a plan of help with you."),
            news=_("A mentor is writing a study of what is holding your unit back and why."),
            direct_moves=(DirectMove.CLOSE, DirectMove.REQUEST_REVISIT),
        ),
        Stage(
            CaseStage.REMEDY_PLAN,
            6,
            now=_("The clinic is preparing a plan of help for your unit, with your bank where needed."),
            next=_(
                "Once the plan is agreed, each part of it is carried out: by your bank, your mentor or your officer."
            ),
            news=_("The clinic is preparing a plan of help for your unit."),
            direct_moves=_ANY_OPEN,
        ),
        Stage(
            CaseStage.HANDHOLDING,
            7,
            now=_(
                "The plan of help for your unit is agreed and is being carried out. Your officer checks in with you."
            ),
            next=_(
                "When the help is done and your unit's records show it is stable again, your officer confirms its "
                "revival."
            ),
            news=_(
                "The plan of help for your unit is agreed. The clinic will check in with you while it is carried out."
            ),
            direct_moves=(DirectMove.CLOSE, DirectMove.REVISE_PLAN),
        ),
        Stage(
            CaseStage.REVIVED,
            8,
            now=_("Good news: your unit is back on its feet, and the clinic has closed your case."),
            next=_("Nothing more is needed. The clinic keeps scoring your unit's records every month."),
            news=_("Good news: your unit is back on its feet, and the clinic has closed your case."),
        ),
        Stage(
            CaseStage.CLOSED,
            None,
            now=_("The clinic has closed your case."),
            next=_("If your unit's situation changes, contact your District Industries Centre."),
            news=_("The clinic has closed your case."),
        ),
    )
}

# The journey a case makes, in order (closed is off it).
JOURNEY: tuple[Stage, ...] = tuple(sorted((s for s in STAGES.values() if s.order), key=lambda s: s.order))


def stage_bar(stage: str) -> list[tuple[str, str]]:
    """(label, "done" | "now" | "") for each stage of the journey, for a case at `stage` (a closed
    case marks none: its timeline says how far it got)."""
    current = STAGES[stage].order or 0
    return [(row.label, "now" if row.order == current else "done" if row.order < current else "") for row in JOURNEY]


def direct_moves_of(stage: str) -> tuple[DirectMove, ...]:
    """The moves a person may ask for while a case is at `stage` (the flow still decides)."""
    return STAGES[stage].direct_moves
