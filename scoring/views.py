"""Pages of the scoring app: the units a user may see with their bands, and a unit's report card
(on screen, and a print version to hand to the owner: the browser's "Save as PDF" makes the PDF).

`report_card_context` is what every report card shows; the owner portal renders the same."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from partners.models import District
from scoring.visibility import enterprise_list_for_user

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


# The bands in words an owner reads (the stored labels are the model's, in English).
BAND_WORDS = {
    Band.STABLE: _("Stable"),
    Band.RECOVERABLE: _("Recoverable"),
    Band.PRONE_TO_SICK: _("Prone to Sick"),
    Band.INSUFFICIENT_DATA: _("Insufficient data"),
}
BAND_MEANING = {
    Band.STABLE: _("The unit's records show no sign of stress."),
    Band.RECOVERABLE: _("The unit shows signs of stress that can be put right with timely help."),
    Band.PRONE_TO_SICK: _("The unit shows serious signs of stress: the clinic gives it priority."),
    Band.INSUFFICIENT_DATA: _("There is too little data on the unit to score it yet."),
}
# The indicator labels of the published model (scoring/definitions/model-v1.yaml), marked for
# translation; a label a later model version adds shows as the model has it until translated.
INDICATOR_LABELS = [
    gettext_noop("GST turnover, year on year"),
    gettext_noop("GST return filing regularity"),
    gettext_noop("Loan repayment (days past due)"),
    gettext_noop("Growth in outstanding loans"),
    gettext_noop("Bank credits (cash inflows), year on year"),
    gettext_noop("EPFO members, year on year"),
    gettext_noop("Delays in statutory dues and utility bills"),
    gettext_noop("Power consumption, year on year"),
    gettext_noop("Net profit margin, year on year"),
]

# The profile's categories, marked for translation (scoring.choices keeps the English labels).
PROFILE_WORDS = [
    gettext_noop("Manufacturing"),
    gettext_noop("Services"),
    gettext_noop("Trading"),
    gettext_noop("Micro"),
    gettext_noop("Small"),
    gettext_noop("Medium"),
]

# The score history chart: an inline SVG drawn on the server (nothing from a CDN).
CHART_WIDTH, CHART_HEIGHT = 640, 200
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 36, 14, 10, 28
CHART_LABEL_GAP = 70  # between two date labels: "12-2026" is about 40 wide, the end ones anchored at their edge


def _score_chart(history: list[Assessment], bands: list[dict]) -> dict | None:
    """The geometry of the score-over-time line: one point per as-of date (its newest model
    version's assessment), the band thresholds as shaded stripes; None with nothing to draw."""
    by_date: dict = {}
    for assessment in history:  # newest first, newest model version first within a date
        by_date.setdefault(assessment.as_of, assessment)
    points = sorted(by_date.values(), key=lambda a: a.as_of)
    if not any(a.score is not None for a in points):
        return None
    inner_w = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    inner_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    first, last = points[0].as_of, points[-1].as_of
    span = (last - first).days

    def x_of(day) -> float:
        return CHART_LEFT + (inner_w / 2 if span == 0 else inner_w * (day - first).days / span)

    def y_of(score) -> float:
        return CHART_TOP + inner_h * (1 - float(score) / 100)

    dots, segments, current = [], [], []
    for assessment in points:
        if assessment.score is None:  # unscored (insufficient data): a gap in the line
            if current:
                segments.append(current)
            current = []
            continue
        x, y = round(x_of(assessment.as_of), 1), round(y_of(assessment.score), 1)
        current.append(f"{x},{y}")
        dots.append({"x": x, "y": y, "assessment": assessment})
    if current:
        segments.append(current)
    thresholds = sorted({float(b["min_score"]) for b in bands if float(b.get("min_score", 0)) > 0})
    stripes, floor = [], 0.0
    for code, top in zip(
        [b["code"] for b in sorted(bands, key=lambda b: float(b["min_score"]))], thresholds + [100.0], strict=False
    ):
        stripes.append({"band": code, "y": round(y_of(top), 1), "height": round(inner_h * (top - floor) / 100, 1)})
        floor = top
    ticks = [{"y": round(y_of(t), 1), "label": f"{t:g}"} for t in [0.0, *thresholds, 100.0]]
    labels = []  # dates under the axis: the first and the last, and between them as many as fit
    for i, assessment in enumerate(points):
        x = round(x_of(assessment.as_of), 1)
        if labels and x - labels[-1]["x"] < CHART_LABEL_GAP:  # no room for this date's label
            if i < len(points) - 1 or len(labels) == 1:
                continue
            labels.pop()  # the last date matters more than the one just before it
        labels.append({"x": x, "label": formats.date_format(assessment.as_of, "m-Y"), "anchor": "middle"})
    if len(labels) > 1:
        labels[0]["anchor"], labels[-1]["anchor"] = "start", "end"
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "inner_width": inner_w,
        "top": CHART_TOP,
        "bottom": CHART_HEIGHT - CHART_BOTTOM,
        "label_y": CHART_HEIGHT - 8,
        "lines": [" ".join(segment) for segment in segments],
        "dots": dots,
        "stripes": stripes,
        "ticks": ticks,
        "labels": labels,
    }


def report_card_context(unit: Enterprise) -> dict:
    """What a unit's report card shows: the latest assessment (band, score, coverage), each
    indicator in the model's order with its measured values and words, the distress signals,
    and the score history across assessments with its chart."""
    history = list(unit.assessments.select_related("model").order_by("-as_of", "-model__version"))
    latest = history[0] if history else None
    indicators = []
    if latest:
        for code, definition in latest.model.definition["indicators"].items():
            stored = latest.indicators.get(code, {})
            indicators.append(
                {
                    "code": code,
                    "label": gettext(definition["label"]),
                    "weight": definition["weight"],
                    **stored,
                    # Cards scored before the words were made at display time carry their own.
                    "explanation": stored.get("explanation")
                    or explain(definition, stored.get("status"), stored.get("values")),
                    "distress": code in latest.distress,
                }
            )
    return {
        "unit": unit,
        "activity": gettext(unit.get_major_activity_display()),
        "category": gettext(unit.get_category_display()),
        "latest": latest,
        "history": history,
        "indicators": indicators,
        "distress": [indicator for indicator in indicators if indicator["distress"]],
        "band_words": BAND_WORDS.get(latest.band, latest.band) if latest else "",
        "band_meaning": BAND_MEANING.get(latest.band, "") if latest else "",
        "chart": _score_chart(history, latest.model.definition.get("bands", [])) if latest else None,
    }


def _visible_unit(request, udyam_number: str) -> Enterprise:
    try:
        return enterprise_list_for_user(request.user).select_related("district").get(udyam_number=udyam_number)
    except Enterprise.DoesNotExist:
        raise Http404("No such unit, or not yours to see") from None


@login_required
def unit_report_card(request, udyam_number):
    unit = _visible_unit(request, udyam_number)
    return render(request, "scoring/report_card.html", report_card_context(unit))


@login_required
def unit_report_card_print(request, udyam_number):
    """The report card to hand to the owner: one clean page, the browser's print (or Save as
    PDF) makes the paper or the PDF."""
    unit = _visible_unit(request, udyam_number)
    return render(
        request, "scoring/report_card_print.html", {**report_card_context(unit), "printed_on": timezone.localdate()}
    )
