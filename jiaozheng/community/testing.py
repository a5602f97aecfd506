"""Access-matrix factories of community service."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from jiaozheng.community.choices import ActivityStatus, ParticipantKind, ParticipationStatus
from jiaozheng.community.models import Activity, ActivityPhoto, Participation, Venue, Volunteer
from jiaozheng.core.testing.matrix import object_factory


def make_activity_at(world, where, *, status=ActivityStatus.HELD, days_ago=1, with_person=True):
    squadron = world.squadron("A" if where == "subject" else where)
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    activity = Activity.objects.create(
        county=squadron.county,
        theme="环境卫生清扫",
        kind="cleaning",
        place="县城广场",
        date=day,
        start_time=dt.time(8, 30),
        end_time=dt.time(11, 30),
        hours=Decimal("3.0"),
        organiser_name="社工",
        status=status,
    )
    activity.squadrons.set([squadron])
    if with_person:
        person = world.person(where)
        Participation.objects.create(
            activity=activity,
            county_id=activity.county_id,
            kind=ParticipantKind.SUBJECT,
            person=person,
            name=person.name,
            status=ParticipationStatus.PRESENT,
            hours=Decimal("3.0"),
        )
    return activity


@object_factory("community.Activity")
def make_activity(world, where):
    return make_activity_at(world, where)


@object_factory("community.Participation")
def make_participation(world, where):
    activity = make_activity_at(world, where, with_person=False)
    person = world.person(where)
    return Participation.objects.create(
        activity=activity,
        county_id=activity.county_id,
        kind=ParticipantKind.SUBJECT,
        person=person,
        name=person.name,
        status=ParticipationStatus.PRESENT,
        hours=Decimal("3.0"),
    )


def tiny_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


@object_factory("community.ActivityPhoto")
def make_photo(world, where):
    activity = make_activity_at(world, where, with_person=False)
    photo = ActivityPhoto(activity=activity, name="p.jpg", width=8, height=8, sha256="0" * 64)
    data = tiny_jpeg()
    photo.image.save("p.jpg", ContentFile(data), save=False)
    photo.thumb.save("t.jpg", ContentFile(data), save=False)
    photo.save()
    return photo


@object_factory("community.Venue")
def make_venue(world, where):
    squadron = None if where == "subject" else world.squadron(where)
    return Venue.objects.create(
        county=world.county(where), squadron=squadron, name=f"敬老院{where}", kind="nursing_home"
    )


@object_factory("community.Volunteer")
def make_volunteer(world, where):
    squadron = None if where == "subject" else world.squadron(where)
    return Volunteer.objects.create(
        county=world.county(where), squadron=squadron, name=f"志愿者{where}", kind="volunteer"
    )
