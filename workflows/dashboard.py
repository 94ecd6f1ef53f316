"""The programme dashboard's figures, as plain reads: each function takes the user and returns a
dict of plain values (JSON-ready), scoped by what the user may see (partners.selectors), so the
dashboard page and the API (GET /api/v1/dashboard/) show the same numbers.

Every figure is one or two grouped queries whatever the number of units, cases or tasks: no query
per district, per organisation or per row.
"""

from datetime import timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from casework.choices import OPEN_STAGES, CaseStage
from casework.selectors import case_list_for_user
from partners.choices import DASHBOARD_ROLES, OrganisationKind
from partners.selectors import user_roles
from scoring.choices import Band
from scoring.models import Assessment, ScoringModel
from scoring.selectors import latest_as_of, scoring_model_get
from scoring.visibility import enterprise_list_for_user
from workflows.visibility import task_list_for_user

from .choices import ACTIVE_TASK_STATUSES, SlaState, TaskStatus
from .selectors import task_counts_by_sla_state

REVIVAL_MONTHS = 12
# A task's district, as grouped by.
DISTRICT = ("enterprise__district__code", "enterprise__district__name")


def dashboard_allowed(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user_roles(user).filter(role__in=sorted(DASHBOARD_ROLES)).exists()


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def band_counts_by_district(user) -> dict:
    """Units per band per district on the current scoring run (the latest model's latest date)."""
    try:
        model = scoring_model_get()
    except ScoringModel.DoesNotExist:
        model = None
    as_of = latest_as_of(model=model) if model else None
    districts: dict[str, dict] = {}
    if as_of is not None:
        rows = (
            Assessment.objects.filter(model=model, as_of=as_of, enterprise__in=enterprise_list_for_user(user))
            .values_list("enterprise__district__code", "enterprise__district__name", "band")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for code, name, band, n in rows:
            entry = districts.setdefault(
                code, {"district": code, "name": name, "counts": dict.fromkeys(Band.values, 0)}
            )
            entry["counts"][band] = n
    result = sorted(districts.values(), key=lambda d: d["name"])
    for entry in result:
        entry["total"] = sum(entry["counts"].values())
    totals = {band: sum(d["counts"][band] for d in result) for band in Band.values}
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "model_version": model.version if model else None,
        "totals": totals,
        "districts": result,
    }


def case_funnel(user) -> dict:
    """Cases per stage, in the lifecycle's order, overall and per district."""
    rows = (
        case_list_for_user(user)
        .values_list("enterprise__district__code", "enterprise__district__name", "stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    districts: dict[str, dict] = {}
    stages = dict.fromkeys(CaseStage.values, 0)
    for code, name, stage, n in rows:
        entry = districts.setdefault(
            code, {"district": code, "name": name, "stages": dict.fromkeys(CaseStage.values, 0)}
        )
        entry["stages"][stage] = n
        stages[stage] += n
    return {
        "stages": stages,
        "open": sum(n for stage, n in stages.items() if stage in OPEN_STAGES),
        "districts": sorted(districts.values(), key=lambda d: d["name"]),
    }


_SLA_FIGURES = {
    "done": Count("pk", filter=Q(status=TaskStatus.DONE)),
    "on_time": Count("pk", filter=Q(status=TaskStatus.DONE, completed_at__lte=F("due_at"))),
    "open": Count("pk", filter=Q(status__in=ACTIVE_TASK_STATUSES)),
    "breached": Count("pk", filter=Q(status__in=ACTIVE_TASK_STATUSES, sla_state=SlaState.BREACHED)),
}


def _sla_rows(tasks, key_fields: tuple[str, str], key_name: str) -> list[dict]:
    rows = tasks.values(*key_fields).annotate(**_SLA_FIGURES).order_by(key_fields[1])
    result = []
    for row in rows:
        if row[key_fields[0]] is None:
            continue
        done, on_time = row["done"], row["on_time"]
        result.append(
            {
                key_name: row[key_fields[0]],
                "name": row[key_fields[1]],
                "done": done,
                "on_time": on_time,
                "late": done - on_time,
                "compliance": _percent(on_time, done),
                "open": row["open"],
                "breached": row["breached"],
            }
        )
    return result


def sla_compliance(user) -> dict:
    """Of the tasks done, the share done by their due time (paused time already moves the due
    time on), per district, per organisation (each bank, the IIM, each DIC) and per IIM mentor;
    with the open and breached tasks beside. Cancelled tasks count in neither."""
    tasks = task_list_for_user(user).exclude(status=TaskStatus.CANCELLED)
    overall = tasks.aggregate(**_SLA_FIGURES)
    mentors = tasks.filter(organisation__kind=OrganisationKind.IIM, status=TaskStatus.DONE)
    return {
        "overall": {
            **overall,
            "late": overall["done"] - overall["on_time"],
            "compliance": _percent(overall["on_time"], overall["done"]),
        },
        "by_district": _sla_rows(tasks, DISTRICT, "district"),
        "by_organisation": _sla_rows(tasks, ("organisation_id", "organisation__name"), "organisation"),
        "by_mentor": _sla_rows(mentors, ("completed_by_id", "completed_by__username"), "user"),
    }


def overdue_counts(user) -> dict:
    """Active tasks past their due time with a running clock, per district and per organisation,
    and every active task per SLA state."""
    active = task_list_for_user(user).filter(status__in=ACTIVE_TASK_STATUSES)
    overdue = active.filter(due_at__lt=timezone.now(), paused_at__isnull=True)
    by_district = overdue.values_list(*DISTRICT).annotate(n=Count("pk"))
    by_organisation = overdue.values_list("organisation_id", "organisation__name").annotate(n=Count("pk"))
    districts = [{"district": c, "name": name, "overdue": n} for c, name, n in by_district.order_by()]
    organisations = [{"organisation": o, "name": name, "overdue": n} for o, name, n in by_organisation.order_by()]
    return {
        "total": sum(d["overdue"] for d in districts),
        "by_sla_state": task_counts_by_sla_state(active),
        "by_district": sorted(districts, key=lambda d: d["name"]),
        "by_organisation": sorted(organisations, key=lambda d: d["name"]),
    }


def revivals(user) -> dict:
    """Cases revived: in all, per district, and per month over the last twelve months."""
    revived = case_list_for_user(user).filter(stage=CaseStage.REVIVED)
    by_district = (
        revived.values_list("enterprise__district__code", "enterprise__district__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    since = (timezone.localdate().replace(day=1) - timedelta(days=31 * (REVIVAL_MONTHS - 1))).replace(day=1)
    by_month = (
        revived.filter(revived_at__date__gte=since)
        .annotate(month=TruncMonth("revived_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    districts = [{"district": c, "name": name, "revived": n} for c, name, n in by_district]
    return {
        "total": sum(d["revived"] for d in districts),
        "by_district": sorted(districts, key=lambda d: d["name"]),
        "by_month": [{"month": month.strftime("%Y-%m"), "revived": n} for month, n in by_month],
    }


def dashboard_for_user(user) -> dict:
    """Every figure of the dashboard, for `user`."""
    return {
        "bands": band_counts_by_district(user),
        "funnel": case_funnel(user),
        "sla": sla_compliance(user),
        "overdue": overdue_counts(user),
        "revivals": revivals(user),
    }
