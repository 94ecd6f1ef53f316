"""A draft scoring model's what-if: how many units it would move between bands, before it is
published; drafts are not used for scoring until then."""

import copy
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from scoring.choices import RunStatus
from scoring.models import Assessment, ModelComparison, ScoringModel
from scoring.selectors import scoring_model_get
from scoring.services.models import scoring_model_create_version, scoring_model_publish
from scoring.services.whatif import UNSCORED, model_what_if, model_what_if_run
from tests.factories.scoring import EnterpriseFactory
from tests.scoring.test_commands import healthy_gst

pytestmark = pytest.mark.django_db


def lenient(model: ScoringModel) -> dict:
    """The model banding units with far less data (coverage 10 instead of 50)."""
    definition = copy.deepcopy(model.definition)
    definition["insufficient_data"]["min_coverage"] = 10
    return definition


@pytest.fixture
def scored():
    units = [EnterpriseFactory(epfo_code=None) for _ in range(4)]
    for unit in units[:3]:
        healthy_gst(unit)
    call_command("score", "--as-of", "2026-11-22", stdout=StringIO())
    return units


def test_the_what_if_counts_band_moves_without_storing_anything(scored, django_capture_on_commit_callbacks):
    v1 = scoring_model_get()
    before = dict(Assessment.objects.filter(model=v1).values_list("enterprise_id", "band"))
    v2 = scoring_model_create_version(base=v1, definition=lenient(v1))
    with django_capture_on_commit_callbacks() as queued:
        comparison = model_what_if(model=v2)
    assert len(queued) == 1 and comparison.status == RunStatus.RUNNING  # a worker runs it
    comparison = model_what_if_run(comparison_id=comparison.pk)
    assert comparison.status == RunStatus.DONE
    assert not Assessment.objects.filter(model=v2).exists()
    v2.refresh_from_db()
    assert v2.published_at is None and scoring_model_get() == v1
    # The what-if is what scoring under the draft would do: score with it for real, compare.
    scoring_model_publish(model=v2)
    call_command("score", "--as-of", "2026-11-22", stdout=StringIO())
    after = dict(Assessment.objects.filter(model=v2).values_list("enterprise_id", "band"))
    expected = {}
    for unit, band in before.items():
        expected.setdefault(band, {}).setdefault(after[unit], 0)
        expected[band][after[unit]] += 1
    assert comparison.changes == expected
    assert comparison.units == 4
    assert comparison.changed == sum(1 for unit in before if before[unit] != after[unit])
    assert comparison.changed >= 3, "the healthy units leave insufficient data"


def test_a_unit_the_published_version_never_scored_counts_as_unscored(scored):
    v1 = scoring_model_get()
    EnterpriseFactory(epfo_code=None)
    v2 = scoring_model_create_version(base=v1, definition=lenient(v1))
    comparison = model_what_if_run(comparison_id=model_what_if(model=v2).pk)
    assert sum(comparison.changes[UNSCORED].values()) == 1


def test_a_what_if_needs_a_draft_and_a_scored_published_version():
    v1 = scoring_model_get()
    with pytest.raises(ValidationError, match="has not scored any unit"):
        model_what_if(model=scoring_model_create_version(base=v1, definition=lenient(v1)))
    with pytest.raises(ValidationError, match="this is the published version"):
        model_what_if(model=v1)


def test_the_department_makes_compares_and_publishes_a_version_in_the_admin(
    scored, client, django_user_model, django_capture_on_commit_callbacks
):
    import json

    client.force_login(django_user_model.objects.create_superuser("dept", "d@example.org", "x"))
    v1 = scoring_model_get()
    page = client.get("/admin/scoring/scoringmodel/add/")
    assert page.status_code == 200 and "turnover_trend" in page.content.decode()
    inline = {"comparisons-TOTAL_FORMS": "0", "comparisons-INITIAL_FORMS": "0"}  # the what-if list's formset
    bad = client.post("/admin/scoring/scoringmodel/add/", {"definition_text": "{not json", "notes": "", **inline})
    assert "Not valid JSON" in bad.content.decode()
    created = client.post(
        "/admin/scoring/scoringmodel/add/", {"definition_text": json.dumps(lenient(v1)), "notes": "Lenient", **inline}
    )
    assert created.status_code == 302, created.context["adminform"].form.errors
    v2 = ScoringModel.objects.get(version=2)
    assert v2.published_at is None and v2.notes == "Lenient"
    with django_capture_on_commit_callbacks():
        client.post("/admin/scoring/scoringmodel/", {"action": "what_if", "_selected_action": [v2.pk]})
    comparison = ModelComparison.objects.get(model=v2)
    model_what_if_run(comparison_id=comparison.pk)
    page = client.get(f"/admin/scoring/scoringmodel/{v2.pk}/change/").content.decode()
    assert "now \\ draft" in page
    client.post("/admin/scoring/scoringmodel/", {"action": "publish", "_selected_action": [v2.pk]})
    assert scoring_model_get() == ScoringModel.objects.get(version=2)
    v1_page = client.get(f"/admin/scoring/scoringmodel/{v1.pk}/change/").content.decode()
    assert "In use: make a new version" in v1_page


def test_feed_batches_and_rejects_are_shown_in_the_admin(client, django_user_model, tmp_path):
    client.force_login(django_user_model.objects.create_superuser("dept", "d@example.org", "x"))
    path = tmp_path / "gst.csv"
    path.write_text("gstin,period,taxable_turnover,tax_paid,filed_on\nNOT-A-GSTIN,2026-10,1,1,\n")
    call_command("import_feed", "gst", str(path), stdout=StringIO())
    listing = client.get("/admin/scoring/importbatch/").content.decode()
    assert "gst.csv" in listing
    from scoring.models import ImportBatch

    batch = ImportBatch.objects.get()
    page = client.get(f"/admin/scoring/importbatch/{batch.pk}/change/").content.decode()
    assert "NOT-A-GSTIN" in page


def test_publishing_twice_changes_nothing():
    v1 = scoring_model_get()
    published = v1.published_at
    assert scoring_model_publish(model=v1).published_at == published
