"""A unit's profile with its open case: served here, above scoring, because it names the case
(docs/decisions/0005-layers.md); the path is the units API's, /api/v1/enterprises/{id}/."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_responses
from scoring.api.serializers import EnterpriseDetailSerializer
from scoring.visibility import enterprise_get_for_user

from ..choices import OPEN_STAGES
from ..selectors import case_list_for_user


@extend_schema(tags=["enterprises"], responses={200: EnterpriseDetailSerializer, **error_responses(404)})
class EnterpriseDetailApi(APIView):
    """A unit's profile, its latest report card in brief and its open case (if any)."""

    def get(self, request, pk: int):
        unit = enterprise_get_for_user(request.user, pk)
        latest = unit.assessments.select_related("model").order_by("-as_of", "-model__version").first()
        open_case = (
            case_list_for_user(request.user)
            .filter(enterprise=unit, stage__in=OPEN_STAGES)
            .values_list("pk", flat=True)
            .first()
        )
        context = {"latest_assessment": latest, "open_case": open_case}
        return Response(EnterpriseDetailSerializer(unit, context=context).data)
