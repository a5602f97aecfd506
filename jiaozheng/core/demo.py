"""The demo county: a deterministic data set modelled on the seed report's county (溆浦县).

``jiaozheng load-demo`` builds a DemoContext and calls ``load(ctx)`` of every app's ``demo.py`` in the
order of their ``ORDER``. Random choices come from one seeded generator, so two loads on the same day
produce the same data. Dates of the current caseload are placed relative to the day of loading; the
2020 contract year is absolute.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

DEMO_PASSWORD = "Demo@2026jz"
SEED = 20200101

SURNAMES = list("向舒张王李刘陈杨黄周吴谢邓贺肖唐罗彭蒋曾胡龙田邹梁钟瞿米荆戴石滕")
GIVEN_MALE = list("伟军勇强斌涛明华平建国志刚亮俊杰峰文辉鹏飞林松波海龙德生")
GIVEN_FEMALE = list("芳丽娟红燕玲霞敏静婷秀兰英梅琴艳萍莉雪慧")
VILLAGE_NAMES = [
    "新田村",
    "枫林村",
    "桃源村",
    "长乐村",
    "大坪村",
    "金竹村",
    "高峰村",
    "双河村",
    "黄土村",
    "青龙村",
    "白沙村",
    "杉木村",
    "岩口村",
    "茶园村",
    "水口村",
    "花桥村",
    "龙头村",
    "石门村",
    "油洋村",
    "竹山村",
]


@dataclass
class DemoContext:
    rng: random.Random
    today: dt.date
    stdout: Any = None
    objects: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role label, username, note)

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def person_name(self, gender: str) -> str:
        pool = GIVEN_MALE if gender == "male" else GIVEN_FEMALE
        given = self.rng.choice(pool) + (self.rng.choice(pool) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def phone(self) -> str:
        return self.rng.choice(["138", "139", "150", "151", "158", "177", "187", "188", "199"]) + "".join(
            str(self.rng.randrange(10)) for _ in range(8)
        )


def make_id_number(region: str, birth: dt.date, gender: str, rng: random.Random) -> str:
    """A valid 18-digit resident ID number (GB 11643) for demo data."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    seq = rng.randrange(10, 99)
    sex_digit = rng.choice([1, 3, 5, 7, 9] if gender == "male" else [0, 2, 4, 6, 8])
    body = f"{region}{birth:%Y%m%d}{seq:02d}{sex_digit}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def new_context(stdout: Any = None, today: dt.date | None = None) -> DemoContext:
    return DemoContext(rng=random.Random(SEED), today=today or timezone.localdate(), stdout=stdout)
