"""Who is signed in, as what, where: the header of every page (templates/base.html)."""

from functools import cache

from .choices import DASHBOARD_ROLES, Role
from .hooks import unit_labels
from .selectors import user_roles


def signed_in_as(request):
    """`signed_in_as`: the user's roles in effect, e.g. ["District officer, DIC Anantnag"],
    evaluated only if a template shows it; `is_owner`: the user holds an owner's membership."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def memberships():
        return list(user_roles(user))

    @cache
    def units() -> dict:
        ids = [m.enterprise_id for m in memberships() if m.enterprise_id]
        return unit_labels(ids=ids) if ids else {}

    def roles() -> list[str]:
        labels = []
        for membership in memberships():
            where = membership.branch or membership.organisation or units().get(membership.enterprise_id)
            labels.append(f"{membership.get_role_display()}, {where}")
        return labels or (["Superuser"] if user.is_superuser else ["No role"])

    def is_owner() -> bool:
        return any(m.role == Role.ENTERPRISE_OWNER for m in memberships())

    def is_staff_member() -> bool:
        return user.is_superuser or any(m.role != Role.ENTERPRISE_OWNER for m in memberships())

    def can_see_dashboard() -> bool:
        return user.is_superuser or any(m.role in DASHBOARD_ROLES for m in memberships())

    def verifies_owners() -> bool:
        # A DIC's district officers check owners whose unit's record has no email or mobile.
        return user.is_superuser or any(m.role == Role.DISTRICT_OFFICER for m in memberships())

    return {
        "signed_in_as": roles,
        "is_owner": is_owner,
        "is_staff_member": is_staff_member,
        "can_see_dashboard": can_see_dashboard,
        "verifies_owners": verifies_owners,
    }
