"""XLSX export of community-service activities with their participants."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiaozheng.community.models import Participation
from jiaozheng.core.scoping import scoped
from jiaozheng.education.exports import _header, _save, _workbook


def activities_xlsx(activities: Any, *, actor: Any) -> bytes:
    wb = _workbook()
    ws = wb.active
    ws.title = _("Activities")[:31]
    _header(
        ws,
        [
            _("Date"),
            _("Starts at"),
            _("Ends at"),
            _("Theme"),
            pgettext("community", "Kind"),
            _("Squadrons"),
            pgettext("community", "Place"),
            _("Organiser"),
            pgettext("community", "Hours"),
            _("Status"),
            _("Reason"),
            pgettext("community", "Approved"),
            _("Supervised persons"),
            _("Staff and volunteers"),
            _("Photos"),
        ],
    )
    from jiaozheng.community.selectors import with_participant_counts

    ids = []
    for a in with_participant_counts(activities):
        ids.append(a.pk)
        ws.append(
            [
                a.date,
                a.start_time.strftime("%H:%M"),
                a.end_time.strftime("%H:%M"),
                a.theme,
                a.get_kind_display(),
                "、".join(u.name for u in a.squadrons.all()) or _("Whole county"),
                a.place_label,
                a.organiser_name,
                float(a.hours),
                a.get_status_display(),
                a.get_cancel_reason_display() if a.cancel_reason else "",
                _("Yes") if a.approved_at else "",
                a.n_subjects,
                a.n_team,
                a.n_photos,
            ]
        )
    sheet = wb.create_sheet(_("Participants")[:31])
    _header(
        sheet,
        [
            _("Date"),
            _("Theme"),
            _("Participant type"),
            pgettext("community", "Name"),
            _("Case number"),
            _("Squadron"),
            _("Participation"),
            pgettext("community", "Hours"),
        ],
    )
    rows = (
        scoped(Participation, actor)
        .filter(activity_id__in=ids)
        .select_related("activity", "person", "person__squadron")
        .order_by("activity__date", "activity_id", "kind", "name")
    )
    for row in rows.iterator(chunk_size=2000):
        sheet.append(
            [
                row.activity.date,
                row.activity.theme,
                row.get_kind_display(),
                row.name,
                row.person.case_number if row.person_id else "",
                row.person.squadron.name if row.person_id else "",
                row.get_status_display(),
                float(row.hours),
            ]
        )
    return _save(wb)
