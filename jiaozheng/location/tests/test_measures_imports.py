"""The measures (installations, persons with a device, electronic-supervision rate) and the import of
historical installations."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiaozheng.core.imports import run_import
from jiaozheng.core.measures import MeasureContext, get_measure
from jiaozheng.location.models import Device, InstallRecord
from jiaozheng.location.testing import enrol
from jiaozheng.people.models import Person


def _ctx(world, start, end):
    return MeasureContext((world.county_x.pk,), start, end)


def test_measures_count_installs_and_the_coverage_at_the_end_of_the_period(world):
    # given four persons in correction in county X, two of them with a phone (one replaced once)
    enrol(world, world.person_a)
    enrol(world, world.person_a)  # a new phone: a second installation (人次)
    enrol(world, world.person_b)
    today = timezone.localdate()
    ctx = _ctx(world, today.replace(month=1, day=1), today)
    # when the measures are computed for this year
    installs = get_measure("location.installs").compute(ctx)
    with_device = get_measure("location.persons_with_device").compute(ctx)
    rate = get_measure("location.esupervision_rate").compute(ctx)
    # then installs count person-times, coverage counts persons, and the rate is a fraction
    in_correction = Person.objects.filter(county=world.county_x, status="in_correction").count()
    assert installs == 3
    assert with_device == 2
    assert rate == 2 / in_correction
    # and a period that ended before the phones existed has no coverage
    past = _ctx(world, today - dt.timedelta(days=60), today - dt.timedelta(days=30))
    assert get_measure("location.persons_with_device").compute(past) == 0
    assert get_measure("location.installs").compute(past) == 0


def _csv(rows):
    header = "身份证号,案件编号,安装日期,停用日期,定位APP,手机型号,备注\n"
    return (header + "\n".join(rows) + "\n").encode("utf-8")


def test_import_of_past_installations(world):
    # given a file with two installations of person A (a phone replaced) and one of person B
    a, b = world.person_a, world.person_b
    day = timezone.localdate() - dt.timedelta(days=20)
    content = _csv(
        [
            f"{a.id_number},,{day - dt.timedelta(days=30)},,其他,红米 Note 8,首次",
            f",{a.case_number},{day},,,华为 nova 5,换机",
            f"{b.id_number},,{day},{day + dt.timedelta(days=5)},,,",
        ]
    )
    # when it is imported by a bureau officer
    result = run_import(
        actor=world.bureau_officer, kind="location_installs", name="installs.csv", content=content
    )
    # then three installation records exist, the replaced phone ended when the next one came
    assert result.ok, result.errors
    assert InstallRecord.objects.filter(source="import").count() == 3
    first, second = Device.objects.filter(person=a, imported=True).order_by("enrolled_at")
    assert first.status == "ended" and timezone.localtime(first.ended_at).date() == day
    assert second.status == "active" and second.token_hash is None
    assert Device.objects.get(person=b).status == "ended"
    kinds = list(
        InstallRecord.objects.filter(person=a).order_by("installed_on").values_list("kind", flat=True)
    )
    assert kinds == ["first", "reinstall"]


def test_an_import_with_a_bad_row_writes_nothing(world):
    # given a file whose second row names an unknown person and whose third row ends before it starts
    day = timezone.localdate() - dt.timedelta(days=3)
    content = _csv(
        [
            f"{world.person_a.id_number},,{day},,,,",
            f"431224199001010000,,{day},,,,",
            f"{world.person_b.id_number},,{day},{day - dt.timedelta(days=1)},,,",
        ]
    )
    # when imported
    result = run_import(actor=world.bureau_officer, kind="location_installs", name="x.csv", content=content)
    # then nothing is written and each problem is reported with its row
    assert not result.ok
    assert {e.row for e in result.errors} == {3, 4}
    assert not InstallRecord.objects.exists() and not Device.objects.exists()


def test_out_of_scope_persons_cannot_be_imported(world):
    # given a file naming a person of county Y; when a county X officer imports it
    content = _csv([f"{world.person_y.id_number},,{timezone.localdate()},,,,"])
    result = run_import(actor=world.bureau_officer, kind="location_installs", name="y.csv", content=content)
    # then the person is not found in the officer's area and nothing is written
    assert not result.ok
    message = result.errors[0].message
    assert "范围" in message or "area" in message
    assert not InstallRecord.objects.exists()
