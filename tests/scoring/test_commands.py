"""The `score` and `export_assessments` commands and the versioned scoring model."""

import csv
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from scoring.models import Assessment, ScoringModel
from scoring.selectors import scoring_model_get
from scoring.services.models import (
    scoring_model_create_version,
    scoring_model_load_default,
    scoring_model_publish,
    scoring_model_update,
)
from tests.factories.scoring import CreditRecordFactory, EnterpriseFactory, GstReturnFactory

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 22)


def healthy_gst(unit, turnover=100000):
    """24 months of GST returns, filed on time: R_6 and P_6 equal, 12 periods on time."""
    month = date(2024, 11, 1)
    while month < date(2026, 11, 1):
        due = date(month.year + (month.month == 12), month.month % 12 + 1, 20)
        GstReturnFactory(enterprise=unit, period=month, taxable_turnover=Decimal(turnover), filed_on=due)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def test_model_v1_is_present_after_migrate():
    model = scoring_model_get()
    assert (model.name, model.version) == ("jkmhc-health", 1)
    assert list(model.definition["indicators"])[0] == "turnover_trend"
    assert scoring_model_load_default() == model  # loading the same YAML again changes nothing


def test_score_command_stores_one_assessment_per_unit_and_rerun_replaces():
    unit = EnterpriseFactory(epfo_code=None)
    healthy_gst(unit)
    EnterpriseFactory()  # no feed at all: insufficient data
    out = StringIO()
    call_command("score", "--as-of", "2026-11-22", stdout=out)
    call_command("score", "--as-of", "2026-11-22", stdout=out)
    assert Assessment.objects.count() == 2
    card = Assessment.objects.get(enterprise=unit)
    # turnover_trend 100 (w20) and gst_filing_regularity 100 (w10) have data; applicable weight 100.
    assert (card.score, card.coverage, card.band) == (Decimal("100.00"), Decimal("30.00"), "insufficient_data")
    assert card.indicators["turnover_trend"]["sub_score"] == "100.00"
    assert "scored 2 units" in out.getvalue()


def test_export_writes_exact_columns(tmp_path):
    unit = EnterpriseFactory(epfo_code=None)
    healthy_gst(unit)
    for month in ("2026-08", "2026-09", "2026-10"):
        CreditRecordFactory(enterprise=unit, month=month, dpd=95, account_ref="LN1")
    call_command("score", "--as-of", "2026-11-22", stdout=StringIO())
    path = tmp_path / "out.csv"
    call_command("export_assessments", "--as-of", "2026-11-22", "--output", str(path), stdout=StringIO())
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "udyam_number",
        "score",
        "coverage",
        "band",
        "turnover_trend",
        "gst_filing_regularity",
        "repayment_discipline",
        "debt_growth",
        "cash_inflow_trend",
        "employment_trend",
        "payment_delays",
        "power_trend",
        "profitability",
        "distress",
    ]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["udyam_number"] == unit.udyam_number
    assert row["band"] == "prone_to_sick"  # dpd 95 in R_3: NPA override whatever the coverage
    assert row["repayment_discipline"] == "0.00" and row["employment_trend"] == ""
    assert row["distress"] == "repayment_discipline"


def test_unknown_model_version_is_a_clear_error():
    with pytest.raises(CommandError, match="no scoring model version 9"):
        call_command("score", "--as-of", "2026-11-22", "--model-version", "9")


def test_version_in_use_cannot_be_edited_but_a_new_version_can_be_made():
    model = scoring_model_get()
    call_command("score", "--as-of", "2026-11-22", stdout=StringIO())  # no units: nothing assessed yet
    EnterpriseFactory()
    call_command("score", "--as-of", "2026-11-22", stdout=StringIO())
    changed = {**model.definition, "distress_below": 55}
    with pytest.raises(ValidationError, match="cannot change"):
        scoring_model_update(model=model, definition=changed)
    v2 = scoring_model_create_version(base=model, definition=changed)
    assert v2.version == 2 and ScoringModel.objects.get(pk=model.pk).definition["distress_below"] == 50
    # A new version is a draft: not scored with, not the latest, until it is published.
    with pytest.raises(CommandError, match="is a draft"):
        call_command("score", "--as-of", "2026-11-22", "--model-version", "2", stdout=StringIO())
    assert scoring_model_get() == model
    scoring_model_publish(model=v2)
    assert scoring_model_get() == v2
    call_command("score", "--as-of", "2026-11-22", "--model-version", "2", stdout=StringIO())
    assert Assessment.objects.filter(model=v2).count() == 1


def test_distributed_scoring_gives_the_same_cards(settings):
    for _ in range(5):
        healthy_gst(EnterpriseFactory(epfo_code=None))
    call_command("score", "--as-of", "2026-11-22", "--chunk-size", "2", stdout=StringIO())
    plain = sorted(Assessment.objects.values_list("enterprise_id", "score", "band"))
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("score", "--as-of", "2026-11-22", "--chunk-size", "2", "--distributed", stdout=StringIO())
    assert sorted(Assessment.objects.values_list("enterprise_id", "score", "band")) == plain


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_scoring_in_worker_processes_gives_the_same_cards():
    for _ in range(5):
        healthy_gst(EnterpriseFactory(epfo_code=None))
    call_command("score", "--as-of", "2026-11-22", "--chunk-size", "2", stdout=StringIO())
    plain = sorted(Assessment.objects.values_list("enterprise_id", "score", "band", "coverage"))
    Assessment.objects.all().delete()
    call_command("score", "--as-of", "2026-11-22", "--chunk-size", "2", "--workers", "2", stdout=StringIO())
    assert sorted(Assessment.objects.values_list("enterprise_id", "score", "band", "coverage")) == plain
