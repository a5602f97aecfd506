"""Kinds and statuses of the contract and funds records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FundCategory(models.TextChoices):
    """Budget categories of a purchased-service contract (the seed's expenditure lines)."""

    PERSONNEL = "personnel", _("Personnel")  # 人员开支（工资及五险一金）
    ASSESSMENT = "assessment", _("Psychological assessment")  # 心理测量评估费
    COUNSELLING = "counselling", _("Group and individual counselling")  # 团辅个案
    EDUCATION = "education", _("Education and study")  # 集中教育学习费
    COMMUNITY = "community", _("Community service")  # 社区服务费用
    VISITS = "visits", _("Visits and enquiries")  # 走访调查费用
    LOCATION = "location", _("Location service")  # 定位服务费
    TRAVEL_ADMIN_TAX = "travel_admin_tax", _("Travel, management and taxes")  # 差旅管理及相关税费
    OTHER = "other", pgettext_lazy("fund category", "Other")


class AdjustmentKind(models.TextChoices):
    PANDEMIC = "pandemic", _("Pandemic or force majeure")  # 疫情等不可抗力
    TARGETS = "targets", _("Change of targets")  # 指标调整
    PERIOD = "period", _("Change of period")  # 服务期限调整
    AMOUNT = "amount", _("Change of amount")  # 合同金额调整
    SCOPE = "scope", _("Change of service content")  # 服务内容调整
    OTHER = "other", pgettext_lazy("adjustment kind", "Other")


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")  # 待审批
    APPROVED = "approved", _("Approved")  # 已批准
    REJECTED = "rejected", _("Rejected")  # 未批准
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")  # 同意
    REJECT = "reject", _("Reject")  # 不同意
