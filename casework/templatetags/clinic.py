"""Small template filters of the clinic's pages."""

from django import template

from casework.pages import code_words

register = template.Library()


@register.filter
def person(user, empty: str = "—") -> str:
    """A person's name as the pages show it: full name, else username; `empty` for nobody."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()


@register.filter
def words(code: str) -> str:
    """A stored code as the pages say it: a stage, priority, close reason or remedy status by its
    label, any other code with its underscores as spaces (workflows' `worktags` adds task types)."""
    return code_words(code)
