"""Admin of the work engine. The department edits the SLA policies, the escalation ladders and
the holiday calendar's corrections here; tasks and delegations are shown, never edited (they
change only through workflows.services, which keeps the audit trail)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from core.admin import ReadOnlyAdmin

from .models import DistrictTarget, EscalationRung, Holiday, SlaPolicy, SlaThreshold, Task
from .services import holiday_remove, holiday_set


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = ["task_type", "priority", "duration", "unit", "remind_before", "escalate_after"]

    def clean_escalate_after(self):
        days = self.cleaned_data["escalate_after"]
        if not isinstance(days, list) or not all(isinstance(d, int) and d > 0 for d in days) or days != sorted(days):
            raise ValidationError("A rising list of working days after the due time, e.g. [2, 5].")
        return days

    def clean_duration(self):
        if not self.cleaned_data["duration"]:
            raise ValidationError("At least one working day (or month).")
        return self.cleaned_data["duration"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = ["task_type", "priority", "duration", "unit", "remind_before", "escalate_after"]
    list_editable = ["duration", "remind_before", "escalate_after"]
    list_filter = ["priority", "unit"]
    ordering = ["task_type", "priority"]

    def has_delete_permission(self, request, obj=None):
        # Every task type needs a policy at each priority: a missing one stops work opening.
        return False

    def get_changelist_form(self, request, **kwargs):
        return SlaPolicyForm


@admin.register(EscalationRung)
class EscalationRungAdmin(admin.ModelAdmin):
    list_display = ["organisation_kind", "level", "role", "target"]
    list_filter = ["organisation_kind"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """Corrections of the J&K calendar; saving or deleting one moves the running clocks."""

    list_display = ["date", "name", "is_holiday", "updated_by", "updated_at"]
    list_filter = ["is_holiday"]
    date_hierarchy = "date"
    fields = ["date", "name", "is_holiday"]

    def save_model(self, request, obj, form, change):
        saved = holiday_set(day=obj.date, name=obj.name, is_holiday=obj.is_holiday, by=request.user)
        obj.pk = saved.pk
        messages.info(request, "Running SLA clocks are being recomputed for the corrected calendar.")

    def delete_model(self, request, obj):
        holiday_remove(holiday=obj)

    def delete_queryset(self, request, queryset):
        for holiday in queryset:
            holiday_remove(holiday=holiday)


class SlaThresholdInline(admin.TabularInline):
    model = SlaThreshold
    fields = ["kind", "level", "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["pk", "type", "case", "organisation", "assignee", "status", "priority", "due_at", "sla_state"]
    list_filter = ["status", "type", "sla_state", "priority", "escalation_level"]
    list_select_related = ["case", "organisation", "assignee"]
    search_fields = ["case__enterprise__udyam_number", "case__enterprise__enterprise_name", "assignee__username"]
    raw_id_fields = ["case", "remedy"]
    date_hierarchy = "due_at"
    inlines = [SlaThresholdInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(DistrictTarget)
class DistrictTargetAdmin(admin.ModelAdmin):
    """The time-bound action plan: the dashboard measures each district against its next milestone."""

    list_display = ["district", "milestone", "units_onboarded", "units_scored", "note", "set_by", "set_at"]
    list_filter = ["milestone", "district__division"]
    list_editable = ["units_onboarded", "units_scored"]
    fields = ["district", "milestone", "units_onboarded", "units_scored", "note"]

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)
