"""Writes of the partners app: banks and their branches, memberships granted and revoked.

Which role fits which organisation (DESIGN.md, "Who uses it") is checked here, before a row is
written, with a ValidationError that says what is wrong; the database's constraints
(partners/models.py) back up the rules a single row can express. The admin's forms call the
same `*_validate` functions, so a wrong grant reads the same everywhere.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from .choices import ROLE_ORGANISATION_KIND, OrganisationKind, Role
from .models import Branch, District, Membership, Organisation, validate_ifsc

# The first key of the advisory lock that serialises owner grants per unit (pg_advisory_xact_lock).
OWNER_CAP_LOCK = 7301


def normalise_code(value: str) -> str:
    """IFSCs and bank codes are written in capitals; accept them typed any way."""
    return (value or "").strip().upper()


@transaction.atomic
def organisation_create_bank(*, name: str, code: str, bank_code: str) -> Organisation:
    """Adds a bank; its bank code (the 4 letters that begin its IFSCs) is unique among banks."""
    bank = Organisation(kind=OrganisationKind.BANK, name=name, code=code, bank_code=normalise_code(bank_code))
    bank.full_clean()
    bank.save()
    return bank


def branch_validate(*, bank: Organisation, ifsc: str) -> None:
    """Raises ValidationError unless `bank` is a bank and `ifsc` is a well-formed IFSC of it."""
    if bank.kind != OrganisationKind.BANK:
        raise ValidationError({"bank": f"{bank} is a {bank.get_kind_display().lower()}, not a bank."})
    try:
        validate_ifsc(ifsc)
    except ValidationError as error:
        raise ValidationError({"ifsc": error.messages}) from None
    if ifsc[:4] != bank.bank_code:
        raise ValidationError(
            {"ifsc": f"IFSC {ifsc} begins with {ifsc[:4]}, but the IFSCs of {bank} begin with {bank.bank_code}."}
        )


@transaction.atomic
def branch_create(*, bank: Organisation, ifsc: str, name: str, district: District | None = None) -> Branch:
    """Adds a branch of `bank` whose IFSC is well formed, unique and begins with the bank's code."""
    branch = Branch(bank=bank, ifsc=normalise_code(ifsc), name=name, district=district)
    branch_validate(bank=bank, ifsc=branch.ifsc)
    branch.full_clean()
    branch.save()
    return branch


def membership_validate(
    *,
    organisation: Organisation | None,
    role: str,
    branch: Branch | None = None,
    enterprise=None,  # a scoring.Enterprise (partners sits below scoring: 0005-layers)
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> None:
    """Raises ValidationError, by field, unless the role fits the organisation, branch and enterprise."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    label = Role(role).label
    errors: dict[str, str] = {}
    if role == Role.ENTERPRISE_OWNER:
        if enterprise is None:
            errors["enterprise"] = "An enterprise owner's membership must name their enterprise."
        if organisation is not None:
            errors["organisation"] = "An enterprise owner belongs to no organisation: the membership names the unit."
    else:
        kind = ROLE_ORGANISATION_KIND[role]
        if organisation is None:
            errors["organisation"] = f"The role “{label}” needs an organisation of kind “{kind.label}”."
        elif organisation.kind != kind:
            errors["organisation"] = (
                f"The role “{label}” needs an organisation of kind “{kind.label}”; "
                f"{organisation} is of kind “{organisation.get_kind_display()}”."
            )
        if enterprise is not None:
            errors["enterprise"] = "Only an enterprise owner's membership names an enterprise."
    if role == Role.BANK_OFFICER:
        if branch is None:
            errors["branch"] = "A bank officer works at a branch: name the branch."
        elif organisation is not None and branch.bank_id != organisation.pk:
            errors["branch"] = f"Branch {branch} belongs to {branch.bank}, not to {organisation}."
    elif branch is not None:
        errors["branch"] = "Only a bank officer's membership names a branch (a nodal officer covers the whole bank)."
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = f"The membership cannot end ({valid_to}) before it starts ({valid_from})."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def membership_grant(
    *,
    user: AbstractBaseUser,
    organisation: Organisation | None = None,
    role: str,
    branch: Branch | None = None,
    enterprise=None,  # a scoring.Enterprise (partners sits below scoring: 0005-layers)
    enterprise_id: int | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Membership:
    """Gives `user` a role that fits its organisation (else ValidationError); one active row per role."""
    valid_from = valid_from or timezone.localdate()
    enterprise_id = enterprise.pk if enterprise is not None else enterprise_id
    membership_validate(
        organisation=organisation,
        role=role,
        branch=branch,
        enterprise=enterprise_id,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    key = {"user": user, "organisation": organisation, "role": role, "branch": branch, "enterprise_id": enterprise_id}
    if role == Role.ENTERPRISE_OWNER:
        _owners_below_cap(enterprise_id)
    current = Membership.objects.select_for_update().filter(is_active=True, **key).first()
    if current is not None:
        if current.valid_to is None or current.valid_to >= timezone.localdate():
            raise ValidationError(
                f"{user} already holds this role ({current}); revoke that membership before granting it again."
            )
        # Expired but never revoked: it becomes history, and the new grant the active row.
        Membership.objects.filter(pk=current.pk).update(is_active=False)
    try:
        # A savepoint: a concurrent grant of the same role trips the partial unique constraint
        # (membership_one_active_*) and only this insert rolls back.
        with transaction.atomic():
            return Membership.objects.create(**key, valid_from=valid_from, valid_to=valid_to)
    except IntegrityError:
        raise ValidationError(f"{user} was granted this role by someone else at the same moment.") from None


def owners_of(enterprise) -> list[int]:
    """Ids of the unit's owners today (memberships in effect); `enterprise` a unit or its id."""
    from .selectors import membership_in_effect_q

    enterprise_id = getattr(enterprise, "pk", enterprise)
    return list(
        Membership.objects.filter(membership_in_effect_q(), role=Role.ENTERPRISE_OWNER, enterprise_id=enterprise_id)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def _owners_below_cap(enterprise_id: int) -> None:
    """Refuses another owner of a unit that has OWNERS_PER_UNIT_MAX (issue 16: anyone who knew a
    unit's numbers could add themselves, without end). Two grants racing for the last place are
    counted one after the other: a transaction-scoped advisory lock on the unit's id (partners
    sits below scoring and does not lock its rows; SQLite runs one writer at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [OWNER_CAP_LOCK, enterprise_id])
    if len(owners_of(enterprise_id)) >= settings.OWNERS_PER_UNIT_MAX:
        raise ValidationError(
            {
                "enterprise": translation.gettext(
                    "This unit already has %(n)s owners registered, the most the clinic allows. An owner can "
                    "ask the District Industries Centre to remove one."
                )
                % {"n": settings.OWNERS_PER_UNIT_MAX}
            }
        )


@transaction.atomic
def membership_revoke(*, membership: Membership) -> Membership:
    """Ends a membership now (idempotent): it grants nothing from this moment and stays as history."""
    # Compare-and-swap: of two revokes racing, one stamps revoked_at, the other changes nothing.
    Membership.objects.filter(pk=membership.pk, is_active=True).update(is_active=False, revoked_at=timezone.now())
    membership.refresh_from_db(fields=["is_active", "revoked_at"])
    return membership
