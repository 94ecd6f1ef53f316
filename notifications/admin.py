"""The admin's view of the outbox: what was asked, what became of each delivery, and a resend
for the failed ones (through notifications.delivery.deliveries_resend)."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .choices import DeliveryStatus
from .delivery import deliveries_resend
from .models import Delivery, NotificationPreference, NotificationProfile, NotificationRequest


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ("recipient", "channel", "status", "attempts", "sent_at", "last_error", "read_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recipient")


class ToldNobodyFilter(admin.SimpleListFilter):
    """Requests fanned out to nobody: an audience with no one in it that day (a DIC with no
    district officer in effect, a unit with no owner account)."""

    title = _("told")
    parameter_name = "told"

    def lookups(self, request, model_admin):
        return [("nobody", _("nobody"))]

    def queryset(self, request, queryset):
        if self.value() == "nobody":
            return queryset.filter(fanned_out_at__isnull=False, deliveries__isnull=True)
        return queryset


@admin.register(NotificationRequest)
class NotificationRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "event", "created_at", "audience", "case_id", "fanned_out_at")
    list_filter = ("event", ("fanned_out_at", admin.EmptyFieldListFilter), ToldNobodyFilter)
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "organisation", "branch")
    list_select_related = ("user", "organisation", "branch")
    inlines = [DeliveryInline]
    show_full_result_count = False

    @admin.display(description=_("audience"))
    def audience(self, obj):
        if obj.user_id:
            return obj.user
        if obj.organisation_id:
            where = f"{obj.organisation} ({obj.branch.ifsc})" if obj.branch_id else str(obj.organisation)
            return f"{obj.get_role_display() or _('everyone')} · {where}"
        return _("owners of unit %(unit)s") % {"unit": obj.enterprise_id}


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "event", "recipient", "channel", "status", "attempts", "next_attempt_at", "sent_at", "error")
    list_filter = ("status", "channel", "request__event")
    search_fields = ("recipient__username", "recipient__email", "last_error")
    raw_id_fields = ("request", "recipient")
    list_select_related = ("request", "recipient")
    actions = ["resend"]
    show_full_result_count = False

    @admin.display(description=_("event"), ordering="request__event")
    def event(self, obj):
        return obj.request.get_event_display()

    @admin.display(description=_("last error"))
    def error(self, obj):
        return obj.last_error[:120]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("notifications.change_delivery"):
            actions.pop("resend", None)
        return actions

    @admin.action(description=_("Resend the selected failed deliveries"))
    def resend(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        count = deliveries_resend(delivery_ids=ids)
        skipped = len(ids) - count
        self.message_user(
            request,
            _("%(count)d deliveries will be sent again; %(skipped)d were not failed and were left alone.")
            % {"count": count, "skipped": skipped},
            messages.SUCCESS if count else messages.WARNING,
        )

    def changelist_view(self, request, extra_context=None):
        # Arriving from elsewhere (the admin index, a bookmark), open on what needs attention: the
        # failed ones. The list's own "All" link (referred from this list) still shows everything.
        came_from_list = request.path in request.META.get("HTTP_REFERER", "")
        if request.method == "GET" and not request.GET and not came_from_list:
            return redirect(f"{request.path}?status__exact={DeliveryStatus.FAILED}")
        return super().changelist_view(request, extra_context)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "event", "channel", "enabled")
    list_filter = ("event", "channel", "enabled")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)


@admin.register(NotificationProfile)
class NotificationProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "language", "phone", "digest")
    list_filter = ("language", "digest")
    search_fields = ("user__username", "phone")
    raw_id_fields = ("user",)
