"""Units (Udyam profiles), the five feeds with their provenance, scoring models, assessments.

Feed tables keep the source's own key (GSTIN, EPFO code, consumer number, account) and a
nullable link to the unit it matched: a record whose key matches no unit stays, unmatched
(enterprise NULL), until a Udyam profile with that key is loaded (SCORING.md §1).
"""

import json

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import Band, BatchStatus, Category, ConsentSource, MajorActivity, RejectKind, RunStatus, Source

AMOUNT = {"max_digits": 20, "decimal_places": 4}


class ImportBatch(models.Model):
    """One feed file (or API push) loaded into the clinic: the provenance of its records."""

    source = models.CharField(max_length=16, choices=Source.choices)
    file_name = models.CharField(max_length=500)
    file_sha256 = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=BatchStatus.choices, default=BatchStatus.RUNNING)
    rows = models.PositiveIntegerField(default=0)
    inserted = models.PositiveIntegerField(default=0)
    replaced = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    superseded = models.PositiveIntegerField(default=0, help_text="Rows replaced by a later row of the same file.")
    unmatched = models.PositiveIntegerField(default=0)
    linked = models.PositiveIntegerField(default=0, help_text="Waiting unmatched records linked by this Udyam file.")
    rejected = models.PositiveIntegerField(default=0)
    # A database default too: the case engine's benchmark writes batches with plain SQL.
    warned = models.PositiveIntegerField(
        default=0, db_default=0, help_text="Rows loaded with a warning (in the reject report)."
    )
    reject_report = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.source} {self.file_name} ({self.received_at:%Y-%m-%d %H:%M})"


class FeedReject(models.Model):
    """A row of a feed file that was not loaded, with the reason: nothing is dropped silently. Or,
    of kind warning, a row that was loaded with something the department should look at (a
    category its figures do not fit)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejects")
    row_number = models.PositiveIntegerField(help_text="Line of the file (the header is line 1).")
    reason = models.TextField()
    raw = models.TextField()
    kind = models.CharField(
        max_length=8, choices=RejectKind.choices, default=RejectKind.REJECT, db_default=RejectKind.REJECT
    )

    class Meta:
        ordering = ["batch", "row_number"]

    def __str__(self):
        return f"row {self.row_number}: {self.reason}"


class FeedRecord(models.Model):
    """Provenance shared by every feed record: the batch and row it came from, and a digest of
    its values that tells a replacement from an identical reload."""

    # No database-level foreign key: the import service writes the id of the batch it has just
    # created, in the same transaction, and a checked key costs a trigger per loaded row (~9 µs,
    # more than the row's own insert; docs/decisions/0001). The ORM still protects the batch.
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    row_number = models.PositiveIntegerField()
    digest = models.BigIntegerField()

    class Meta:
        abstract = True

    @property
    def received_at(self):
        return self.batch.received_at


class Enterprise(FeedRecord):
    """A registered MSME: its Udyam profile (the `udyam` feed) and linked identifiers."""

    udyam_number = models.CharField(max_length=19, unique=True)
    enterprise_name = models.CharField(max_length=300)
    gstin = models.CharField(max_length=15, null=True, blank=True, unique=True)
    pan = models.CharField(max_length=10, db_index=True)
    epfo_code = models.CharField(max_length=32, null=True, blank=True, unique=True)
    district = models.ForeignKey("partners.District", on_delete=models.PROTECT, related_name="enterprises")
    major_activity = models.CharField(max_length=16, choices=MajorActivity.choices)
    nic_code = models.CharField(max_length=8)
    category = models.CharField(max_length=8, choices=Category.choices)
    date_of_commencement = models.DateField()
    investment = models.DecimalField(**AMOUNT)
    turnover = models.DecimalField(**AMOUNT)
    employees = models.PositiveIntegerField()
    # The owner's contact on the Udyam profile (the file's optional last columns), for the one-time
    # codes of the owner's sign-in. Empty: not given; a file without the columns leaves them be.
    email = models.EmailField(null=True, blank=True)
    mobile = models.CharField(max_length=10, null=True, blank=True, help_text="10 digits, without +91.")

    class Meta:
        ordering = ["udyam_number"]

    def __str__(self):
        return f"{self.enterprise_name} ({self.udyam_number})"


class PowerConnection(models.Model):
    """One electricity consumer number on a unit's profile."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="power_connections")
    consumer_number = models.CharField(max_length=32, unique=True)

    def __str__(self):
        return self.consumer_number


def _unit_link():
    """The unit a feed record matched (NULL: unmatched). Written only by the import service, from a
    join with the units in the same statement; like the batch, not a database-level foreign key
    (docs/decisions/0001). Deleting a unit unlinks its records through the ORM (SET_NULL)."""
    return models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.SET_NULL, db_index=False, db_constraint=False
    )


def _feed_indexes(prefix, period):
    # Scoring reads a unit's records over month windows: (enterprise, period) serves it.
    return [models.Index(fields=["enterprise", period], name=f"{prefix}_ent_period")]


class GstReturn(FeedRecord):
    """One GSTR-3B return period of one GSTIN."""

    gstin = models.CharField(max_length=15)
    period = models.DateField(help_text="First day of the return period's month.")
    taxable_turnover = models.DecimalField(**AMOUNT)
    tax_paid = models.DecimalField(**AMOUNT)
    filed_on = models.DateField(null=True, blank=True)
    enterprise = _unit_link()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gstin", "period"], name="gst_key_period")]
        indexes = _feed_indexes("gst", "period")

    def __str__(self):
        return f"{self.gstin} {self.period:%Y-%m}"


class EpfoReturn(FeedRecord):
    """One wage month's electronic challan-cum-return of one EPFO establishment."""

    epfo_code = models.CharField(max_length=32)
    wage_month = models.DateField()
    members = models.PositiveIntegerField()
    wages = models.DecimalField(**AMOUNT)
    remitted_on = models.DateField(null=True, blank=True)
    enterprise = _unit_link()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["epfo_code", "wage_month"], name="epfo_key_period")]
        indexes = _feed_indexes("epfo", "wage_month")

    def __str__(self):
        return f"{self.epfo_code} {self.wage_month:%Y-%m}"


class PowerBill(FeedRecord):
    """One monthly electricity bill of one consumer number."""

    consumer_number = models.CharField(max_length=32)
    bill_month = models.DateField()
    units_kwh = models.DecimalField(**AMOUNT)
    sanctioned_load_kw = models.DecimalField(**AMOUNT)
    billed = models.DecimalField(**AMOUNT)
    paid = models.DecimalField(**AMOUNT)
    arrears = models.DecimalField(**AMOUNT)
    enterprise = _unit_link()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consumer_number", "bill_month"], name="power_key_period")]
        indexes = _feed_indexes("power", "bill_month")

    def __str__(self):
        return f"{self.consumer_number} {self.bill_month:%Y-%m}"


class CreditRecord(FeedRecord):
    """One loan account at one bank branch at one month end."""

    udyam_number = models.CharField(max_length=19)
    ifsc = models.CharField(max_length=11)
    account_ref = models.CharField(max_length=64)
    month = models.DateField()
    sanctioned_limit = models.DecimalField(**AMOUNT)
    outstanding = models.DecimalField(**AMOUNT)
    dpd = models.PositiveIntegerField()
    bounced_instruments = models.PositiveIntegerField()
    credits = models.DecimalField(**AMOUNT)
    enterprise = _unit_link()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ifsc", "account_ref", "month"], name="credit_key_period"),
        ]
        indexes = _feed_indexes("credit", "month") + [
            models.Index(fields=["udyam_number"], name="credit_udyam", condition=Q(enterprise__isnull=True)),
        ]

    def __str__(self):
        return f"{self.ifsc}/{self.account_ref} {self.month:%Y-%m}"


class FinancialYear(FeedRecord):
    """One financial year's revenue and net profit of a unit."""

    udyam_number = models.CharField(max_length=19)
    fy = models.CharField(max_length=7, help_text="Financial year, e.g. 2024-25.")
    year_end = models.PositiveSmallIntegerField(help_text="Calendar year of the 31 March that ends it.")
    revenue = models.DecimalField(**AMOUNT)
    net_profit = models.DecimalField(**AMOUNT)
    enterprise = _unit_link()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["udyam_number", "year_end"], name="financials_key_period")]
        indexes = _feed_indexes("fin", "year_end") + [
            models.Index(fields=["udyam_number"], name="fin_udyam", condition=Q(enterprise__isnull=True)),
        ]

    def __str__(self):
        return f"{self.udyam_number} {self.fy}"


class ScoringModel(models.Model):
    """One version of the health scoring model (the YAML of SCORING.md, as data).

    A new version starts as a draft: `score` and the pages use the latest *published* version,
    and a draft's what-if (ModelComparison) shows how many units it would move between bands
    before the department publishes it. A version that has produced an assessment is never
    edited in place: a change makes a new version (scoring.services.scoring_model_create_version)."""

    name = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    effective_from = models.DateField()
    # The definition as JSON text, not jsonb: jsonb reorders keys, and the model's indicator order
    # is meaningful (the export's columns, the report card's rows).
    definition_json = models.TextField()
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    published_at = models.DateTimeField(null=True, blank=True, help_text="Empty: a draft, not used for scoring yet.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="scoring_model_version")]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    @property
    def definition(self) -> dict:
        cached = getattr(self, "_definition", None)
        if cached is None or cached[0] != self.definition_json:
            cached = (self.definition_json, json.loads(self.definition_json))
            self._definition = cached
        return cached[1]

    @definition.setter
    def definition(self, value: dict):
        self.definition_json = json.dumps(value, indent=2)


class ScoringRun(models.Model):
    """One `score` run: a model version applied to every unit as of a date."""

    model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, related_name="runs")
    as_of = models.DateField()
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    distributed = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    units_scored = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"run {self.pk}: v{self.model_id} as of {self.as_of} ({self.status})"


class Assessment(models.Model):
    """A unit's report card: its score under one model version as of one date (SCORING.md §4).

    `indicators` maps each indicator code to {status, sub_score, values, explanation};
    `distress` lists the codes of distress signals; `overrides` the overrides that applied."""

    # A run writes a chunk's assessments in one statement from a join with the units, for its own
    # model and run: the ORM keeps on_delete, and no key is checked by a trigger per row (~9 µs
    # each, three a row; docs/decisions/0001). The unique key's first column serves lookups by
    # unit, so the unit and the model need no index of their own.
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="assessments", db_constraint=False, db_index=False
    )
    model = models.ForeignKey(
        ScoringModel, on_delete=models.PROTECT, related_name="assessments", db_constraint=False, db_index=False
    )
    as_of = models.DateField()
    run = models.ForeignKey(
        ScoringRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    coverage = models.DecimalField(max_digits=5, decimal_places=2)
    band = models.CharField(max_length=20, choices=Band.choices)
    indicators = models.JSONField()
    distress = models.JSONField(default=list)
    overrides = models.JSONField(default=list)
    scored_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "as_of", "model"], name="assessment_unit_date_model"),
        ]
        indexes = [models.Index(fields=["as_of", "model", "band"], name="assessment_band")]

    def __str__(self):
        return f"{self.enterprise_id} {self.as_of} {self.band}"


class ModelComparison(models.Model):
    """A what-if: every unit scored under a draft model version, compared band by band with its
    assessment under the published version on the same as-of date. Nothing is stored per unit;
    `changes` is the matrix {band before: {band after: units}}."""

    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="comparisons")
    base = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    units = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    changes = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"what-if v{self.model.version} vs v{self.base.version} as of {self.as_of} ({self.get_status_display()})"


class DataConsent(models.Model):
    """One grant or withdrawal, by an enterprise owner, of consent to the clinic using one data
    source (scoring.choices.ConsentSource) for their unit, with who and when.

    Append-only history (on PostgreSQL and SQLite a trigger refuses UPDATE and DELETE, migration
    partners 0005; the table keeps the name it had there): the consent in force for a unit and
    source is its latest row; no row yet means the owner has not been asked."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="data_consents")
    source = models.CharField(max_length=16, choices=ConsentSource.choices)
    granted = models.BooleanField(help_text="True: consent given; False: consent withdrawn.")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        db_table = "partners_dataconsent"
        ordering = ["enterprise", "source", "-at", "-id"]
        # The portal reads a unit's rows newest first; the latest per source is its state.
        indexes = [models.Index(fields=["enterprise", "source", "-at"], name="consent_latest")]

    def __str__(self):
        state = "given" if self.granted else "withdrawn"
        return f"{self.enterprise_id} {self.source}: consent {state} {self.at:%Y-%m-%d %H:%M}"
