"""Background work: the sweep and the maintenance run through a real Huey queue (SQLite file and Redis);
the periodic schedule; partitions created on demand and dropped by retention."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from huey import RedisHuey, SqliteHuey
from huey.consumer import Worker

from jiaozheng.location import partitions, storage, tasks
from jiaozheng.location.choices import AlertType
from jiaozheng.location.models import Alert, Fix, LatestPosition
from jiaozheng.location.testing import enrol
from jiaozheng.location.tests.conftest import COUNTY_SEAT, fix, post


def _silent_person(world):
    _device, token = enrol(world, world.person_a)
    post(token, [fix(*COUNTY_SEAT, cid="last")])
    LatestPosition.objects.filter(person=world.person_a).update(
        last_seen_at=timezone.now() - dt.timedelta(hours=30)  # lost contact whatever the night window
    )


def _run_one(huey) -> None:
    """One step of a Huey worker: dequeue the next task and execute it."""
    worker = Worker(huey, threading.Event(), default_delay=0.01, max_delay=0.1, backoff=1.15)
    worker.loop()


def _sweep_through(huey, world):
    # given a person silent for three hours
    _silent_person(world)
    sweep = huey.task(name="location.sweep")(tasks.run_sweep)
    # when the sweep is enqueued and a worker runs it
    pending = sweep()
    assert not Alert.objects.exists()  # nothing happens until a worker takes it
    _run_one(huey)
    # then the person has a lost-contact alert and the task's result says so
    assert Alert.objects.filter(person=world.person_a, alert_type=AlertType.LOST_CONTACT).count() == 1
    assert pending.get(blocking=True, timeout=5)["raised"] == 1


def test_sweep_through_a_sqlite_huey_queue(world, tmp_path):
    huey = SqliteHuey(name=f"jz-location-{uuid.uuid4().hex}", filename=str(tmp_path / "queue.db"))
    _sweep_through(huey, world)


def test_sweep_through_a_redis_huey_queue(world):
    huey = RedisHuey(name=f"jz-location-test-{uuid.uuid4().hex}", host="127.0.0.1", port=6379)
    try:
        huey.storage.conn.ping()
    except Exception:  # pragma: no cover - Redis runs on these machines (.ci/run starts it)
        pytest.fail("Redis is not running on 127.0.0.1:6379")
    try:
        _sweep_through(huey, world)
    finally:
        huey.storage.flush_all()


def test_maintenance_ends_devices_of_released_persons_through_the_queue(world, tmp_path):
    # given a released person whose phone is still enrolled
    device, _token = enrol(world, world.person_a)
    from jiaozheng.people.models import Person

    Person.objects.filter(pk=world.person_a.pk).update(status="released", released_on=timezone.localdate())
    huey = SqliteHuey(name=f"jz-location-{uuid.uuid4().hex}", filename=str(tmp_path / "queue.db"))
    maintenance = huey.task(name="location.maintenance")(tasks.run_maintenance)
    # when the maintenance task is enqueued and run by a worker
    result = maintenance()
    _run_one(huey)
    # then the device has ended and its token no longer works
    device.refresh_from_db()
    assert device.status == "ended"
    assert result.get(blocking=True, timeout=5)["devices_ended"] == 1


def test_the_periodic_schedule():
    # given the project's Huey instance; then the four periodic tasks are registered on it
    from huey.contrib.djhuey import HUEY

    names = {t.name for t in HUEY._registry.periodic_tasks}
    assert {"lost_contact_sweep", "coverage_daily", "location_maintenance", "location_retention"} <= names
    sweep = next(t for t in HUEY._registry.periodic_tasks if t.name == "lost_contact_sweep")
    # and the sweep runs every five minutes
    assert sweep.validate_datetime(dt.datetime(2026, 1, 1, 10, 5))
    assert not sweep.validate_datetime(dt.datetime(2026, 1, 1, 10, 7))


def _old_row(world, device, when):
    return (
        world.person_a.county_id,
        world.person_a.pk,
        device.pk,
        f"old{when:%Y%m}",
        when,
        when,
        27.9,
        110.6,
        10.0,
        None,
        None,
        None,
        None,
        None,
        None,
        1,
        1,
        0,
        None,
    )


def test_retention_drops_old_months_and_keeps_recent_ones(world):
    # given fixes of 30 months ago and of today
    device, token = enrol(world, world.person_a)
    old = timezone.now() - dt.timedelta(days=30 * 31)
    partitions.ensure_for_times([old])
    storage.copy_rows([_old_row(world, device, old)])
    post(token, [fix(*COUNTY_SEAT, cid="today")])
    assert Fix.objects.count() == 2
    # when retention runs for 24 months (dry run first)
    cutoff = partitions.add_months(partitions.month_start(timezone.localdate()), -24)
    preview = partitions.drop_before(cutoff, dry_run=True)
    assert preview and Fix.objects.count() == 2
    dropped = partitions.drop_before(cutoff)
    # then only today's fix remains
    assert dropped == preview
    assert list(Fix.objects.values_list("client_id", flat=True)) == ["today"]
    if connection.vendor == "postgresql":
        assert partitions.partition_name(partitions.month_start(old.date())) in dropped


def test_the_partition_command_refuses_to_drop_the_current_month(world, capsys):
    # given the command; when asked to drop everything up to next month
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command(
            "location_partitions", "--drop-before", (timezone.localdate() + dt.timedelta(days=40)).isoformat()
        )
    # and a listing works on either database
    call_command("location_partitions")
    assert "retention rule" in capsys.readouterr().out


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_fix_for_a_month_without_partition_creates_it(world):
    # given a phone whose buffer holds a fix from a month whose partition was dropped
    device, token = enrol(world, world.person_a)
    when = timezone.now() - dt.timedelta(days=50)
    month = partitions.month_start(when.astimezone(dt.UTC).date())
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{partitions.partition_name(month)}"')
    assert month not in partitions.existing_partitions()
    # when it is sent
    response = post(token, [fix(*COUNTY_SEAT, minutes_ago=50 * 24 * 60, cid="buffered")])
    # then the partition is created on demand and the fix is stored
    assert response.json()["stored"] == 1
    assert month in partitions.existing_partitions()
