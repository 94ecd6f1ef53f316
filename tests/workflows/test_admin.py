"""The department edits SLA policies and the holiday calendar in the admin; tasks are view-only."""

import pytest

from tests.factories.cases import active_task, flagged_case, unit_at
from workflows.choices import TaskType
from workflows.models import Holiday, SlaPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(user)
    return client


def test_an_sla_policy_is_edited_and_checked(admin_client):
    policy = SlaPolicy.objects.get(task_type=TaskType.CONSULTATION, priority="high")
    url = f"/admin/workflows/slapolicy/{policy.pk}/change/"
    form = {"task_type": "consultation", "priority": "high", "duration": 4, "unit": "working_days", "remind_before": 1}
    bad = admin_client.post(url, {**form, "escalate_after": "[5, 2]"})
    assert bad.status_code == 200 and "rising list" in bad.content.decode()
    ok = admin_client.post(url, {**form, "escalate_after": "[2, 6]"})
    assert ok.status_code == 302
    policy.refresh_from_db()
    assert (policy.duration, policy.escalate_after) == (4, [2, 6])


def test_a_holiday_added_in_the_admin_goes_through_the_service(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as after_commit:
        response = admin_client.post(
            "/admin/workflows/holiday/add/", {"date": "2026-12-10", "name": "Snowfall closure", "is_holiday": "on"}
        )
    assert response.status_code == 302
    assert len(after_commit) == 1  # running clocks are recomputed by a worker after commit
    holiday = Holiday.objects.get(date="2026-12-10")
    assert holiday.updated_by.username == "root"


def test_tasks_are_view_only(admin_client):
    task = active_task(flagged_case(unit_at()), TaskType.OUTREACH)
    page = admin_client.get(f"/admin/workflows/task/{task.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert admin_client.get("/admin/workflows/task/add/").status_code == 403
    assert admin_client.get(f"/admin/casework/case/{task.case_id}/change/").status_code == 200
