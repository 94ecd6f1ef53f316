"""The department's admin as a whole: every page lists, and the records only services write (the
audit trail, tasks, deliveries, feed batches, consents) can be read but not added or deleted."""

import pytest
from django.contrib import admin

from core.admin import ReadOnlyAdmin, ViewOnlyAdmin

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
SERVICE_WRITTEN = [
    (model, model_admin) for model, model_admin in REGISTERED if isinstance(model_admin, (ReadOnlyAdmin, ViewOnlyAdmin))
]


def _url(model, page):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/{page}"


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "x"))
    return client


def test_the_service_written_records_are_many_and_known():
    labels = {model._meta.label for model, _ in SERVICE_WRITTEN}
    assert {
        "casework.Case", "workflows.Task", "partners.Delegation", "notifications.Delivery",
        "notifications.NotificationRequest", "scoring.DataConsent", "scoring.ImportBatch", "scoring.ScoringRun",
    } <= labels  # fmt: skip


@pytest.mark.parametrize("model", [model for model, _ in REGISTERED], ids=lambda model: model._meta.label)
def test_every_admin_list_opens(admin_client, model):
    assert admin_client.get(_url(model, ""), follow=True).status_code == 200


@pytest.mark.parametrize("model", [model for model, _ in SERVICE_WRITTEN], ids=lambda model: model._meta.label)
def test_service_written_records_cannot_be_added_by_hand(admin_client, model):
    assert admin_client.get(_url(model, "add/")).status_code == 403
    listing = admin_client.get(_url(model, ""), follow=True).content.decode()
    assert 'value="delete_selected"' not in listing
