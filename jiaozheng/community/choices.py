"""Code tables of community service (社区服务 / 公益活动)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class VenueKind(models.TextChoices):
    """Partner venues (R: 敬老院、福利院、学校、企事业单位; places 敬老院、社区、公园)."""

    NURSING_HOME = "nursing_home", pgettext_lazy("community", "Nursing home")  # 敬老院
    WELFARE_HOME = "welfare_home", pgettext_lazy("community", "Welfare home")  # 福利院
    SCHOOL = "school", pgettext_lazy("community", "School")  # 学校
    PARK = "park", pgettext_lazy("community", "Park or square")  # 公园、广场
    COMMUNITY = "community", pgettext_lazy("community", "Community or village")  # 社区、村
    STREET = "street", pgettext_lazy("community", "Streets of the county town")  # 县城街道
    ENTERPRISE = "enterprise", pgettext_lazy("community", "Enterprise or institution")  # 企事业单位
    OTHER = "other", pgettext_lazy("community", "Other")


class ActivityKind(models.TextChoices):
    CLEANING = "cleaning", pgettext_lazy("community", "Environmental clean-up")  # 环境卫生清扫
    CIVILISED_CITY = (
        "civilised_city",
        pgettext_lazy("community", "Civilised and hygienic city campaign"),
    )  # 创文创卫主题清扫
    ELDER_CARE = (
        "elder_care",
        pgettext_lazy("community", "Visiting and helping the elderly"),
    )  # 敬老院慰问、助老
    CHILD_CARE = "child_care", pgettext_lazy("community", "Helping children")  # 福利院、留守儿童
    PUBLICITY = (
        "publicity",
        pgettext_lazy("community", "Law and safety publicity"),
    )  # 普法、禁毒、交通安全宣传
    GREENING = "greening", pgettext_lazy("community", "Tree planting and greening")  # 植树护绿
    TRAFFIC = "traffic", pgettext_lazy("community", "Traffic civility duty")  # 文明交通劝导
    OTHER = "other", pgettext_lazy("community", "Other")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("community", "Planned")
    HELD = "held", pgettext_lazy("community", "Held")
    CANCELLED = "cancelled", pgettext_lazy("community", "Cancelled")


class CancelReason(models.TextChoices):
    PANDEMIC = "pandemic", pgettext_lazy("community", "Pandemic control")
    WEATHER = "weather", pgettext_lazy("community", "Weather or disaster")
    VENUE = "venue", pgettext_lazy("community", "Venue unavailable")
    OTHER = "other", pgettext_lazy("community", "Other")


class ParticipantKind(models.TextChoices):
    """Members of the mixed volunteer team (R: 司法行政干部、社工、社区矫正对象、各行业人士)."""

    SUBJECT = "subject", pgettext_lazy("community", "Supervised person")
    OFFICER = "officer", pgettext_lazy("community", "Justice officer")
    SOCIAL_WORKER = "social_worker", pgettext_lazy("community", "Social worker")
    VOLUNTEER = "volunteer", pgettext_lazy("community", "Other volunteer")


class VolunteerKind(models.TextChoices):
    """Registry entries (supervised persons join through their activities, not the registry)."""

    OFFICER = "officer", pgettext_lazy("community", "Justice officer")
    SOCIAL_WORKER = "social_worker", pgettext_lazy("community", "Social worker")
    VOLUNTEER = "volunteer", pgettext_lazy("community", "Volunteer from the community")


class ParticipationStatus(models.TextChoices):
    INVITED = "invited", pgettext_lazy("community", "Invited")
    PRESENT = "present", pgettext_lazy("community", "Took part")
    ABSENT = "absent", pgettext_lazy("community", "Absent")
    EXCUSED = "excused", pgettext_lazy("community", "Excused")
