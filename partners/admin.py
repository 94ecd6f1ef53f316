"""Admin for the partners app. New banks, branches and memberships go through partners.services
(the forms run the same checks first, so a wrong grant is an error on the form); a membership is
ended by the "Revoke" action, never deleted: it stays as history."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from core.admin import ReadOnlyAdmin

from . import services
from .choices import OrganisationKind
from .models import Branch, Delegation, District, Division, Membership, Organisation


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "division"]
    list_filter = ["division"]
    search_fields = ["name", "code"]


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["kind", "name", "code", "bank_code", "division", "district", "parent"]

    def clean_bank_code(self):
        return services.normalise_code(self.cleaned_data.get("bank_code", ""))


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    list_display = ["name", "code", "kind", "bank_code", "division", "district", "parent"]
    list_filter = ["kind", "division"]
    search_fields = ["name", "code", "bank_code"]
    list_select_related = ["division", "district", "parent"]
    autocomplete_fields = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        # What the selectors key on (kind, bank code, division, district) is fixed once created.
        return ["kind", "code", "bank_code", "division", "district"] if obj else []

    def get_fields(self, request, obj=None):
        return super().get_fields(request, obj) if obj else ["kind", "name", "code", "bank_code"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None and "kind" in form.base_fields:
            # Only banks are added by hand; the department, directorates, DICs and IIM are seeded.
            form.base_fields["kind"].choices = [(OrganisationKind.BANK, OrganisationKind.BANK.label)]
        return form

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        bank = services.organisation_create_bank(name=obj.name, code=obj.code, bank_code=obj.bank_code)
        obj.pk, obj._state.adding = bank.pk, False


class BranchForm(forms.ModelForm):
    class Meta:
        model = Branch
        fields = ["bank", "ifsc", "name", "district"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("bank") and data.get("ifsc"):
            data["ifsc"] = services.normalise_code(data["ifsc"])
            try:
                services.branch_validate(bank=data["bank"], ifsc=data["ifsc"])
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    form = BranchForm
    list_display = ["ifsc", "name", "bank", "district"]
    list_filter = ["bank", "district"]
    search_fields = ["ifsc", "name", "bank__name"]
    list_select_related = ["bank", "district"]
    autocomplete_fields = ["bank"]

    def get_readonly_fields(self, request, obj=None):
        return ["bank", "ifsc"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        branch = services.branch_create(bank=obj.bank, ifsc=obj.ifsc, name=obj.name, district=obj.district)
        obj.pk, obj._state.adding = branch.pk, False


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "organisation", "branch", "enterprise_id", "valid_from", "valid_to"]

    def clean(self):
        data = super().clean()
        if "role" in data:
            try:
                services.membership_validate(
                    organisation=data.get("organisation"),
                    role=data["role"],
                    branch=data.get("branch"),
                    enterprise=data.get("enterprise_id"),
                    valid_from=data.get("valid_from"),
                    valid_to=data.get("valid_to"),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "role", "organisation", "branch", "enterprise_id", "is_active", "valid_from", "valid_to"]
    list_filter = ["role", "is_active", "organisation__kind", "organisation"]
    search_fields = [
        "user__username",
        "user__email",
        "organisation__name",
        "branch__ifsc",
    ]
    list_select_related = ["user", "organisation", "branch"]
    # Raw ids: there are lakhs of enterprises, too many for a select box.
    raw_id_fields = ["user", "branch"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "role", "organisation", "branch", "enterprise_id", "valid_from", "is_active", "revoked_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:  # only valid_to is editable on an existing membership
            return super().save_model(request, obj, form, change)
        membership = services.membership_grant(
            user=obj.user,
            organisation=obj.organisation,
            role=obj.role,
            branch=obj.branch,
            enterprise_id=obj.enterprise_id,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
        )
        obj.pk, obj._state.adding = membership.pk, False

    @admin.action(description="Revoke the selected memberships")
    def revoke(self, request, queryset):
        for membership in queryset.filter(is_active=True):
            services.membership_revoke(membership=membership)
        self.message_user(request, "Revoked.", messages.SUCCESS)


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    list_display = ["delegator", "delegate", "starts_on", "ends_on", "reason", "created_by", "revoked_at"]
    list_select_related = ["delegator", "delegate", "created_by"]
    search_fields = ["delegator__username", "delegate__username"]
