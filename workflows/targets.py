"""Progress of the time-bound action plan: units onboarded and scored per district against the
district's target for the next milestone (DistrictTarget, set by the department). A few grouped
queries whatever the number of units."""

from django.db.models import Count, Q
from django.utils import timezone

from partners.models import District
from scoring.choices import Band
from scoring.models import Assessment
from scoring.visibility import enterprise_list_for_user

from .models import DistrictTarget


def action_plan_progress(user) -> dict:
    """{"milestone": date or None, "districts": [{name, onboarded, scored, target_onboarded,
    target_scored, onboarded_pct, scored_pct}]} for the districts `user` may see."""
    today = timezone.localdate()
    milestone = (
        DistrictTarget.objects.filter(milestone__gte=today)
        .order_by("milestone")
        .values_list("milestone", flat=True)
        .first()
        or DistrictTarget.objects.order_by("-milestone").values_list("milestone", flat=True).first()
    )
    units = enterprise_list_for_user(user)
    onboarded = dict(units.values_list("district_id").annotate(n=Count("pk")).order_by())
    scored = dict(
        Assessment.objects.filter(enterprise__in=units)
        .exclude(band=Band.INSUFFICIENT_DATA)
        .values_list("enterprise__district_id")
        .annotate(n=Count("enterprise_id", distinct=True))
        .order_by()
    )
    targets = {t.district_id: t for t in DistrictTarget.objects.filter(milestone=milestone)} if milestone else {}
    visible = District.objects.filter(Q(pk__in=onboarded.keys()) | Q(pk__in=targets.keys()))
    rows = []
    for district in visible.order_by("name"):
        target = targets.get(district.pk)
        row = {
            "district": district.code,
            "name": district.name,
            "onboarded": onboarded.get(district.pk, 0),
            "scored": scored.get(district.pk, 0),
            "target_onboarded": target.units_onboarded if target else None,
            "target_scored": target.units_scored if target else None,
        }
        for key in ("onboarded", "scored"):
            goal = row[f"target_{key}"]
            row[f"{key}_pct"] = round(100 * row[key] / goal, 1) if goal else None
        rows.append(row)
    return {"milestone": milestone, "districts": rows}
