from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class EmailOrUsernameBackend(ModelBackend):
    """Username or e-mail log-in (see QIUserManager); demo personas only in demo mode."""

    def user_can_authenticate(self, user) -> bool:
        if getattr(user, "is_demo_persona", False) and not settings.DEMO_MODE:
            return False
        return super().user_can_authenticate(user)
