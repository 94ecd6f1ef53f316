"""Admin of the scoring app for the department: scoring model versions (a new version from the
latest, edited as JSON; a draft's what-if before it is published), feed import batches with their
rejects, scoring runs. Writes go through scoring.services; nothing in use is edited in place."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import format_html, format_html_join

from core.admin import ReadOnlyAdmin, ViewOnlyAdmin

from .choices import Band
from .models import DataConsent, FeedReject, ImportBatch, ModelComparison, ScoringModel, ScoringRun
from .selectors import scoring_model_get
from .services.models import (
    scoring_model_create_version,
    scoring_model_publish,
    scoring_model_update,
    scoring_model_validate,
)
from .services.whatif import UNSCORED, model_what_if


class ScoringModelForm(forms.ModelForm):
    """A version's definition as JSON text (weights, thresholds, curves, bands)."""

    definition_text = forms.CharField(
        label="Definition",
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "style": "font-family: monospace"}),
        help_text="The model as JSON: indicators with their weights and curves, the bands, the overrides.",
    )

    class Meta:
        model = ScoringModel
        fields = ["notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.instance if self.instance.pk else _latest()
        if source is not None:
            self.fields["definition_text"].initial = json.dumps(source.definition, indent=2, ensure_ascii=False)

    def clean_definition_text(self):
        try:
            definition = json.loads(self.cleaned_data["definition_text"])
        except json.JSONDecodeError as error:
            raise ValidationError(f"Not valid JSON: {error}") from None
        if not isinstance(definition, dict):
            raise ValidationError("The definition is a JSON object.")
        base = self.instance if self.instance.pk else _latest()
        scoring_model_validate({**definition, "model": base.name, "version": base.version})
        return definition


def _latest():
    return ScoringModel.objects.order_by("-version").first()


class ModelComparisonInline(admin.TabularInline):
    model = ModelComparison
    fk_name = "model"
    fields = ["started_at", "base", "as_of", "status", "units", "changed", "moves"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="band moves")
    def moves(self, comparison):
        return band_moves(comparison)


def band_moves(comparison: ModelComparison):
    """The what-if's matrix as a small table: rows the band now, columns the band under the draft."""
    if not comparison.changes:
        return comparison.error or "—"
    bands = [code for code, _ in Band.choices]
    before = [b for b in [*bands, UNSCORED] if b in comparison.changes]
    head = format_html_join("", "<th>{}</th>", ((b.replace("_", " "),) for b in bands))
    rows = format_html_join(
        "",
        "<tr><th>{}</th>{}</tr>",
        (
            (
                b.replace("_", " "),
                format_html_join("", "<td>{}</td>", ((comparison.changes[b].get(a, 0),) for a in bands)),
            )
            for b in before
        ),
    )
    return format_html("<table><tr><th>now \\ draft</th>{}</tr>{}</table>", head, rows)


@admin.register(ScoringModel)
class ScoringModelAdmin(admin.ModelAdmin):
    form = ScoringModelForm
    list_display = ["version", "title", "effective_from", "published_at", "created_by", "created_at"]
    readonly_fields = ["name", "version", "title", "effective_from", "published_at", "published_by", "created_at"]
    inlines = [ModelComparisonInline]
    actions = ["what_if", "publish"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["definition_text", "notes"]
        return [*self.readonly_fields, "definition_text", "notes"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and (obj.published_at or obj.assessments.exists()):
            form.base_fields["definition_text"].disabled = True
            form.base_fields["definition_text"].help_text = "In use: make a new version to change it."
        return form

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        definition = form.cleaned_data["definition_text"]
        notes = form.cleaned_data.get("notes", "")
        try:
            if change:
                if not form.fields["definition_text"].disabled:
                    scoring_model_update(model=obj, definition=definition, notes=notes)
                else:
                    ScoringModel.objects.filter(pk=obj.pk).update(notes=notes)
            else:
                created = scoring_model_create_version(
                    base=_latest(), definition=definition, notes=notes, user=request.user
                )
                obj.pk = created.pk
                messages.info(request, f"Version {created.version} is a draft: run its what-if, then publish it.")
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
            transaction.set_rollback(True)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="What if: compare with the published version")
    def what_if(self, request, queryset):
        for model in queryset:
            try:
                model_what_if(model=model, user=request.user)
                messages.info(request, f"What-if of version {model.version} started; its result shows on its page.")
            except ValidationError as refusal:
                messages.error(request, f"Version {model.version}: {' '.join(refusal.messages)}")

    @admin.action(description="Publish (put in use for scoring)")
    def publish(self, request, queryset):
        for model in queryset.order_by("version"):
            scoring_model_publish(model=model, user=request.user)
        messages.success(request, f"Published; scoring now uses version {scoring_model_get().version}.")


@admin.register(ModelComparison)
class ModelComparisonAdmin(admin.ModelAdmin):
    list_display = ["started_at", "model", "base", "as_of", "status", "units", "changed"]
    readonly_fields = [
        "model", "base", "as_of", "status", "units", "changed", "moves", "error", "created_by", "started_at",
        "finished_at",
    ]  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="band moves")
    def moves(self, comparison):
        return band_moves(comparison)


class FeedRejectInline(admin.TabularInline):
    model = FeedReject
    fields = ["row_number", "kind", "reason", "raw"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("row_number")


@admin.register(ImportBatch)
class ImportBatchAdmin(ViewOnlyAdmin):
    """Every feed file loaded, its counts, its rejected rows and the rows loaded with a warning
    (also in the reject report CSV)."""

    list_display = [
        "received_at", "source", "file_name", "status", "rows", "inserted", "replaced", "unchanged", "unmatched",
        "rejected", "warned",
    ]  # fmt: skip
    list_filter = ["source", "status"]
    search_fields = ["file_name"]
    inlines = [FeedRejectInline]


@admin.register(ScoringRun)
class ScoringRunAdmin(ViewOnlyAdmin):
    list_display = ["started_at", "model", "as_of", "status", "chunks_done", "chunks_total", "units_scored"]
    list_filter = ["status", "model"]


@admin.register(DataConsent)
class DataConsentAdmin(ReadOnlyAdmin):
    """The owners' consent history, to read: only an owner gives or withdraws consent (in the
    portal, through scoring.services.consent.consent_set), and no row is ever changed or deleted."""

    list_display = ["at", "enterprise", "source", "granted", "by"]
    list_filter = ["source", "granted"]
    search_fields = ["enterprise__udyam_number", "enterprise__enterprise_name", "by__username", "by__email"]
    list_select_related = ["enterprise", "by"]
    date_hierarchy = "at"
