"""Demo part of face check-in.

Reference photos are personal data the demo does not have: the only photo enrolled is a face shipped
inside an installed package (scikit-image's astronaut.png, or matplotlib's grace_hopper.jpg if
scikit-image is missing), for the demo account ``subject``'s person, marked as a test image. Every other
person in the caseload stays "no reference photo", which is what a county sees before enrolment; the
board shows them so.

The person's last days are replayed through the real services: scheduled and random check-ins issued by
the scheduler at their times, answered with synthetic frames of the test image that perform (or fail)
the challenge, verified by dlib, one missed, one failed and reviewed by the squadron officer. A check-in
is left waiting for today, so that logging in as ``subject`` on a phone shows it.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.utils import timezone

from jiaozheng.audit.context import acting_as
from jiaozheng.checkins import services, synthetic
from jiaozheng.checkins.choices import PhotoSource, RequestStatus
from jiaozheng.checkins.models import CheckinRequest
from jiaozheng.core.demo import DemoContext

ORDER = 45
HISTORY_DAYS = 4
FRAMES = 4  # per attempt (the phone sends 6; fewer keep the demo fast)


def _test_face() -> tuple[str, Any] | None:
    for name in (synthetic.ASTRONAUT, synthetic.GRACE_HOPPER):
        if synthetic.shipped_face_path(name) is not None:
            return name, synthetic.shipped_face(name)
    return None


def load(ctx: DemoContext) -> None:
    subject = ctx.objects.get("subject_user")
    if subject is None or subject.person_id is None:
        ctx.say("face check-in: no demo subject, skipped")
        return
    found = _test_face()
    if found is None:
        ctx.say("face check-in: no shipped face image installed, no reference photo enrolled")
        return
    name, rgb = found
    started = time.monotonic()
    person = subject.person
    officer = ctx.objects["staff"]["lufeng_officer"]
    with acting_as(officer, "cli"):
        services.reference_enrol(
            actor=officer,
            person=person,
            image=synthetic.to_bytes(rgb, "PNG"),
            source=PhotoSource.TEST_IMAGE,
            note=f"测试图像：{synthetic.SHIPPED_FACE_LABELS[name]}，不是本人照片；正式使用前请采集本人照片。",
        )
    frames = _frame_sets(rgb)
    counts = _replay_history(ctx, person, subject, officer, frames)
    with acting_as(officer, "cli"):
        services.request_create(
            actor=officer,
            person=person,
            window_minutes=24 * 60,
            note="演示：请用手机登录 subject 账号完成签到",
        )
    ctx.say(
        f"face check-in: test image enrolled for {person.name}; {counts['requests']} past check-ins "
        f"({counts['match']} matched, {counts['missed']} missed, {counts['failed']} failed), 1 waiting "
        f"[{time.monotonic() - started:.1f} s]"
    )


def _frame_sets(rgb: Any) -> dict[str, list[str]]:
    """Base64 frames per challenge ("still": a photo held up), made on first use."""
    import base64

    class Sets(dict):
        def __missing__(self, kind: str) -> list[str]:
            images = (
                synthetic.still_frames(rgb, FRAMES)
                if kind == "still"
                else synthetic.challenge_frames(rgb, kind, FRAMES)
            )
            self[kind] = [base64.b64encode(synthetic.to_bytes(i, quality=85)).decode() for i in images]
            return self[kind]

    return Sets()


def _replay_history(
    ctx: DemoContext, person: Any, subject: Any, officer: Any, frames: dict[str, list[str]]
) -> dict[str, int]:
    """Issue and answer the person's check-ins of the last few days, at their times."""
    from jiaozheng.checkins.scheduling import schedule_for, slots_on
    from jiaozheng.core.rules import rule

    counts = {"requests": 0, "match": 0, "missed": 0, "failed": 0}
    now = timezone.now()
    schedule_rules = (
        rule("checkins.schedule_by_class", person.county_id),
        rule("checkins.random_per_week", person.county_id),
        rule("checkins.random_hours", person.county_id),
    )
    position = services.Position(person.home_latitude or 27.908, person.home_longitude or 110.595, 18.0)
    plan: list[tuple[Any, str]] = []
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = ctx.today - dt.timedelta(days=days_ago)
        schedule = schedule_for(person.supervision_class, None, day, *schedule_rules)
        for slot in slots_on(person.pk, day, schedule):
            plan.append((slot, ""))
    # What happens to each: mostly a match; one photo held up (fails, reviewed), one missed, one retry.
    if plan:
        plan[len(plan) // 2] = (plan[len(plan) // 2][0], "missed")
        plan[1 % len(plan)] = (plan[1 % len(plan)][0], "photo")
        if len(plan) > 3:
            plan[-2] = (plan[-2][0], "retry")
    for slot, fate in plan:
        if slot.at >= now:
            continue
        with acting_as(subject, "cli"):
            services.requests_issue_due(
                slot.at + dt.timedelta(minutes=1), persons=[person], notify_persons=False
            )
        req = CheckinRequest.objects.filter(person=person, slot=slot.key).first()
        if req is None:
            continue
        counts["requests"] += 1
        answered = req.issued_at + dt.timedelta(minutes=ctx.rng.randrange(2, 25))
        if fate == "missed":
            with acting_as(officer, "job"):
                services.requests_expire_overdue(req.due_at + dt.timedelta(minutes=1))
            counts["missed"] += 1
            continue
        attempts = {"photo": ["still"] * 3, "retry": ["still", req.challenge]}.get(fate, [req.challenge])
        with acting_as(subject, "api"):
            for i, kind in enumerate(attempts):
                services.attempt_submit(
                    actor=subject,
                    request_id=req.pk,
                    frames=frames[kind],
                    position=position,
                    user_agent="Mozilla/5.0 (Linux; Android 12) demo",
                    now=answered + dt.timedelta(minutes=2 * i),
                )
        req.refresh_from_db()
        if req.status == RequestStatus.COMPLETED:
            counts["match"] += 1
        elif req.status == RequestStatus.FAILED:
            counts["failed"] += 1
            with acting_as(officer, "cli"):
                services.review_record(
                    actor=officer,
                    request=req,
                    decision="match",
                    note="当日视频通话核实为本人在家；签到时对着照片拍摄，已教育其按提示完成动作。",
                )
    return counts
