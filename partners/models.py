"""Divisions, districts, the organisations whose people work cases, bank branches, and memberships.

Who may see what is answered from these rows by partners/selectors.py, nowhere else; which role
fits which organisation is enforced by partners/services.py (and, where one row suffices, by
the database's check constraints below).
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .choices import DivisionCode, OrganisationKind, Role

# RBI's Indian Financial System Code: four letters naming the bank, a zero reserved for future
# use, six characters naming the branch.
IFSC_PATTERN = r"^[A-Z]{4}0[A-Z0-9]{6}$"
BANK_CODE_PATTERN = r"^[A-Z]{4}$"

validate_ifsc = RegexValidator(
    IFSC_PATTERN,
    "Enter a valid IFSC: 4 capital letters (the bank code), a zero, then 6 capital letters or digits.",
    code="invalid_ifsc",
)
validate_bank_code = RegexValidator(
    BANK_CODE_PATTERN, "A bank code is the 4 capital letters that begin its IFSCs.", code="invalid_bank_code"
)


class Division(models.Model):
    """One of the two administrative divisions of J&K (Jammu, Kashmir)."""

    code = models.CharField(max_length=16, unique=True, choices=DivisionCode.choices)
    name = models.CharField(max_length=64)

    def __str__(self):
        return self.name


class District(models.Model):
    """One of the 20 districts of J&K; each has a District Industries Centre."""

    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="districts")
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=64, unique=True)
    census_code = models.CharField(
        max_length=2,
        unique=True,
        null=True,
        blank=True,
        help_text="Census 2011 district code: the two digits a Udyam number of the district carries "
        "(UDYAM-JK-14-… is Anantnag). Empty: a district formed since, whose numbers are not checked.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organisation(models.Model):
    """One institution whose people work cases: the department, a divisional directorate, a
    District Industries Centre, IIM Jammu, or a bank (whose branches are `Branch` rows).

    A directorate names its division, a district office its district, a bank its bank code;
    `parent` records the structure (a DIC reports to its division's directorate, a directorate
    to the department)."""

    kind = models.CharField(max_length=24, choices=OrganisationKind.choices)
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=64, unique=True)
    bank_code = models.CharField(
        max_length=4,
        blank=True,
        default="",
        validators=[validate_bank_code],
        help_text="Banks only: the 4 letters that begin every IFSC of the bank.",
    )
    division = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="organisations"
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="organisations"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.DIRECTORATE) | Q(division__isnull=False),
                name="org_directorate_has_division",
                violation_error_message="A divisional directorate names its division.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.DISTRICT_OFFICE) | Q(district__isnull=False),
                name="org_district_office_has_district",
                violation_error_message="A District Industries Centre names its district.",
            ),
            models.CheckConstraint(
                condition=(Q(kind=OrganisationKind.BANK) & ~Q(bank_code=""))
                | (~Q(kind=OrganisationKind.BANK) & Q(bank_code="")),
                name="org_bank_code_iff_bank",
                violation_error_message="A bank has a bank code (its IFSCs' first 4 letters); nothing else does.",
            ),
            models.UniqueConstraint(
                fields=["bank_code"],
                condition=Q(kind=OrganisationKind.BANK),
                name="org_unique_bank_code",
                violation_error_message="Another bank has this bank code.",
            ),
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(kind=OrganisationKind.DISTRICT_OFFICE),
                name="org_one_dic_per_district",
                violation_error_message="This district already has its District Industries Centre.",
            ),
            models.UniqueConstraint(
                fields=["division"],
                condition=Q(kind=OrganisationKind.DIRECTORATE),
                name="org_one_directorate_per_div",
                violation_error_message="This division already has its directorate.",
            ),
        ]

    def __str__(self):
        return self.name


class Branch(models.Model):
    """One branch of a bank, known by its IFSC: the key bank credit records carry."""

    bank = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="branches",
        limit_choices_to={"kind": OrganisationKind.BANK},
    )
    ifsc = models.CharField(max_length=11, unique=True, validators=[validate_ifsc])
    name = models.CharField(max_length=200)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="branches")

    class Meta:
        ordering = ["ifsc"]
        verbose_name_plural = "branches"

    def __str__(self):
        return f"{self.name} ({self.ifsc})"


class Membership(models.Model):
    """One person holding one role: in an organisation (at one branch, for a bank officer) or,
    for an enterprise owner, over one enterprise (owners belong to no organisation: the unit is
    theirs). It grants something only while active and between valid_from and valid_to,
    inclusive; a revoked row stays as history."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships")
    # The owner's unit (scoring.Enterprise) by id: partners sits below scoring
    # (docs/decisions/0005-layers.md). The database keeps the foreign key (partners 0003).
    enterprise_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)
    valid_from = models.DateField(default=timezone.localdate)
    valid_to = models.DateField(null=True, blank=True, help_text="Last day in effect; empty: no end.")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.ENTERPRISE_OWNER, enterprise_id__isnull=False, organisation__isnull=True)
                | (~Q(role=Role.ENTERPRISE_OWNER) & Q(enterprise_id__isnull=True, organisation__isnull=False)),
                name="membership_owner_has_enterprise_others_org",
                violation_error_message=(
                    "An enterprise owner's membership names an enterprise and no organisation; "
                    "every other membership names an organisation and no enterprise."
                ),
            ),
            models.CheckConstraint(
                condition=Q(role=Role.BANK_OFFICER, branch__isnull=False)
                | (~Q(role=Role.BANK_OFFICER) & Q(branch__isnull=True)),
                name="membership_branch_iff_bank_officer",
                violation_error_message="A bank officer's membership names a branch; no other does.",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="membership_valid_to_after_from",
                violation_error_message="A membership cannot end before it starts.",
            ),
            # One active row per (user, organisation, role, branch, enterprise). The key's
            # nullable parts are null by role (the checks above), and NULLs never collide in a
            # unique index, so one partial constraint per shape. Revoked rows are history and
            # may repeat.
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(is_active=True, branch__isnull=True, enterprise_id__isnull=True),
                name="membership_one_active_org_role",
                violation_error_message="This user already holds this role in this organisation.",
            ),
            models.UniqueConstraint(
                fields=["user", "branch", "role"],
                condition=Q(is_active=True, branch__isnull=False),
                name="membership_one_active_branch_role",
                violation_error_message="This user already holds this role at this branch.",
            ),
            models.UniqueConstraint(
                fields=["user", "enterprise_id", "role"],
                condition=Q(is_active=True, enterprise_id__isnull=False),
                name="membership_one_active_owner",
                violation_error_message="This user is already an owner of this enterprise.",
            ),
        ]

    def __str__(self):
        where = f"unit {self.enterprise_id}" if self.enterprise_id else self.branch or self.organisation
        return f"{self.user} — {self.get_role_display()} — {where}"


class Delegation(models.Model):
    """Out of office: from `starts_on` to `ends_on` (inclusive) the delegate sees and works the
    delegator's tasks. Recorded, never deleted; a revoked row stays as history. (A fact about
    people, so it lives with the memberships; its table keeps the name it had in workflows.)"""

    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given")
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_received"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "workflows_delegation"
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="delegation_ends_after_start"),
            models.CheckConstraint(condition=~Q(delegator=F("delegate")), name="delegation_not_to_self"),
        ]
        indexes = [models.Index(fields=["delegate", "starts_on", "ends_on"], name="delegation_delegate")]

    def __str__(self):
        return f"{self.delegator} → {self.delegate} ({self.starts_on} – {self.ends_on})"
