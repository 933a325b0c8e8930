from django.conf import settings
from django.http import HttpRequest

from .navigation import menu_html


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"demo_mode": settings.DEMO_MODE}
    match = getattr(request, "resolver_match", None)
    return {"nav_menu": menu_html(user, match.view_name if match else ""), "demo_mode": settings.DEMO_MODE}
