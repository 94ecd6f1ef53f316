from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """The feeds of SCORING.md §1."""

    UDYAM = "udyam", "Udyam registration (unit profile)"
    GST = "gst", "GST returns (GSTR-3B)"
    EPFO = "epfo", "EPFO electronic challan-cum-returns"
    POWER = "power", "Power bills"
    CREDIT = "credit", "Bank credit records"
    FINANCIALS = "financials", "Annual financials"


class MajorActivity(models.TextChoices):
    MANUFACTURING = "manufacturing", "Manufacturing"
    SERVICES = "services", "Services"
    TRADING = "trading", "Trading"


class Category(models.TextChoices):
    MICRO = "micro", "Micro"
    SMALL = "small", "Small"
    MEDIUM = "medium", "Medium"


class Band(models.TextChoices):
    STABLE = "stable", "Stable"
    RECOVERABLE = "recoverable", "Recoverable"
    PRONE_TO_SICK = "prone_to_sick", "Prone to Sick"
    INSUFFICIENT_DATA = "insufficient_data", "Insufficient data"


FLAGGED_BANDS = (Band.RECOVERABLE, Band.PRONE_TO_SICK)


class IndicatorStatus(models.TextChoices):
    SCORED = "scored", "Scored"
    NO_DATA = "no_data", "No data"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class BatchStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed (file unreadable)"


class RejectKind(models.TextChoices):
    """What a row of a batch's report is: a row not loaded, or one loaded with a warning."""

    REJECT = "reject", "Rejected (not loaded)"
    WARNING = "warning", "Warning (loaded)"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ConsentSource(models.TextChoices):
    """The data sources an enterprise owner consents to the clinic using: the five feeds of
    SCORING.md §1 besides the Udyam profile (the registration itself). Values are those of
    Source; the labels are the owner's words."""

    GST = "gst", _("GST returns")
    EPFO = "epfo", _("EPFO provident fund returns")
    POWER = "power", _("Electricity bills")
    CREDIT = "credit", _("Bank loan records")
    FINANCIALS = "financials", _("Annual accounts (revenue and profit)")
