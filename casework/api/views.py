"""Cases and their parts. Each view parses with an input serializer, fetches through a selector
that authorises (a case the user may not see is a 404), calls one service and renders with an
output serializer. The lifecycle moves a person makes directly (close, another visit, revise the
plan) are POST actions of their own; every other move happens by completing a task."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import selectors
from casework import services as artefacts
from casework.choices import OPEN_STAGES, CasePriority, CaseStage, DirectMove
from casework.models import Attachment, Case, CaseEvent, Comment, DocumentRequest, FieldVisitReport, Remedy
from casework.stages import direct_moves_of
from core.api import error_responses
from core.api_views import ListApi
from partners.selectors import case_list_for_user, user_may_direct_case
from workflows import services as workflow

from .serializers import (
    AttachmentInput,
    AttachmentSerializer,
    CaseCloseInput,
    CaseDetailSerializer,
    CaseEventSerializer,
    CaseMoveInput,
    CaseSerializer,
    CommentInput,
    CommentSerializer,
    DocumentRequestCloseInput,
    DocumentRequestInput,
    DocumentRequestSerializer,
    RemedyAddInput,
    RemedyDropInput,
    RemedyProgressInput,
    RemedySerializer,
)

CASE_RELATED = ("enterprise__district",)
NOT_A_DIRECTOR = (
    "Only the unit's district officer, its division's director, an IIM coordinator or the department "
    "steer a case outside its tasks."
)


def case_for(request, pk: int) -> Case:
    """The case, if the user may see it (Case.DoesNotExist, a 404, otherwise)."""
    return case_list_for_user(request.user).select_related(*CASE_RELATED).get(pk=pk)


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


class CaseFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(choices=CaseStage.choices)
    priority = django_filters.ChoiceFilter(choices=CasePriority.choices)
    district = django_filters.CharFilter(field_name="enterprise__district__code", help_text="District code.")
    enterprise = django_filters.NumberFilter(field_name="enterprise_id")
    open = django_filters.BooleanFilter(method="filter_open", help_text="true: open cases; false: revived or closed.")

    class Meta:
        model = Case
        fields = ["stage", "priority", "district", "enterprise", "open"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(stage__in=OPEN_STAGES) if value else queryset.exclude(stage__in=OPEN_STAGES)


@extend_schema(tags=["cases"])
class CaseListApi(ListApi):
    """The cases the user may see (a bank: its borrowers' cases, whose finance side it sees)."""

    model = Case

    serializer_class = CaseSerializer
    filterset_class = CaseFilter

    def list_queryset(self):
        return case_list_for_user(self.request.user).select_related(*CASE_RELATED).order_by("-opened_at", "-pk")


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


@extend_schema(tags=["cases"], responses={200: CaseEventSerializer(many=True), **error_responses(404)})
class CaseTimelineApi(ListApi):
    """The case's audit trail, oldest first (a bank: the events of the finance side)."""

    model = CaseEvent

    serializer_class = CaseEventSerializer

    def list_queryset(self):
        case = case_for(self.request, self.kwargs["pk"])
        full = selectors.case_seen_in_full(self.request.user, case)
        return selectors.case_events_for_user(self.request.user, case, full=full).select_related("actor")


# Remedies.


def _remedies(request, case: Case):
    full = selectors.case_seen_in_full(request.user, case)
    return selectors.case_remedies_for_user(request.user, case, full=full).select_related("plan", "owner", "branch")


@extend_schema(tags=["remedies"])
class CaseRemedyListApi(ListApi):
    """GET: the case's remedies, every plan's (a bank: the financial remedies it acts on).
    POST: adds a remedy to the draft plan (the mentor holding the remedy-plan task)."""

    model = Remedy

    serializer_class = RemedySerializer

    def list_queryset(self):
        return _remedies(self.request, case_for(self.request, self.kwargs["pk"])).order_by("plan__number", "pk")

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
        remedy = _remedies(request, case).get(pk=remedy_pk)
        data = RemedyDropInput(data=request.data)
        data.is_valid(raise_exception=True)
        remedy = workflow.remedy_drop(
            task=workflow.remedy_plan_task(case),
            actor=request.user,
            remedy=remedy,
            reason=data.validated_data["reason"],
        )
        return Response(RemedySerializer(remedy).data)


@extend_schema(
    tags=["remedies"],
    request=RemedyProgressInput,
    responses={200: RemedySerializer, **error_responses(400, 403, 404)},
)
class RemedyProgressApi(APIView):
    """Records a non-financial remedy's progress on the approved plan (100: done)."""

    def post(self, request, pk: int, remedy_pk: int):
        case = case_for(request, pk)
        remedy = _remedies(request, case).select_related("case__enterprise").get(pk=remedy_pk)
        data = RemedyProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        remedy = artefacts.remedy_progress_set(remedy=remedy, actor=request.user, **data.validated_data)
        return Response(RemedySerializer(remedy).data)


# Comments and attachments.


@extend_schema(tags=["comments"])
class CaseCommentListApi(ListApi):
    """GET: the case's comments (a bank: those about its financial remedies). POST: adds one."""

    model = Comment

    serializer_class = CommentSerializer

    def list_queryset(self):
        case = case_for(self.request, self.kwargs["pk"])
        full = selectors.case_seen_in_full(self.request.user, case)
        return selectors.case_comments_for_user(self.request.user, case, full=full).select_related("author")

    @extend_schema(request=CommentInput, responses={201: CommentSerializer, **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        case = case_for(request, pk)
        data = CommentInput(data=request.data, context={"remedies": _remedies(request, case)})
        data.is_valid(raise_exception=True)
        comment = artefacts.comment_add(case=case, author=request.user, **data.validated_data)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["attachments"])
class CaseAttachmentListApi(ListApi):
    """GET: the case's files (a bank: those of its financial remedies). POST (multipart): uploads one."""

    model = Attachment

    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def list_queryset(self):
        case = case_for(self.request, self.kwargs["pk"])
        full = selectors.case_seen_in_full(self.request.user, case)
        return selectors.case_attachments_for_user(self.request.user, case, full=full).select_related("uploaded_by")

    @extend_schema(
        request={"multipart/form-data": AttachmentInput},
        responses={201: AttachmentSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request, pk: int):
        case = case_for(request, pk)
        full = selectors.case_seen_in_full(request.user, case)
        context = {
            "remedies": _remedies(request, case),
            "visit_reports": FieldVisitReport.objects.filter(case=case) if full else FieldVisitReport.objects.none(),
            "document_requests": selectors.case_document_requests_for_user(request.user, case, full=full),
        }
        data = AttachmentInput(data=request.data, context=context)
        data.is_valid(raise_exception=True)
        attachment = artefacts.attachment_add(case=case, uploader=request.user, **data.validated_data)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["attachments"],
    responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY), **error_responses(404)},
)
class AttachmentDownloadApi(APIView):
    """The file itself, to whoever may see the attachment (anyone else: 404)."""

    def get(self, request, pk: int, attachment_pk: int):
        case = case_for(request, pk)
        full = selectors.case_seen_in_full(request.user, case)
        attachment = selectors.case_attachments_for_user(request.user, case, full=full).get(pk=attachment_pk)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type or "application/octet-stream",
        )


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
