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

from casework.choices import OwnerClaimMethod, OwnerClaimStatus
from casework.models import DocumentRequest, OwnerClaim
from core.errors import REFUSALS, refusal_text
from notifications.messages import messages_for
from notifications.selectors import notification_list_for_user
from scoring.choices import ConsentSource
from scoring.models import Enterprise
from scoring.rules.numbers import rupees
from scoring.selectors import consent_history, consent_in_force
from scoring.services.consent import consent_set
from scoring.views import report_card_context

from . import registration, selectors, services
from .forms import CodeForm, DocumentsForm, RegistrationForm
from .progress import progress, remedy_words

NOTIFICATIONS_SHOWN = 5
# The registration waiting for its code, in the session of the browser that started it.
CLAIM_SESSION_KEY = "portal-owner-claim"


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
    """Step one: the unit's Udyam number and PAN, the owner's email and password. Then a code sent to
    the unit's own email or mobile (step two), or a request to its DIC."""
    if request.user.is_authenticated and selectors.owner_units(request.user).exists():
        return redirect("portal:home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = registration.owner_claim_start(
                udyam_number=data["udyam_number"], pan=data["pan"], email=data["email"], password=data["password1"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[CLAIM_SESSION_KEY] = claim.pk
            if claim.method == OwnerClaimMethod.DIC:
                return redirect("portal:register-requested")
            return redirect("portal:register-code")
    return render(request, "portal/register.html", {"form": form})


def register_code(request):
    """Step two: the code sent to the unit's email or mobile, or another one."""
    claim_id = request.session.get(CLAIM_SESSION_KEY)
    claim = selectors.owner_claim_started(claim_id, method=OwnerClaimMethod.CODE)
    if claim is None:
        messages.info(request, _("Start your registration here."))
        return redirect("portal:register")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        try:
            registration.owner_claim_code_resend(claim_id=claim.pk)
            messages.success(request, _("A new code is on its way to %(to)s.") % {"to": claim.sent_to})
        except ValidationError as refusal:
            messages.error(request, refusal_text(refusal))
        return redirect("portal:register-code")
    if request.method == "POST" and form.is_valid():
        try:
            registration.owner_claim_verify(claim_id=claim.pk, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session.pop(CLAIM_SESSION_KEY, None)
            messages.success(
                request,
                _("Your account is ready. Sign in with your email and password to see your unit."),
            )
            return redirect(f"{reverse('login')}?next={reverse('portal:home')}")
    claim.refresh_from_db()
    return render(request, "portal/register_code.html", {"claim": claim, "form": form})


def register_requested(request):
    """Where a registration that waits for the DIC's check ends for now."""
    claim = selectors.owner_claim_started(request.session.get(CLAIM_SESSION_KEY), method=OwnerClaimMethod.DIC)
    if claim is None:
        return redirect("portal:register")
    return render(request, "portal/register_dic.html", {"claim": claim})


@login_required
def owner_requests(request):
    """A DIC's district officers: the registrations of their district's units waiting for a check,
    and those decided."""
    if not (request.user.is_superuser or selectors.user_is_district_officer(request.user)):
        raise PermissionDenied("Owners are verified by the district officers of their unit's DIC.")
    claims = registration.owner_claims_for_dic(request.user)
    context = {
        "pending": claims.filter(status=OwnerClaimStatus.PENDING).order_by("created_at"),
        "decided": claims.exclude(status=OwnerClaimStatus.PENDING).order_by("-decided_at", "-pk")[:50],
    }
    return render(request, "portal/owner_requests.html", context)


@login_required
@require_POST
def owner_request_decide(request, pk: int):
    approve = request.POST.get("decision") == "approve"
    try:
        registration.owner_claim_decide(
            claim_id=pk, actor=request.user, approve=approve, note=request.POST.get("note", "")
        )
    except OwnerClaim.DoesNotExist:
        raise Http404("No such request, or not your district's.") from None
    except REFUSALS as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(request, _("Approved: the owner can sign in now.") if approve else _("Declined."))
    return redirect("portal:owner-requests")


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
