"""Admin of cases: for looking, not for editing. A case's stage, tasks and artefacts change only
through the services (which keep the audit trail); the audit trail is shown inline."""

from django.contrib import admin

from core.admin import ViewOnlyAdmin

from .models import Case, CaseEvent, OwnerClaim, Remedy, RemedyPlan


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["at", "kind", "actor", "task_id", "from_value", "to_value", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["at", "id"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ViewOnlyAdmin):
    list_display = ["pk", "enterprise", "stage", "priority", "opened_at", "close_reason"]
    list_filter = ["stage", "priority", "close_reason", "enterprise__district"]
    list_select_related = ["enterprise"]
    search_fields = ["enterprise__udyam_number", "enterprise__enterprise_name"]
    raw_id_fields = ["enterprise", "assessment"]
    date_hierarchy = "opened_at"
    inlines = [CaseEventInline]


@admin.register(RemedyPlan)
class RemedyPlanAdmin(ViewOnlyAdmin):
    list_display = ["case", "number", "status", "approved_by", "approved_at"]
    list_filter = ["status"]
    raw_id_fields = ["case"]


@admin.register(Remedy)
class RemedyAdmin(ViewOnlyAdmin):
    list_display = ["case", "type", "owner", "branch", "target_date", "status", "bank_reference"]
    list_filter = ["status", "type"]
    list_select_related = ["case", "owner", "branch"]
    raw_id_fields = ["case", "plan"]


@admin.register(OwnerClaim)
class OwnerClaimAdmin(ViewOnlyAdmin):
    """Registrations as owner and how each ended (the audit of who verified whom); written by
    casework.portal.registration only. The password and code hashes are never shown."""

    list_display = ["created_at", "email", "enterprise", "method", "status", "decided_by", "decided_at"]
    list_filter = ["method", "status"]
    search_fields = ["email", "enterprise__udyam_number"]
    list_select_related = ["enterprise", "decided_by"]
    exclude = ["password", "code_hash"]

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f not in self.exclude]
