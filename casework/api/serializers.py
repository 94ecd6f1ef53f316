"""Serializers of the case and its parts. Output serializers are read-only; input serializers
carry only what a person types. The stage is never an input: it moves by the transition
endpoints (and by completing tasks), through workflows.services.case_advance."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.choices import AttachmentKind, CloseReason, DocumentRequestStatus, RemedyType
from casework.models import (
    Attachment,
    Case,
    CaseEvent,
    Comment,
    DocumentRequest,
    FieldVisitReport,
    Remedy,
)
from partners.models import Branch, Organisation
from scoring.api.serializers import DistrictRefSerializer

# Outputs.


class EnterpriseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    udyam_number = serializers.CharField()
    enterprise_name = serializers.CharField()
    district = DistrictRefSerializer()


class CaseSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseRefSerializer(read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "enterprise",
            "stage",
            "priority",
            "opened_at",
            "stage_entered_at",
            "closed_at",
            "close_reason",
            "revived_at",
            "waiting_since",
            "version",
        ]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    """A case, whether the viewer sees it in full or only its finance side, and the moves the
    viewer may make on it directly (POST /cases/{id}/<move>/)."""

    assessment = serializers.PrimaryKeyRelatedField(read_only=True)
    full_view = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "assessment", "full_view", "actions"]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_full_view(self, case) -> bool:
        return self.context["full_view"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, case) -> list[str]:
        return self.context["actions"]


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    task = serializers.IntegerField(source="task_id", read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "at", "kind", "actor", "task", "from_value", "to_value", "reason", "data"]
        read_only_fields = fields


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class BranchRefSerializer(serializers.Serializer):
    ifsc = serializers.CharField()
    name = serializers.CharField()


class PlanRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()


class RemedySerializer(serializers.ModelSerializer):
    plan = PlanRefSerializer(read_only=True)
    owner = OrganisationRefSerializer(read_only=True)
    branch = BranchRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Remedy
        fields = [
            "id",
            "plan",
            "type",
            "description",
            "owner",
            "branch",
            "target_date",
            "status",
            "progress",
            "bank_reference",
            "bank_decision",
            "amount",
            "updated_at",
        ]
        read_only_fields = fields


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "remedy", "created_at"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "visit_report",
            "remedy",
            "document_request",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_download_url(self, attachment) -> str:
        return reverse("api-attachment-download", args=[attachment.case_id, attachment.pk])


class DocumentRequestSerializer(serializers.ModelSerializer):
    asked_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = DocumentRequest
        fields = ["id", "items", "status", "asked_by", "asked_at", "closed_by", "closed_at"]
        read_only_fields = fields


# Inputs. Related objects are looked up only among those the user may see on this case (the view
# passes the querysets in the context): anything else is "no such ...", a field error.


class _CaseScopedInput(serializers.Serializer):
    scoped: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, key in self.scoped.items():
            if key in self.context:
                self.fields[field].queryset = self.context[key]


class CaseMoveInput(serializers.Serializer):
    expected_version = serializers.IntegerField(required=False, min_value=1, help_text="The case version read.")
    reason = serializers.CharField(help_text="Why: recorded on the audit trail.")


class CaseCloseInput(CaseMoveInput):
    close_reason = serializers.ChoiceField(choices=CloseReason.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RemedyAddInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=RemedyType.choices)
    target_date = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True, default=None
    )
    branch = serializers.SlugRelatedField(
        slug_field="ifsc", queryset=Branch.objects.all(), required=False, allow_null=True, default=None
    )
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True, default=None)


class RemedyDropInput(serializers.Serializer):
    reason = serializers.CharField()


class RemedyProgressInput(serializers.Serializer):
    progress = serializers.IntegerField(help_text="Per cent done, 0 to 100; 100 marks the remedy done.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CommentInput(_CaseScopedInput):
    scoped = {"remedy": "remedies"}

    body = serializers.CharField()
    remedy = serializers.PrimaryKeyRelatedField(
        queryset=Remedy.objects.none(), required=False, allow_null=True, default=None
    )


class AttachmentInput(_CaseScopedInput):
    scoped = {"remedy": "remedies", "visit_report": "visit_reports", "document_request": "document_requests"}

    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=AttachmentKind.choices, default=AttachmentKind.DOCUMENT)
    remedy = serializers.PrimaryKeyRelatedField(
        queryset=Remedy.objects.none(), required=False, allow_null=True, default=None
    )
    visit_report = serializers.PrimaryKeyRelatedField(
        queryset=FieldVisitReport.objects.none(), required=False, allow_null=True, default=None
    )
    document_request = serializers.PrimaryKeyRelatedField(
        queryset=DocumentRequest.objects.none(), required=False, allow_null=True, default=None
    )


class DocumentRequestInput(serializers.Serializer):
    items = serializers.CharField(help_text="What is asked for, in plain words the owner will read.")


class DocumentRequestCloseInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in (DocumentRequestStatus.RECEIVED, DocumentRequestStatus.WITHDRAWN)],
        default=DocumentRequestStatus.RECEIVED,
    )
