"""The actions on a case that go through the work engine, at their paths under /api/v1/cases/:
the case itself with the direct moves its viewer may make now (`actions`), those moves (close,
another visit, revise the plan), the draft plan's remedies added and dropped (the work of its
remedy-plan task), and documents asked of the unit (which pause the case's clocks).

Reading a case's parts (its timeline, comments, attachments, a remedy's progress) is casework's
API (casework/api/views.py); these are here because the flow, the task or the SLA clocks decide
them, and casework, below workflows, does not name them."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import selectors
from casework.api.serializers import (
    CaseCloseInput,
    CaseDetailSerializer,
    CaseMoveInput,
    DocumentRequestCloseInput,
    DocumentRequestInput,
    DocumentRequestSerializer,
    RemedyAddInput,
    RemedyDropInput,
    RemedySerializer,
)
from casework.api.views import case_for, remedies_for
from casework.choices import DirectMove
from casework.models import Case, DocumentRequest, Remedy
from casework.selectors import user_may_direct_case
from casework.stages import direct_moves_of
from core.api import error_responses
from core.api_views import ListApi
from workflows import services as workflow

NOT_A_DIRECTOR = (
    "Only the unit's district officer, its division's director, an IIM coordinator or the department "
    "steer a case outside its tasks."
)


def _direct_moves_allowed(user, case: Case) -> list[str]:
    """The direct moves `user` could make now: stage, permission and guard (a close needs only
    its reason, which the request brings)."""
    if not (case.is_open and user_may_direct_case(user, case)):
        return []
    return [
        move
        for move in direct_moves_of(case.stage)
        if move == DirectMove.CLOSE or workflow.case_transition_allowed(case, move, actor=user)
    ]


def _case_detail(request, case: Case) -> Response:
    context = {
        "full_view": selectors.case_seen_in_full(request.user, case),
        "actions": _direct_moves_allowed(request.user, case),
    }
    return Response(CaseDetailSerializer(case, context=context).data)


@extend_schema(tags=["cases"], responses={200: CaseDetailSerializer, **error_responses(404)})
class CaseDetailApi(APIView):
    """A case; `actions` lists the direct moves the viewer may make now."""

    def get(self, request, pk: int):
        return _case_detail(request, case_for(request, pk))


class _CaseMoveApi(APIView):
    """A direct move of the case's lifecycle (workflows.services.case_advance)."""

    transition: str
    input_serializer = CaseMoveInput

    def post(self, request, pk: int):
        case = case_for(request, pk)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Someone who may never steer the case is told so, whatever its stage.
        if not user_may_direct_case(request.user, case):
            raise PermissionDenied(NOT_A_DIRECTOR)
        case = workflow.case_advance(
            case=case,
            transition=self.transition,
            actor=request.user,
            reason=data.validated_data.get("reason", ""),
            close_reason=data.validated_data.get("close_reason", ""),
            expected_version=data.validated_data.get("expected_version"),
        )
        return _case_detail(request, case_for(request, case.pk))


MOVE_RESPONSES = {200: CaseDetailSerializer, **error_responses(400, 403, 404, 409)}


@extend_schema(tags=["cases"], request=CaseCloseInput, responses=MOVE_RESPONSES)
class CaseCloseApi(_CaseMoveApi):
    """Closes an open case with a reason (not viable, unit closed, withdrew, ...)."""

    transition = DirectMove.CLOSE
    input_serializer = CaseCloseInput


@extend_schema(tags=["cases"], request=CaseMoveInput, responses=MOVE_RESPONSES)
class CaseRequestRevisitApi(_CaseMoveApi):
    """Diagnostic report → field visit: the diagnosis needs another look at the unit."""

    transition = DirectMove.REQUEST_REVISIT


@extend_schema(tags=["cases"], request=CaseMoveInput, responses=MOVE_RESPONSES)
class CaseRevisePlanApi(_CaseMoveApi):
    """Handholding → remedy plan: the approved plan is superseded by a new draft."""

    transition = DirectMove.REVISE_PLAN


# Remedies of the draft plan.


@extend_schema(tags=["remedies"])
class CaseRemedyListApi(ListApi):
    """GET: the case's remedies, every plan's (a bank: the financial remedies it acts on).
    POST: adds a remedy to the draft plan (the mentor holding the remedy-plan task)."""

    model = Remedy

    serializer_class = RemedySerializer

    def list_queryset(self):
        return remedies_for(self.request, case_for(self.request, self.kwargs["pk"])).order_by("plan__number", "pk")

    @extend_schema(request=RemedyAddInput, responses={201: RemedySerializer, **error_responses(400, 403, 404, 409)})
    def post(self, request, pk: int):
        case = case_for(request, pk)
        data = RemedyAddInput(data=request.data)
        data.is_valid(raise_exception=True)
        remedy = workflow.remedy_add(task=workflow.remedy_plan_task(case), actor=request.user, **data.validated_data)
        return Response(RemedySerializer(remedy).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["remedies"], request=RemedyDropInput, responses={200: RemedySerializer, **error_responses(400, 403, 404, 409)}
)
class RemedyDropApi(APIView):
    """Drops a remedy from the draft plan, with the reason."""

    def post(self, request, pk: int, remedy_pk: int):
        case = case_for(request, pk)
        remedy = remedies_for(request, case).get(pk=remedy_pk)
        data = RemedyDropInput(data=request.data)
        data.is_valid(raise_exception=True)
        remedy = workflow.remedy_drop(
            task=workflow.remedy_plan_task(case),
            actor=request.user,
            remedy=remedy,
            reason=data.validated_data["reason"],
        )
        return Response(RemedySerializer(remedy).data)


# Documents asked of the enterprise.


@extend_schema(tags=["document requests"])
class CaseDocumentRequestListApi(ListApi):
    """GET: what the clinic asked the enterprise for. POST: asks for documents (the case's clocks
    pause until they are in)."""

    model = DocumentRequest

    serializer_class = DocumentRequestSerializer

    def list_queryset(self):
        case = case_for(self.request, self.kwargs["pk"])
        full = selectors.case_seen_in_full(self.request.user, case)
        requests = selectors.case_document_requests_for_user(self.request.user, case, full=full)
        return requests.select_related("asked_by", "closed_by")

    @extend_schema(
        request=DocumentRequestInput, responses={201: DocumentRequestSerializer, **error_responses(400, 403, 404)}
    )
    def post(self, request, pk: int):
        case = case_for(request, pk)
        data = DocumentRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        asked = workflow.document_request_create(case=case, actor=request.user, items=data.validated_data["items"])
        return Response(DocumentRequestSerializer(asked).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["document requests"],
    request=DocumentRequestCloseInput,
    responses={200: DocumentRequestSerializer, **error_responses(400, 403, 404)},
)
class DocumentRequestCloseApi(APIView):
    """The documents are in (or the request is withdrawn); the case's clocks resume when none is open."""

    def post(self, request, pk: int, request_pk: int):
        case = case_for(request, pk)
        full = selectors.case_seen_in_full(request.user, case)
        asked = selectors.case_document_requests_for_user(request.user, case, full=full).get(pk=request_pk)
        data = DocumentRequestCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        asked = workflow.document_request_close(request=asked, actor=request.user, status=data.validated_data["status"])
        return Response(DocumentRequestSerializer(asked).data)
