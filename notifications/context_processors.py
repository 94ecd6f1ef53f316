"""The unread count in every page's header (templates/base.html)."""

from functools import cache

from .selectors import unread_count


def unread_notifications(request):
    """`notifications_unread`: evaluated only if a template shows it, once per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count() -> int:
        return unread_count(user)

    return {"notifications_unread": count}
