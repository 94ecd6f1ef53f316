"""Serializers of tasks and of completing them. The task list serializer reads only the columns
the inbox selectors load (workflows.selectors.INBOX_FIELDS): anything more would be a query per row.

Completing a task takes its stage's payload, one input serializer per task type (named by its
declaration in workflows/tasktypes.py) that parses the shape — types, dates, files, the lists of
findings and of progress — into a Completion; what the values must be (checklists, references,
dates not in the future) task_complete and casework.services decide, and their refusals come back
as field errors. Whatever the body, a bad one is a 400 with the fields named, never a 500."""

import json

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from casework.choices import AttachmentKind, BankDecision, CloseReason, ConsultationMode, FindingCategory, Severity
from core.api import JsonValueField
from workflows.choices import TaskOutcome, TaskType
from workflows.inputs import Completion, Upload
from workflows.models import Task

# Outputs.


class TaskDistrictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TaskEnterpriseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    udyam_number = serializers.CharField()
    enterprise_name = serializers.CharField()
    district = TaskDistrictSerializer()


class TaskCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stage = serializers.CharField()
    priority = serializers.CharField()
    version = serializers.IntegerField()
    waiting_since = serializers.DateTimeField(allow_null=True)
    enterprise = TaskEnterpriseSerializer()


class TaskSerializer(serializers.ModelSerializer):
    case = TaskCaseSerializer(read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "case",
            "type",
            "stage",
            "status",
            "priority",
            "organisation",
            "branch",
            "remedy",
            "assignee",
            "created_at",
            "due_at",
            "sla_state",
            "escalation_level",
            "paused_at",
            "version",
        ]
        read_only_fields = fields


class TaskDetailSerializer(TaskSerializer):
    """A task, with names, its outcome once done, and what the viewer may do with it now."""

    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    branch_ifsc = serializers.CharField(source="branch.ifsc", read_only=True, allow_null=True, default=None)
    assignee_username = serializers.CharField(source="assignee.username", read_only=True, default=None)
    completed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    # A workflows.choices.TaskOutcome once done, "" before: a plain string, as the API has always said.
    outcome = serializers.CharField(read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta(TaskSerializer.Meta):
        fields = [
            *TaskSerializer.Meta.fields,
            "organisation_name",
            "branch_ifsc",
            "assignee_username",
            "completed_at",
            "completed_by",
            "outcome",
            "actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, task) -> list[str]:
        return self.context["actions"]


class BulkResultSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.IntegerField())
    refused = serializers.DictField(child=serializers.CharField(), help_text="Task id → why it was not done.")


class SlaCountsSerializer(serializers.Serializer):
    inbox = serializers.DictField(child=serializers.IntegerField())
    queue = serializers.DictField(child=serializers.IntegerField())


# Inputs of the inbox operations.


def _active_users():
    return get_user_model().objects.filter(is_active=True)


class TaskActionInput(serializers.Serializer):
    expected_version = serializers.IntegerField(
        required=False, min_value=1, help_text="The task version read; stale, the action is refused (409)."
    )


class TaskAssignInput(TaskActionInput):
    assignee = serializers.PrimaryKeyRelatedField(queryset=_active_users())
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class TasksBulkInput(serializers.Serializer):
    tasks = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=200)


class TasksBulkAssignInput(TasksBulkInput):
    assignee = serializers.PrimaryKeyRelatedField(queryset=_active_users())
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# Inputs of completion, per task type. Fields left out are left out of the record: a completion
# records an artefact only when its fields come (a visit report recorded before completing stays).


class JsonListField(serializers.ListField):
    """A list given as JSON in a JSON body, or as a JSON string in a multipart form (where a
    diagnosis's findings travel beside its document)."""

    def get_value(self, dictionary):
        if html.is_html_input(dictionary) and self.field_name in dictionary:
            return dictionary.get(self.field_name)  # one form value holding the JSON
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError("Not valid JSON.") from None
        return super().to_internal_value(data)


# Described, not an enum: the schema's enums are named by field, and "category" already names the
# unit's category (an enum under the same name would need a settings override).
@extend_schema_field({"type": "string", "description": f"One of: {', '.join(FindingCategory.values)}."})
class FindingCategoryField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=FindingCategory.choices, **kwargs)


class FindingInput(serializers.Serializer):
    category = FindingCategoryField()
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    description = serializers.CharField(allow_blank=True, default="")


class RemedyProgressEntryInput(serializers.Serializer):
    remedy = serializers.IntegerField(help_text="A remedy of the approved plan.")
    progress = serializers.IntegerField(help_text="Per cent done, 0 to 100.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


# (No docstring: the schema would give it to every completion input.) The base of completion inputs:
# an `outcome` field offers the outcomes its task type declares (workflows/tasktypes.py).
class _Completion(TaskActionInput):
    task_type: str
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "outcome" in self.fields:
            from workflows.tasktypes import task_type

            self.fields["outcome"].choices = task_type(self.task_type).outcome_choices

    def completion(self) -> Completion:
        data = self.validated_data
        return Completion(
            outcome=data["outcome"],
            note=data.get("note", ""),
            reason=data.get("reason", ""),
            close_reason=data.get("close_reason", ""),
        )


class _Closable(_Completion):
    close_reason = serializers.ChoiceField(choices=CloseReason.choices, required=False)


class DataCompletionInput(_Closable):
    task_type = TaskType.DATA_COMPLETION
    outcome = serializers.ChoiceField(
        choices=(), default=TaskOutcome.SUBMITTED, help_text="submitted (default) or close."
    )


class OutreachInput(_Closable):
    task_type = TaskType.OUTREACH
    outcome = serializers.ChoiceField(choices=(), help_text="consultation_booked or close.")


class ConsultationInput(_Closable):
    task_type = TaskType.CONSULTATION
    outcome = serializers.ChoiceField(choices=(), help_text="field_visit or close.")
    notes = serializers.CharField(required=False, allow_blank=True, help_text="What the consultation found.")
    held_on = serializers.DateField(required=False)
    mode = serializers.ChoiceField(choices=ConsultationMode.choices, required=False)
    issues_raised = serializers.CharField(required=False, allow_blank=True)

    def completion(self) -> Completion:
        data = self.validated_data
        record = None
        if "notes" in data:
            record = {
                "held_on": data.get("held_on") or timezone.localdate(),
                "mode": data.get("mode") or ConsultationMode.VIDEO,
                "notes": data["notes"],
                "issues_raised": data.get("issues_raised", ""),
            }
        return Completion(outcome=data["outcome"], close_reason=data.get("close_reason", ""), record=record)


class FieldVisitInput(_Completion):
    task_type = TaskType.FIELD_VISIT
    visit_date = serializers.DateField(required=False)
    findings = JsonValueField(
        kind=dict, required=False, help_text="The checklist: {item: {answer: yes|no|na, remarks}}; JSON in a form."
    )
    summary = serializers.CharField(required=False, allow_blank=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False, help_text="Visit photos.")

    def completion(self) -> Completion:
        data = self.validated_data
        record = None
        if "findings" in data:
            record = {
                "visit_date": data.get("visit_date") or timezone.localdate(),
                "findings": data["findings"],
                "summary": data.get("summary", ""),
            }
        photos = tuple(Upload(photo, AttachmentKind.PHOTO, about="visit_report") for photo in data.get("photos") or ())
        return Completion(outcome=TaskOutcome.VISITED, note=data.get("note", ""), record=record, uploads=photos)


class DiagnosticReportInput(_Completion):
    task_type = TaskType.DIAGNOSTIC_REPORT
    outcome = serializers.ChoiceField(
        choices=(), default=TaskOutcome.SUBMIT, help_text="submit (default) or revisit (with a reason)."
    )
    document = serializers.FileField(required=False, allow_null=True, help_text="The diagnostic study report.")
    summary = serializers.CharField(required=False, allow_blank=True)
    findings = JsonListField(
        child=FindingInput(), required=False, help_text="[{category, severity, description}]; JSON in a form."
    )
    reason = serializers.CharField(required=False, allow_blank=True)

    def completion(self) -> Completion:
        data = self.validated_data
        record = None
        if data["outcome"] == TaskOutcome.SUBMIT and ("document" in data or "findings" in data):
            record = {
                "document": data.get("document"),
                "summary": data.get("summary", ""),
                "findings": [dict(finding) for finding in data.get("findings", [])],
            }
        return Completion(
            outcome=data["outcome"], note=data.get("note", ""), reason=data.get("reason", ""), record=record
        )


class RemedyPlanInput(_Completion):
    task_type = TaskType.REMEDY_PLAN
    outcome = serializers.ChoiceField(choices=(), default=TaskOutcome.APPROVE, help_text="approve (default).")


class BankReferralInput(_Completion):
    task_type = TaskType.BANK_REFERRAL
    referred_on = serializers.DateField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True, default="")

    def completion(self) -> Completion:
        data = self.validated_data
        record = {
            "referred_on": data.get("referred_on") or timezone.localdate(),
            "reference": data["reference"],
            "note": data.get("note", ""),
        }
        return Completion(outcome=TaskOutcome.REFERRED, note=record["note"], record=record)


class BankDecisionInput(_Completion):
    task_type = TaskType.BANK_DECISION
    decision = serializers.ChoiceField(choices=BankDecision.choices)
    reference = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    letter = serializers.FileField(
        required=False, help_text="The sanction or decision letter, stored with the decision."
    )

    def completion(self) -> Completion:
        data = self.validated_data
        record = {
            "decision": data["decision"],
            "reference": data["reference"],
            "amount": data.get("amount"),
            "note": data.get("note", ""),
        }
        letter = data.get("letter")
        return Completion(
            outcome=data["decision"],
            note=record["note"],
            record=record,
            uploads=(Upload(letter, AttachmentKind.DOCUMENT, about="remedy"),) if letter else (),
        )


class CheckInInput(_Completion):
    task_type = TaskType.CHECK_IN
    outcome = serializers.ChoiceField(
        choices=(), default=TaskOutcome.CONTINUE, help_text="continue (default) or revise_plan (with a reason)."
    )
    held_on = serializers.DateField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    progress = JsonListField(
        child=RemedyProgressEntryInput(), required=False, help_text="[{remedy, progress 0-100, note}]; JSON in a form."
    )
    reason = serializers.CharField(required=False, allow_blank=True)

    def completion(self) -> Completion:
        data = self.validated_data
        record = {
            "held_on": data.get("held_on") or timezone.localdate(),
            "notes": data["notes"],
            "progress": [dict(entry) for entry in data.get("progress", [])],
        }
        return Completion(outcome=data["outcome"], reason=data.get("reason", ""), record=record)


class ConfirmRevivalInput(_Completion):
    task_type = TaskType.CONFIRM_REVIVAL
    outcome = serializers.ChoiceField(choices=(), help_text="confirm or not_yet.")
