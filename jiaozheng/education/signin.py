"""The printable sign-in sheet (签到表) of a session: blank before it is held (the names of the persons
expected), filled after (who was present, absent or excused, hours and check-in time)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jiaozheng.core.pdf import template_pdf
from jiaozheng.education.choices import SessionStatus
from jiaozheng.education.models import Attendance, Session


def signin_context(session: Session, rows: Iterable[Attendance]) -> dict[str, Any]:
    filled = session.status == SessionStatus.HELD
    return {
        "session": session,
        "rows": list(rows),
        "filled": filled,
        "squadrons": list(session.squadrons.all()),
    }


def signin_pdf(session: Session, rows: Iterable[Attendance]) -> bytes:
    return template_pdf("education/signin_pdf.html", signin_context(session, rows))


def signin_filename(session: Session) -> str:
    return f"signin-{session.date:%Y%m%d}-{session.pk}.pdf"
