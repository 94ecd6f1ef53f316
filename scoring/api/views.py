"""Units and report cards. Every read goes through scoring.visibility.enterprise_list_for_user:
a unit the user may not see is a 404, as is one that does not exist."""

import django_filters
from django.db.models import F, FilteredRelation, Q
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses
from core.api_views import ListApi
from scoring.choices import Band
from scoring.models import Assessment, Enterprise, ScoringModel
from scoring.selectors import latest_as_of, scoring_model_get
from scoring.visibility import enterprise_get_for_user, enterprise_list_for_user

from .serializers import (
    AssessmentSummarySerializer,
    EnterpriseListSerializer,
    ReportCardSerializer,
)


def _current_run():
    """(model, as_of) of the current report cards: the latest model's latest scoring date, as on
    the unit list page; (None, None) before any scoring."""
    try:
        model = scoring_model_get()
    except ScoringModel.DoesNotExist:
        return None, None
    return model, latest_as_of(model=model)


class EnterpriseFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(field_name="district__code", help_text="District code, e.g. anantnag.")
    band = django_filters.ChoiceFilter(
        field_name="current_band", choices=Band.choices, help_text="Band on the current scoring run."
    )
    q = django_filters.CharFilter(method="search", help_text="Part of the Udyam number or the unit's name.")

    class Meta:
        model = Enterprise
        fields = ["district", "band", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(udyam_number__icontains=value) | Q(enterprise_name__icontains=value))


@extend_schema(tags=["enterprises"])
class EnterpriseListApi(ListApi):
    """The units the user may see, with their band on the current scoring run."""

    model = Enterprise

    serializer_class = EnterpriseListSerializer
    filterset_class = EnterpriseFilter

    def list_queryset(self):
        model, as_of = _current_run()
        # One LEFT JOIN on the (enterprise, as_of, model) unique index: the current card, if any.
        current = FilteredRelation("assessments", condition=Q(assessments__model=model, assessments__as_of=as_of))
        return (
            enterprise_list_for_user(self.request.user)
            .annotate(current=current, current_band=F("current__band"), current_score=F("current__score"))
            .select_related("district")
            .order_by("udyam_number")
        )


@extend_schema(tags=["assessments"], responses={200: AssessmentSummarySerializer(many=True), **error_responses(404)})
class EnterpriseAssessmentListApi(ListApi):
    """A unit's score history: every assessment, newest first (the full card at /assessments/{id}/)."""

    model = Assessment

    serializer_class = AssessmentSummarySerializer
    filterset_class = None

    def list_queryset(self):
        unit = enterprise_get_for_user(self.request.user, self.kwargs["pk"])
        return unit.assessments.select_related("model").order_by("-as_of", "-model__version", "-pk")


@extend_schema(tags=["assessments"], responses={200: ReportCardSerializer, **error_responses(404)})
class AssessmentDetailApi(APIView):
    """One report card in full: indicators in the model's order with their values and explanation."""

    def get(self, request, pk: int):
        assessment = (
            Assessment.objects.filter(enterprise__in=enterprise_list_for_user(request.user))
            .select_related("model")
            .get(pk=pk)
        )
        return Response(ReportCardSerializer(assessment).data)
