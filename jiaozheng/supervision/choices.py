from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Commissioner(models.TextChoices):
    COURT = "court", _("People's court")
    PROCURATORATE = "procuratorate", _("People's procuratorate")
    POLICE = "police", _("Public security organ")
    PRISON = "prison", _("Prison administration")


class InvestigationStatus(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("investigation", "Registered")
    INVESTIGATING = "investigating", pgettext_lazy("investigation", "Investigating")
    ANSWERED = "answered", pgettext_lazy("investigation", "Opinion sent")


class Conclusion(models.TextChoices):
    SUITABLE = "suitable", _("Suitable for community correction")
    UNSUITABLE = "unsuitable", _("Not suitable for community correction")


class TravelStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("travel", "Requested")
    APPROVED = "approved", pgettext_lazy("travel", "Approved")
    REFUSED = "refused", pgettext_lazy("travel", "Refused")
    RETURNED = "returned", pgettext_lazy("travel", "Returned")


class ApprovalLevel(models.TextChoices):
    """Who may approve a trip (domain.md (b) row 10)."""

    SQUADRON = "squadron", _("Judicial office")  # 司法所, on delegation
    COUNTY = "county", _("County agency")
    HIGHER = "higher", _("Next level up")  # beyond the county's power
