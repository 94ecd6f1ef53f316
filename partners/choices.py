from django.db import models


class DivisionCode(models.TextChoices):
    JAMMU = "jammu", "Jammu"
    KASHMIR = "kashmir", "Kashmir"


class OrganisationKind(models.TextChoices):
    """The institutions that work the clinic's cases (DESIGN.md, "Who uses it")."""

    DEPARTMENT = "department", "Department"
    DIRECTORATE = "directorate", "Divisional directorate"
    DISTRICT_OFFICE = "district_office", "District Industries Centre"
    IIM = "iim", "IIM (knowledge partner)"
    BANK = "bank", "Bank"


class Role(models.TextChoices):
    """What a person does for an organisation; one membership holds one role."""

    DISTRICT_OFFICER = "district_officer", "District officer"
    DIVISIONAL_DIRECTOR = "divisional_director", "Divisional director"
    IIM_MENTOR = "iim_mentor", "IIM mentor"
    IIM_COORDINATOR = "iim_coordinator", "IIM coordinator"
    BANK_OFFICER = "bank_officer", "Bank officer"
    BANK_NODAL_OFFICER = "bank_nodal_officer", "Bank nodal officer"
    ENTERPRISE_OWNER = "enterprise_owner", "Enterprise owner"
    DEPARTMENT_ADMIN = "department_admin", "Department admin"


# The organisation kind each role belongs to. An enterprise owner belongs to no organisation:
# their membership names the enterprise itself ("the MSME itself", DESIGN.md).
ROLE_ORGANISATION_KIND = {
    Role.DISTRICT_OFFICER: OrganisationKind.DISTRICT_OFFICE,
    Role.DIVISIONAL_DIRECTOR: OrganisationKind.DIRECTORATE,
    Role.IIM_MENTOR: OrganisationKind.IIM,
    Role.IIM_COORDINATOR: OrganisationKind.IIM,
    Role.BANK_OFFICER: OrganisationKind.BANK,
    Role.BANK_NODAL_OFFICER: OrganisationKind.BANK,
    Role.DEPARTMENT_ADMIN: OrganisationKind.DEPARTMENT,
}

# Banks see the units that bank with them, and only the finance side of their cases.
FINANCE_ONLY_ROLES = frozenset({Role.BANK_OFFICER, Role.BANK_NODAL_OFFICER})

# Who works the tasks in an organisation's queue (claims them, is assigned them). Supervisors are
# the rungs of the escalation ladders (workflows.EscalationRung), who may also assign and reassign.
WORKING_ROLES = {
    OrganisationKind.DISTRICT_OFFICE: frozenset({Role.DISTRICT_OFFICER}),
    OrganisationKind.IIM: frozenset({Role.IIM_MENTOR, Role.IIM_COORDINATOR}),
    OrganisationKind.BANK: frozenset({Role.BANK_OFFICER, Role.BANK_NODAL_OFFICER}),
}


# Who looks at the programme's figures (issue 5: the department and divisional directors;
# district officers see their district's). The IIM coordinator supervises mentors across J&K.
DASHBOARD_ROLES = frozenset(
    {Role.DEPARTMENT_ADMIN, Role.DIVISIONAL_DIRECTOR, Role.DISTRICT_OFFICER, Role.IIM_COORDINATOR}
)
