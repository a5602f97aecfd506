"""Community service: venues, the volunteer team, activities, participants, hours and photos."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from jiaozheng.community import services
from jiaozheng.community.models import Activity, ActivityPhoto, Participation, Venue
from jiaozheng.community.tests.helpers import activity_data, held_activity

pytestmark = pytest.mark.django_db


def test_an_activity_is_planned_approved_held_and_its_participants_credited(world):
    venue = services.venue_create(
        actor=world.bureau_admin,
        county=world.county_x,
        data={
            "name": "县敬老院",
            "kind": "nursing_home",
            "contact_name": "刘院长",
            "contact_phone": "0745-3221234",
        },
    )
    volunteer = services.volunteer_create(
        actor=world.bureau_admin,
        county=world.county_x,
        data={"name": "向老师", "kind": "volunteer", "organisation": "小学教师", "phone": "13807451234"},
    )
    day = timezone.localdate() + dt.timedelta(days=2)
    activity = services.activity_create(
        actor=world.social_worker,
        data=activity_data(
            world, day=day, venue=venue, place="", kind="elder_care", theme="敬老院慰问", hours="3"
        ),
    )
    # persons added before the day are invited; hours come when they take part
    added = services.participants_add_persons(
        actor=world.social_worker, activity=activity, persons=[world.person_a, world.subject_person]
    )
    assert {r.status for r in added} == {"invited"} and all(r.hours == 0 for r in added)
    rows = sorted(added, key=lambda r: r.person_id != world.person_a.pk)  # person_a first
    services.participant_add_member(actor=world.social_worker, activity=activity, volunteer=volunteer)
    services.participant_add_member(actor=world.social_worker, activity=activity, user=world.squadron_officer)
    # only justice staff approve
    with pytest.raises(PermissionDenied):
        services.activity_approve(actor=world.social_worker, activity=activity)
    services.activity_approve(actor=world.squadron_officer, activity=activity)
    # it cannot be held nor marked before it starts
    with pytest.raises(ValidationError):
        services.activity_hold(actor=world.social_worker, activity=activity)
    with pytest.raises(ValidationError):
        services.participation_mark(actor=world.social_worker, participation=rows[0], status="present")
    # two days later it took place: person_a served 3 h, the subject was absent
    Activity.objects.filter(pk=activity.pk).update(date=timezone.localdate() - dt.timedelta(days=1))
    activity.refresh_from_db()
    services.activity_hold(actor=world.social_worker, activity=activity, summary="顺利")
    services.participation_mark(actor=world.social_worker, participation=rows[0], status="present")
    services.participation_mark(actor=world.social_worker, participation=rows[1], status="absent")
    marked = {p.person_id: (p.status, p.hours) for p in Participation.objects.filter(person__isnull=False)}
    assert marked == {
        world.person_a.pk: ("present", Decimal("3.0")),
        world.subject_person.pk: ("absent", Decimal("0")),
    }
    kinds = sorted(Participation.objects.filter(person__isnull=True).values_list("kind", flat=True))
    assert kinds == ["officer", "volunteer"]
    # and a person who took part stays on record
    with pytest.raises(ValidationError):
        services.participation_remove(actor=world.social_worker, participation=rows[0])


def test_only_eligible_persons_of_the_organising_squadrons_take_part(world):
    activity = held_activity(world)
    with pytest.raises(ValidationError):
        services.participants_add_persons(
            actor=world.bureau_admin, activity=activity, persons=[world.person_b]
        )
    with pytest.raises(ValidationError):
        services.participants_add_persons(actor=world.bureau_admin, activity=activity, persons=[])
    services.participants_add_persons(
        actor=world.bureau_admin, activity=activity, persons=[world.person_a], hours="2.5"
    )
    assert Participation.objects.get().hours == Decimal("2.5")
    with pytest.raises(ValidationError):
        services.participants_add_persons(
            actor=world.bureau_admin, activity=activity, persons=[world.person_a]
        )


def test_cancelled_activities_need_a_reason_and_take_no_one(world):
    activity = services.activity_create(
        actor=world.social_worker, data=activity_data(world, day=timezone.localdate() + dt.timedelta(days=3))
    )
    with pytest.raises(ValidationError):
        services.activity_cancel(actor=world.social_worker, activity=activity, reason="other")
    services.activity_cancel(actor=world.social_worker, activity=activity, reason="pandemic")
    with pytest.raises(ValidationError):
        services.participants_add_persons(
            actor=world.social_worker, activity=activity, persons=[world.person_a]
        )


def test_bad_activity_data_is_refused_and_changes_nothing(world):
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            actor=world.social_worker,
            data=activity_data(
                world, place="", theme="", kind="party", end_time=dt.time(7), squadrons=[world.squadron_b]
            ),
        )
    assert {"place", "theme", "kind", "end_time", "squadrons"} <= set(exc.value.message_dict)
    assert not Activity.objects.exists()


def test_squadron_rows_are_hidden_from_other_squadrons(world):
    activity = held_activity(world, persons=[world.person_a])
    row = Participation.objects.get()
    with pytest.raises(Http404):
        services.participation_mark(actor=world.social_worker_b, participation=row, status="absent")
    own_venue = services.venue_create(
        actor=world.social_worker,
        data={"name": "城东社区", "kind": "community", "squadron": world.squadron_a},
    )
    assert not Venue.objects.visible_to(world.social_worker_b).filter(pk=own_venue.pk).exists()
    with pytest.raises(ValidationError):
        services.venue_create(actor=world.social_worker, data={"name": "全县广场", "kind": "park"})
    with pytest.raises(Http404):
        services.activity_hold(actor=world.bureau_officer_y, activity=activity)


def _jpeg_with_gps() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (1200, 800), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (27.0, 54.0, 30.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_photos_are_validated_re_encoded_without_metadata_and_served_in_scope(world, login):
    from PIL import Image

    activity = held_activity(world)
    with pytest.raises(ValidationError):
        services.photo_add(
            actor=world.social_worker,
            activity=activity,
            upload=SimpleUploadedFile("x.jpg", b"GIF89a not a photo", "image/jpeg"),
        )
    photo = services.photo_add(
        actor=world.social_worker,
        activity=activity,
        caption="现场",
        upload=SimpleUploadedFile("IMG_1.jpg", _jpeg_with_gps(), "image/jpeg"),
    )
    stored = Image.open(photo.image.open("rb"))
    assert stored.format == "JPEG" and not stored.getexif() and (photo.width, photo.height) == (1200, 800)
    with pytest.raises(ValidationError):  # the same photo twice
        services.photo_add(
            actor=world.social_worker,
            activity=activity,
            upload=SimpleUploadedFile("IMG_1.jpg", _jpeg_with_gps(), "image/jpeg"),
        )
    response = login(world.social_worker).get(f"/community/photos/{photo.pk}/thumb.jpg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert login(world.social_worker_b).get(f"/community/photos/{photo.pk}/full.jpg").status_code == 404
    assert ActivityPhoto.objects.count() == 1


def test_the_activity_pages_add_and_mark_participants(world, login):
    activity = held_activity(world)
    client = login(world.social_worker)
    page = client.get(f"/community/activities/{activity.pk}/")
    assert page.status_code == 200 and page.context["n_candidates"] == 2
    client.post(
        f"/community/activities/{activity.pk}/do/persons/", {"persons": [world.person_a.pk], "hours": "3"}
    )
    row = Participation.objects.get()
    response = client.post(
        f"/community/participations/{row.pk}/mark/", {"status": "absent"}, HTTP_HX_REQUEST="true"
    )
    assert response.content.decode().startswith(f'<tr id="part-{row.pk}">')
    row.refresh_from_db()
    assert (row.status, row.hours) == ("absent", Decimal("0"))
    export = client.get("/community/activities/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
