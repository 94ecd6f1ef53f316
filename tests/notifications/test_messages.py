"""The words: every event renders, owners read plain language, and the templates are ready for
Hindi and Urdu (catalogues in locale/, English until translated)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, gettext, override

from casework.choices import CaseStage, RemedyStatus, RemedyType
from notifications.choices import OWNER_EVENTS, NotificationEvent
from notifications.messages import RENDER, message_for
from notifications.models import NotificationRequest
from tests.factories.cases import active_task, flagged_case, unit_at
from workflows.choices import TaskType

pytestmark = pytest.mark.django_db

# Words of the clinic's inside that an owner should never have to decode.
JARGON = ("SLA", "task", "queue", "escalat", "field_visit", "diagnostic_report", "handholding", "remedy_plan")


def test_every_event_has_words():
    assert set(RENDER) == set(NotificationEvent.values)


@pytest.mark.parametrize(
    ("event", "data", "expected"),
    [
        (NotificationEvent.CASE_STAGE_CHANGED, {"to": CaseStage.FIELD_VISIT}, "will visit your unit"),
        (NotificationEvent.CASE_STAGE_CHANGED, {"to": CaseStage.ONLINE_CONSULTATION}, "meet you online"),
        (NotificationEvent.CASE_STAGE_CHANGED, {"to": CaseStage.HANDHOLDING}, "plan of help for your unit is agreed"),
        (NotificationEvent.CASE_STAGE_CHANGED, {"to": CaseStage.REVIVED}, "back on its feet"),
        (NotificationEvent.DOCUMENTS_REQUESTED, {"items": "Last year's balance sheet"}, "Last year's balance sheet"),
        (
            NotificationEvent.REMEDY_UPDATED,
            {"type": RemedyType.MARKET_LINKAGE, "changes": {"status": [RemedyStatus.PLANNED, RemedyStatus.DONE]}},
            "Market linkage / buyer-seller meet, part of your plan of help, is now: done.",
        ),
        (
            NotificationEvent.REMEDY_UPDATED,
            {"type": RemedyType.SKILL_TRAINING, "changes": {"progress": [0, 40]}},
            "is 40% done",
        ),
        (NotificationEvent.REVIVAL_CONFIRMED, {}, "back on its feet"),
    ],
)
def test_owners_read_plain_language(event, data, expected):
    assert event in OWNER_EVENTS
    unit = unit_at()
    request = NotificationRequest(
        event=event, created_at=timezone.now(), enterprise_id=unit.pk, case_id=flagged_case(unit).pk, data=data
    )
    message = message_for(request)
    assert expected in message.text
    # The link is the owner's own page in the portal, never a staff page.
    assert message.url == f"https://clinic.example.org/portal/units/{unit.udyam_number}/"
    words = f"{message.subject} {message.text}".lower()
    assert not [term for term in JARGON if term.lower() in words]


def test_staff_messages_name_the_task_unit_and_due_time():
    case = flagged_case(unit_at())
    task = active_task(case, TaskType.OUTREACH)
    request = NotificationRequest(
        event=NotificationEvent.ESCALATED,
        created_at=timezone.now(),
        user_id=None,
        case_id=case.pk,
        task_id=task.pk,
        data={"level": 2},
    )
    message = message_for(request)
    assert case.enterprise.enterprise_name in message.subject
    assert "level 2" in message.text and f"case {case.pk}" in message.text
    assert message.url == f"https://clinic.example.org/tasks/{task.pk}/"


def test_hindi_and_urdu_are_ready_and_messages_use_the_recipients_language():
    assert [code for code, _ in settings.LANGUAGES] == ["en", "hi", "ur"]
    for code in ("hi", "ur"):
        catalogue = Path(settings.LOCALE_PATHS[0]) / code / "LC_MESSAGES" / "django.po"
        assert catalogue.exists()
        text = catalogue.read_text().replace('"\n"', "")  # long msgids are split over lines
        assert 'msgid "Please send the clinic: %(items)s. Work on your case waits until they arrive."' in text
        assert 'msgid "An officer of your District Industries Centre will visit your unit."' in text
    unit = unit_at()
    request = NotificationRequest(
        event=NotificationEvent.DOCUMENTS_REQUESTED,
        created_at=timezone.now(),
        enterprise_id=unit.pk,
        data={"items": "PAN"},
    )
    template = "Please send the clinic: %(items)s. Work on your case waits until they arrive."
    for code in ("en", "hi", "ur"):
        with override(code):
            expected = gettext(template) % {"items": "PAN"}  # the catalogue's words, or English
        assert message_for(request, language=code).text == expected
    assert get_language() == "en"  # rendering in another language leaves the active one alone
