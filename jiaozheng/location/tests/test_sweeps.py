"""Lost contact per supervision class; not reporting vs reporting but not moving vs cause known."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiaozheng.core.models import Notification
from jiaozheng.location.choices import AlertSeverity, AlertStatus, AlertType, PresenceState
from jiaozheng.location.models import Alert, Device, LatestPosition
from jiaozheng.location.selectors import presence
from jiaozheng.location.sweeps import sweep_lost_contact
from jiaozheng.location.testing import enrol
from jiaozheng.location.tests.conftest import COUNTY_SEAT, fix, post
from jiaozheng.people.models import Person


def _types(person):
    return sorted(Alert.objects.filter(person=person).values_list("alert_type", flat=True))


def test_lost_contact_follows_each_class_interval(world):
    # given three persons, strict, ordinary and lenient, who all reported just now
    classes = {"person_a": "strict", "person_b": "ordinary", "subject_person": "lenient"}
    tokens = {}
    for key, cls in classes.items():
        Person.objects.filter(pk=world.persons[key].pk).update(supervision_class=cls)
        tokens[key] = enrol(world, world.persons[key])[1]
        post(tokens[key], [fix(*COUNTY_SEAT, cid=f"{key}-1")])
    now = timezone.now()
    # when the sweep runs 50 minutes later (strict: 15 min + 30 min grace)
    sweep_lost_contact(now=now + dt.timedelta(minutes=50))
    # then only the strict person has lost contact, as an urgent alert
    assert _types(world.person_a) == [AlertType.LOST_CONTACT]
    assert Alert.objects.get(person=world.person_a).severity == AlertSeverity.URGENT
    assert _types(world.person_b) == [] and _types(world.subject_person) == []
    # when it runs at 70 and 100 minutes (ordinary: 60, lenient: 90)
    sweep_lost_contact(now=now + dt.timedelta(minutes=70))
    assert _types(world.person_b) == [AlertType.LOST_CONTACT] and _types(world.subject_person) == []
    sweep_lost_contact(now=now + dt.timedelta(minutes=100))
    assert _types(world.subject_person) == [AlertType.LOST_CONTACT]
    # then later sweeps add nothing: one open alert per person
    sweep_lost_contact(now=now + dt.timedelta(minutes=300))
    assert Alert.objects.count() == 3


def test_reporting_but_not_moving_is_not_an_alert(world):
    # given a person at home whose phone reports every ten minutes from the same place for three hours
    _device, token = enrol(world, world.person_b)
    base = timezone.now()
    lat, lon = COUNTY_SEAT
    for i in range(18):
        post(token, [fix(lat + (i % 2) * 0.0001, lon, minutes_ago=180 - 10 * i, cid=f"s{i}", moving=False)])
    # when the sweep runs
    result = sweep_lost_contact(now=base + dt.timedelta(minutes=5))
    # then nothing is raised, and the person shows as reporting but not moving
    assert result["raised"] == 0 and not Alert.objects.exists()
    latest = LatestPosition.objects.get(person=world.person_b)
    device = Device.objects.get(person=world.person_b, status="active")
    state, _cause = presence(latest=latest, device=device, supervision_class="ordinary", now=base)
    assert state == PresenceState.STILL


def test_a_flat_battery_is_a_known_cause_until_it_lasts_too_long(world):
    # given a person whose last report showed 5 % battery, not charging
    _device, token = enrol(world, world.person_a)
    post(token, [fix(*COUNTY_SEAT, cid="last", battery=0.05, charging=False)])
    now = timezone.now()
    # when the sweep runs two hours later
    sweep_lost_contact(now=now + dt.timedelta(hours=2))
    # then it is a low-battery alert with the cause, not 失联
    (alert,) = Alert.objects.filter(person=world.person_a)
    assert alert.alert_type == AlertType.LOW_BATTERY and alert.evidence["cause"] == "low_battery"
    # when the silence lasts more than four hours
    sweep_lost_contact(now=now + dt.timedelta(hours=5))
    # then it is 失联 as well, with the likely cause attached
    assert _types(world.person_a) == [AlertType.LOST_CONTACT, AlertType.LOW_BATTERY]
    lost = Alert.objects.get(person=world.person_a, alert_type=AlertType.LOST_CONTACT)
    assert lost.evidence["cause"] == "low_battery"


def test_a_phone_that_never_reported_is_offline_with_that_cause(world):
    # given a phone enrolled but never set up
    enrol(world, world.person_a)
    # when the sweep runs an hour later
    sweep_lost_contact(now=timezone.now() + dt.timedelta(hours=1))
    # then a device-offline alert says it never reported
    (alert,) = Alert.objects.filter(person=world.person_a)
    assert alert.alert_type == AlertType.DEVICE_OFFLINE and alert.evidence["cause"] == "never_reported"


def test_reports_resuming_clear_the_alert(world):
    # given a lost-contact alert
    _device, token = enrol(world, world.person_a)
    post(token, [fix(*COUNTY_SEAT, minutes_ago=120, cid="old")])
    LatestPosition.objects.filter(person=world.person_a).update(
        last_seen_at=timezone.now() - dt.timedelta(hours=2)
    )
    sweep_lost_contact()
    (alert,) = Alert.objects.filter(person=world.person_a)
    assert alert.alert_type == AlertType.LOST_CONTACT
    # when the phone reports again and the sweep runs
    post(token, [fix(*COUNTY_SEAT, cid="new")])
    result = sweep_lost_contact()
    # then the untouched alert is closed as "condition ended"
    alert.refresh_from_db()
    assert result["cleared"] == 1
    assert alert.status == AlertStatus.RESOLVED and alert.cleared_at is not None


def test_persons_without_a_device_or_out_of_correction_are_left_alone(world):
    # given a person with a device who has been released, and persons without devices
    _device, token = enrol(world, world.person_a)
    Person.objects.filter(pk=world.person_a.pk).update(status="released")
    # when the sweep runs much later
    result = sweep_lost_contact(now=timezone.now() + dt.timedelta(days=1))
    # then nobody is alerted
    assert result["raised"] == 0 and not Alert.objects.exists()


def test_many_silent_persons_are_raised_in_bulk_with_one_message_per_staff_member(world):
    # given fifteen persons of squadron A who enrolled phones and went quiet
    from jiaozheng.core.testing.world import person_data
    from jiaozheng.people.services import person_create

    persons = [
        person_create(
            actor=world.bureau_admin, data=person_data(squadron=world.squadron_a, township=world.township_a)
        )
        for _ in range(15)
    ]
    for p in persons:
        _device, token = enrol(world, p)
        post(token, [fix(*COUNTY_SEAT, cid=f"p{p.pk}")])
    Notification.objects.all().delete()
    # when the sweep runs two hours later
    result = sweep_lost_contact(now=timezone.now() + dt.timedelta(hours=2))
    # then fifteen alerts exist, each on the person's timeline, and the squadron officer got one message
    assert result["raised"] == 15
    assert Alert.objects.filter(person__in=persons, alert_type=AlertType.LOST_CONTACT).count() == 15
    assert all(p.timeline.filter(verb="location.alert_raised").exists() for p in persons)
    messages = Notification.objects.filter(recipient=world.squadron_officer, kind="location.sweep")
    assert messages.count() == 1 and "15" in messages.get().title
    assert not Notification.objects.filter(recipient=world.social_worker_b).exists()
