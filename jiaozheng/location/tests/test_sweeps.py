"""Lost contact per supervision class; not reporting vs reporting but not moving vs cause known."""

from __future__ import annotations

import datetime as dt

import pytest
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


def _noon(days_back: int = 2) -> dt.datetime:
    """Local noon some days ago: sweeps are run at fixed local times, so the night window is known."""
    day = timezone.localdate() - dt.timedelta(days=days_back)
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_default_timezone())


def _silent_since(world, person, since, **last):
    """person has a phone whose last accepted report was at ``since``."""
    _device, token = enrol(world, person)
    post(token, [fix(*COUNTY_SEAT, cid=f"last-{person.pk}", **last)])
    LatestPosition.objects.filter(person=person).update(last_seen_at=since)
    return token


def test_one_alert_per_episode_rising_through_the_tiers(world):
    # given a strict-class person silent since noon
    Person.objects.filter(pk=world.person_a.pk).update(supervision_class="strict")
    base = _noon()
    _silent_since(world, world.person_a, base)
    # when the sweep runs 50 minutes later (strict: 15 min + 30 min grace)
    sweep_lost_contact(now=base + dt.timedelta(minutes=50))
    # then it is "not reporting", a low alert, not urgent
    (alert,) = Alert.objects.filter(person=world.person_a)
    assert (alert.alert_type, alert.tier, alert.severity) == (AlertType.DEVICE_OFFLINE, 1, AlertSeverity.LOW)
    # when it persists past three hours, the same alert becomes lost contact (high)
    sweep_lost_contact(now=base + dt.timedelta(hours=2))
    assert Alert.objects.get(pk=alert.pk).tier == 1
    result = sweep_lost_contact(now=base + dt.timedelta(hours=3, minutes=5))
    alert.refresh_from_db()
    assert result["escalated"] == 1 and result["raised"] == 0
    assert (alert.alert_type, alert.tier, alert.severity) == (AlertType.LOST_CONTACT, 2, AlertSeverity.HIGH)
    # when it lasts through the night (23:00-07:00 does not count) to 12 counted hours: absconding suspected
    sweep_lost_contact(now=base + dt.timedelta(hours=19))  # 07:00: 11 h counted
    assert Alert.objects.get(pk=alert.pk).tier == 2
    sweep_lost_contact(now=base + dt.timedelta(hours=20, minutes=5))
    alert.refresh_from_db()
    assert (alert.tier, alert.severity) == (3, AlertSeverity.URGENT)
    assert alert.title.startswith("疑似脱管") or "Absconding" in alert.title
    # then there was only ever one alert, with one event per step, and later sweeps add nothing
    sweep_lost_contact(now=base + dt.timedelta(days=2))
    assert Alert.objects.filter(person=world.person_a).count() == 1
    assert list(alert.events.values_list("kind", flat=True)) == ["raised", "evidence", "evidence"]


def test_the_first_tier_follows_each_class_interval(world):
    classes = {"person_a": "strict", "person_b": "ordinary", "subject_person": "lenient"}
    base = _noon()
    for key, cls in classes.items():
        Person.objects.filter(pk=world.persons[key].pk).update(supervision_class=cls)
        _silent_since(world, world.persons[key], base)
    sweep_lost_contact(now=base + dt.timedelta(minutes=50))
    assert _types(world.person_a) == [AlertType.DEVICE_OFFLINE]
    assert _types(world.person_b) == [] and _types(world.subject_person) == []
    sweep_lost_contact(now=base + dt.timedelta(minutes=70))
    assert _types(world.person_b) == [AlertType.DEVICE_OFFLINE] and _types(world.subject_person) == []
    sweep_lost_contact(now=base + dt.timedelta(minutes=100))
    assert _types(world.subject_person) == [AlertType.DEVICE_OFFLINE]
    assert not Alert.objects.filter(severity=AlertSeverity.URGENT).exists()


def test_night_hours_are_expected_silence(world):
    # given a strict-class person whose phone went quiet at 22:30
    Person.objects.filter(pk=world.person_a.pk).update(supervision_class="strict")
    evening = _noon() + dt.timedelta(hours=10, minutes=30)
    _silent_since(world, world.person_a, evening)
    # when the sweep runs at 06:30: eight hours, of which 30 minutes count
    assert sweep_lost_contact(now=evening + dt.timedelta(hours=8))["raised"] == 0
    # when it runs at 07:20, 50 minutes count: not reporting
    sweep_lost_contact(now=evening + dt.timedelta(hours=8, minutes=50))
    assert Alert.objects.get(person=world.person_a).evidence["counted_minutes"] == 50


def test_the_night_window_is_a_county_rule(world):
    from jiaozheng.core.models import RuleValue
    from jiaozheng.core.rules import clear_cache

    RuleValue.objects.create(key="location.night_quiet_hours", unit=world.county_x, value={})
    clear_cache()
    Person.objects.filter(pk=world.person_a.pk).update(supervision_class="strict")
    evening = _noon() + dt.timedelta(hours=10, minutes=30)
    _silent_since(world, world.person_a, evening)
    assert sweep_lost_contact(now=evening + dt.timedelta(hours=1))["raised"] == 1


def test_a_phone_charging_at_rest_is_expected_to_be_silent(world):
    base = _noon()
    _silent_since(world, world.person_b, base, charging=True, moving=False, battery=0.5)
    assert sweep_lost_contact(now=base + dt.timedelta(hours=7))["raised"] == 0
    # after the charging window (8 h) the silence counts
    sweep_lost_contact(now=base + dt.timedelta(hours=9, minutes=5))
    assert Alert.objects.filter(person=world.person_b).count() == 1


def test_a_declared_work_shift_is_expected_silence(world):
    from jiaozheng.location.services import expected_silence_add

    # given a strict-class person whose work shift (no phones on the site) is 08:00-16:00 every day
    Person.objects.filter(pk=world.person_a.pk).update(supervision_class="strict")
    base = _noon() - dt.timedelta(hours=4)  # 08:00
    expected_silence_add(
        actor=world.squadron_officer,
        person=world.person_a,
        reason="work_shift",
        schedule={"weekly": [{"days": [1, 2, 3, 4, 5, 6, 7], "start": "08:00", "end": "16:00"}]},
        start_on=base.date() - dt.timedelta(days=1),
        note="煤矿井下作业",
    )
    _silent_since(world, world.person_a, base)
    # when the sweep runs at 15:00, nothing; at 17:00 one counted hour: not reporting
    assert sweep_lost_contact(now=base + dt.timedelta(hours=7))["raised"] == 0
    sweep_lost_contact(now=base + dt.timedelta(hours=9))
    assert Alert.objects.get(person=world.person_a).evidence["counted_minutes"] == 60


def test_an_expected_silence_needs_valid_hours_and_changes_nothing_otherwise(world):
    from django.core.exceptions import ValidationError

    from jiaozheng.location.models import ExpectedSilence
    from jiaozheng.location.services import expected_silence_add

    with pytest.raises(ValidationError):
        expected_silence_add(
            actor=world.squadron_officer,
            person=world.person_a,
            reason="work_shift",
            schedule={"weekly": [{"days": [9], "start": "25:00", "end": "08:00"}]},
            start_on=timezone.localdate(),
        )
    assert not ExpectedSilence.objects.exists()


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
    base = _noon()
    _silent_since(world, world.person_a, base, battery=0.05, charging=False)
    # when the sweep runs two hours later
    sweep_lost_contact(now=base + dt.timedelta(hours=2))
    # then it is a low-battery alert with the cause, not 失联
    (alert,) = Alert.objects.filter(person=world.person_a)
    assert alert.alert_type == AlertType.LOW_BATTERY and alert.evidence["cause"] == "low_battery"
    # when the silence lasts more than the lost-contact tier (6 h for the ordinary class)
    sweep_lost_contact(now=base + dt.timedelta(hours=6, minutes=5))
    # then the same alert is 失联, with the likely cause attached
    assert _types(world.person_a) == [AlertType.LOST_CONTACT]
    alert.refresh_from_db()
    assert alert.evidence["cause"] == "low_battery" and alert.tier == 2


def test_a_phone_that_never_reported_is_offline_with_that_cause(world):
    # given a phone enrolled at noon but never set up
    device, _token = enrol(world, world.person_a)
    base = _noon()
    type(device).objects.filter(pk=device.pk).update(enrolled_at=base)
    LatestPosition.objects.filter(person=world.person_a).update(expected_since=base)
    # when the sweep runs an hour later (by day: no night window applies)
    sweep_lost_contact(now=base + dt.timedelta(hours=1))
    # then a device-offline alert says it never reported
    (alert,) = Alert.objects.filter(person=world.person_a)
    assert alert.alert_type == AlertType.DEVICE_OFFLINE and alert.evidence["cause"] == "never_reported"


def test_reports_resuming_close_the_episode_with_a_note(world):
    from jiaozheng.location import services

    # given a lost-contact alert that an officer acknowledged
    base = _noon()
    token = _silent_since(world, world.person_a, base)
    sweep_lost_contact(now=base + dt.timedelta(hours=7))
    (alert,) = Alert.objects.filter(person=world.person_a)
    assert alert.alert_type == AlertType.LOST_CONTACT
    services.alert_acknowledge(actor=world.squadron_officer, alert=alert, note="正在联系")
    # when the phone reports again and the sweep runs
    post(token, [fix(*COUNTY_SEAT, cid="new")])
    result = sweep_lost_contact()
    # then the episode is closed as "condition ended", with a note saying so
    alert.refresh_from_db()
    assert result["cleared"] == 1
    assert alert.status == AlertStatus.RESOLVED and alert.cleared_at is not None
    assert alert.outcome == "cleared" and alert.resolution_note
    assert alert.events.filter(kind="cleared").exists()


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
    base = _noon()
    for p in persons:
        _silent_since(world, p, base)
    Notification.objects.all().delete()
    # when the sweep runs seven hours later
    result = sweep_lost_contact(now=base + dt.timedelta(hours=7))
    # then fifteen alerts exist, each on the person's timeline, and the squadron officer got one message
    assert result["raised"] == 15
    assert Alert.objects.filter(person__in=persons, alert_type=AlertType.LOST_CONTACT).count() == 15
    assert all(p.timeline.filter(verb="location.alert_raised").exists() for p in persons)
    messages = Notification.objects.filter(recipient=world.squadron_officer, kind="location.sweep")
    assert messages.count() == 1 and "15" in messages.get().title
    assert not Notification.objects.filter(recipient=world.social_worker_b).exists()
