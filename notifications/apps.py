from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """One notification centre for every event a person should hear of. It stands just above the
    organisation: every app can notify, and each registers the kinds of notice it sends (kinds.register)."""

    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from ops.nightly import register as register_nightly

        from .services import send_due_emails

        # A safety net where no beat runs the five-minute sweep (eager mode): e-mails still due go out.
        register_nightly("notification e-mails", lambda: dict(zip(("sent", "failed"), send_due_emails(),
                                                                  strict=True)))
