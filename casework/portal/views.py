"""Pages of the owner portal: register, the unit's page (profile, consent, report card, the case's
progress, what is asked, notifications), and the owner's answers. Thin: parse, fetch through a
selector that authorises, call one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework.models import DocumentRequest
from core.errors import REFUSALS, refusal_text
from notifications.messages import messages_for
from notifications.selectors import notification_list_for_user
from scoring.choices import ConsentSource
from scoring.models import Enterprise
from scoring.rules.numbers import rupees
from scoring.selectors import consent_history, consent_in_force
from scoring.services.consent import consent_set
from scoring.views import report_card_context

from . import selectors, services
from .forms import DocumentsForm, RegistrationForm
from .progress import progress, remedy_words

NOTIFICATIONS_SHOWN = 5


def _unit(request, udyam_number: str) -> Enterprise:
    try:
        return selectors.owner_unit_get(request.user, udyam_number)
    except Enterprise.DoesNotExist:
        raise Http404("No such unit, or not yours.") from None


@login_required
def home(request):
    units = list(selectors.owner_units(request.user))
    if len(units) == 1:
        return _unit_page(request, units[0])
    status = 200 if units else 403
    return render(request, "portal/units.html", {"units": units}, status=status)


@login_required
def unit(request, udyam_number: str):
    return _unit_page(request, _unit(request, udyam_number))


def _unit_page(request, unit: Enterprise):
    case = selectors.owner_case(request.user, unit)
    consents = consent_in_force(unit)
    deliveries = list(notification_list_for_user(request.user)[:NOTIFICATIONS_SHOWN])
    language = get_language()
    context = {
        **report_card_context(unit),
        "case": case,
        "progress": progress(case) if case else None,
        "requests": selectors.owner_document_requests(case) if case else [],
        "remedies": [remedy_words(r) | {"by": r.owner} for r in selectors.owner_remedies(case)] if case else [],
        "consents": [(source, label, consents.get(source)) for source, label in ConsentSource.choices],
        "consent_missing": any(c is None for c in consents.values()),
        "consent_history": consent_history(unit)[:20],
        "amounts": {"investment": rupees(unit.investment), "turnover": rupees(unit.turnover)},
        "notifications": [
            {"delivery": d, "message": m}
            for d, m in zip(deliveries, messages_for([d.request for d in deliveries], language=language), strict=True)
        ],
        "documents_form": DocumentsForm(),
    }
    return render(request, "portal/home.html", context)


def register(request):
    if request.user.is_authenticated and selectors.owner_units(request.user).exists():
        return redirect("portal:home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.owner_register(
                udyam_number=data["udyam_number"], pan=data["pan"], email=data["email"], password=data["password1"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your account is ready. Sign in with your email and password to see your unit."),
            )
            return redirect(f"{reverse('login')}?next={reverse('portal:home')}")
    return render(request, "portal/register.html", {"form": form})


@login_required
@require_POST
def consent(request, udyam_number: str):
    unit = _unit(request, udyam_number)
    sources = ConsentSource.values if request.POST.get("source") == "all" else [request.POST.get("source", "")]
    granted = request.POST.get("granted") == "yes"
    try:
        for source in sources:
            consent_set(enterprise=unit, source=source, granted=granted, by=request.user)
    except (ValidationError, PermissionDenied) as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        done = _("Consent given. Thank you.") if granted else _("Consent withdrawn. It is recorded.")
        messages.success(request, done)
    return redirect(reverse("portal:unit", args=[unit.udyam_number]) + "#consent")


def _request(request, udyam_number: str, pk: int) -> tuple[Enterprise, DocumentRequest]:
    unit = _unit(request, udyam_number)
    try:
        return unit, selectors.owner_document_request_get(request.user, unit, pk)
    except DocumentRequest.DoesNotExist:
        raise Http404("No such request.") from None


@login_required
@require_POST
def documents_upload(request, udyam_number: str, pk: int):
    unit, document_request = _request(request, udyam_number, pk)
    form = DocumentsForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("files", [])) or _("Choose at least one file."))
    else:
        try:
            sent = services.owner_documents_add(
                owner=request.user, request=document_request, files=form.cleaned_data["files"]
            )
            messages.success(request, _("%(n)s file(s) received by the clinic.") % {"n": len(sent)})
        except REFUSALS as refusal:
            messages.error(request, refusal_text(refusal))
    return redirect(reverse("portal:unit", args=[unit.udyam_number]) + f"#request-{document_request.pk}")


@login_required
@require_POST
def documents_done(request, udyam_number: str, pk: int):
    unit, document_request = _request(request, udyam_number, pk)
    try:
        services.owner_documents_done(owner=request.user, request=document_request)
        messages.success(request, _("Thank you. The clinic has been told, and work on your case goes on."))
    except REFUSALS as refusal:
        messages.error(request, refusal_text(refusal))
    return redirect(reverse("portal:unit", args=[unit.udyam_number]) + "#asked")
