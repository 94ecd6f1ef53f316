"""The page a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE): in words, with how long
the lock lasts and who can lift it."""

from django.conf import settings
from django.shortcuts import render


def lockout_page(request, original_response=None, credentials=None):
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = max(1, round(cooloff.total_seconds() / 60)) if cooloff else None
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "registration/locked.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
