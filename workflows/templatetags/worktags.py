"""Template filters of the work engine's pages."""

from django import template

from casework.pages import code_words

from ..choices import TaskStatus, TaskType

register = template.Library()

# What the work engine's codes add to casework's vocabulary.
WORK_VOCABULARY = (TaskType, TaskStatus)


@register.filter
def words(code: str) -> str:
    """A stored code as the pages say it: a stage, task type, priority or status by its label, any
    other code (an outcome) with its underscores as spaces."""
    return code_words(code, *WORK_VOCABULARY)
