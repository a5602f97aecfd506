from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "jiaozheng.community"
    label = "community"
    verbose_name = _("Community service")

    def ready(self) -> None:
        from jiaozheng.community import rules, verbs  # noqa: F401  (registrations)
