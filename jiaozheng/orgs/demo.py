"""Demo organisation: Hunan -> Huaihua -> 溆浦县 (the seed's county, five squadrons) and 沅陵县 (a second
county served by another provider, to show scoping), with staff of every role.

Township names are the real townships of the two counties; their coordinates are approximate and pulled
inside the county boundary of the shipped dataset; villages are generic names.
"""

from __future__ import annotations

from typing import Any

from jiaozheng.audit.context import acting_as
from jiaozheng.core.demo import DEMO_PASSWORD, VILLAGE_NAMES, DemoContext
from jiaozheng.core.geo import county_geometry, pull_inside
from jiaozheng.core.roles import Role
from jiaozheng.orgs.models import OrgUnit
from jiaozheng.orgs.services import provider_create, system_user, unit_create, user_create

ORDER = 10

TOWNSHIP_POSITIONS = {
    "卢峰镇": (110.595, 27.908),
    "双井镇": (110.70, 27.86),
    "大江口镇": (110.50, 27.97),
    "低庄镇": (110.45, 27.99),
    "桥江镇": (110.62, 27.96),
    "龙潭镇": (110.83, 27.55),
    "观音阁镇": (110.63, 27.80),
    "水东镇": (110.67, 27.74),
    "黄茅园镇": (110.85, 27.95),
    "思蒙镇": (110.50, 27.83),
    "统溪河镇": (110.78, 28.08),
    "北斗溪镇": (110.98, 27.78),
    "两丫坪镇": (110.72, 28.02),
    "葛竹坪镇": (110.88, 27.40),
    "深子湖镇": (110.55, 27.62),
    "祖师殿镇": (110.42, 28.10),
    "三江镇": (110.73, 27.60),
    "均坪镇": (110.90, 27.85),
    "龙庄湾乡": (110.95, 27.55),
    "淘金坪乡": (110.40, 27.80),
    "中都乡": (110.60, 27.48),
    "舒溶溪乡": (110.78, 27.45),
    "沿溪乡": (110.52, 27.74),
    "九溪江乡": (110.82, 27.68),
    "小横垅乡": (110.92, 27.48),
    "沅陵镇": (110.39, 28.45),
    "官庄镇": (110.95, 28.52),
}

COUNTIES: list[dict[str, Any]] = [
    {
        "key": "xupu",
        "name": "溆浦县",
        "code": "431224",
        "bureau": "溆浦县司法局",
        "agency": "溆浦县社区矫正管理局",
        "squadrons": [
            ("卢峰中队", "lufeng", ["卢峰镇", "桥江镇", "双井镇"]),
            ("大江口中队", "dajiangkou", ["大江口镇", "低庄镇", "祖师殿镇", "两丫坪镇", "统溪河镇"]),
            ("观音阁中队", "guanyinge", ["观音阁镇", "水东镇", "思蒙镇", "沿溪乡", "淘金坪乡", "深子湖镇"]),
            (
                "龙潭中队",
                "longtan",
                ["龙潭镇", "三江镇", "中都乡", "舒溶溪乡", "葛竹坪镇", "小横垅乡", "龙庄湾乡", "九溪江乡"],
            ),
            ("黄茅园中队", "huangmaoyuan", ["黄茅园镇", "均坪镇", "北斗溪镇"]),
        ],
    },
    {
        "key": "yuanling",
        "name": "沅陵县",
        "code": "431222",
        "bureau": "沅陵县司法局",
        "agency": "沅陵县社区矫正管理局",
        "squadrons": [("沅陵中队", "yuanling_sq", ["沅陵镇"]), ("官庄中队", "guanzhuang", ["官庄镇"])],
    },
]

# (username, full name, role, where: county key or squadron key, provider key or None, gender)
STAFF = [
    ("xp_admin", "向建国", Role.BUREAU_ADMIN, "xupu", None, "male"),
    ("xp_officer", "舒晓燕", Role.BUREAU_OFFICER, "xupu", None, "female"),
    ("lufeng_officer", "张卫东", Role.SQUADRON_OFFICER, "lufeng", None, "male"),
    ("dajiangkou_officer", "李志刚", Role.SQUADRON_OFFICER, "dajiangkou", None, "male"),
    ("guanyinge_officer", "刘红梅", Role.SQUADRON_OFFICER, "guanyinge", None, "female"),
    ("longtan_officer", "陈勇", Role.SQUADRON_OFFICER, "longtan", None, "male"),
    ("huangmaoyuan_officer", "杨斌", Role.SQUADRON_OFFICER, "huangmaoyuan", None, "male"),
    ("sw_lufeng", "周婷", Role.SOCIAL_WORKER, "lufeng", "dexin", "female"),
    ("sw_lufeng2", "吴俊", Role.SOCIAL_WORKER, "lufeng", "dexin", "male"),
    ("sw_dajiangkou", "谢丽", Role.SOCIAL_WORKER, "dajiangkou", "dexin", "female"),
    ("sw_guanyinge", "邓涛", Role.SOCIAL_WORKER, "guanyinge", "dexin", "male"),
    ("sw_longtan", "贺敏", Role.SOCIAL_WORKER, "longtan", "dexin", "female"),
    ("sw_huangmaoyuan", "肖鹏", Role.SOCIAL_WORKER, "huangmaoyuan", "dexin", "male"),
    ("counsellor", "唐静", Role.COUNSELLOR, "xupu", "dexin", "female"),
    ("supervisor", "罗文华", Role.SUPERVISOR, None, "dexin", "male"),
    ("auditor", "彭秀兰", Role.AUDITOR, "xupu", None, "female"),
    ("yl_admin", "瞿明", Role.BUREAU_ADMIN, "yuanling", None, "male"),
    ("sw_yuanling", "米芳", Role.SOCIAL_WORKER, "yuanling", "sunshine", "female"),
    ("yl_supervisor", "滕飞", Role.SUPERVISOR, None, "sunshine", "male"),
]

PROVIDERS = {
    "dexin": {
        "name": "湖南省德馨社会工作服务中心",
        "short_name": "湖南德馨社工",
        "address": "长沙市",
        "contact_name": "罗文华",
    },
    "sunshine": {
        "name": "怀化市阳光社会工作服务中心",
        "short_name": "怀化阳光社工",
        "address": "怀化市鹤城区",
    },
}


def load(ctx: DemoContext) -> None:
    system = system_user()
    with acting_as(system, "cli"):
        province = unit_create(actor=system, kind=OrgUnit.Kind.PROVINCE, name="湖南省", code="430000")
        city = unit_create(
            actor=system, kind=OrgUnit.Kind.CITY, name="怀化市", code="431200", parent=province
        )
        ctx.objects.update(province=province, city=city, counties={}, squadrons={}, townships={}, villages={})
        for c in COUNTIES:
            county = unit_create(
                actor=system,
                kind=OrgUnit.Kind.COUNTY,
                name=c["name"],
                code=c["code"],
                parent=city,
                boundary_code=c["code"],
                bureau_name=c["bureau"],
                agency_name=c["agency"],
            )
            ctx.objects["counties"][c["key"]] = county
            outline = county_geometry(c["code"])
            for s_order, (s_name, s_key, townships) in enumerate(c["squadrons"]):
                squadron = unit_create(
                    actor=system, kind=OrgUnit.Kind.SQUADRON, name=s_name, parent=county, sort_order=s_order
                )
                ctx.objects["squadrons"][s_key] = squadron
                for t_order, t_name in enumerate(townships):
                    lon, lat = pull_inside(outline, *TOWNSHIP_POSITIONS[t_name])
                    township = unit_create(
                        actor=system,
                        kind=OrgUnit.Kind.TOWNSHIP,
                        name=t_name,
                        parent=squadron,
                        sort_order=t_order,
                        latitude=lat,
                        longitude=lon,
                    )
                    ctx.objects["townships"][t_name] = township
                    names = ctx.rng.sample(VILLAGE_NAMES, 4)
                    if t_name.endswith("镇"):
                        names[0] = "城东社区" if t_order == 0 else "街道社区"
                    ctx.objects["villages"][t_name] = [
                        unit_create(
                            actor=system, kind=OrgUnit.Kind.VILLAGE, name=v, parent=township, sort_order=i
                        )
                        for i, v in enumerate(names)
                    ]
        providers = {key: provider_create(actor=system, **fields) for key, fields in PROVIDERS.items()}
        ctx.objects["providers"] = providers
        ctx.objects["staff"] = {}
        units = {**ctx.objects["counties"], **ctx.objects["squadrons"]}
        for username, full_name, role, where, provider_key, _gender in STAFF:
            user = user_create(
                actor=system,
                username=username,
                role=role,
                full_name=full_name,
                password=DEMO_PASSWORD,
                provider=providers.get(provider_key) if provider_key else None,
                units=[units[where]] if where else [],
                validate=False,
                phone=ctx.phone(),
            )
            ctx.objects["staff"][username] = user
            ctx.logins.append(
                (
                    str(Role(role).label),
                    username,
                    units[where].name if where else PROVIDERS[provider_key]["short_name"],
                )
            )
    ctx.say(
        f"organisation: 2 counties, {len(ctx.objects['squadrons'])} squadrons, {len(STAFF)} staff accounts"
    )
