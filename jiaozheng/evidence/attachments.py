"""What each kind of counted record brings into the evidence pack besides its listing row.

A record's attachments are its photos, its sign-in sheet, its vouchers, and a short text file with its plan,
archive and feedback (方案 · 留档 · 反馈). Files are streamed from storage (never read whole); generated
files (a sign-in sheet) are small and made one at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Attachment:
    name: str  # file name inside the record's folder
    field: Any = None  # a FieldFile streamed from storage
    make: Callable[[], bytes] | None = None  # or bytes generated on demand
    compress: bool = True


def _session(obj: Any) -> Iterator[Attachment]:
    from jiaozheng.education.models import Attendance
    from jiaozheng.education.signin import signin_pdf

    yield Attachment("record.txt", make=lambda: _session_text(obj).encode("utf-8"))
    rows = (
        Attendance.objects.filter(session=obj)
        .select_related("person", "person__squadron")
        .order_by("person__squadron__sort_order", "person__name", "id")
    )
    yield Attachment("signin.pdf", make=lambda: signin_pdf(obj, rows))
    for photo in obj.photos.all().order_by("uploaded_at", "id"):
        yield Attachment(f"photo-{photo.pk}.jpg", field=photo.image, compress=False)


def _feedback_line(kind: str, pk: int) -> str:
    from jiaozheng.feedback.selectors import activity_figures

    figures = activity_figures(kind, pk)
    if not figures:
        return "参与者反馈：无"
    return (
        f"参与者反馈：应答 {figures['responses']} / 出席 {figures['present']}，"
        f"平均分 {figures['mean'] if figures['mean'] is not None else '—'}，满意 {figures['satisfied']}"
    )


def _session_text(s: Any) -> str:
    from jiaozheng.education.choices import AttendanceStatus

    present = s.attendances.filter(status=AttendanceStatus.PRESENT).count()
    lines = [
        f"教育学习场次 #{s.pk}：{s.title}",
        f"日期：{s.date:%Y-%m-%d} {s.start_time:%H:%M}–{s.end_time:%H:%M}  地点：{s.place_label}",
        f"状态：{s.get_status_display()}  出席：{present}  学时：{s.hours}",
        "",
        "【方案】",
        f"目的：{s.plan_aims or '—'}",
        f"内容：{s.plan_content or '—'}",
        f"方法：{s.plan_method or '—'}",
        f"主讲：{s.plan_speaker or s.lecturer_name or '—'}",
        f"物资与安全：{s.plan_materials or '—'}",
        "",
        "【留档】",
        f"记录：{s.summary or '—'}",
        f"照片：{s.photos.count()} 张；签到表：signin.pdf",
        "",
        "【反馈】",
        _feedback_line("education.session", s.pk),
        f"社工反思：{s.reflection or '—'}",
    ]
    return "\n".join(lines) + "\n"


def _activity(obj: Any) -> Iterator[Attachment]:
    for photo in obj.photos.all().order_by("uploaded_at", "id"):
        yield Attachment(f"photo-{photo.pk}.jpg", field=photo.image, compress=False)


def _expenditure(obj: Any) -> Iterator[Attachment]:
    for voucher in obj.vouchers.all().order_by("id"):
        ext = voucher.file.name.rsplit(".", 1)[-1] if "." in voucher.file.name else "bin"
        yield Attachment(
            f"voucher-{voucher.pk}.{ext}", field=voucher.file, compress=ext not in ("jpg", "png")
        )


HANDLERS: dict[str, Callable[[Any], Iterator[Attachment]]] = {
    "education.Session": _session,
    "community.Activity": _activity,
    "contracts.Expenditure": _expenditure,
}


def attachments_for(obj: Any) -> Iterator[Attachment]:
    handler = HANDLERS.get(obj._meta.label)
    if handler is None:
        return iter(())
    return handler(obj)
