from django.conf import settings
from django.http import HttpRequest

from .navigation import entries_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    entries = entries_for(user) if user is not None and user.is_authenticated else []
    return {"nav_entries": entries, "demo_mode": settings.DEMO_MODE}
