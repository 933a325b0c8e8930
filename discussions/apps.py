from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    """Conversation beside the work: a thread on each project (and whatever else registers as a target),
    with @mentions that notify. Low in the house: the apps whose records carry a thread register them
    (targets.register) and show it on their own pages."""

    name = "discussions"
    verbose_name = "Discussions"

    def ready(self) -> None:
        from notifications.kinds import Delivery, Kind
        from notifications.kinds import register as register_kind

        from .services import MENTION_KIND, REPLY_KIND

        register_kind(Kind(MENTION_KIND, "Someone mentions you in a discussion", default=Delivery.IMMEDIATE,
                           order=60))
        register_kind(Kind(REPLY_KIND, "New comments in discussions you take part in", default=Delivery.IN_APP,
                           order=61))
