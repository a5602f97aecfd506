"""Demo community-service records.

Partner venues of 溆浦县 and 沅陵县 with contacts, the mixed volunteer team, and activities: exactly 158 held in
2020 in 溆浦县 (环境卫生清扫, 创文创卫主题清扫, 敬老院 visits ...; in February 2020 the planned activities were
cancelled for pandemic control and the team helped at community checkpoints), participants drawn from the
2020 cohort; the current year from January to last month a little behind the 13-a-month pace, this month and
next month's planned activities with invitations, and evidence photos for recent activities.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import io
import random
from collections import defaultdict
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from jiaozheng.audit.context import acting_as
from jiaozheng.audit.services import record_bulk
from jiaozheng.community.choices import (
    ActivityKind,
    ActivityStatus,
    CancelReason,
    ParticipantKind,
    ParticipationStatus,
    VenueKind,
    VolunteerKind,
)
from jiaozheng.community.models import Activity, Participation, Venue, Volunteer
from jiaozheng.core.demo import SEED, DemoContext
from jiaozheng.education.demo import (
    OFFICER,
    SOCIAL_WORKER,
    XUPU,
    YUANLING,
    Member,
    active_on,
    ctx_time,
    members_by_squadron,
    month_quotas,
)

ORDER = 31

VENUES = {
    "xupu": [
        # (name, kind, squadron key or None, township, address, contact)
        ("溆浦县社会福利院", VenueKind.WELFARE_HOME, None, "卢峰镇", "溆浦县卢峰镇警予路", "贺院长"),
        ("溆浦县中心敬老院", VenueKind.NURSING_HOME, None, "卢峰镇", "溆浦县卢峰镇长乐坊", "刘院长"),
        ("溆水河风光带", VenueKind.PARK, None, "卢峰镇", "溆浦县城溆水河两岸", "县城管局 张科长"),
        ("县城步行街", VenueKind.STREET, None, "卢峰镇", "溆浦县卢峰镇步行街", "卢峰镇城管中队"),
        ("卢峰镇城东社区", VenueKind.COMMUNITY, "lufeng", "卢峰镇", "卢峰镇城东社区居委会", "谢主任"),
        ("卢峰镇中心小学", VenueKind.SCHOOL, "lufeng", "卢峰镇", "卢峰镇建设路", "德育处 周老师"),
        ("大江口镇敬老院", VenueKind.NURSING_HOME, "dajiangkou", "大江口镇", "大江口镇沿河路", "邓院长"),
        ("大江口镇街道社区", VenueKind.COMMUNITY, "dajiangkou", "大江口镇", "大江口镇街道社区", "田主任"),
        ("观音阁镇敬老院", VenueKind.NURSING_HOME, "guanyinge", "观音阁镇", "观音阁镇新街", "舒院长"),
        ("观音阁镇街道社区", VenueKind.COMMUNITY, "guanyinge", "观音阁镇", "观音阁镇街道社区", "米主任"),
        ("龙潭镇敬老院", VenueKind.NURSING_HOME, "longtan", "龙潭镇", "龙潭镇老街", "戴院长"),
        ("龙潭镇中学", VenueKind.SCHOOL, "longtan", "龙潭镇", "龙潭镇学府路", "政教处 向老师"),
        ("黄茅园镇敬老院", VenueKind.NURSING_HOME, "huangmaoyuan", "黄茅园镇", "黄茅园镇集镇", "瞿院长"),
        ("黄茅园镇街道社区", VenueKind.COMMUNITY, "huangmaoyuan", "黄茅园镇", "黄茅园镇街道社区", "石主任"),
    ],
    "yuanling": [
        ("沅陵县敬老院", VenueKind.NURSING_HOME, None, "沅陵镇", "沅陵县沅陵镇", "龙院长"),
        ("沅陵镇城东社区", VenueKind.COMMUNITY, "yuanling_sq", "沅陵镇", "沅陵镇城东社区", "梁主任"),
        ("官庄镇街道社区", VenueKind.COMMUNITY, "guanzhuang", "官庄镇", "官庄镇街道社区", "邹主任"),
    ],
}
VOLUNTEERS = [
    ("向红梅", "卢峰镇中心小学教师", "普法宣讲、书法"),
    ("周建华", "县人民医院医生", "健康义诊、急救培训"),
    ("舒志强", "个体工商户（五金店）", "水电维修"),
    ("李国平", "退休干部", "调解、书法"),
    ("张雪", "怀化学院学生（志愿者协会）", "陪伴老人、文艺表演"),
    ("杨文斌", "溆浦县律师事务所律师", "法律咨询"),
    ("吴丽", "县妇联志愿者", "家庭教育"),
    ("唐海", "县交警大队辅警", "文明交通劝导"),
    ("黄美兰", "卢峰镇城东社区网格员", "入户走访"),
    ("刘伟", "企业职工（电力公司）", "电器安全检查"),
]
# (theme, kind, venue kind preferred, hours, start, end)
THEMES = [
    ("县城环境卫生清扫", ActivityKind.CLEANING, VenueKind.STREET, "4", (8, 0), (12, 0)),
    ("创文创卫主题清扫", ActivityKind.CIVILISED_CITY, VenueKind.STREET, "4", (8, 0), (12, 0)),
    ("溆水河风光带垃圾清捡", ActivityKind.CLEANING, VenueKind.PARK, "4", (8, 0), (12, 0)),
    ("敬老院慰问与卫生打扫", ActivityKind.ELDER_CARE, VenueKind.NURSING_HOME, "4", (8, 30), (12, 30)),
    ("社区环境整治", ActivityKind.CLEANING, VenueKind.COMMUNITY, "4", (8, 0), (12, 0)),
    ("福利院儿童陪伴", ActivityKind.CHILD_CARE, VenueKind.WELFARE_HOME, "4", (14, 0), (18, 0)),
    ("禁毒与普法宣传进社区", ActivityKind.PUBLICITY, VenueKind.COMMUNITY, "4", (14, 0), (18, 0)),
    ("文明交通劝导", ActivityKind.TRAFFIC, VenueKind.STREET, "4", (7, 0), (11, 0)),
]
MONTH_THEME = {
    3: ("植树护绿", ActivityKind.GREENING, VenueKind.PARK, "4", (8, 0), (12, 0)),
    6: ("6·26禁毒宣传进社区", ActivityKind.PUBLICITY, VenueKind.COMMUNITY, "4", (14, 0), (18, 0)),
    12: ("12·4宪法宣传进校园", ActivityKind.PUBLICITY, VenueKind.SCHOOL, "4", (14, 0), (18, 0)),
}
DAYS = {1: [18], 2: [11, 25], 3: [7, 17, 27], 4: [4, 11, 18, 25]}


def load(ctx: DemoContext) -> None:
    # An own generator, seeded from the demo seed: deterministic, and the modules loaded after this one draw
    # the same numbers whether or not this module is installed.
    ctx = dataclasses.replace(ctx, rng=random.Random(SEED * 100 + ORDER))
    staff = ctx.objects["staff"]
    with acting_as(staff["xp_admin"], "cli"):
        venues = _venues(ctx)
        volunteers = _volunteers(ctx)
        writer = ActivityWriter(ctx, venues, volunteers)
        writer.year_2020()
        writer.current_year()
        writer.flush()
    writer.photos()
    ctx.say(
        f"community service: {writer.counts['activities']} activities ({writer.counts['held_2020']} held in 2020 "
        f"in 溆浦县), {writer.counts['participations']} participations"
    )


def _venues(ctx: DemoContext) -> dict[int, list[Venue]]:
    from jiaozheng.community.services import venue_create

    staff = ctx.objects["staff"]
    out: dict[int, list[Venue]] = defaultdict(list)
    for county_key, admin in (("xupu", "xp_admin"), ("yuanling", "yl_admin")):
        county = ctx.objects["counties"][county_key]
        for name, kind, squadron, township, address, contact in VENUES[county_key]:
            venue = venue_create(
                actor=staff[admin],
                county=county,
                data={
                    "name": name,
                    "kind": kind,
                    "squadron": ctx.objects["squadrons"][squadron] if squadron else None,
                    "township": ctx.objects["townships"][township],
                    "address": address,
                    "contact_name": contact,
                    "contact_phone": ctx.phone(),
                    "active": True,
                },
            )
            out[county.pk].append(venue)
    return out


def _volunteers(ctx: DemoContext) -> dict[int, list[Volunteer]]:
    from jiaozheng.community.services import volunteer_create

    staff = ctx.objects["staff"]
    xupu = ctx.objects["counties"]["xupu"]
    out: dict[int, list[Volunteer]] = defaultdict(list)
    admin = staff["xp_admin"]
    for username in (
        "xp_officer",
        *(OFFICER[k] for k in XUPU),
        *(SOCIAL_WORKER[k] for k in XUPU),
        "sw_lufeng2",
    ):
        user = staff[username]
        squadron = next(
            (ctx.objects["squadrons"][k] for k in XUPU if username in (OFFICER[k], SOCIAL_WORKER[k])), None
        )
        if username == "sw_lufeng2":
            squadron = ctx.objects["squadrons"]["lufeng"]
        kind = VolunteerKind.SOCIAL_WORKER if username.startswith("sw_") else VolunteerKind.OFFICER
        out[xupu.pk].append(
            volunteer_create(
                actor=admin,
                county=xupu,
                data={
                    "name": user.full_name,
                    "kind": kind,
                    "user": user,
                    "squadron": squadron,
                    "organisation": "湖南德馨社工" if kind == VolunteerKind.SOCIAL_WORKER else "溆浦县司法局",
                    "joined_on": dt.date(2019, 9, 1),
                    "active": True,
                },
            )
        )
    for i, (name, organisation, skills) in enumerate(VOLUNTEERS):
        out[xupu.pk].append(
            volunteer_create(
                actor=admin,
                county=xupu,
                data={
                    "name": name,
                    "kind": VolunteerKind.VOLUNTEER,
                    "organisation": organisation,
                    "skills": skills,
                    "phone": ctx.phone(),
                    "joined_on": dt.date(2019, 10, 1) + dt.timedelta(days=37 * i),
                    "squadron": None,
                    "active": i != 7,
                },
            )
        )
    yuanling = ctx.objects["counties"]["yuanling"]
    out[yuanling.pk].append(
        volunteer_create(
            actor=staff["yl_admin"],
            county=yuanling,
            data={
                "name": staff["sw_yuanling"].full_name,
                "kind": VolunteerKind.SOCIAL_WORKER,
                "user": staff["sw_yuanling"],
                "organisation": "怀化阳光社工",
                "squadron": None,
            },
        )
    )
    return out


class ActivityWriter:
    def __init__(
        self, ctx: DemoContext, venues: dict[int, list[Venue]], volunteers: dict[int, list[Volunteer]]
    ):
        self.ctx = ctx
        self.venues = venues
        self.volunteers = volunteers
        self.activities: list[Activity] = []
        self.links: list[list[int]] = []
        self.rows: list[Participation] = []
        self.counts: dict[str, int] = defaultdict(int)
        self.recent: list[Activity] = []
        self.member_of = {v.user_id: v for group in volunteers.values() for v in group if v.user_id}

    def _venue(self, county_id: int, squadron_id: int, kind: str) -> Venue | None:
        own = [v for v in self.venues[county_id] if v.kind == kind and v.squadron_id == squadron_id]
        shared = [v for v in self.venues[county_id] if v.kind == kind and v.squadron_id is None]
        pool = own or shared or [v for v in self.venues[county_id] if v.squadron_id in (squadron_id, None)]
        return self.ctx.rng.choice(pool) if pool else None

    def add(
        self,
        key: str,
        day: dt.date,
        theme: tuple,
        members: list[Member],
        *,
        status: str = ActivityStatus.HELD,
        reason: str = "",
        note: str = "",
        share: float = 0.95,
    ) -> Activity:
        ctx, rng = self.ctx, self.ctx.rng
        squadron = ctx.objects["squadrons"][key]
        staff = ctx.objects["staff"]
        title, kind, venue_kind, hours, start, end = theme
        venue = self._venue(squadron.county_id, squadron.pk, venue_kind)
        worker = staff[SOCIAL_WORKER[key]]
        officer = staff[OFFICER[key]]
        held = status == ActivityStatus.HELD
        approved = status != ActivityStatus.PLANNED or rng.random() < 0.5
        activity = Activity(
            county_id=squadron.county_id,
            venue=venue,
            place="" if venue else "县城",
            theme=title,
            kind=kind,
            date=day,
            start_time=dt.time(*start),
            end_time=dt.time(*end),
            hours=Decimal(hours),
            organiser=worker,
            organiser_name=worker.full_name,
            status=status,
            cancel_reason=reason,
            cancel_note=note,
            summary="社工组织，司法所（中队）审核。活动有序，参与人员积极。" if held else "",
            approved_by=officer if approved else None,
            approved_at=ctx_time(day - dt.timedelta(days=5), dt.time(10, 0)) if approved else None,
            created_by=worker,
            held_recorded_by=worker if held else None,
            held_recorded_at=ctx_time(day, dt.time(*end)) if held else None,
        )
        self.activities.append(activity)
        self.links.append([squadron.pk])
        self.counts["activities"] += 1
        if status == ActivityStatus.CANCELLED:
            return activity
        invited = [m for m in active_on(members, day) if rng.random() < share]
        for m in invited:
            if held:
                r = rng.random()
                state = (
                    ParticipationStatus.PRESENT
                    if r < 0.92
                    else (ParticipationStatus.EXCUSED if r < 0.97 else ParticipationStatus.ABSENT)
                )
            else:
                state = ParticipationStatus.INVITED
            self.rows.append(
                Participation(
                    activity=activity,
                    county_id=activity.county_id,
                    kind=ParticipantKind.SUBJECT,
                    person=m.person,
                    name=m.person.name,
                    status=state,
                    hours=Decimal(hours) if state == ParticipationStatus.PRESENT else Decimal("0"),
                    recorded_by=worker,
                )
            )
        team_state = ParticipationStatus.PRESENT if held else ParticipationStatus.INVITED
        team_hours = Decimal(hours) if held else Decimal("0")
        for user, kind_ in ((worker, ParticipantKind.SOCIAL_WORKER), (officer, ParticipantKind.OFFICER)):
            if kind_ == ParticipantKind.OFFICER and rng.random() < 0.5:
                continue
            self.rows.append(
                Participation(
                    activity=activity,
                    county_id=activity.county_id,
                    kind=kind_,
                    user=user,
                    volunteer=self.member_of.get(user.pk),
                    name=user.full_name,
                    status=team_state,
                    hours=team_hours,
                    recorded_by=worker,
                )
            )
        others = [
            v
            for v in self.volunteers.get(squadron.county_id, [])
            if v.kind == VolunteerKind.VOLUNTEER and v.active
        ]
        for volunteer in rng.sample(others, k=min(len(others), rng.choice([0, 1, 1, 2]))):
            self.rows.append(
                Participation(
                    activity=activity,
                    county_id=activity.county_id,
                    kind=ParticipantKind.VOLUNTEER,
                    volunteer=volunteer,
                    name=volunteer.name,
                    status=team_state,
                    hours=team_hours,
                    recorded_by=worker,
                )
            )
        return activity

    def _themes(self, month: int, n: int, offset: int) -> list[tuple]:
        picks = []
        if month in MONTH_THEME:
            picks.append(MONTH_THEME[month])
        for i in range(8):
            picks.append(THEMES[(offset + month + i) % len(THEMES)])
        return picks[:n]

    def _month(
        self,
        key: str,
        year: int,
        month: int,
        n: int,
        members: list[Member],
        *,
        before: dt.date | None = None,
        share: float = 0.95,
    ) -> None:
        last = calendar.monthrange(year, month)[1]
        days = []
        for d in DAYS.get(n, DAYS[3])[:n]:
            day = dt.date(year, month, min(last, d + self.ctx.rng.randrange(-1, 2)))
            if day.weekday() == 6:
                day -= dt.timedelta(
                    days=1
                )  # Saturdays are fine for public-welfare activities, Sundays are not
            days.append(day)
        offset = (XUPU + YUANLING).index(key)
        for day, theme in zip(sorted(set(days)), self._themes(month, n, offset), strict=False):
            status = ActivityStatus.PLANNED if before is not None and day >= before else ActivityStatus.HELD
            activity = self.add(key, day, theme, members, status=status, share=share)
            if (
                status == ActivityStatus.HELD
                and year == self.ctx.today.year
                and day >= before_month(self.ctx.today)
            ):
                self.recent.append(activity)

    def year_2020(self) -> None:
        ctx = self.ctx
        members = members_by_squadron(ctx.objects["cohort_2020"])
        quotas = month_quotas(
            ctx, XUPU, [(2020, m) for m in range(1, 13)], total=158, base={1: 3, 2: 1, 3: 2}
        )
        checkpoint = ("协助社区疫情防控值守", ActivityKind.OTHER, VenueKind.COMMUNITY, "4", (8, 0), (12, 0))
        for month in range(1, 13):
            for key in XUPU:
                group = members[ctx.objects["squadrons"][key].pk]
                n = quotas[(key, 2020, month)]
                if month == 2:
                    self.add(
                        key,
                        dt.date(2020, 2, 8),
                        THEMES[1],
                        group,
                        status=ActivityStatus.CANCELLED,
                        reason=CancelReason.PANDEMIC,
                        note="按疫情防控要求暂停聚集性活动",
                    )
                    self.add(key, dt.date(2020, 2, 22), checkpoint, group, share=0.35)
                    continue
                if month == 3:
                    self.add(
                        key,
                        dt.date(2020, 3, 3),
                        THEMES[0],
                        group,
                        status=ActivityStatus.CANCELLED,
                        reason=CancelReason.PANDEMIC,
                        note="疫情防控期间暂缓",
                    )
                self._month(key, 2020, month, n, group)
        self.counts["held_2020"] = sum(
            1 for a in self.activities if a.status == ActivityStatus.HELD and a.date.year == 2020
        )
        if self.counts["held_2020"] != 158:
            raise RuntimeError(f"demo 2020: {self.counts['held_2020']} activities held instead of 158")

    def current_year(self) -> None:
        ctx = self.ctx
        today = ctx.today
        members = members_by_squadron([p for p in ctx.objects["persons"] if p.intake_on])
        quotas = month_quotas(ctx, XUPU, [(today.year, m) for m in range(1, today.month)], total=None)
        for key in sorted(quotas):
            if ctx.rng.random() < 0.55:
                quotas[key] = 2
        for month in range(1, today.month):
            for key in XUPU + YUANLING:
                group = members[ctx.objects["squadrons"][key].pk]
                self._month(key, today.year, month, quotas.get((key, today.year, month), 2), group)
        for key in XUPU + YUANLING:
            group = members[ctx.objects["squadrons"][key].pk]
            self._month(key, today.year, today.month, 3 if key in XUPU else 2, group, before=today)
            following = (today.replace(day=28) + dt.timedelta(days=5)).replace(day=1)
            if key in XUPU:
                self._month(key, following.year, following.month, 1, group, before=today, share=0.6)

    def flush(self) -> None:
        Activity.objects.bulk_create(self.activities, batch_size=500)
        Through = Activity.squadrons.through
        Through.objects.bulk_create(
            [
                Through(activity_id=a.pk, orgunit_id=u)
                for a, units in zip(self.activities, self.links, strict=True)
                for u in units
            ],
            batch_size=2000,
        )
        Participation.objects.bulk_create(self.rows, batch_size=2000)
        record_bulk(self.activities, verb="demo")
        record_bulk(self.rows, verb="demo")
        self.counts["participations"] = len(self.rows)

    def photos(self) -> None:
        """Evidence photos for some recent activities, uploaded through the service (validated, re-encoded)."""
        from jiaozheng.community.services import photo_add

        for n, activity in enumerate(self.recent[-8:]):
            actor = activity.created_by
            with acting_as(actor, "cli"):
                for i in range(2):
                    upload = SimpleUploadedFile(
                        f"IMG_2026{n:02d}{i}.jpg", _photo(self.ctx, n * 2 + i), "image/jpeg"
                    )
                    photo_add(
                        actor=actor, activity=activity, upload=upload, caption=["活动现场", "集体合影"][i]
                    )


def before_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _photo(ctx: DemoContext, seed: int) -> bytes:
    """A synthetic 'photo' (sky, ground, figures) drawn with Pillow: no image files are shipped for the demo."""
    from PIL import Image, ImageDraw

    rng = ctx.rng
    image = Image.new("RGB", (960, 640), (135 + seed % 40, 185, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 380, 960, 640], fill=(96 + rng.randrange(40), 140 + rng.randrange(30), 80))
    for _ in range(9):
        x = rng.randrange(40, 900)
        color = rng.choice([(200, 40, 40), (240, 200, 40), (40, 90, 200), (250, 250, 250)])
        draw.ellipse([x, 300, x + 36, 336], fill=(235, 200, 170))
        draw.rectangle([x - 6, 336, x + 42, 440], fill=color)
    draw.rectangle([60, 120, 420, 190], fill=(200, 30, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()
