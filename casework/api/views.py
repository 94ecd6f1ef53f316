"""Cases and their parts: the list, the timeline, remedies' progress, comments and attachments.
Each view parses with an input serializer, fetches through a selector that authorises (a case the
user may not see is a 404), calls one service and renders with an output serializer.

A case's detail (with the moves its viewer may make), the moves themselves, the draft plan's
remedies and the documents asked of the unit are served, at their paths under /cases/, by
workflows/api/case_views.py: the flow, the remedy-plan task and the SLA clocks decide them."""

import django_filters
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import selectors
from casework import services as artefacts
from casework.choices import OPEN_STAGES, CasePriority, CaseStage
from casework.models import Attachment, Case, CaseEvent, Comment, FieldVisitReport
from casework.selectors import case_list_for_user
from core.api import error_responses
from core.api_input import JsonParser
from core.api_views import ListApi

from .serializers import (
    AttachmentInput,
    AttachmentSerializer,
    CaseEventSerializer,
    CaseSerializer,
    CommentInput,
    CommentSerializer,
    RemedyProgressInput,
    RemedySerializer,
)

CASE_RELATED = ("enterprise__district",)


def case_for(request, pk: int) -> Case:
    """The case, if the user may see it (Case.DoesNotExist, a 404, otherwise)."""
    return case_list_for_user(request.user).select_related(*CASE_RELATED).get(pk=pk)


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


def remedies_for(request, case: Case):
    """The case's remedies the user may see (every plan's), for listing or looking one up."""
    full = selectors.case_seen_in_full(request.user, case)
    return selectors.case_remedies_for_user(request.user, case, full=full).select_related("plan", "owner", "branch")


@extend_schema(
    tags=["remedies"],
    request=RemedyProgressInput,
    responses={200: RemedySerializer, **error_responses(400, 403, 404)},
)
class RemedyProgressApi(APIView):
    """Records a non-financial remedy's progress on the approved plan (100: done)."""

    def post(self, request, pk: int, remedy_pk: int):
        case = case_for(request, pk)
        remedy = remedies_for(request, case).select_related("case__enterprise").get(pk=remedy_pk)
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
        data = CommentInput(data=request.data, context={"remedies": remedies_for(request, case)})
        data.is_valid(raise_exception=True)
        comment = artefacts.comment_add(case=case, author=request.user, **data.validated_data)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["attachments"])
class CaseAttachmentListApi(ListApi):
    """GET: the case's files (a bank: those of its financial remedies). POST (multipart): uploads one."""

    model = Attachment

    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser, JsonParser]

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
            "remedies": remedies_for(request, case),
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
