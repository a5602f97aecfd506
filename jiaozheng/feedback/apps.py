from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "jiaozheng.feedback"
    label = "feedback"
    verbose_name = _("Feedback and satisfaction")

    def ready(self) -> None:
        from jiaozheng.feedback import rules  # noqa: F401  (registrations)
