from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The home page. It reads from every app, so it is the top of the house: no app imports it."""

    name = "home"
    verbose_name = "Home"
