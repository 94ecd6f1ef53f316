"""Serializers of tasks and of completing them. The task list serializer reads only the columns
the inbox selectors load (workflows.selectors.INBOX_FIELDS): anything more would be a query per row.

Completing a task takes its stage's payload, one input serializer per task type (the shape: types,
dates, files); what the values must be (outcomes, checklists, findings) the completion handlers and
casework.services decide, and their refusals come back as field errors."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.choices import BankDecision, CloseReason, ConsultationMode
from core.api import JsonValueField
from workflows.choices import TaskType
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


# Inputs of completion, per task type. Fields left out are left out of the payload: a handler
# records an artefact only when its fields come (a visit report recorded before completing stays).


class _Completion(TaskActionInput):
    note = serializers.CharField(required=False, allow_blank=True)


class _Closable(_Completion):
    close_reason = serializers.ChoiceField(choices=CloseReason.choices, required=False)


class DataCompletionInput(_Closable):
    outcome = serializers.CharField(required=False, help_text="submitted (default) or close.")


class OutreachInput(_Closable):
    outcome = serializers.CharField(help_text="consultation_booked or close.")


class ConsultationInput(_Closable):
    outcome = serializers.CharField(help_text="field_visit or close.")
    notes = serializers.CharField(required=False, allow_blank=True, help_text="What the consultation found.")
    held_on = serializers.DateField(required=False)
    mode = serializers.ChoiceField(choices=ConsultationMode.choices, required=False)
    issues_raised = serializers.CharField(required=False, allow_blank=True)


class FieldVisitInput(_Completion):
    visit_date = serializers.DateField(required=False)
    findings = JsonValueField(
        kind=dict, required=False, help_text="The checklist: {item: {answer: yes|no|na, remarks}}; JSON in a form."
    )
    summary = serializers.CharField(required=False, allow_blank=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False, help_text="Visit photos.")


class DiagnosticReportInput(_Completion):
    outcome = serializers.CharField(required=False, help_text="submit (default) or revisit (with a reason).")
    document = serializers.FileField(required=False, help_text="The diagnostic study report.")
    summary = serializers.CharField(required=False, allow_blank=True)
    findings = JsonValueField(
        kind=list, required=False, help_text="[{category, severity, description}]; JSON in a form."
    )
    reason = serializers.CharField(required=False, allow_blank=True)


class RemedyPlanInput(_Completion):
    outcome = serializers.CharField(required=False, help_text="approve (default).")


class BankReferralInput(_Completion):
    referred_on = serializers.DateField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True)


class BankDecisionInput(_Completion):
    decision = serializers.ChoiceField(choices=BankDecision.choices)
    reference = serializers.CharField(required=False, allow_blank=True)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)


class CheckInInput(_Completion):
    outcome = serializers.CharField(required=False, help_text="continue (default) or revise_plan (with a reason).")
    held_on = serializers.DateField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    progress = JsonValueField(kind=list, required=False, help_text="[{remedy, progress 0-100, note}]")
    reason = serializers.CharField(required=False, allow_blank=True)


class ConfirmRevivalInput(_Completion):
    outcome = serializers.CharField(help_text="confirm or not_yet.")


COMPLETION_INPUTS: dict[str, type[serializers.Serializer]] = {
    TaskType.DATA_COMPLETION: DataCompletionInput,
    TaskType.OUTREACH: OutreachInput,
    TaskType.CONSULTATION: ConsultationInput,
    TaskType.FIELD_VISIT: FieldVisitInput,
    TaskType.DIAGNOSTIC_REPORT: DiagnosticReportInput,
    TaskType.REMEDY_PLAN: RemedyPlanInput,
    TaskType.BANK_REFERRAL: BankReferralInput,
    TaskType.BANK_DECISION: BankDecisionInput,
    TaskType.CHECK_IN: CheckInInput,
    TaskType.CONFIRM_REVIVAL: ConfirmRevivalInput,
}
