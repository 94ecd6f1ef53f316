"""Refusals of the work engine that are not bad input nor a missing permission: the thing acted on
changed under the actor. Pages show the message; the API answers 409 Conflict."""

from django.core.exceptions import PermissionDenied, ValidationError


class Conflict(Exception):
    """The action cannot apply to the object as it now is."""


class TaskConflict(Conflict):
    """The task was claimed, assigned or completed by someone else first."""


class CaseChanged(Conflict):
    """The case moved on since the actor last read it."""


class IllegalTransition(Conflict):
    """The lifecycle does not allow this move from the case's stage, or its guard is unmet."""


# What a page shows the person instead of failing: bad input, a missing permission, a change under them.
REFUSALS = (ValidationError, PermissionDenied, Conflict)


def refusal_text(refusal: Exception) -> str:
    """A service's refusal in words for the page."""
    if isinstance(refusal, ValidationError):
        if hasattr(refusal, "message_dict"):
            return " ".join(
                f"{'' if field == '__all__' else field.replace('_', ' ').capitalize() + ': '}{message}"
                for field, errors in refusal.message_dict.items()
                for message in errors
            )
        return " ".join(refusal.messages)
    return str(refusal) or "Not allowed."
