"""Supervision parameters (domain.md (b)); each default records its source label (L/S/U/D)."""

from typing import Any

from django.core.exceptions import ValidationError

from jiaozheng.core.rules import positive_int, register_rule

# Deadline kinds counted by the working-days calendar unless listed in ``supervision.calendar_day_deadlines``.
DEADLINE_KINDS = ("investigation", "investigation_summary", "sanction_decision", "permit_decision")


def _deadline_kinds(value: Any) -> None:
    if not isinstance(value, list) or any(v not in DEADLINE_KINDS for v in value):
        raise ValidationError(f"must be a list drawn from {DEADLINE_KINDS}, got {value!r}")


register_rule(
    "supervision.investigation_working_days",
    10,
    "调查评估: working days from the commission to the 调查评估意见书 (2020 实施办法, not checked).",
    "U",
    positive_int,
)
register_rule(
    "supervision.investigation_summary_working_days",
    5,
    "调查评估 in 速裁 (summary) cases: working days from the commission to the opinion (2020 实施办法, not checked).",
    "U",
    positive_int,
)
register_rule(
    "supervision.calendar_day_deadlines",
    [],
    "Deadline kinds counted in calendar days rather than working days (the others skip public holidays "
    "and weekends and count adjusted working Saturdays). The 2020 实施办法 counts the investigation in "
    "working days (not checked).",
    "U",
    _deadline_kinds,
)
register_rule(
    "supervision.travel_squadron_max_days",
    7,
    "外出: longest trip (days) the 司法所 may approve on delegation; longer ones go to the county "
    "(2020 实施办法, not checked; 2012 rule the same).",
    "U",
    positive_int,
)
register_rule(
    "supervision.travel_per_approval_max_days",
    30,
    "外出: longest trip (days) one approval may cover; longer goes to the next level up (2020 实施办法, not checked).",
    "U",
    positive_int,
)
register_rule(
    "supervision.travel_window_months",
    2,
    "外出: the window (months) in which approved travel days are added up (2020 实施办法, not checked).",
    "U",
    positive_int,
)
register_rule(
    "supervision.travel_window_max_days",
    30,
    "外出: most travel days within the window before the next level up decides (2020 实施办法, not checked).",
    "U",
    positive_int,
)
register_rule(
    "supervision.release_notice_days",
    30,
    "解矫: days ahead of the term end a person appears on the due list (the law sets no figure; our choice).",
    "D",
    positive_int,
)
register_rule(
    "supervision.sanction_decision_days",
    7,
    "考核奖惩: days the county agency has to decide on the 司法所's findings (the law sets no figure; our "
    "choice, so that an open step has a due date).",
    "D",
    positive_int,
)
register_rule(
    "supervision.proposal_ruling_days",
    30,
    "提请撤销缓刑/假释, 收监执行, 减刑: days the court or deciding authority has to rule after the proposal "
    "(L art. 33, 46-49).",
    "L",
    positive_int,
)
register_rule(
    "supervision.revocation_days_out",
    30,
    "提请撤销缓刑: out of supervision for more than this many days ('more than one month' read as 30 days; "
    "2020 实施办法 as quoted, S).",
    "S",
    positive_int,
)
register_rule(
    "supervision.permit_decision_working_days",
    5,
    "会客 / 进入特定场所: working days the county agency has to decide a request (the law sets no figure; "
    "our choice, so that an open step has a due date).",
    "D",
    positive_int,
)
register_rule(
    "supervision.relocation_consult_days",
    5,
    "迁居 / 变更执行地: days to send the consultation to the receiving county after the application "
    "(2020 实施办法, not checked).",
    "U",
    positive_int,
)
register_rule(
    "supervision.relocation_reply_days",
    5,
    "迁居 / 变更执行地: days the receiving county has to reply (2020 实施办法, not checked).",
    "U",
    positive_int,
)
register_rule(
    "supervision.relocation_files_days",
    5,
    "迁居 / 变更执行地: days to hand the file over after the decision (2020 实施办法, not checked; 2012: 3 "
    "working days).",
    "U",
    positive_int,
)
register_rule(
    "supervision.relocation_arrival_days",
    7,
    "迁居 / 变更执行地: days the person has to report to the new county after the decision (2020 实施办法, "
    "not checked; 2012 the same).",
    "U",
    positive_int,
)
register_rule(
    "supervision.reexam_interval_months",
    3,
    "暂予监外执行 (保外就医): months between medical re-examinations the person must submit (provincial "
    "practice as reported, S).",
    "S",
    positive_int,
)
register_rule(
    "supervision.reexam_notice_days",
    14,
    "暂予监外执行: days ahead of a re-examination's due date the person appears on the due list (our choice).",
    "D",
    positive_int,
)
