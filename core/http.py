"""Small helpers of the pages' requests and answers."""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request, default: str) -> HttpResponseRedirect:
    """Back to the form's `next` when it is a page of this site, else to `default`: a `next`
    pointing off-site (a link someone was tricked into following) never leaves the site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # Not redirect(): it would try a bare word such as "-1" as a URL name and fail.
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def posted_id(request, name: str) -> int | None:
    """A record's id from the posted form: None unless it is a whole number (a stray value must not
    reach the database as an id: it failed there with a server error)."""
    value = (request.POST.get(name) or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None
