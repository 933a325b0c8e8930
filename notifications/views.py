from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import services
from .forms import MarkReadForm, PreferencesForm
from .models import Notification


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """The person's own notifications, newest first (the latest hundred)."""
    form = MarkReadForm(request.POST if request.method == "POST" else None)  # "mark all" posts no field
    if request.method == "POST" and form.is_valid():
        services.mark_read(request.user, form.cleaned_data.get("notification"))
        return redirect("notifications:index")
    mine = Notification.objects.filter(user=request.user).defer("body")
    return render(request, "notifications/index.html", {
        "notifications": mine[:100], "unread": mine.unread().count(), "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest) -> HttpResponse:
    """What the person hears of, and how: per kind, in the portal, by e-mail at once, in a daily digest, or
    not at all."""
    form = PreferencesForm(request.POST or None, current=services.preferences_for(request.user))
    if request.method == "POST" and form.is_valid():
        services.save_preferences(request.user, {k: v for k, v in form.cleaned_data.items() if v})
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})
