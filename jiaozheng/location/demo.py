"""Demo of location supervision: phones for about 95 % of the caseload (the elderly and those without a
smartphone excepted, as the seed report says), two and a half days of plausible fixes, a handful of alerts
raised by the real pipeline (ingestion, geofences, the lost-contact sweep), an approved trip, a forbidden
zone; and for the 2020 contract year exactly 255 installation records of the 2020 cohort (the seed's
"定位服务255人次").
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from jiaozheng.audit.context import acting_as
from jiaozheng.core.demo import DemoContext

ORDER = 40

INSTALLS_2020 = 255
ELDERLY_AGE = 65
NO_SMARTPHONE_SHARE = 0.03
HISTORY_HOURS = 60  # fixes from the last two and a half days

ACK_NOTES = {
    "admonished": "已电话联系，本人称去鹤城区办事，要求立即返回并到司法所说明情况。",
    "forbidden": "已电话联系本人，约定明日到司法所说明情况。",
}

# Places outside 溆浦县 (WGS-84): the neighbouring 鹤城区 and 长沙市芙蓉区.
HECHENG = (27.55, 109.998)
CHANGSHA = (28.196, 112.982)


@dataclass
class Plan:
    """A person's day: home, a daytime place, and how they move."""

    home: tuple[float, float]
    day_place: tuple[float, float] | None
    leave: float  # hour of day
    back: float
    interval: int  # minutes between reports
    drain: float = 0.045  # battery used per hour
    errands: tuple[tuple[float, float, tuple[float, float]], ...] = ()  # (start hour, hours, place)


def _offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return lat + north_m / 110_574.0, lon + east_m / (111_320.0 * math.cos(math.radians(lat)))


def _jitter(rng: random.Random, point: tuple[float, float], metres: float) -> tuple[float, float]:
    return _offset(point[0], point[1], rng.gauss(0, metres), rng.gauss(0, metres))


def _interval(person: Any) -> int:
    return {"strict": 15, "ordinary": 30, "lenient": 60}.get(person.supervision_class, 30)


def _plan(rng: random.Random, person: Any) -> Plan:
    home = (person.home_latitude, person.home_longitude)
    township = person.township
    if person.employment in ("employed", "self_employed", "student") and township and township.latitude:
        day_place = _jitter(rng, (township.latitude, township.longitude), 500)
    elif person.employment in ("farming", "migrant_worker"):
        day_place = _offset(home[0], home[1], rng.uniform(-1500, 1500), rng.uniform(-1500, 1500))
    else:
        day_place = None
    errands = tuple(
        (
            rng.uniform(9.0, 20.5),
            rng.uniform(0.4, 1.2),
            _offset(home[0], home[1], rng.uniform(-2500, 2500), rng.uniform(-2500, 2500)),
        )
        for _ in range(rng.choice([1, 2, 3]))
    )
    return Plan(
        home,
        day_place,
        rng.uniform(7.0, 8.7),
        rng.uniform(16.8, 19.0),
        _interval(person),
        drain=rng.uniform(0.025, 0.06),
        errands=errands,
    )


def _fix_at(rng: random.Random, plan: Plan, t: dt.datetime, battery: float, seq: int) -> dict[str, Any]:
    local = timezone.localtime(t)
    hour = local.hour + local.minute / 60
    moving, speed = False, 0.0
    if plan.day_place is None or hour < plan.leave or hour >= plan.back + 0.5:
        place = plan.home
    elif hour < plan.leave + 0.5:  # on the way
        k = (hour - plan.leave) / 0.5
        place = (
            plan.home[0] + (plan.day_place[0] - plan.home[0]) * k,
            plan.home[1] + (plan.day_place[1] - plan.home[1]) * k,
        )
        moving, speed = True, rng.uniform(3, 12)
    elif hour < plan.back:
        place = plan.day_place
    else:
        k = (hour - plan.back) / 0.5
        place = (
            plan.day_place[0] + (plan.home[0] - plan.day_place[0]) * k,
            plan.day_place[1] + (plan.home[1] - plan.day_place[1]) * k,
        )
        moving, speed = True, rng.uniform(3, 12)
    for begin, hours, target in plan.errands:  # out on an errand: there and back, moving
        if begin <= hour < begin + hours:
            k = (hour - begin) / hours
            k = 2 * k if k < 0.5 else 2 * (1 - k)
            place = (place[0] + (target[0] - place[0]) * k, place[1] + (target[1] - place[1]) * k)
            moving, speed = True, rng.uniform(1, 9)
    roll = rng.random()
    if roll < 0.85:
        source, accuracy = "gps", rng.uniform(4, 25)
    elif roll < 0.96:
        source, accuracy = "fused", rng.uniform(30, 90)
    else:
        source, accuracy = "cell", rng.uniform(300, 1200)
    lat, lon = _jitter(rng, place, accuracy / 2)
    return {
        "id": f"d{seq}",
        "time": t,
        "lat": round(lat, 6),
        "lon": round(lon, 6),
        "accuracy": round(accuracy, 1),
        "speed": round(speed, 1),
        "battery": round(battery, 2),
        "charging": hour >= 23 or hour < 6.5,
        "moving": moving,
        "source": source,
    }


def _battery(t: dt.datetime, drain: float) -> float:
    local = timezone.localtime(t)
    hour = local.hour + local.minute / 60
    if hour >= 23 or hour < 6.5:
        return 0.95
    return max(0.16, 1.0 - (hour - 6.5) * drain)


def _track(rng: random.Random, plan: Plan, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    out = []
    t = start + dt.timedelta(minutes=rng.uniform(0, plan.interval))
    seq = 0
    while t < end:
        out.append(_fix_at(rng, plan, t, _battery(t, plan.drain), seq))
        seq += 1
        t += dt.timedelta(minutes=plan.interval * rng.uniform(0.85, 1.15))
    return out


# --- writing ---------------------------------------------------------------------------------------------


def _bulk_fixes(person: Any, device: Any, fixes: list[dict[str, Any]], fences: Any) -> dict[str, Any]:
    """Rows for the bulk load of an ordinary person's days (classified against the county fence), and the
    values of the person's latest row."""
    import numpy as np

    from jiaozheng.location.choices import FixSource, Protocol
    from jiaozheng.location.models import FLAG_APPROXIMATE

    epoch = np.array([f["time"].timestamp() for f in fixes])
    lat = np.array([f["lat"] for f in fixes])
    lon = np.array([f["lon"] for f in fixes])
    acc = np.array([f["accuracy"] for f in fixes])
    flags = fences.classify(epoch, lon, lat, acc).flags()
    sources = {"gps": FixSource.GPS, "fused": FixSource.FUSED, "cell": FixSource.CELL}
    rows = []
    for f, flag in zip(fixes, flags, strict=True):
        bits = int(flag) | (FLAG_APPROXIMATE if f["source"] == "cell" else 0)
        rows.append(
            (
                person.county_id,
                person.pk,
                device.pk,
                f["id"],
                f["time"],
                f["time"] + dt.timedelta(seconds=5),
                f["lat"],
                f["lon"],
                f["accuracy"],
                None,
                f["speed"],
                None,
                f["battery"],
                f["charging"],
                f["moving"],
                int(sources[f["source"]]),
                int(Protocol.DEMO),
                bits,
                None,
            )
        )
    last = fixes[-1]
    still_since = last["time"]
    for f in reversed(fixes):
        if abs(f["lat"] - last["lat"]) < 0.001 and abs(f["lon"] - last["lon"]) < 0.001:
            still_since = f["time"]
        else:
            break
    latest = {
        "fix_time": last["time"],
        "received_at": last["time"] + dt.timedelta(seconds=5),
        "last_seen_at": last["time"] + dt.timedelta(seconds=5),
        "latitude": last["lat"],
        "longitude": last["lon"],
        "accuracy": last["accuracy"],
        "speed": last["speed"],
        "battery": last["battery"],
        "charging": last["charging"],
        "moving": last["moving"],
        "source": int(sources[last["source"]]),
        "flags": int(flags[-1]),
        "still_since": still_since,
        "anchor_latitude": last["lat"],
        "anchor_longitude": last["lon"],
    }
    return {"rows": rows, "latest": latest}


def _enrol_all(ctx: DemoContext, items: list[tuple[Any, Any, str, str, dt.datetime]]) -> dict[int, Any]:
    """Bulk enrolment (devices, install records, latest rows, timeline), audited with record_bulk: the
    same records ``services.device_enrol`` writes one by one."""
    from jiaozheng.audit.models import TimelineEvent
    from jiaozheng.audit.services import record_bulk
    from jiaozheng.location import auth
    from jiaozheng.location.choices import InstallKind, InstallSource
    from jiaozheng.location.models import Device, InstallRecord, LatestPosition

    devices = []
    for person, actor, platform, label, enrolled_at in items:
        token = f"jz{ctx.rng.getrandbits(128):032x}"
        devices.append(
            Device(
                person=person,
                county_id=person.county_id,
                platform=platform,
                label=label,
                token_hash=auth.hash_token(token),
                token_hint=token[-4:],
                enrolled_at=enrolled_at,
                enrolled_by=actor,
            )
        )
    Device.objects.bulk_create(devices, batch_size=500)
    installs, latest, timeline = [], [], []
    for device, (person, actor, platform, _label, enrolled_at) in zip(devices, items, strict=True):
        day = timezone.localtime(enrolled_at).date()
        installs.append(
            InstallRecord(
                person=person,
                county_id=person.county_id,
                installed_on=day,
                device=device,
                kind=InstallKind.FIRST,
                source=InstallSource.ENROLMENT,
                recorded_by=actor,
            )
        )
        latest.append(
            LatestPosition(
                person=person, county_id=person.county_id, device=device, expected_since=enrolled_at
            )
        )
        timeline.append(
            TimelineEvent(
                person=person,
                at=enrolled_at,
                verb="location.device_enrolled",
                params={"platform": platform},
                actor=actor,
                actor_label=actor.username,
                model="location.Device",
                object_id=str(device.pk),
            )
        )
    InstallRecord.objects.bulk_create(installs, batch_size=500)
    LatestPosition.objects.bulk_create(latest, batch_size=500)
    TimelineEvent.objects.bulk_create(timeline, batch_size=500)
    record_bulk(devices, verb="location.demo_enrolment")
    record_bulk(installs, verb="location.demo_enrolment")
    return {d.person_id: d for d in devices}


def _send(device: Any, token_info: Any, fixes: list[dict[str, Any]], *, chunk_minutes: int = 0) -> None:
    """Send fixes through the real ingestion as the phone would have, each when it was taken."""
    from jiaozheng.location.ingest import ingest
    from jiaozheng.location.protocols import SOURCES, Batch, ParsedFix

    chunk: list[dict[str, Any]] = []
    for f in fixes + [None]:  # type: ignore[list-item]
        if f is not None and (
            not chunk or (f["time"] - chunk[0]["time"]).total_seconds() < chunk_minutes * 60 and chunk_minutes
        ):
            chunk.append(f)
            continue
        if chunk:
            batch = Batch(protocol=1)
            batch.fixes = [
                ParsedFix(
                    client_id=c["id"],
                    time=c["time"],
                    lat=c["lat"],
                    lon=c["lon"],
                    accuracy=c["accuracy"],
                    speed=c.get("speed"),
                    battery=c.get("battery"),
                    charging=c.get("charging"),
                    moving=c.get("moving"),
                    source=SOURCES[c.get("source", "gps")],
                    mock=c.get("mock", False),
                )
                for c in chunk
            ]
            ingest(token_info, batch, now=chunk[-1]["time"] + dt.timedelta(seconds=20))
        chunk = [f] if f is not None else []


def load(ctx: DemoContext) -> None:
    from jiaozheng.location import partitions, services, storage, sweeps
    from jiaozheng.location.choices import AlertOutcome, AlertType, DevicePlatform
    from jiaozheng.location.fences import compile_fences, fences_for
    from jiaozheng.location.imports import write_installs
    from jiaozheng.location.models import Alert, Device, LatestPosition
    from jiaozheng.location.storage import DeviceInfo
    from jiaozheng.orgs.services import system_user
    from jiaozheng.people.choices import ProhibitionKind, Status
    from jiaozheng.people.services import prohibition_add

    rng = ctx.rng
    staff = ctx.objects["staff"]
    now = timezone.now()
    persons = [p for p in ctx.objects["persons"] if p.status == Status.IN_CORRECTION]
    worker_of = {
        "卢峰中队": "sw_lufeng",
        "大江口中队": "sw_dajiangkou",
        "观音阁中队": "sw_guanyinge",
        "龙潭中队": "sw_longtan",
        "黄茅园中队": "sw_huangmaoyuan",
    }
    officer = staff["lufeng_officer"]
    officer_of = {
        "卢峰中队": "lufeng_officer",
        "大江口中队": "dajiangkou_officer",
        "观音阁中队": "guanyinge_officer",
        "龙潭中队": "longtan_officer",
        "黄茅园中队": "huangmaoyuan_officer",
    }

    # 1. Phones: the contracted social workers install the app at intake (the seed's 定位服务).
    platforms = [DevicePlatform.TRACCAR_CLIENT] * 6 + [DevicePlatform.JZ_APP] * 3 + [DevicePlatform.OSMAND]
    models = ["红米 Note 12", "华为 畅享 60", "OPPO A58", "vivo Y36", "荣耀 X50", "小米 13", "华为 nova 11"]
    items = []
    for person in persons:
        if person.age >= ELDERLY_AGE or rng.random() < NO_SMARTPHONE_SHARE:
            continue  # elderly or without a smartphone: supervised by phone calls and visits
        actor = staff.get(worker_of.get(person.squadron.name, ""), staff["sw_yuanling"])
        if person.is_juvenile:  # juveniles' records are closed to contracted staff (L art. 54)
            actor = staff.get(officer_of.get(person.squadron.name, ""), staff["yl_admin"])
        installed = min(ctx.today, person.intake_on + dt.timedelta(days=rng.choice([0, 0, 1, 2, 3])))
        enrolled_at = timezone.make_aware(dt.datetime.combine(installed, dt.time(10, rng.randrange(60))))
        enrolled_at = min(enrolled_at, now - dt.timedelta(hours=HISTORY_HOURS + 1))
        items.append((person, actor, rng.choice(platforms), rng.choice(models), enrolled_at))
    devices = _enrol_all(ctx, items)
    enrolled: dict[int, tuple[Any, Any]] = {
        pk: (p, devices[pk]) for pk, p in ((i[0].pk, i[0]) for i in items)
    }

    # 2. The persons whose days go wrong, all in 卢峰中队 so the squadron's staff see them.
    lufeng = [
        p
        for p in persons
        if p.pk in enrolled and p.squadron.name == "卢峰中队" and not p.is_juvenile and p.age < 60
    ]
    lufeng.sort(key=lambda p: p.pk)
    roles = ["breach", "trip", "forbidden", "mock", "silent", "battery", "never", "admonished", "explained"]
    cast = dict(zip(roles, lufeng[: len(roles)], strict=False))

    start = now - dt.timedelta(hours=HISTORY_HOURS)
    infos = {pk: DeviceInfo(device.pk, pk, person.county_id) for pk, (person, device) in enrolled.items()}
    special = {p.pk for p in cast.values()}
    total = 0
    county_fences: dict[int, Any] = {}
    rows: list[tuple[Any, ...]] = []
    for pk, (person, device) in enrolled.items():
        if pk in special:
            continue
        if person.county_id not in county_fences:
            county_fences[person.county_id] = compile_fences(person)  # nobody else has trips or orders
        fixes = _track(rng, _plan(rng, person), start, now - dt.timedelta(minutes=rng.uniform(1, 12)))
        if not fixes:
            continue
        out = _bulk_fixes(person, device, fixes, county_fences[person.county_id])
        rows.extend(out["rows"])
        LatestPosition.objects.filter(person_id=pk).update(**out["latest"])
        total += len(fixes)
    partitions.ensure_for_times([start, now])
    storage.copy_rows(rows)

    with acting_as(officer, "cli"):
        # An approved trip to 长沙 (no alert): yesterday to tomorrow.
        trip = cast.get("trip")
        if trip is not None:
            services.travel_permit_create(
                actor=officer,
                person=trip,
                destination="长沙市芙蓉区",
                destination_code="430102",
                start_on=ctx.today - dt.timedelta(days=1),
                end_on=ctx.today + dt.timedelta(days=1),
                reason="陪同家人到省人民医院复查",
            )
        # A forbidden zone (禁止令: entertainment venues), in force in the evening.
        zoned = cast.get("forbidden")
        venue = None
        if zoned is not None:
            venue = _offset(zoned.home_latitude, zoned.home_longitude, 1200, 900)
            prohibition_add(
                actor=officer,
                person=zoned,
                kind=ProhibitionKind.AREA,
                content="禁止进入县城歌舞娱乐场所（KTV）",
                start_on=zoned.term_start,
                end_on=zoned.term_end,
                zone={"type": "Circle", "center": [round(venue[1], 6), round(venue[0], 6)], "radius_m": 250},
                schedule={"weekly": [{"days": [1, 2, 3, 4, 5, 6, 7], "start": "19:00", "end": "02:00"}]},
            )

    yesterday = timezone.localtime(now - dt.timedelta(days=1)).date()
    two_days_ago = timezone.localtime(now - dt.timedelta(days=2)).date()
    pauses = {
        "admonished": timezone.make_aware(dt.datetime.combine(two_days_ago, dt.time(15, 45))),
        "forbidden": timezone.make_aware(dt.datetime.combine(yesterday, dt.time(21, 50))),
    }
    live_from = {
        "breach": now - dt.timedelta(hours=2),
        "trip": now - dt.timedelta(hours=21),
        "forbidden": timezone.make_aware(dt.datetime.combine(yesterday, dt.time(20, 0))),
        "mock": now - dt.timedelta(hours=4),
        "silent": now - dt.timedelta(hours=30),
        "battery": now - dt.timedelta(hours=4),
        "admonished": timezone.make_aware(dt.datetime.combine(two_days_ago, dt.time(13, 0))),
        "explained": now - dt.timedelta(hours=1),
        "never": now,
    }
    for role, person in cast.items():
        _person, device = enrolled[person.pk]
        plan = _plan(rng, person)
        info = infos[person.pk]
        if role == "never":
            Device.objects.filter(pk=device.pk).update(enrolled_at=now - dt.timedelta(hours=3))
            LatestPosition.objects.filter(person=person).update(expected_since=now - dt.timedelta(hours=3))
            continue
        end = now - dt.timedelta(minutes=rng.uniform(1, 8))
        if role == "silent":
            end = now - dt.timedelta(hours=28)  # lost contact whatever the night window
        elif role == "battery":
            end = now - dt.timedelta(hours=2, minutes=10)
        fixes = _track(rng, plan, start, end)
        if role == "battery" and fixes:
            for k, f in enumerate(fixes[-4:]):
                f["battery"], f["charging"] = 0.12 - 0.02 * k, False
        if role == "breach":  # drove out of the county 100 minutes ago and is still there
            cut = now - dt.timedelta(minutes=100)
            fixes = [f for f in fixes if f["time"] < cut]
            t, k = cut, 0
            while t < now - dt.timedelta(minutes=2):
                lat, lon = _jitter(rng, HECHENG, 20)
                fixes.append(
                    {
                        "id": f"x{k}",
                        "time": t,
                        "lat": lat,
                        "lon": lon,
                        "accuracy": 12.0,
                        "speed": 0.5,
                        "battery": 0.6,
                        "charging": False,
                        "moving": False,
                        "source": "gps",
                    }
                )
                t, k = t + dt.timedelta(minutes=plan.interval / 2), k + 1
        if role == "admonished":  # two days ago: out of the county for two hours in the afternoon
            lo = timezone.make_aware(dt.datetime.combine(two_days_ago, dt.time(14, 0)))
            hi = lo + dt.timedelta(hours=2)
            fixes = [f for f in fixes if not lo <= f["time"] < hi]
            for k in range(12):
                lat, lon = _jitter(rng, HECHENG, 30)
                fixes.append(
                    {
                        "id": f"a{k}",
                        "time": lo + dt.timedelta(minutes=10 * k),
                        "lat": lat,
                        "lon": lon,
                        "accuracy": 10.0,
                        "speed": 0.0,
                        "battery": 0.7,
                        "charging": False,
                        "moving": False,
                        "source": "gps",
                    }
                )
            fixes.sort(key=lambda f: f["time"])
        if role == "trip":  # in 长沙 since yesterday evening
            cut = now - dt.timedelta(hours=20)
            fixes = [f for f in fixes if f["time"] < cut]
            t, k = cut, 0
            while t < now - dt.timedelta(minutes=3):
                lat, lon = _jitter(rng, CHANGSHA, 40)
                fixes.append(
                    {
                        "id": f"c{k}",
                        "time": t,
                        "lat": lat,
                        "lon": lon,
                        "accuracy": 15.0,
                        "speed": 0.0,
                        "battery": 0.8,
                        "charging": False,
                        "moving": False,
                        "source": "gps",
                    }
                )
                t, k = t + dt.timedelta(minutes=plan.interval), k + 1
        if role == "forbidden" and venue is not None:  # last night 21:10-21:55 at the venue
            lo = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(21, 10)))
            fixes = [f for f in fixes if not lo <= f["time"] < lo + dt.timedelta(minutes=45)]
            for k in range(10):
                lat, lon = _jitter(rng, venue, 15)
                fixes.append(
                    {
                        "id": f"v{k}",
                        "time": lo + dt.timedelta(minutes=5 * k),
                        "lat": lat,
                        "lon": lon,
                        "accuracy": 8.0,
                        "speed": 0.0,
                        "battery": 0.4,
                        "charging": False,
                        "moving": False,
                        "source": "gps",
                    }
                )
            fixes.sort(key=lambda f: f["time"])
        if role == "mock":  # this afternoon a fake-GPS app put the phone at home while it was elsewhere
            for f in fixes[-8:-3]:
                f["mock"] = True
                f["lat"], f["lon"] = plan.home
                f["accuracy"] = 3.0
        # The quiet hours go in by the bulk path; from shortly before the events on, the phone reports
        # each fix when it is taken, through the real ingestion (geofences, alerts).
        early = [f for f in fixes if f["time"] < live_from[role]]
        live = [f for f in fixes if f["time"] >= live_from[role]]
        if early:
            out = _bulk_fixes(person, device, early, fences_for(person.pk))
            storage.copy_rows(out["rows"])
            LatestPosition.objects.filter(person_id=person.pk).update(**out["latest"])
        if role in pauses:  # an officer takes the alert up while it is going on
            at = pauses[role]
            _send(device, info, [f for f in live if f["time"] < at])
            with acting_as(officer, "cli"):
                for alert in Alert.objects.filter(person=person, status="new"):
                    services.alert_acknowledge(actor=officer, alert=alert, note=ACK_NOTES[role])
            _send(device, info, [f for f in live if f["time"] >= at])
        else:
            _send(device, info, live)
        total += len(fixes)

    with acting_as(system_user(), "job"):
        sweeps.sweep_lost_contact(now=now)

    # 3. Staff at work on the alerts.
    with acting_as(officer, "cli"):
        for role, person in cast.items():
            alerts = Alert.objects.filter(person=person).order_by("occurred_at")
            if role == "admonished":
                for alert in alerts.filter(alert_type=AlertType.GEOFENCE_BREACH, status="acknowledged"):
                    services.alert_resolve(
                        actor=officer,
                        alert=alert,
                        outcome=AlertOutcome.ADMONITION,
                        note="经谈话教育，本人承认错误，予以训诫。",
                        facts="未经批准前往鹤城区约两小时，GPS 定位连续显示在县境外。",
                        confirmed=True,
                    )
            if role == "silent":
                for alert in alerts.filter(alert_type=AlertType.LOST_CONTACT, status="new"):
                    services.alert_escalate(
                        actor=officer,
                        alert=alert,
                        note="电话关机，家属称昨晚外出未归，请局里协调派出所协查。",
                    )
        explained = cast.get("explained")
        if explained is not None:
            alert = services.alert_raise(
                person=explained,
                alert_type=AlertType.LOST_CONTACT,
                severity="high",
                title="失联：超过 3.5 小时未上报位置，原因不明",
                evidence={"silent_minutes": 210, "cause": ""},
                occurred_at=now - dt.timedelta(days=1, hours=5),
            )
            services.alert_resolve(
                actor=officer,
                alert=alert,
                outcome=AlertOutcome.EXPLAINED,
                note="在山区工地干活，手机无信号；已电话核实并提醒及时报告。",
            )

    # 4. Electronic supervision of the last 30 days.
    for back in range(30, 0, -1):
        sweeps.coverage_snapshot(ctx.today - dt.timedelta(days=back))

    # 5. The 2020 contract year: 255 installations of the 2020 cohort (the seed's 定位服务255人次).
    cohort = sorted(ctx.objects.get("cohort_2020", []), key=lambda p: (p.birth_date, p.pk))
    chosen = sorted(cohort[len(cohort) - INSTALLS_2020 :], key=lambda p: p.pk) if cohort else []
    rows = []
    for person in chosen:
        first_day = max(person.intake_on, dt.date(2020, 1, 6))
        last_day = min(person.released_on or dt.date(2020, 12, 31), dt.date(2020, 12, 31))
        if first_day > last_day:
            first_day = last_day
        installed = min(last_day, first_day + dt.timedelta(days=rng.randrange(0, 10)))
        rows.append(
            {
                "person": person,
                "installed_on": installed,
                "ended_on": None,
                "platform": DevicePlatform.OTHER,
                "label": rng.choice(models),
                "note": "2020年项目安装",
            }
        )
    if rows:
        with acting_as(staff["sw_lufeng"], "cli"):
            write_installs(staff["sw_lufeng"], rows)
    # 6. A demo that lives: while it serves, its phones keep reporting (tasks.simulated_phones → live_tick).
    from jiaozheng.core.models import RuleValue

    counties = {person.county_id for person, _device in enrolled.values()}
    live = {
        "fake_gps": cast["mock"].pk if "mock" in cast else None,
        "absconder": cast["silent"].pk if "silent" in cast else None,
        "exclude": sorted(p.pk for role, p in cast.items() if role not in ("mock",)),
    }
    for county_id in counties:
        RuleValue.objects.update_or_create(
            key="location.simulated_phones",
            unit_id=county_id,
            defaults={"value": live, "source": "demo"},
        )

    alerts = Alert.objects.count()
    ctx.say(
        f"location: {len(enrolled)} phones, {total} fixes, {alerts} alerts, {len(rows)} installations in 2020"
    )


# --- the living demo -----------------------------------------------------------------------------------

_LIVE: dict[int, Any] = {}  # county id -> (Simulation, last tick), kept while the worker lives


def live_tick(county_id: int, config: dict[str, Any], *, now: dt.datetime | None = None) -> int:
    """Advance the county's simulated phones to ``now`` (real time) and ingest what they upload: moving by
    day, still at night, a few battery deaths, a mountain dead zone; the demo's fake-GPS phone sends mocked
    fixes 10:00-12:00 every day; the absconder (the demo's silent phone) and the other scripted persons
    keep their prepared stories (excluded). Returns the requests made."""
    from jiaozheng.core.geo import county_geometry
    from jiaozheng.location.models import Device
    from jiaozheng.location.simulate import Simulation
    from jiaozheng.orgs.models import OrgUnit

    now = now or timezone.now()
    state = _LIVE.get(county_id)
    if state is None:
        exclude = set(config.get("exclude") or [])
        if config.get("absconder"):
            exclude.add(config["absconder"])
        rows = [
            r
            for r in Device.objects.filter(
                county_id=county_id, status="active", token_hash__isnull=False, person__status="in_correction"
            )
            .order_by("person_id")
            .values_list("person_id", "county_id", "pk", "person__supervision_class")
            if r[0] not in exclude
        ]
        county = OrgUnit.objects.get(pk=county_id)
        centre = county_geometry(county.boundary_code).representative_point()
        scripts = {config["fake_gps"]: "fake_gps"} if config.get("fake_gps") else {}
        sim = Simulation(rows, centre=(centre.y, centre.x), seed=county_id, scripts=scripts, radius_km=8)
        state = _LIVE[county_id] = [sim, now - dt.timedelta(minutes=5)]
    sim, last = state
    sim.script_days["fake_gps"] = timezone.localdate(now)
    if now - last > dt.timedelta(hours=2):
        last = now - dt.timedelta(minutes=5)  # the worker was stopped: resume, do not replay the gap
    made = sim.step(last, now)
    state[1] = now
    return made
