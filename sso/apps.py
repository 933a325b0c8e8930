from django.apps import AppConfig


class SSOConfig(AppConfig):
    name = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from .config import validate

        # A half-configured sign-in (an issuer with no client, a role mapping that names no role, password
        # sign-in off with nothing in its place) must stop the portal from starting, not strand its users.
        validate()
