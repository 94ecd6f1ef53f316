"""The owner's consent to each data source (SCORING.md §1a): an append-only history per unit."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.choices import Role
from partners.selectors import user_roles

from ..choices import ConsentSource
from ..hooks import consent_changed
from ..models import DataConsent, Enterprise


def _owns(user, enterprise: Enterprise) -> bool:
    return user_roles(user).filter(role=Role.ENTERPRISE_OWNER, enterprise_id=enterprise.pk).exists()


@transaction.atomic
def consent_set(*, enterprise: Enterprise, source: str, granted: bool, by: AbstractBaseUser) -> DataConsent:
    """Records that the unit's owner `by` gave (or withdrew) consent to the clinic using `source`;
    a repeat of the consent in force records nothing and returns its row. A withdrawal, and
    consent given again after one, is handed to `consent_changed` (the case timeline notes it)."""
    if source not in ConsentSource.values:
        raise ValidationError({"source": f"One of {', '.join(ConsentSource.values)}."})
    if not _owns(by, enterprise):
        raise PermissionDenied("Only an owner of the unit can give or withdraw its consent.")
    # Lock the unit's row: of two owners (or two tabs) changing one consent at once, the second
    # reads the first's row as the consent in force instead of both appending blindly. No-key, so
    # no foreign-key check of a feed or case insert waits for it (the lock order of ADR 0002).
    Enterprise.objects.select_for_update(no_key=True).filter(pk=enterprise.pk).first()
    current = DataConsent.objects.filter(enterprise=enterprise, source=source).order_by("-at", "-id").first()
    if current is not None and current.granted == granted:
        return current
    consent = DataConsent.objects.create(
        enterprise=enterprise, source=source, granted=granted, by=by, at=timezone.now()
    )
    if not granted or current is not None:
        consent_changed(consent=consent)
    return consent
