"""The notification centre: the unread count on every page, mark read, mark all read, the
preferences page; constant queries whatever the number of messages."""

import pytest
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.choices import Channel, NotificationEvent
from notifications.delivery import notifications_relay
from notifications.models import Delivery, NotificationPreference, NotificationProfile
from notifications.services import notification_request
from tests.factories import partners as people
from tests.factories.cases import active_task, clinic, flagged_case, unit_at
from workflows.choices import TaskType

pytestmark = pytest.mark.django_db


def notices(user, count: int):
    for _ in range(count):
        case = flagged_case(unit_at())
        notification_request(
            event=NotificationEvent.TASK_ASSIGNED, user=user, case=case, task=active_task(case, TaskType.OUTREACH)
        )
    notifications_relay()


def unread(user) -> int:
    return Delivery.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).count()


def test_unread_count_shows_on_every_page(client):
    team = clinic()
    notices(team.officer, 2)  # and one "new in your queue" per case: 4 unread
    client.force_login(team.officer)
    for url in (reverse("scoring:unit-list"), reverse("notifications:centre")):
        page = client.get(url).content.decode()
        assert '<span class="unread-count" title="unread">4</span>' in page, url
    nobody = people.district_officer("Baramulla")
    client.force_login(nobody)
    page = client.get(reverse("scoring:unit-list")).content.decode()
    assert 'href="/notifications/"' in page and 'class="unread-count"' not in page


def test_centre_lists_ones_own_messages_and_marks_them_read(client):
    team = clinic()
    notices(team.officer, 1)
    notices(team.mentor, 1)  # someone else's
    client.force_login(team.officer)
    page = client.get(reverse("notifications:centre"))
    rows = page.context["rows"]
    assert {row["delivery"].recipient_id for row in rows} == {team.officer.pk}
    assigned = next(r for r in rows if r["delivery"].request.event == NotificationEvent.TASK_ASSIGNED)
    assert "is now yours" in assigned["message"].text
    assert "Task assigned to you: Contact the unit and book the consultation" in page.content.decode()

    # Theirs: assigned and queued for their case, queued for the mentor's case (the DIC's queue).
    assert unread(team.officer) == 3 and unread(team.mentor) == 1
    client.post(reverse("notifications:mark-read", args=[assigned["delivery"].pk]))
    assert unread(team.officer) == 2
    theirs = Delivery.objects.get(recipient=team.mentor, channel=Channel.IN_APP)
    assert client.post(reverse("notifications:mark-read", args=[theirs.pk])).status_code == 404
    assert unread(team.mentor) == 1
    response = client.post(reverse("notifications:mark-all-read"), {"next": reverse("scoring:unit-list")})
    assert response.status_code == 302 and response.url == reverse("scoring:unit-list")
    assert unread(team.officer) == 0 and unread(team.mentor) == 1
    assert 'class="unread-count"' not in client.get(reverse("notifications:centre")).content.decode()


def test_centre_costs_the_same_queries_for_5_or_25_messages(client):
    team = clinic()
    client.force_login(team.officer)
    notices(team.officer, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("notifications:centre")).status_code == 200
    notices(team.officer, 11)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("notifications:centre"))
    assert len(page.context["rows"]) == 25
    assert len(many) == len(few)


def test_preferences_page_saves_choices(client):
    team = clinic()
    client.force_login(team.officer)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="task_assigned:email" checked' in html
    assert "in the daily digest" in html  # routine events by email
    client.post(
        reverse("notifications:preferences"),
        {"task_assigned:in_app": "on", "sla_breached:email": "on", "phone": " +919812345678 ", "language": "ur"},
    )
    chosen = dict(
        NotificationPreference.objects.filter(user=team.officer, channel=Channel.EMAIL).values_list("event", "enabled")
    )
    assert chosen[NotificationEvent.TASK_ASSIGNED] is False
    assert chosen[NotificationEvent.SLA_BREACHED] is True
    assert NotificationEvent.TASK_QUEUED not in chosen  # not choosable by email
    profile = NotificationProfile.objects.get(user=team.officer)
    assert (profile.phone, profile.language, profile.digest) == ("+919812345678", "ur", False)


def test_pages_need_signing_in(client, settings):
    response = client.get(reverse("notifications:centre"))
    assert response.status_code == 302 and response.url.startswith(resolve_url(settings.LOGIN_URL))
