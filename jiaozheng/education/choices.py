"""Code tables of education and study (教育学习)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class TopicCategory(models.TextChoices):
    """Topic categories of the course library (the seed report's content list, R)."""

    ETHICS = "ethics", pgettext_lazy("education", "Ethics and morality")  # 道德规范
    LAW = "law", pgettext_lazy("education", "Legal knowledge")  # 法律常识 / 法律法规
    CURRENT_AFFAIRS = (
        "current_affairs",
        pgettext_lazy("education", "Current affairs and policy"),
    )  # 时事政策 / 政策理论
    CLASSICS = "classics", pgettext_lazy("education", "Chinese classics and culture")  # 国学文化
    MENTAL_HEALTH = "mental_health", pgettext_lazy("education", "Mental health")  # 心理健康教育
    DISEASE_PREVENTION = "disease_prevention", pgettext_lazy("education", "Disease prevention")  # 疾病预防
    GAMES = "games", pgettext_lazy("education", "Themed games")  # 趣味主题游戏
    ANTI_DRUG = "anti_drug", pgettext_lazy("education", "Drug prevention")  # 禁毒
    RED_CULTURE = (
        "red_culture",
        pgettext_lazy("education", "Revolutionary tradition"),
    )  # 红色经典文化（学习雷锋精神）
    SCIENCE = "science", pgettext_lazy("education", "Popular science")  # 科普常识
    SKILLS = "skills", pgettext_lazy("education", "Vocational skills")  # 职业技能
    ADMISSION = "admission", pgettext_lazy("education", "Admission education")  # 入矫教育
    RELEASE = "release", pgettext_lazy("education", "Release education")  # 解矫教育


class EducationMode(models.TextChoices):
    """How a session is delivered (education_mode)."""

    CENTRALISED = "centralised", pgettext_lazy("education", "Centralised")  # 集中教育
    BY_CATEGORY = "by_category", pgettext_lazy("education", "By category")  # 分类教育
    SELF_STUDY = "self_study", pgettext_lazy("education", "Self-study")  # 自学
    REMOTE = "remote", pgettext_lazy("education", "Remote")  # 远程授课 / 远程直播


class EducationStage(models.TextChoices):
    """Which stage of correction a session serves (education_stage)."""

    ROUTINE = "routine", pgettext_lazy("education", "Routine")  # 日常教育
    ADMISSION = "admission", pgettext_lazy("education", "Admission")  # 入矫教育
    RELEASE = "release", pgettext_lazy("education", "Release")  # 解矫教育


class SessionFormat(models.TextChoices):
    """The six formats shown in statistics: the stage for admission/release sessions, else the mode."""

    CENTRALISED = "centralised", pgettext_lazy("education", "Centralised")
    BY_CATEGORY = "by_category", pgettext_lazy("education", "By category")
    SELF_STUDY = "self_study", pgettext_lazy("education", "Self-study")
    REMOTE = "remote", pgettext_lazy("education", "Remote")
    ADMISSION = "admission", pgettext_lazy("education", "Admission")
    RELEASE = "release", pgettext_lazy("education", "Release")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("education", "Planned")
    HELD = "held", pgettext_lazy("education", "Held")
    CANCELLED = "cancelled", pgettext_lazy("education", "Cancelled")
    RESCHEDULED = "rescheduled", pgettext_lazy("education", "Rescheduled")


class CancelReason(models.TextChoices):
    PANDEMIC = "pandemic", pgettext_lazy("education", "Pandemic control")  # 疫情防控
    WEATHER = "weather", pgettext_lazy("education", "Weather or disaster")  # 天气、灾害
    LECTURER = "lecturer", pgettext_lazy("education", "Lecturer unavailable")
    VENUE = "venue", pgettext_lazy("education", "Venue unavailable")
    OTHER = "other", pgettext_lazy("education", "Other")


class LecturerKind(models.TextChoices):
    """Who teaches (R: social workers, full-time lecturers, counsellors)."""

    SOCIAL_WORKER = "social_worker", pgettext_lazy("education", "Social worker")  # 社工
    LECTURER = "lecturer", pgettext_lazy("education", "Full-time lecturer")  # 专职讲师
    COUNSELLOR = "counsellor", pgettext_lazy("education", "Counsellor")  # 心理咨询师
    OFFICER = "officer", pgettext_lazy("education", "Justice officer")  # 司法行政干部
    GUEST = "guest", pgettext_lazy("education", "Guest speaker")  # 外请专家（法官、检察官、民警、医生）


class AttendanceStatus(models.TextChoices):
    EXPECTED = "expected", pgettext_lazy("education", "Not yet marked")
    PRESENT = "present", pgettext_lazy("education", "Present")
    ABSENT = "absent", pgettext_lazy("education", "Absent")
    EXCUSED = "excused", pgettext_lazy("education", "Excused")


class AttendanceMethod(models.TextChoices):
    ROSTER = "roster", pgettext_lazy("education", "Marked on the roster")
    SELF = "self", pgettext_lazy("education", "Self check-in on the phone")
    IMPORT = "import", pgettext_lazy("education", "Imported")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("education", "Draft")
    APPROVED = "approved", pgettext_lazy("education", "Approved")


def session_format(mode: str, stage: str) -> str:
    """The statistics format of a session: admission/release by stage, else the delivery mode."""
    if stage in (EducationStage.ADMISSION, EducationStage.RELEASE):
        return stage
    return mode
