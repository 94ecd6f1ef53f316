"""Registering as the owner of a unit (issue 16): knowing its Udyam number and PAN is not enough
(the PAN is inside the GSTIN printed on every invoice). A registration is an OwnerClaim that proves
control of the unit, and only then becomes an account with an owner's membership:

- a one-time code sent to the email and/or mobile on the unit's Udyam record (the channels of
  notifications/channels/, after commit, never stored in clear), entered within
  OWNER_CODE_TTL_MINUTES, with OWNER_CODE_ATTEMPTS wrong tries in all and OWNER_CODE_SENDS
  sends at least OWNER_CODE_RESEND_SECONDS apart;
- where the record has neither (or only a mobile and no SMS gateway), the unit's District
  Industries Centre is asked, and one of its district officers approves or declines.

The unit's existing owners are told of each new one, at most OWNERS_PER_UNIT_MAX per unit
(partners.services.membership_grant), and at most OWNER_CLAIMS_PER_UNIT_PER_DAY registrations are
started for a unit a day (each may send codes to its owner's phone)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from casework.choices import OwnerClaimMethod, OwnerClaimStatus
from casework.models import OwnerClaim
from notifications.choices import NotificationEvent
from notifications.direct import direct_channels, message_send_direct
from notifications.services import notification_request
from partners.choices import OrganisationKind, Role
from partners.models import Membership, Organisation
from partners.selectors import membership_in_effect_q
from partners.services import membership_grant, owners_of
from scoring.models import Enterprise

from .services import email_taken, enterprise_for_registration

CODE_DIGITS = 6


def mask_email(email: str) -> str:
    """ra****@ex*****.in: enough for the owner to recognise, too little to learn the address."""
    local, _at, domain = (email or "").partition("@")
    host, dot, tld = domain.rpartition(".")
    return f"{local[:2]}{'*' * max(len(local) - 2, 1)}@{host[:2]}{'*' * max(len(host) - 2, 1)}{dot}{tld}"


def mask_mobile(mobile: str) -> str:
    return "*" * max(len(mobile) - 4, 0) + mobile[-4:]


def _code_hash(claim_id: int, code: str) -> str:
    # An HMAC under SECRET_KEY: the table alone gives nobody the code (six digits hash quickly).
    return salted_hmac("casework.portal.owner-code", f"{claim_id}:{code}").hexdigest()


def _new_code(claim: OwnerClaim, now) -> str:
    """Gives the claim a fresh code (stored hashed) and returns it, to be sent after commit."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    claim.code_hash = _code_hash(claim.pk, code)
    claim.code_expires_at = now + timedelta(minutes=settings.OWNER_CODE_TTL_MINUTES)
    claim.code_sent_at = now
    claim.code_sends += 1
    claim.save(update_fields=["code_hash", "code_expires_at", "code_sent_at", "code_sends"])
    return code


def _send_code_on_commit(claim: OwnerClaim, code: str) -> None:
    unit = claim.enterprise
    text = _(
        "Your J&K MSME Health Clinic code is %(code)s. It registers %(email)s as an owner of %(unit)s "
        "(%(udyam)s) and is valid for %(minutes)s minutes. If you did not ask for this, do not share the "
        "code with anyone."
    ) % {
        "code": code,
        "email": claim.email,
        "unit": unit.enterprise_name,
        "udyam": unit.udyam_number,
        "minutes": settings.OWNER_CODE_TTL_MINUTES,
    }
    subject = _("Your registration code for %(unit)s") % {"unit": unit.enterprise_name}
    key = f"owner-claim-{claim.pk}-{claim.code_sends}"
    email, mobile = unit.email, unit.mobile

    # After commit (no network I/O inside a transaction); the code lives in this closure only.
    transaction.on_commit(
        lambda: message_send_direct(email=email, mobile=mobile, subject=subject, text=text, key=key), robust=True
    )


def _unit_dic(unit: Enterprise) -> Organisation | None:
    return Organisation.objects.filter(kind=OrganisationKind.DISTRICT_OFFICE, district_id=unit.district_id).first()


def _claims_in_progress(email: str, *, now):
    """Registrations with this email that may still become an account: waiting for the DIC, or
    for a code that has not expired (an abandoned one does not hold the email)."""
    return OwnerClaim.objects.filter(email=email, status=OwnerClaimStatus.PENDING).filter(
        Q(method=OwnerClaimMethod.DIC) | Q(code_expires_at__gt=now)
    )


def owner_claim_start(*, udyam_number: str, pan: str, email: str, password: str) -> OwnerClaim:
    """Starts a registration for the unit with this Udyam number and PAN: a code sent to the unit's
    own email or mobile, else a request to its DIC. Nothing is granted yet."""
    unit = enterprise_for_registration(udyam_number=udyam_number, pan=pan)
    User = get_user_model()
    email = (email or "").strip().lower()
    now = timezone.now()
    if email_taken(email) or _claims_in_progress(email, now=now).exclude(enterprise=unit).exists():
        raise ValidationError({"email": _("An account with this email already exists: sign in instead.")})
    validate_password(password, user=User(username=email, email=email))
    if len(owners_of(unit)) >= settings.OWNERS_PER_UNIT_MAX:
        raise ValidationError(
            _(
                "This unit already has %(n)s owners registered, the most the clinic allows. An owner can ask "
                "the District Industries Centre to remove one."
            )
            % {"n": settings.OWNERS_PER_UNIT_MAX}
        )
    with transaction.atomic():
        # The unit's row is locked while its recent registrations are counted: two at once are
        # counted one after the other.
        unit = Enterprise.objects.select_for_update().get(pk=unit.pk)
        recent = OwnerClaim.objects.filter(enterprise=unit, created_at__gt=now - timedelta(days=1)).count()
        if recent >= settings.OWNER_CLAIMS_PER_UNIT_PER_DAY:
            raise ValidationError(
                _(
                    "Too many registrations for this unit today. Try again tomorrow, or ask your District "
                    "Industries Centre."
                )
            )
        channels = direct_channels(email=unit.email, mobile=unit.mobile)
        sent_to = ", ".join(
            ([mask_email(unit.email)] if unit.email and "email" in channels else [])
            + ([mask_mobile(unit.mobile)] if unit.mobile and "sms" in channels else [])
        )
        claim = OwnerClaim.objects.create(
            enterprise=unit,
            email=email,
            password=make_password(password),
            method=OwnerClaimMethod.CODE if channels else OwnerClaimMethod.DIC,
            created_at=now,
            sent_to=sent_to,
        )
        if claim.method == OwnerClaimMethod.CODE:
            _send_code_on_commit(claim, _new_code(claim, now))
        else:
            dic = _unit_dic(unit)
            if dic is not None:
                notification_request(
                    event=NotificationEvent.OWNER_VERIFICATION,
                    organisation=dic,
                    role=Role.DISTRICT_OFFICER,
                    enterprise=unit,
                    data={"claim": claim.pk, "email": email, "udyam_number": unit.udyam_number},
                    at=now,
                )
    return claim


def owner_claim_code_resend(*, claim_id: int) -> OwnerClaim:
    """A new code for a registration waiting for one (the old one stops working), at most
    OWNER_CODE_SENDS in all and not within OWNER_CODE_RESEND_SECONDS of the last."""
    now = timezone.now()
    with transaction.atomic():
        claim = OwnerClaim.objects.select_for_update().select_related("enterprise").get(pk=claim_id)
        if claim.status != OwnerClaimStatus.PENDING or claim.method != OwnerClaimMethod.CODE:
            raise ValidationError(_("This registration is not waiting for a code: start again."))
        if claim.code_sends >= settings.OWNER_CODE_SENDS:
            raise ValidationError(_("The code has been sent as many times as it can be: start again later."))
        wait = claim.code_sent_at + timedelta(seconds=settings.OWNER_CODE_RESEND_SECONDS) - now
        if wait > timedelta(0):
            raise ValidationError(
                _("A code was sent a moment ago: wait %(s)s seconds before asking again.")
                % {"s": int(wait.total_seconds()) + 1}
            )
        _send_code_on_commit(claim, _new_code(claim, now))
    return claim


def owner_claim_verify(*, claim_id: int, code: str):
    """Registers the claimant if `code` is the claim's current one; returns the new account. A
    wrong code is counted (and kept counted: the refusal is raised after the count commits)."""
    now = timezone.now()
    wrong = None
    with transaction.atomic():
        claim = OwnerClaim.objects.select_for_update().select_related("enterprise").get(pk=claim_id)
        if claim.status != OwnerClaimStatus.PENDING or claim.method != OwnerClaimMethod.CODE:
            raise ValidationError(_("This registration is not waiting for a code: start again."))
        if claim.code_expires_at is None or claim.code_expires_at <= now:
            raise ValidationError({"code": _("The code has expired: ask for a new one.")})
        code = "".join((code or "").split())
        if not constant_time_compare(_code_hash(claim.pk, code), claim.code_hash):
            claim.code_attempts += 1
            left = settings.OWNER_CODE_ATTEMPTS - claim.code_attempts
            if left <= 0:
                claim.status = OwnerClaimStatus.FAILED
                claim.code_hash = ""
                wrong = _("Too many wrong codes: this registration is stopped. Start again later.")
            else:
                wrong = _("That is not the code we sent. %(n)s tries left.") % {"n": left}
            claim.save(update_fields=["code_attempts", "status", "code_hash"])
        else:
            return _register(claim, now=now)
    raise ValidationError({"code": wrong})


def owner_claims_for_dic(user):
    """The registrations waiting for a DIC's check that `user` may decide: those of units in the
    districts whose DIC they are a district officer of (all, for a superuser)."""
    claims = OwnerClaim.objects.filter(method=OwnerClaimMethod.DIC).select_related("enterprise__district", "decided_by")
    if user.is_superuser:
        return claims
    districts = Membership.objects.filter(
        membership_in_effect_q(),
        user=user,
        role=Role.DISTRICT_OFFICER,
        organisation__kind=OrganisationKind.DISTRICT_OFFICE,
    ).values("organisation__district_id")
    return claims.filter(enterprise__district_id__in=districts)


def owner_claim_decide(*, claim_id: int, actor, approve: bool, note: str = "") -> OwnerClaim:
    """A district officer of the unit's DIC approves (the account and ownership are made, the owner
    and the unit's other owners told) or declines a registration waiting for them; recorded on the
    claim with who, when and why."""
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("Say why the registration is declined.")})
    now = timezone.now()
    with transaction.atomic():
        claim = owner_claims_for_dic(actor).select_for_update(of=("self",)).filter(pk=claim_id).first()
        if claim is None:
            raise OwnerClaim.DoesNotExist
        if claim.status != OwnerClaimStatus.PENDING:
            raise ValidationError(_("This registration was already decided."))
        claim.decided_by, claim.decided_at, claim.decision_note = actor, now, note
        if not approve:
            claim.status = OwnerClaimStatus.DECLINED
            claim.password = ""
            claim.save(update_fields=["decided_by", "decided_at", "decision_note", "status", "password"])
            return claim
        user = _register(claim, now=now)
        notification_request(event=NotificationEvent.OWNER_APPROVED, user=user, enterprise=claim.enterprise, at=now)
    return claim


def _register(claim: OwnerClaim, *, now):
    """The account (with the password chosen at the start) and the owner's membership; the unit's
    other owners are told. In the caller's transaction."""
    User = get_user_model()
    unit = claim.enterprise
    if email_taken(claim.email):
        raise ValidationError({"email": _("An account with this email already exists: sign in instead.")})
    others = owners_of(unit)
    try:
        # A savepoint: of two registrations racing with one email, the second trips the unique
        # username and only its insert rolls back.
        with transaction.atomic():
            user = User.objects.create(username=claim.email, email=claim.email, password=claim.password)
    except IntegrityError:
        raise ValidationError({"email": _("An account with this email already exists: sign in instead.")}) from None
    membership_grant(user=user, role=Role.ENTERPRISE_OWNER, enterprise=unit)
    for owner in User.objects.filter(pk__in=others).order_by("pk"):
        notification_request(
            event=NotificationEvent.OWNER_ADDED,
            user=owner,
            enterprise=unit,
            data={"email": claim.email, "udyam_number": unit.udyam_number},
            at=now,
        )
    claim.status, claim.user, claim.code_hash, claim.password = OwnerClaimStatus.REGISTERED, user, "", ""
    claim.save(update_fields=["status", "user", "code_hash", "password", "decided_by", "decided_at", "decision_note"])
    return user
