"""Refusals of the work engine that are not bad input nor a missing permission: the thing acted on
changed under the actor. Pages show the message; the API answers 409 Conflict."""


class Conflict(Exception):
    """The action cannot apply to the object as it now is."""


class TaskConflict(Conflict):
    """The task was claimed, assigned or completed by someone else first."""


class CaseChanged(Conflict):
    """The case moved on since the actor last read it."""


class IllegalTransition(Conflict):
    """The lifecycle does not allow this move from the case's stage, or its guard is unmet."""
