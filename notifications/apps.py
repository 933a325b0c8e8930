from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """One notification centre for every event a person should hear of. It stands just above the
    organisation: every app can notify, and each registers the kinds of notice it sends (kinds.register)."""

    name = "notifications"
    verbose_name = "Notifications"
