"""Code tables of visits and investigations (走访调查); identifiers follow domain.md (a) Visits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VisitType(models.TextChoices):
    ROUTINE = "routine", _("Routine visit")  # 日常走访
    FOCUS = "focus", _("Focus visit")  # 重点走访
    SPECIAL = "special", _("Special visit")  # 特殊走访


class VisitMethod(models.TextChoices):
    PHONE_CHECK = "phone_check", _("Phone check")  # 电话（动态）问询
    OFFICE_VISIT = "office_visit", _("Office visit by the person")  # 来访
    SPOT_CHECK = "spot_check", _("Random spot check")  # 随机抽查
    LOCATION_CHECK = "location_check", _("Location check")  # 定位核查 / 手机定位监管
    FIELD_VISIT = "field_visit", _("Field visit")  # 实地走访


class FieldVisitTarget(models.TextChoices):
    HOME = "home", pgettext_lazy("visit target", "Home")  # 家庭
    VILLAGE_COMMUNITY = "village_community", _("Village or community")  # 村（社区）
    SCHOOL = "school", _("School")  # 学校
    EMPLOYER = "employer", _("Employer")  # 单位


class VisitOutcome(models.TextChoices):
    COMPLETED = "completed", pgettext_lazy("visit outcome", "Completed")  # 已走访（见到本人或完成核查）
    NOT_FOUND = "not_found", _("Person not reached")  # 未见到本人 / 联系不上


class RiskSign(models.TextChoices):
    """Warning signs a visitor may note; they feed interventions and follow-up tasks."""

    EMOTIONAL = "emotional", _("Emotional distress")  # 情绪异常
    FAMILY_CONFLICT = "family_conflict", _("Family conflict")  # 家庭矛盾
    FINANCIAL = "financial", _("Financial hardship")  # 生活困难
    UNEMPLOYED = "unemployed", _("Lost work")  # 失业
    BAD_COMPANY = "bad_company", _("Contact with criminal associates")  # 交往不良人员
    SUBSTANCE = "substance", _("Alcohol or drug abuse")  # 酗酒、涉毒
    RULE_BREACH = "rule_breach", _("Suspected breach of supervision rules")  # 疑似违反监管规定
    ABSENT = "absent", _("Not at the registered address")  # 人户分离
    SELF_HARM = "self_harm", _("Talk of self-harm")  # 自伤倾向
    OTHER = "other", pgettext_lazy("risk sign", "Other")


class InterventionKind(models.TextChoices):
    ADMONITION = "admonition", _("Admonition (训诫)")  # writes the discipline record
    PSYCH_REFERRAL = "psych_referral", _("Psychological referral")  # opens a counselling referral
    HARDSHIP_HELP = "hardship_help", _("Hardship help")  # records help, marks the family in hardship
    EDUCATION_TALK = "education_talk", _("Individual education talk")  # 个别教育谈话
    OTHER = "other", pgettext_lazy("intervention", "Other")


class HelpKind(models.TextChoices):
    CASH = "cash", _("Cash relief")  # 临时救助金
    MATERIAL = "material", _("Goods (rice, oil, clothing)")  # 慰问物资
    SOCIAL_ASSISTANCE = "social_assistance", _("Help applying for social assistance")  # 协助申请低保
    EMPLOYMENT = "employment", _("Job referral or skills training")  # 就业推荐、技能培训
    SCHOOLING = "schooling", _("Schooling help for children")  # 子女就学
    MEDICAL = "medical", _("Medical help")  # 医疗救助
    OTHER = "other", pgettext_lazy("help", "Other")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", pgettext_lazy("task status", "Cancelled")


class Entrant(models.TextChoices):
    """Which persons a visit standard applies to, by new-entrant status (新入矫)."""

    ANY = "any", _("New entrants and others")
    NEW = "new", _("New entrants only")
    NOT_NEW = "not_new", _("Not new entrants")


class PeriodUnit(models.TextChoices):
    MONTH = "month", _("calendar months")
    DAY = "day", _("days")


class QuotaUnit(models.TextChoices):
    """A quota counts visit records (人次) or distinct persons visited (人)."""

    VISITS = "visits", _("visits (person-times, 人次)")
    SUBJECTS = "subjects", _("distinct persons (人)")


class DueStatus(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due soon")
    DUE = "due", _("Due")
    DONE = "done", _("Done this period")
