"""XLSX exports of education: sessions with their attendance, and the monthly hours (shortfall) list."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiaozheng.core.scoping import scoped
from jiaozheng.education.choices import AttendanceStatus
from jiaozheng.education.models import Attendance


def _workbook():
    from openpyxl import Workbook

    return Workbook()


def _header(ws: Any, headers: list[str]) -> None:
    from openpyxl.styles import Font

    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"


def _save(wb: Any) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sessions_xlsx(sessions: Any, *, actor: Any) -> bytes:
    """Sheet 1: the sessions (counts over the whole roster); sheet 2: the attendance rows the actor sees."""
    wb = _workbook()
    ws = wb.active
    ws.title = pgettext("education", "Sessions")[:31]
    _header(
        ws,
        [
            _("Date"),
            _("Starts at"),
            _("Ends at"),
            _("Theme"),
            _("Topic category"),
            _("Format"),
            _("Stage"),
            _("Squadrons"),
            pgettext("education", "Place"),
            _("Online link"),
            _("Lecturer"),
            _("Lecturer type"),
            _("Hours credited"),
            _("Status"),
            _("Reason"),
            _("Roster"),
            _("Present"),
            _("Absent"),
            _("Excused"),
        ],
    )
    counted = sessions.annotate(
        n_roster=Count("attendances"),
        n_present=Count("attendances", filter=Q(attendances__status=AttendanceStatus.PRESENT)),
        n_absent=Count("attendances", filter=Q(attendances__status=AttendanceStatus.ABSENT)),
        n_excused=Count("attendances", filter=Q(attendances__status=AttendanceStatus.EXCUSED)),
    )
    ids = []
    for s in counted:
        ids.append(s.pk)
        ws.append(
            [
                s.date,
                s.start_time.strftime("%H:%M"),
                s.end_time.strftime("%H:%M"),
                s.title,
                s.get_category_display(),
                s.get_mode_display(),
                s.get_stage_display(),
                "、".join(u.name for u in s.squadrons.all()) or _("Whole county"),
                s.place,
                s.online_link,
                s.lecturer_name,
                s.get_lecturer_kind_display(),
                float(s.hours),
                s.get_status_display(),
                s.get_cancel_reason_display() if s.cancel_reason else "",
                s.n_roster,
                s.n_present,
                s.n_absent,
                s.n_excused,
            ]
        )
    sheet = wb.create_sheet(_("Attendance")[:31])
    _header(
        sheet,
        [
            _("Date"),
            _("Theme"),
            _("Case number"),
            pgettext("education", "Name"),
            _("Squadron"),
            _("Attendance"),
            pgettext("education", "Recorded by"),
            _("Hours credited"),
            pgettext("education", "Score"),
            _("Checked in at"),
        ],
    )
    rows = (
        scoped(Attendance, actor)
        .filter(session_id__in=ids)
        .select_related("session", "person", "person__squadron")
        .order_by("session__date", "session_id", "person__name")
    )
    for row in rows.iterator(chunk_size=2000):
        sheet.append(
            [
                row.session.date,
                row.session.title,
                row.person.case_number,
                row.person.name,
                row.person.squadron.name,
                row.get_status_display(),
                row.get_method_display(),
                float(row.hours),
                float(row.score) if row.score is not None else None,
                timezone.localtime(row.checked_in_at).strftime("%Y-%m-%d %H:%M") if row.checked_in_at else "",
            ]
        )
    return _save(wb)


def hours_xlsx(report: Any, *, everyone: bool = True) -> bytes:
    wb = _workbook()
    ws = wb.active
    ws.title = f"{report.month:%Y-%m}"
    _header(
        ws,
        [
            _("Case number"),
            pgettext("education", "Name"),
            _("Squadron"),
            _("Supervision class"),
            _("Days in correction"),
            _("Study hours required"),
            _("Study hours done"),
            _("Study hours short"),
            _("Public-welfare hours required"),
            _("Public-welfare hours done"),
            _("Public-welfare hours short"),
            _("Sessions attended"),
            _("Unexcused absences"),
            _("Excused absences"),
        ],
    )
    for r in report.rows if everyone else report.short_rows:
        ws.append(
            [
                r.person.case_number,
                r.person.name,
                r.person.squadron.name,
                r.get_supervision_class_display(),
                r.days,
                float(r.study_required),
                float(r.study_done),
                float(r.study_short),
                float(r.service_required),
                float(r.service_done),
                float(r.service_short),
                r.sessions_present,
                r.absences,
                r.excused,
            ]
        )
    return _save(wb)
