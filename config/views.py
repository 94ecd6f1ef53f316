"""The front door: each person lands where their work is."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from partners.choices import Role
from partners.selectors import user_roles


@login_required
def home(request):
    """Owners to their unit's portal; everyone else to their inbox."""
    roles = set(user_roles(request.user).values_list("role", flat=True))
    if roles == {Role.ENTERPRISE_OWNER}:
        return redirect("portal:home")
    return redirect("workflows:inbox")
