"""Pages of the notifications app: a person's notification centre and their preferences."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.http import redirect_back

from .channels import channels_enabled
from .choices import CHOOSABLE_EVENTS, Channel, NotificationEvent
from .messages import messages_for
from .models import NotificationProfile
from .preferences import Preferences, channel_choosable
from .selectors import notification_list_for_user
from .services import notification_mark_read, notifications_mark_all_read, preferences_update

PAGE_SIZE = 25


@login_required
def centre(request):
    page = Paginator(notification_list_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    profile = NotificationProfile.objects.filter(user=request.user).first()
    language = profile.language if profile else "en"
    deliveries = list(page.object_list)
    messages = messages_for([d.request for d in deliveries], language=language)
    rows = [{"delivery": d, "message": m} for d, m in zip(deliveries, messages, strict=True)]
    return render(request, "notifications/centre.html", {"page": page, "rows": rows})


def _back(request):
    return redirect_back(request, reverse("notifications:centre"))


@login_required
@require_POST
def mark_read(request, pk: int):
    if not notification_mark_read(user=request.user, delivery_id=pk):
        if not notification_list_for_user(request.user).filter(pk=pk).exists():
            raise Http404
    return _back(request)


@login_required
@require_POST
def mark_all_read(request):
    notifications_mark_all_read(user=request.user)
    return _back(request)


@login_required
def preferences(request):
    user = request.user
    channels = [key for key in Channel.values if key in channels_enabled()]
    if request.method == "POST":
        choices = [
            (event, channel, f"{event}:{channel}" in request.POST)
            for event in CHOOSABLE_EVENTS
            for channel in channels
            if channel_choosable(event, channel)
        ]
        language = request.POST.get("language", "en")
        if language not in dict(settings.LANGUAGES):
            language = "en"
        preferences_update(
            user=user,
            choices=choices,
            digest="digest" in request.POST,
            phone=request.POST.get("phone", "")[:16],
            language=language,
        )
        return redirect("notifications:preferences")
    current = Preferences([user.pk])
    profile = current.profiles.get(user.pk)
    grid = [
        {
            "event": event,
            "label": NotificationEvent(event).label,
            "cells": [
                {
                    "name": f"{event}:{channel}",
                    "on": current.wants(user.pk, event, channel),
                    "choosable": channel_choosable(event, channel),
                }
                for channel in channels
            ],
        }
        for event in CHOOSABLE_EVENTS
    ]
    return render(
        request,
        "notifications/preferences.html",
        {
            "grid": grid,
            "channels": [Channel(key).label for key in channels],
            "profile": profile,
            "digest": profile.digest if profile else True,
            "languages": settings.LANGUAGES,
            "language": profile.language if profile else "en",
        },
    )
