"""Who may see what: the one place that answers it (DESIGN.md, "Who uses it").

Until organisations and memberships land, only the department's superusers see units; everyone
else sees none. Cases and tasks join here when the case engine arrives.
"""

from django.apps import apps


def enterprise_list_for_user(user):
    """The units `user` may see, as a queryset to filter further."""
    Enterprise = apps.get_model("scoring", "Enterprise")
    if user.is_active and user.is_superuser:
        return Enterprise.objects.all()
    return Enterprise.objects.none()
