from django.http import HttpRequest

from .services import unread_count


def notifications(request: HttpRequest) -> dict:
    """The unread count beside the bell in the navigation bar: one query a page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
