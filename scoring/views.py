"""Pages of the scoring app: the units a user may see with their bands, and a unit's report card."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render

from partners.models import District
from partners.selectors import enterprise_list_for_user

from .choices import Band
from .models import Assessment, Enterprise
from .rules.wording import explain
from .selectors import latest_as_of, scoring_model_get


@login_required
def unit_list(request):
    model = scoring_model_get()
    as_of = latest_as_of(model=model)
    visible = enterprise_list_for_user(request.user)
    assessments = (
        Assessment.objects.filter(model=model, as_of=as_of, enterprise__in=visible)
        .select_related("enterprise__district")
        .order_by("score", "enterprise__udyam_number")
    )
    district, band, query = (
        request.GET.get("district", ""),
        request.GET.get("band", ""),
        request.GET.get("q", "").strip(),
    )
    if district:
        assessments = assessments.filter(enterprise__district__code=district)
    if query:
        assessments = assessments.filter(
            Q(enterprise__udyam_number__icontains=query) | Q(enterprise__enterprise_name__icontains=query)
        )
    counts = dict(assessments.order_by().values_list("band").annotate(n=Count("id")))
    if band:
        assessments = assessments.filter(band=band)
    page = Paginator(assessments, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "scoring/unit_list.html",
        {
            "page": page,
            "model": model,
            "as_of": as_of,
            "bands": Band.choices,
            "counts": [(code, label, counts.get(code, 0)) for code, label in Band.choices],
            "districts": District.objects.all(),
            "filters": {"district": district, "band": band, "q": query},
        },
    )


@login_required
def unit_report_card(request, udyam_number):
    try:
        unit = enterprise_list_for_user(request.user).select_related("district").get(udyam_number=udyam_number)
    except Enterprise.DoesNotExist:
        raise Http404("No such unit, or not yours to see") from None
    history = list(unit.assessments.select_related("model").order_by("-as_of", "-model__version"))
    latest = history[0] if history else None
    indicators = []
    if latest:
        for code, definition in latest.model.definition["indicators"].items():
            stored = latest.indicators.get(code, {})
            indicators.append(
                {
                    "code": code,
                    "label": definition["label"],
                    "weight": definition["weight"],
                    **stored,
                    # Cards scored before the words were made at display time carry their own.
                    "explanation": stored.get("explanation")
                    or explain(definition, stored.get("status"), stored.get("values")),
                }
            )
    return render(
        request,
        "scoring/report_card.html",
        {
            "unit": unit,
            "latest": latest,
            "history": history,
            "indicators": indicators,
        },
    )
