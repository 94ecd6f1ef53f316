"""The words of the owner portal's notifications (registered with notifications.messages in
config/apps.py): a new owner of a unit, a registration the DIC must verify, and its approval."""

from django.utils.translation import gettext as _

from notifications.choices import NotificationEvent
from notifications.messages import Message, site_path
from notifications.models import NotificationRequest
from scoring.models import Enterprise


def _unit(request: NotificationRequest) -> Enterprise | None:
    # Registrations are rare and told to a few people: one read a message is fine here.
    if not request.enterprise_id:
        return None
    if "_portal_unit" not in request.__dict__:
        request.__dict__["_portal_unit"] = Enterprise.objects.filter(pk=request.enterprise_id).first()
    return request.__dict__["_portal_unit"]


def _unit_name(request: NotificationRequest) -> str:
    unit = _unit(request)
    return unit.enterprise_name if unit else ""


def _owner_page(request: NotificationRequest) -> str:
    unit = _unit(request)
    return site_path("portal:unit", unit.udyam_number) if unit else site_path("portal:home")


def owner_added(request):
    facts = {"unit": _unit_name(request) or _("your unit")}
    facts["who"] = request.data.get("email", "")
    return Message(
        _("A new owner registered for %(unit)s") % facts,
        _(
            "%(who)s has registered with the clinic as an owner of %(unit)s and can now see its report card "
            "and case. If you do not know this person, tell your District Industries Centre at once."
        )
        % facts,
        _owner_page(request),
    )


def owner_verification(request):
    facts = {
        "unit": _unit_name(request) or _("a unit"),
        "udyam": request.data.get("udyam_number", ""),
        "who": request.data.get("email", ""),
    }
    return Message(
        _("Verify an owner: %(unit)s") % facts,
        _(
            "%(who)s asks to be registered as an owner of %(unit)s (%(udyam)s). Its Udyam record has no email "
            "or mobile to send a code to: check with the unit that this person controls it, then approve or "
            "decline the request."
        )
        % facts,
        site_path("portal:owner-requests"),
    )


def owner_approved(request):
    facts = {"unit": _unit_name(request) or _("your unit")}
    return Message(
        _("You are registered as an owner of %(unit)s") % facts,
        _(
            "Your District Industries Centre has confirmed your registration. Sign in with your email and "
            "password to see your unit's report card and case."
        ),
        site_path("portal:home"),
    )


WORDS = {
    NotificationEvent.OWNER_ADDED: owner_added,
    NotificationEvent.OWNER_VERIFICATION: owner_verification,
    NotificationEvent.OWNER_APPROVED: owner_approved,
}
