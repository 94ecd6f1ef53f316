"""Small template filters of the clinic's pages."""

from django import template

register = template.Library()


@register.filter
def person(user, empty: str = "—") -> str:
    """A person's name as the pages show it: full name, else username; `empty` for nobody."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()


@register.filter
def words(code: str) -> str:
    """A stored code as the pages say it: a stage, task type or priority by its label, any other
    code (an outcome, a status) with its underscores as spaces."""
    from casework.choices import CasePriority, CaseStage, CloseReason, RemedyStatus
    from workflows.choices import TaskStatus, TaskType

    if not code:
        return ""
    for choices in (CaseStage, TaskType, CasePriority, CloseReason, RemedyStatus, TaskStatus):
        if code in choices.values:
            return choices(code).label
    return str(code).replace("_", " ")
