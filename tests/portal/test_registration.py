"""Registering as a unit's owner proves control of the unit (issue 16): its Udyam number and PAN
are not enough, as the PAN is printed inside the GSTIN on every invoice. A one-time code goes to
the email or mobile on the unit's Udyam record (hashed at rest, valid 10 minutes, 5 wrong tries,
sends rate-limited); without either, the unit's DIC checks and decides. The unit's owners are told
of a new one, and a unit has at most OWNERS_PER_UNIT_MAX. Through the pages, as the personas."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework.choices import OwnerClaimMethod, OwnerClaimStatus
from casework.models import OwnerClaim
from notifications.choices import NotificationEvent
from notifications.models import NotificationRequest
from partners.choices import Role
from partners.models import Membership
from tests.factories import partners as people
from tests.factories.cases import unit_at
from tests.notifications.support import Gateway

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-Passphrase-9"
EMAIL = "new.owner@example.org"


@pytest.fixture(autouse=True)
def _fast_passwords_and_a_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture
def start(client, django_capture_on_commit_callbacks):
    """Posts the registration form; the code is sent after commit, as in production."""

    def post(unit, *, email=EMAIL, pan=None):
        data = {
            "udyam_number": unit.udyam_number,
            "pan": pan or unit.pan,
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/portal/register/", data)

    return post


@pytest.fixture
def resend(client, django_capture_on_commit_callbacks):
    def post():
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/portal/register/code/", {"resend": "1"}, follow=True)

    return post


def unit_with(**contacts):
    unit = unit_at("Anantnag")
    for name, value in contacts.items():
        setattr(unit, name, value)
    unit.save()
    return unit


def code_in(text: str) -> str:
    return re.search(r"code is (\d{6})", text).group(1)


def owners(unit) -> set[str]:
    return set(
        Membership.objects.filter(enterprise_id=unit.pk, role=Role.ENTERPRISE_OWNER, is_active=True).values_list(
            "user__email", flat=True
        )
    )


def test_the_code_goes_to_the_units_email_is_hashed_at_rest_and_makes_the_owner(client, start, mailoutbox):
    unit = unit_with(email="accounts@unit.example.in")
    response = start(unit)
    assert response["Location"] == "/portal/register/code/"
    assert [m.to for m in mailoutbox] == [["accounts@unit.example.in"]]
    code = code_in(mailoutbox[0].body)
    assert EMAIL in mailoutbox[0].body and unit.enterprise_name in mailoutbox[0].body  # the unit sees who asks
    claim = OwnerClaim.objects.get(enterprise=unit)
    stored = " ".join(str(value) for value in OwnerClaim.objects.filter(pk=claim.pk).values().get().values())
    assert code not in stored and PASSWORD not in stored  # neither in clear at rest
    assert claim.sent_to == "ac******@un**********.in"
    page = client.get("/portal/register/code/").content.decode()
    assert claim.sent_to in page and "accounts@unit" not in page
    assert not owners(unit) and not get_user_model().objects.filter(email=EMAIL).exists()
    done = client.post("/portal/register/code/", {"code": code})
    assert done.status_code == 302 and done["Location"].startswith("/accounts/login/")
    assert owners(unit) == {EMAIL}
    claim.refresh_from_db()
    assert claim.status == OwnerClaimStatus.REGISTERED and claim.password == "" and claim.code_hash == ""
    assert client.post("/accounts/login/", {"username": EMAIL, "password": PASSWORD}).status_code == 302


def test_five_wrong_codes_stop_the_registration(client, start, mailoutbox):
    unit = unit_with(email="accounts@unit.example.in")
    start(unit)
    code = code_in(mailoutbox[0].body)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        page = client.post("/portal/register/code/", {"code": wrong}).content.decode()
        assert f"{left} tries left" in page
    last = client.post("/portal/register/code/", {"code": wrong}, follow=True).content.decode()
    assert "Too many wrong codes" in last
    assert client.post("/portal/register/code/", {"code": code})["Location"] == "/portal/register/"
    assert OwnerClaim.objects.get(enterprise=unit).status == OwnerClaimStatus.FAILED and not owners(unit)


def test_a_code_expires_after_ten_minutes(client, start, mailoutbox):
    unit = unit_with(email="accounts@unit.example.in")
    start(unit)
    code = code_in(mailoutbox[0].body)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert "The code has expired" in client.post("/portal/register/code/", {"code": code}).content.decode()
    assert not owners(unit)


def test_codes_are_resent_once_a_minute_at_most_three_times_and_the_old_one_stops(client, start, resend, mailoutbox):
    unit = unit_with(email="accounts@unit.example.in")
    start(unit)
    first = code_in(mailoutbox[0].body)
    assert "wait" in resend().content.decode() and len(mailoutbox) == 1
    moment = timezone.now()
    for sends in (2, 3):
        moment += timedelta(seconds=61)
        with time_machine.travel(moment):
            assert "A new code is on its way" in resend().content.decode()
        assert len(mailoutbox) == sends
    with time_machine.travel(moment + timedelta(seconds=61)):
        assert "as many times as it can be" in resend().content.decode() and len(mailoutbox) == 3
        latest = code_in(mailoutbox[-1].body)
        if latest != first:
            assert "not the code" in client.post("/portal/register/code/", {"code": first}).content.decode()
        assert client.post("/portal/register/code/", {"code": latest}).status_code == 302
    assert owners(unit) == {EMAIL}


def test_a_unit_with_only_a_mobile_gets_the_code_by_sms(client, start, settings):
    with Gateway("sms-secret") as gateway:
        settings.NOTIFICATIONS_WEBHOOK_URL = gateway.url
        settings.NOTIFICATIONS_WEBHOOK_SECRET = "sms-secret"
        unit = unit_with(mobile="9876543210")
        start(unit)
        (received,) = gateway.received
    sms = received["payload"]
    assert sms["to"] == "9876543210" and gateway.bad_signatures == 0
    assert OwnerClaim.objects.get(enterprise=unit).sent_to == "******3210"
    assert client.post("/portal/register/code/", {"code": code_in(sms["text"])}).status_code == 302
    assert owners(unit) == {EMAIL}


def test_without_an_email_or_sms_the_units_dic_checks_and_decides(client, start):
    unit = unit_with(mobile="9876543210")  # a mobile, but no SMS gateway in this deployment
    officer, jammu = people.district_officer("Anantnag"), people.district_officer("Jammu")
    response = start(unit)
    assert response["Location"] == "/portal/register/requested/"
    assert "District Industries Centre will check" in client.get("/portal/register/requested/").content.decode()
    claim = OwnerClaim.objects.get(enterprise=unit)
    assert claim.method == OwnerClaimMethod.DIC and not owners(unit)
    asked = NotificationRequest.objects.get(event=NotificationEvent.OWNER_VERIFICATION)
    assert (asked.organisation.district, asked.role) == (unit.district, Role.DISTRICT_OFFICER)

    client.force_login(jammu)
    assert EMAIL not in client.get("/portal/owner-requests/").content.decode()
    assert client.post(f"/portal/owner-requests/{claim.pk}/", {"decision": "approve"}).status_code == 404
    client.force_login(people.enterprise_owner(unit_at("Anantnag")))
    assert client.get("/portal/owner-requests/").status_code == 403

    client.force_login(officer)
    assert EMAIL in client.get("/portal/owner-requests/").content.decode()
    refused = client.post(f"/portal/owner-requests/{claim.pk}/", {"decision": "decline"}, follow=True)
    assert "Say why" in refused.content.decode()
    client.post(f"/portal/owner-requests/{claim.pk}/", {"decision": "approve", "note": "Called the unit."})
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by, claim.decision_note) == (
        OwnerClaimStatus.REGISTERED,
        officer,
        "Called the unit.",
    )
    assert owners(unit) == {EMAIL}
    assert NotificationRequest.objects.filter(event=NotificationEvent.OWNER_APPROVED, user=claim.user).exists()
    again = client.post(f"/portal/owner-requests/{claim.pk}/", {"decision": "decline", "note": "x"}, follow=True)
    assert "already decided" in again.content.decode()
    client.logout()
    assert client.post("/accounts/login/", {"username": EMAIL, "password": PASSWORD}).status_code == 302


def test_a_declined_request_makes_no_account(client, start):
    unit = unit_with()
    start(unit)
    claim = OwnerClaim.objects.get(enterprise=unit)
    client.force_login(people.district_officer("Anantnag"))
    client.post(f"/portal/owner-requests/{claim.pk}/", {"decision": "decline", "note": "The unit does not know them."})
    claim.refresh_from_db()
    assert claim.status == OwnerClaimStatus.DECLINED and claim.password == ""
    assert not owners(unit) and not get_user_model().objects.filter(email=EMAIL).exists()


def test_the_units_owners_are_told_of_a_new_one(client, start, mailoutbox):
    unit = unit_with(email="accounts@unit.example.in")
    first = people.enterprise_owner(unit)
    start(unit)
    client.post("/portal/register/code/", {"code": code_in(mailoutbox[0].body)})
    told = NotificationRequest.objects.get(event=NotificationEvent.OWNER_ADDED)
    assert told.user == first and told.enterprise_id == unit.pk and told.data["email"] == EMAIL


def test_a_unit_has_at_most_owners_per_unit_max(client, start, settings, mailoutbox):
    settings.OWNERS_PER_UNIT_MAX = 2
    unit = unit_with(email="accounts@unit.example.in")
    people.enterprise_owner(unit)
    start(unit, email="second@example.org")
    client.post("/portal/register/code/", {"code": code_in(mailoutbox[0].body)})
    assert len(owners(unit)) == 2
    page = start(unit, email="third@example.org").content.decode()
    assert "already has 2 owners registered" in page
    with pytest.raises(ValidationError, match="already has 2 owners"):
        people.enterprise_owner(unit)  # the admin and every other path too
    assert len(owners(unit)) == 2 and len(mailoutbox) == 1


def test_registrations_of_one_unit_a_day_are_limited(start, settings, mailoutbox):
    settings.OWNER_CLAIMS_PER_UNIT_PER_DAY = 2
    unit = unit_with(email="accounts@unit.example.in")
    start(unit, email="a@example.org")
    start(unit, email="b@example.org")
    page = start(unit, email="c@example.org").content.decode()
    assert "Too many registrations for this unit today" in page and len(mailoutbox) == 2


def test_an_abandoned_registration_does_not_hold_the_email(client, start, mailoutbox):
    first, second = unit_with(email="a@unit.example.in"), unit_with(email="b@unit.example.in")
    start(first)
    assert "already exists" in start(second).content.decode()  # the first one's code is still good
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert start(second)["Location"] == "/portal/register/code/"
        client.post("/portal/register/code/", {"code": code_in(mailoutbox[-1].body)})
    assert owners(second) == {EMAIL} and not owners(first)
