"""方案 · 留档 · 反思 of a session: the plan before, the photos and the sign-in sheet, the reflection after."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from jiaozheng.education import services
from jiaozheng.education.models import Session
from jiaozheng.education.tests.helpers import held_session, make_session

pytestmark = pytest.mark.django_db

PLAN = {
    "plan_aims": "认罪悔罪，增强法治意识",
    "plan_content": "《社区矫正法》第二十三条",
    "plan_method": "讲授与讨论",
    "plan_speaker": "周婷",
    "plan_materials": "投影仪；应急疏散通道",
}


def _photo(colour=(200, 10, 10)) -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "PNG")
    return SimpleUploadedFile("现场.png", out.getvalue())


def _pdf_text(pdf: bytes) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_the_plan_is_written_before_and_the_reflection_after(world):
    session = make_session(world, days=3)
    # a reflection before the session is held is refused
    with pytest.raises(ValidationError):
        services.session_reflect(actor=world.social_worker, session=session, text="很好")
    services.session_plan_save(actor=world.social_worker, session=session, data=PLAN)
    session.refresh_from_db()
    assert session.plan_aims == PLAN["plan_aims"] and session.plan_written_by == world.social_worker
    # a plan without content is refused and changes nothing
    with pytest.raises(ValidationError):
        services.session_plan_save(
            actor=world.social_worker, session=session, data={**PLAN, "plan_content": " "}
        )
    session.refresh_from_db()
    assert session.plan_content == PLAN["plan_content"]


def test_a_held_session_takes_a_reflection_and_keeps_its_plan(world):
    session = held_session(world, present=(world.person_a,))
    with pytest.raises(ValidationError):
        services.session_plan_save(actor=world.social_worker, session=session, data=PLAN)
    with pytest.raises(ValidationError):
        services.session_reflect(actor=world.social_worker, session=session, text="  ")
    services.session_reflect(actor=world.social_worker, session=session, text="讨论热烈，下次增加案例")
    session.refresh_from_db()
    assert session.reflection.startswith("讨论热烈") and session.reflection_at is not None


def test_photos_are_added_once_each(world):
    session = held_session(world, present=(world.person_a,))
    photo = services.session_photo_add(
        actor=world.social_worker, session=session, upload=_photo(), caption="现场"
    )
    assert photo.image.name.endswith(".jpg") and photo.thumb.name
    with pytest.raises(ValidationError):
        services.session_photo_add(actor=world.social_worker, session=session, upload=_photo())
    with pytest.raises(ValidationError):
        services.session_photo_add(
            actor=world.social_worker, session=session, upload=SimpleUploadedFile("x.jpg", b"not a photo")
        )
    assert session.photos.count() == 1


def test_the_sign_in_sheet_is_blank_before_and_filled_after(world, login):
    session = make_session(world, days=3)
    client = login(world.social_worker)
    response = client.get(f"/education/sessions/{session.pk}/signin.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    blank = _pdf_text(response.content)
    assert "签到表" in blank and "甲某" in blank and "本人" in blank and "签名" in blank
    assert "出席" not in blank
    Session.objects.filter(pk=session.pk).update(date=session.date.replace(year=session.date.year - 1))
    session.refresh_from_db()
    services.session_hold(actor=world.social_worker, session=session)
    row = session.attendances.get(person=world.person_a)
    services.attendance_mark(actor=world.social_worker, attendance=row, status="present")
    filled = _pdf_text(client.get(f"/education/sessions/{session.pk}/signin.pdf").content)
    assert "甲某" in filled and "签名" not in filled


def test_the_detail_page_writes_the_plan_and_shows_the_photos(world, login):
    session = make_session(world, days=3)
    client = login(world.social_worker)
    response = client.post(f"/education/sessions/{session.pk}/do/plan/", PLAN, follow=True)
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.plan_speaker == "周婷"
    response = client.post(
        f"/education/sessions/{session.pk}/do/photo/", {"image": _photo(), "caption": "布置"}, follow=True
    )
    photo = session.photos.get()
    assert f"/education/session-photos/{photo.pk}/thumb.jpg" in response.content.decode()
    assert client.get(f"/education/session-photos/{photo.pk}/full.jpg").status_code == 200
    # another county's staff cannot see it
    other = login(world.bureau_officer_y)
    assert other.get(f"/education/session-photos/{photo.pk}/full.jpg").status_code == 404
