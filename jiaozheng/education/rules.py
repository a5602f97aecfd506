"""Education parameters a province (or county) may change; defaults with their source labels (domain.md)."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.core.rules import non_negative_number, positive_int, register_rule

register_rule(
    "education.sessions_per_month_min",
    2,
    _("Education sessions each squadron (service area) holds a month, at least"),
    source="R: seed report, 分片区（中队）每月开展2-3场次",
    validate=positive_int,
)
register_rule(
    "education.sessions_per_month_max",
    3,
    _("Education sessions each squadron (service area) holds a month, at most"),
    source="R: seed report, 分片区（中队）每月开展2-3场次",
    validate=positive_int,
)
register_rule(
    "education.sessions_per_year",
    156,
    _("Education sessions a county holds in a contract year (used for the pace line)"),
    source="R: seed report, 全年累计开展156场次",
    validate=positive_int,
)
register_rule(
    "education.third_session_caseload",
    40,
    _("Persons in correction from which the plan helper proposes the maximum number of sessions"),
    source="D",
    validate=positive_int,
)
register_rule(
    "education.category_session_share",
    0.2,
    _("Share of a squadron's caseload in one offence category from which a session by category is proposed"),
    source="D (R: 根据不同片区、不同犯罪类型…分别确定教育课程)",
    validate=non_negative_number,
)
register_rule(
    "education.category_session_persons",
    3,
    _("Persons in one offence category needed for a session by category"),
    source="D",
    validate=positive_int,
)
register_rule(
    "education.release_window_days",
    30,
    _("Days before the end of the term within which a person is on release-education rosters"),
    source="S: Yifeng 2012, release education in the final month",
    validate=positive_int,
)
register_rule(
    "education.study_hours_strict",
    12,
    _("Study hours a month required of a person under strict supervision"),
    source="S: provincial example, 严管 ≥12 h/month study",
    validate=non_negative_number,
)
register_rule(
    "education.study_hours_ordinary",
    8,
    _("Study hours a month required of a person under ordinary supervision"),
    source="U: 2012 national rule, ≥8 h/month (provinces now set hours)",
    validate=non_negative_number,
)
register_rule(
    "education.study_hours_lenient",
    8,
    _("Study hours a month required of a person under lenient supervision"),
    source="U: 2012 national rule, ≥8 h/month (provinces now set hours)",
    validate=non_negative_number,
)
register_rule(
    "education.checkin_open_minutes",
    15,
    _("Minutes before a remote session starts from which persons may check in on the phone"),
    source="D",
    validate=non_negative_number,
)
register_rule(
    "education.checkin_close_minutes",
    30,
    _("Minutes after a remote session ends until which persons may still check in"),
    source="D",
    validate=non_negative_number,
)
register_rule(
    "education.absences_to_flag",
    2,
    _("Unexcused absences in a month after which the shortfall list suggests an admonition"),
    source="S: 2020 实施办法 as quoted (Wenzhou): misses education and is not corrected → 训诫",
    validate=positive_int,
)
