"""What a person hands in to complete a task, once parsed: the same whether it came from the task's
page (its form) or the API (its input serializer). The completion service decides from it
(workflows.services.completion.task_complete) and never parses again."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Upload:
    """A file handed in with a completion, stored with it (or not at all)."""

    file: object
    kind: str  # casework.choices.AttachmentKind: what types and size it may be
    # What the stored attachment hangs off: "visit_report" (the visit's report), "remedy" (the
    # bank task's remedy), "" (the case).
    about: str = ""


@dataclass(frozen=True)
class Completion:
    """A task's completion, parsed."""

    outcome: str  # a workflows.choices.TaskOutcome the task type offers
    note: str = ""
    reason: str = ""  # why, for a move that sends the case back
    close_reason: str = ""  # casework.choices.CloseReason, when the outcome closes the case
    # The record the task writes, as keyword arguments of its casework service (the task type's
    # `record` handler passes them on); None: nothing recorded with this completion.
    record: dict | None = None
    uploads: tuple[Upload, ...] = ()
