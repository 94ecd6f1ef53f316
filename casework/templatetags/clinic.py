"""Small template filters of the clinic's pages."""

from django import template

register = template.Library()


@register.filter
def person(user, empty: str = "—") -> str:
    """A person's name as the pages show it: full name, else username; `empty` for nobody."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()
