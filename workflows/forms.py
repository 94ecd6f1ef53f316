"""The form each task type opens in the pages, and the payload it hands to task_complete.

A form only parses and shapes input; what is valid for the clinic is decided by the services
(workflows.services.completion and casework.services), whose ValidationErrors the page shows."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.choices import (
    FINANCIAL_REMEDY_TYPES,
    VISIT_CHECKLIST,
    BankDecision,
    ChecklistAnswer,
    CloseReason,
    ConsultationMode,
    FindingCategory,
    RemedyType,
    Severity,
)

from .choices import TaskType

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
    """Base: `payload()` is what task_complete receives."""

    def payload(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


class DataCompletionForm(TaskForm):
    outcome = forms.ChoiceField(
        choices=[("submitted", _("Data completed: wait for the next scoring")), ("close", _("Close the case"))]
    )
    close_reason = forms.ChoiceField(choices=CLOSE_CHOICES, required=False)
    note = forms.CharField(widget=forms.Textarea, required=False)


class OutreachForm(TaskForm):
    outcome = forms.ChoiceField(
        choices=[("consultation_booked", _("Consultation booked")), ("close", _("Close the case"))]
    )
    close_reason = forms.ChoiceField(choices=CLOSE_CHOICES, required=False)
    note = forms.CharField(widget=forms.Textarea, required=False, help_text=_("Whom you spoke to, and when."))


class ConsultationForm(TaskForm):
    held_on = _date()
    mode = forms.ChoiceField(choices=ConsultationMode.choices)
    notes = forms.CharField(widget=forms.Textarea, help_text=_("What the consultation found."))
    issues_raised = forms.CharField(widget=forms.Textarea, required=False)
    outcome = forms.ChoiceField(choices=[("field_visit", _("Ask for a field visit")), ("close", _("Close the case"))])
    close_reason = forms.ChoiceField(choices=CLOSE_CHOICES, required=False)


class FieldVisitForm(TaskForm):
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

    def payload(self) -> dict:
        data = self.cleaned_data
        return {
            "visit_date": data["visit_date"],
            "summary": data["summary"],
            "findings": {
                item: {"answer": data[f"check_{item}"], "remarks": data.get(f"remarks_{item}", "")}
                for item in VISIT_CHECKLIST
            },
        }


FINDING_ROWS = 3


class DiagnosticReportForm(TaskForm):
    outcome = forms.ChoiceField(
        choices=[("submit", _("Submit the report")), ("revisit", _("Ask for another field visit"))]
    )
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

    def payload(self) -> dict:
        data = self.cleaned_data
        if data["outcome"] == "revisit":
            return {"outcome": "revisit", "reason": data.get("reason", "")}
        findings = [
            {
                "category": data[f"category_{n}"],
                "severity": data[f"severity_{n}"],
                "description": data[f"description_{n}"],
            }
            for n in range(FINDING_ROWS)
            if data.get(f"category_{n}") or data.get(f"description_{n}")
        ]
        return {
            "outcome": "submit",
            "document": data.get("document"),
            "summary": data.get("summary", ""),
            "findings": findings,
        }


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
    note = forms.CharField(widget=forms.Textarea, required=False, help_text=_("Approving sends the plan to work."))

    def payload(self) -> dict:
        return {"outcome": "approve", "note": self.cleaned_data.get("note", "")}


class BankReferralForm(TaskForm):
    referred_on = _date(label=_("Referred to the committee on"))
    reference = forms.CharField(help_text=_("The bank's reference for the referral."))
    note = forms.CharField(widget=forms.Textarea, required=False)


class BankDecisionForm(TaskForm):
    decision = forms.ChoiceField(choices=BankDecision.choices, help_text=_("The corrective action plan decided."))
    reference = forms.CharField(help_text=_("The bank's reference for the decision (sanction letter)."))
    amount = forms.DecimalField(required=False, min_value=0, decimal_places=2, max_digits=16)
    note = forms.CharField(widget=forms.Textarea, required=False)
    letter = forms.FileField(required=False, help_text=_("The sanction or decision letter (PDF)."))

    def payload(self) -> dict:
        payload = super().payload()
        payload.pop("letter", None)
        return payload


class CheckInForm(TaskForm):
    held_on = _date()
    notes = forms.CharField(widget=forms.Textarea, help_text=_("How the unit is doing."))
    outcome = forms.ChoiceField(
        choices=[("continue", _("Continue handholding")), ("revise_plan", _("The plan must be revised"))]
    )
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

    def payload(self) -> dict:
        data = self.cleaned_data
        progress = [
            {"remedy": r.pk, "progress": data[f"progress_{r.pk}"]}
            for r in self.remedies
            if data.get(f"progress_{r.pk}") is not None and data[f"progress_{r.pk}"] != r.progress
        ]
        return {
            "held_on": data["held_on"],
            "notes": data["notes"],
            "outcome": data["outcome"],
            "reason": data.get("reason", ""),
            "progress": progress,
        }


class ConfirmRevivalForm(TaskForm):
    outcome = forms.ChoiceField(choices=[("confirm", _("Confirm revival")), ("not_yet", _("Not yet"))])
    note = forms.CharField(widget=forms.Textarea, required=False)


FORMS = {
    TaskType.DATA_COMPLETION: DataCompletionForm,
    TaskType.OUTREACH: OutreachForm,
    TaskType.CONSULTATION: ConsultationForm,
    TaskType.FIELD_VISIT: FieldVisitForm,
    TaskType.DIAGNOSTIC_REPORT: DiagnosticReportForm,
    TaskType.REMEDY_PLAN: RemedyPlanForm,
    TaskType.BANK_REFERRAL: BankReferralForm,
    TaskType.BANK_DECISION: BankDecisionForm,
    TaskType.CHECK_IN: CheckInForm,
    TaskType.CONFIRM_REVIVAL: ConfirmRevivalForm,
}


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"))
    reason = forms.CharField(required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["assignee"].choices = [(str(p.pk), p.get_full_name() or p.get_username()) for p in people]

    def clean_assignee(self):
        return self.people[self.cleaned_data["assignee"]]
