"""Small helpers of the pages' requests and answers."""

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request, default: str) -> HttpResponseRedirect:
    """Back to the form's `next` when it is a page of this site, else to `default`: a `next`
    pointing off-site (a link someone was tricked into following) never leaves the site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)
