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


class SanctionKind(models.TextChoices):
    """考核奖惩 decisions (L art. 28) and the proposals to the court or deciding authority (L art. 33, 46-49)."""

    COMMENDATION = "commendation", _("Commendation")  # 表扬
    ADMONITION = "admonition", _("Admonition")  # 训诫
    WARNING = "warning", _("Warning")  # 警告
    REVOCATION = "revocation", _("Proposal to revoke probation or parole")  # 提请撤销缓刑/假释
    COMMITTAL = "committal", _("Proposal of committal to prison")  # 提请收监执行
    REDUCTION = "reduction", _("Proposal of sentence reduction")  # 提请减刑


PROPOSAL_KINDS = (SanctionKind.REVOCATION, SanctionKind.COMMITTAL, SanctionKind.REDUCTION)


class SanctionGround(models.TextChoices):
    """The conditions of domain.md (c) (2020 实施办法 as quoted; S) a decision rests on."""

    MERITS = "merits", _("In correction long enough and meets the four conditions")
    DEED = "deed", _("Outstanding deed (e.g. a brave act)")
    LATE_REPORT = "late_report", _("Late report or out of supervision")
    MINOR_BREACH = "minor_breach", _("Minor breach of the reporting, visitor, travel or residence rules")
    MISSED_EDUCATION = "missed_education", _("Missed education and not corrected after education")
    BAN_BREACH = "ban_breach", _("Breach of a prohibition order")
    SERIOUS_BREACH = (
        "serious_breach",
        _("Serious breach of the reporting, visitor, travel or residence rules"),
    )
    REEXAM_MISSED = "reexam_missed", _("Medical re-examinations not submitted after education")
    TWO_ADMONITIONS = "two_admonitions", _("Admonitions and still not corrected")
    TWO_WARNINGS = "two_warnings", _("Warnings and still not corrected")
    AFTER_POLICE_PENALTY = "after_police_penalty", _("Not corrected after a public-security penalty")
    CONDITION_ENDED = "condition_ended", _("The conditions of execution outside prison no longer exist")
    REMORSE = "remorse", _("Genuine remorse shown")
    MERITORIOUS = "meritorious", _("Meritorious service")
    OTHER_MINOR = "other_minor", _("Other minor breach")
    OTHER_SERIOUS = "other_serious", _("Other serious breach")


G = SanctionGround
GROUNDS_BY_KIND = {
    SanctionKind.COMMENDATION: (G.MERITS, G.DEED),
    SanctionKind.ADMONITION: (G.LATE_REPORT, G.MINOR_BREACH, G.MISSED_EDUCATION, G.OTHER_MINOR),
    SanctionKind.WARNING: (
        G.BAN_BREACH,
        G.LATE_REPORT,
        G.SERIOUS_BREACH,
        G.REEXAM_MISSED,
        G.TWO_ADMONITIONS,
        G.OTHER_SERIOUS,
    ),
    SanctionKind.REVOCATION: (
        G.BAN_BREACH,
        G.LATE_REPORT,
        G.AFTER_POLICE_PENALTY,
        G.TWO_WARNINGS,
        G.OTHER_SERIOUS,
    ),
    SanctionKind.COMMITTAL: (G.CONDITION_ENDED, G.REEXAM_MISSED, G.TWO_WARNINGS, G.OTHER_SERIOUS),
    SanctionKind.REDUCTION: (G.REMORSE, G.MERITORIOUS),
}


class SanctionStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("sanction", "Awaiting the county's decision")
    DECIDED = "decided", pgettext_lazy("sanction", "Decided")
    SUBMITTED = "submitted", pgettext_lazy("sanction", "Awaiting the ruling")
    REFUSED = "refused", pgettext_lazy("sanction", "Not taken")
    RULED = "ruled", pgettext_lazy("sanction", "Ruled")


class Ruling(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REJECTED = "rejected", _("Rejected")


class PermitKind(models.TextChoices):
    """Approvals decided by the county agency (domain.md (b) rows 9 and the 禁止令 exceptions)."""

    VISITOR = "visitor", _("Meeting a restricted person")  # 会客
    SPECIAL_PLACE = "special_place", _("Entering a prohibited place")  # 进入特定场所


class PermitStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("permit", "Requested")
    APPROVED = "approved", pgettext_lazy("permit", "Approved")
    REFUSED = "refused", pgettext_lazy("permit", "Refused")


class RelocationStatus(models.TextChoices):
    """迁居 / 变更执行地 (domain.md (b) row 11): each step has its due date."""

    REQUESTED = "requested", pgettext_lazy("relocation", "Consulting the receiving county")
    CONSULTED = "consulted", pgettext_lazy("relocation", "Awaiting the receiving county's reply")
    REPLIED = "replied", pgettext_lazy("relocation", "Awaiting the decision")
    APPROVED = "approved", pgettext_lazy("relocation", "Approved: files and arrival awaited")
    REFUSED = "refused", pgettext_lazy("relocation", "Refused")
    ARRIVED = "arrived", pgettext_lazy("relocation", "Reported to the new county")
