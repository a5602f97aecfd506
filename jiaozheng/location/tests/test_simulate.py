"""The phone simulator through the real ingestion and sweep: scripted events raise their alerts, an
ordinary day of ordinary phones raises nothing urgent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiaozheng.audit.context import acting_as
from jiaozheng.core.testing.world import person_data
from jiaozheng.location.models import Alert, Fix
from jiaozheng.location.simulate import Simulation, clock
from jiaozheng.location.testing import enrol
from jiaozheng.location.tests.conftest import COUNTY_SEAT
from jiaozheng.orgs.services import system_user
from jiaozheng.people.services import person_create


def test_a_simulated_day_and_a_half_raises_the_scripted_alerts_and_nothing_urgent_else(world):
    persons = [
        person_create(
            actor=world.bureau_admin, data=person_data(squadron=world.squadron_a, township=world.township_a)
        )
        for _ in range(8)
    ]
    rows = []
    for p in persons:
        device, _token = enrol(world, p)
        rows.append((p.pk, p.county_id, device.pk, p.supervision_class))
    day = timezone.localdate() - dt.timedelta(days=3)
    scripts = {persons[0].pk: "fake_gps", persons[1].pk: "breach", persons[2].pk: "absconder"}
    sim = Simulation(
        rows,
        centre=COUNTY_SEAT,
        scripts=scripts,
        script_days={"fake_gps": day, "breach": day, "absconder": day},
        radius_km=5,
        mountain_share=0,
    )
    start = dt.datetime.combine(day, dt.time(6), tzinfo=timezone.get_default_timezone())
    with acting_as(system_user(), "job"):
        sim.run(start, start + dt.timedelta(hours=30))
    # the fake-GPS phone and the breach raised theirs at once, in the request that completed them
    assert Alert.objects.filter(person=persons[0], alert_type="mock_location").exists()
    assert Alert.objects.filter(person=persons[1], alert_type="geofence_breach").exists()
    assert sim.events[persons[0].pk].raised_at is not None
    # the breach closed itself when the person came back
    assert Alert.objects.get(person=persons[1], alert_type="geofence_breach").cleared_at is not None
    # the absconder's silence is one episode, now lost contact at least
    (episode,) = Alert.objects.filter(person=persons[2])
    assert episode.alert_type == "lost_contact" and episode.tier >= 2
    # every phone reported, nothing was stored twice, and nobody else is urgent
    assert Fix.objects.filter(person__in=persons[3:]).values("person").distinct().count() == 5
    assert not Alert.objects.filter(person__in=persons[3:], severity="urgent").exists()


def test_the_living_demo_keeps_phones_reporting_only_where_the_rule_is_on(world):
    from jiaozheng.core.models import RuleValue
    from jiaozheng.core.rules import clear_cache
    from jiaozheng.location import demo
    from jiaozheng.location.tasks import run_simulated_phones

    phones = [enrol(world, p)[0] for p in (world.person_a, world.person_b, world.subject_person)]
    # off by default: nothing happens
    assert run_simulated_phones() == 0 and not Fix.objects.exists()
    # the demo loader's rule: the fake-GPS phone and a person left to their prepared story
    RuleValue.objects.create(
        key="location.simulated_phones",
        unit=world.county_x,
        value={"fake_gps": world.person_a.pk, "exclude": [world.subject_person.pk]},
    )
    clear_cache()
    demo._LIVE.clear()
    morning = dt.datetime.combine(
        timezone.localdate() - dt.timedelta(days=1), dt.time(10), tzinfo=timezone.get_default_timezone()
    )
    try:
        with clock(morning):
            assert run_simulated_phones() >= 1
        reporting = set(Fix.objects.values_list("device_id", flat=True))
        assert phones[2].pk not in reporting and reporting <= {phones[0].pk, phones[1].pk}
        assert reporting
        # the next tick five minutes later goes on from where the phones were, storing nothing twice
        before = Fix.objects.count()
        later = morning + dt.timedelta(minutes=40)
        with clock(later):
            demo.live_tick(world.county_x.pk, {}, now=later)
        assert Fix.objects.count() > before
        assert (
            Fix.objects.values("device_id", "client_id", "fix_time").distinct().count() == Fix.objects.count()
        )
    finally:
        demo._LIVE.clear()
