"""The form each task type opens in the pages (workflows/tasktypes.py names it), and the parsed
Completion it hands to task_complete.

A form only parses and shapes input; what is valid for the clinic is decided by the services
(workflows.services.completion and casework.services), whose ValidationErrors the page shows
beside the fields, the values as typed."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.choices import (
    FINANCIAL_REMEDY_TYPES,
    VISIT_CHECKLIST,
    AttachmentKind,
    BankDecision,
    ChecklistAnswer,
    CloseReason,
    ConsultationMode,
    FindingCategory,
    RemedyType,
    Severity,
)

from .choices import TaskOutcome, TaskType
from .inputs import Completion, Upload

CLOSE_CHOICES = [("", "—")] + list(CloseReason.choices)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


def _date(**kwargs):
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate, **kwargs)


class TaskForm(forms.Form):
    """Base: `completion()` is what task_complete receives. An `outcome` field offers the outcomes
    the task type declares (workflows/tasktypes.py), in its order."""

    task_type: str
    # The field an upload's refusal belongs beside (the service names it "file", as the API does).
    upload_field = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "outcome" in self.fields:
            from .tasktypes import task_type

            self.fields["outcome"].choices = task_type(self.task_type).outcome_choices

    def completion(self) -> Completion:
        data = self.cleaned_data
        return Completion(
            outcome=data["outcome"],
            note=data.get("note", ""),
            reason=data.get("reason", ""),
            close_reason=data.get("close_reason", ""),
        )


class DataCompletionForm(TaskForm):
    task_type = TaskType.DATA_COMPLETION
    outcome = forms.ChoiceField()
    close_reason = forms.ChoiceField(choices=CLOSE_CHOICES, required=False)
    note = forms.CharField(widget=forms.Textarea, required=False)


class OutreachForm(TaskForm):
    task_type = TaskType.OUTREACH
    outcome = forms.ChoiceField()
    close_reason = forms.ChoiceField(choices=CLOSE_CHOICES, required=False)
    note = forms.CharField(widget=forms.Textarea, required=False, help_text=_("Whom you spoke to, and when."))


class ConsultationForm(TaskForm):
    task_type = TaskType.CONSULTATION
    held_on = _date()
    mode = forms.ChoiceField(choices=ConsultationMode.choices)
    notes = forms.CharField(widget=forms.Textarea, help_text=_("What the consultation found."))
    issues_raised = forms.CharField(widget=forms.Textarea, required=False)
    outcome = forms.ChoiceField()
    close_reason = forms.ChoiceField(choices=CLOSE_CHOICES, required=False)

    def completion(self) -> Completion:
        data = self.cleaned_data
        record = {key: data[key] for key in ("held_on", "mode", "notes", "issues_raised")}
        return Completion(outcome=data["outcome"], close_reason=data.get("close_reason", ""), record=record)


class FieldVisitForm(TaskForm):
    task_type = TaskType.FIELD_VISIT
    upload_field = "photos"
    visit_date = _date()
    summary = forms.CharField(widget=forms.Textarea)
    photos = MultipleFileField(required=False, help_text=_("Photos of the unit (JPEG or PNG)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item, label in VISIT_CHECKLIST.items():
            self.fields[f"check_{item}"] = forms.ChoiceField(
                label=label, choices=ChecklistAnswer.choices, widget=forms.RadioSelect
            )
            self.fields[f"remarks_{item}"] = forms.CharField(label=_("Remarks"), required=False)

    def checklist_rows(self):
        return [(self[f"check_{item}"], self[f"remarks_{item}"]) for item in VISIT_CHECKLIST]

    def completion(self) -> Completion:
        data = self.cleaned_data
        findings = {
            item: {"answer": data[f"check_{item}"], "remarks": data.get(f"remarks_{item}", "")}
            for item in VISIT_CHECKLIST
        }
        return Completion(
            outcome=TaskOutcome.VISITED,
            record={"visit_date": data["visit_date"], "summary": data["summary"], "findings": findings},
            uploads=tuple(
                Upload(photo, AttachmentKind.PHOTO, about="visit_report") for photo in data.get("photos") or ()
            ),
        )


FINDING_ROWS = 3


class DiagnosticReportForm(TaskForm):
    task_type = TaskType.DIAGNOSTIC_REPORT
    outcome = forms.ChoiceField()
    document = forms.FileField(required=False, help_text=_("The diagnostic study report (PDF)."))
    summary = forms.CharField(widget=forms.Textarea, required=False)
    reason = forms.CharField(required=False, help_text=_("For another visit: what to look at."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(FINDING_ROWS):
            self.fields[f"category_{n}"] = forms.ChoiceField(
                label=_("Cause of stress"), choices=[("", "—")] + list(FindingCategory.choices), required=False
            )
            self.fields[f"severity_{n}"] = forms.ChoiceField(
                label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM, required=False
            )
            self.fields[f"description_{n}"] = forms.CharField(label=_("Finding"), required=False)

    def finding_rows(self):
        return [(self[f"category_{n}"], self[f"severity_{n}"], self[f"description_{n}"]) for n in range(FINDING_ROWS)]

    def completion(self) -> Completion:
        data = self.cleaned_data
        if data["outcome"] != TaskOutcome.SUBMIT:
            return Completion(outcome=data["outcome"], reason=data.get("reason", ""))
        findings = [
            {
                "category": data[f"category_{n}"],
                "severity": data[f"severity_{n}"] or Severity.MEDIUM,
                "description": data[f"description_{n}"],
            }
            for n in range(FINDING_ROWS)
            if data.get(f"category_{n}") or data.get(f"description_{n}")
        ]
        record = {"document": data.get("document"), "summary": data.get("summary", ""), "findings": findings}
        return Completion(outcome=TaskOutcome.SUBMIT, record=record)


class RemedyForm(forms.Form):
    """One remedy added to the draft plan (the remedy plan task's editor)."""

    type = forms.ChoiceField(choices=RemedyType.choices)
    description = forms.CharField(required=False)
    branch = forms.ChoiceField(required=False, help_text=_("Financial remedies: the unit's branch that acts on it."))
    target_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(required=False, min_value=0, decimal_places=2, max_digits=16)

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.branches = {str(b.pk): b for b in branches}
        self.fields["branch"].choices = [("", _("The unit's main branch"))] + [(str(b.pk), str(b)) for b in branches]

    def clean_branch(self):
        value = self.cleaned_data.get("branch")
        return self.branches.get(value) if value else None

    @property
    def is_financial(self) -> bool:
        return self.cleaned_data.get("type") in FINANCIAL_REMEDY_TYPES


class RemedyPlanForm(TaskForm):
    task_type = TaskType.REMEDY_PLAN
    note = forms.CharField(widget=forms.Textarea, required=False, help_text=_("Approving sends the plan to work."))

    def completion(self) -> Completion:
        return Completion(outcome=TaskOutcome.APPROVE, note=self.cleaned_data.get("note", ""))


class BankReferralForm(TaskForm):
    task_type = TaskType.BANK_REFERRAL
    referred_on = _date(label=_("Referred to the committee on"))
    reference = forms.CharField(help_text=_("The bank's reference for the referral."))
    note = forms.CharField(widget=forms.Textarea, required=False)

    def completion(self) -> Completion:
        data = self.cleaned_data
        record = {"referred_on": data["referred_on"], "reference": data["reference"], "note": data.get("note", "")}
        return Completion(outcome=TaskOutcome.REFERRED, note=record["note"], record=record)


class BankDecisionForm(TaskForm):
    task_type = TaskType.BANK_DECISION
    upload_field = "letter"
    decision = forms.ChoiceField(choices=BankDecision.choices, help_text=_("The corrective action plan decided."))
    reference = forms.CharField(help_text=_("The bank's reference for the decision (sanction letter)."))
    amount = forms.DecimalField(required=False, min_value=0, decimal_places=2, max_digits=16)
    note = forms.CharField(widget=forms.Textarea, required=False)
    letter = forms.FileField(required=False, help_text=_("The sanction or decision letter (PDF)."))

    def completion(self) -> Completion:
        data = self.cleaned_data
        record = {key: data.get(key) for key in ("decision", "reference", "amount")}
        record["note"] = data.get("note", "")
        letter = data.get("letter")
        return Completion(
            outcome=data["decision"],
            note=record["note"],
            record=record,
            uploads=(Upload(letter, AttachmentKind.DOCUMENT, about="remedy"),) if letter else (),
        )


class CheckInForm(TaskForm):
    task_type = TaskType.CHECK_IN
    held_on = _date()
    notes = forms.CharField(widget=forms.Textarea, help_text=_("How the unit is doing."))
    outcome = forms.ChoiceField()
    reason = forms.CharField(required=False, help_text=_("Why the plan must change."))

    def __init__(self, *args, remedies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.remedies = list(remedies)
        for remedy in self.remedies:
            self.fields[f"progress_{remedy.pk}"] = forms.IntegerField(
                label=str(remedy), min_value=0, max_value=100, initial=remedy.progress, required=False
            )

    def progress_fields(self):
        return [self[f"progress_{r.pk}"] for r in self.remedies]

    def completion(self) -> Completion:
        data = self.cleaned_data
        progress = [
            {"remedy": r.pk, "progress": data[f"progress_{r.pk}"], "note": ""}
            for r in self.remedies
            if data.get(f"progress_{r.pk}") is not None and data[f"progress_{r.pk}"] != r.progress
        ]
        return Completion(
            outcome=data["outcome"],
            reason=data.get("reason", ""),
            record={"held_on": data["held_on"], "notes": data["notes"], "progress": progress},
        )


class ConfirmRevivalForm(TaskForm):
    task_type = TaskType.CONFIRM_REVIVAL
    outcome = forms.ChoiceField()
    note = forms.CharField(widget=forms.Textarea, required=False)


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"))
    reason = forms.CharField(required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["assignee"].choices = [(str(p.pk), p.get_full_name() or p.get_username()) for p in people]

    def clean_assignee(self):
        return self.people[self.cleaned_data["assignee"]]
