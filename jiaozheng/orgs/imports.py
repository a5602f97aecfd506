"""Import kinds of a county's set-up: its units, the providers, the staff accounts (docs/imports.md).

``jiaozheng import org_units FILE --as USER``, then ``providers``, then ``staff``. All or nothing per file.
The rows are checked first (each against the rows above it: a squadron may sit under a county created
two rows earlier); the writes go through the same services as the set-up pages, so the same rules hold:
counties only by an operator, units and accounts only inside the importer's county, no role above the
importer's own.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiaozheng.core.imports import Column, ImportKind, RowError, RowProblem, Units, register_import
from jiaozheng.core.roles import CHANGE, Domain, Role, role_allows
from jiaozheng.core.scoping import scope_for, scoped
from jiaozheng.orgs import selectors, services
from jiaozheng.orgs.models import OrgUnit, ServiceProvider, User


def _require_admin(actor: Any) -> None:
    scope = scope_for(actor)
    if not scope.unrestricted and not role_allows(scope.role, Domain.ADMIN, CHANGE):
        raise PermissionDenied(_("Your role may not import the organisation's set-up."))


# --- org_units ----------------------------------------------------------------------------------------


class UnitKind(models.TextChoices):
    COUNTY = "county", gettext_lazy("县（区）")
    SQUADRON = "squadron", gettext_lazy("中队/司法所")
    TOWNSHIP = "township", gettext_lazy("乡镇")
    VILLAGE = "village", gettext_lazy("村（社区）")


UNIT_COLUMNS = [
    Column(
        "county",
        "所属县（区）",
        required=True,
        max_length=100,
        example="溆浦县",
        help="县（区）名称或6位行政区划代码；本行为县时即该县（须在系统内置的行政区划表中）",
    ),
    Column("kind", "单位类型", "choice", required=True, choices=UnitKind, example="中队/司法所"),
    Column("name", "名称", max_length=100, example="卢峰中队", help="县行可空（取行政区划名称）"),
    Column(
        "parent",
        "上级单位",
        max_length=100,
        example="",
        help="乡镇行填所属中队/司法所名称，村（社区）行填所属乡镇名称；中队行空（上级为本县）",
    ),
    Column("judicial_office", "是否司法所", "bool", example="否", help="中队行：是/否"),
    Column("latitude", "纬度", "float", help="WGS-84，乡镇可填"),
    Column("longitude", "经度", "float", help="WGS-84，乡镇可填"),
    Column("bureau_name", "司法局名称", max_length=100, help="县行：空则为「县名+司法局」"),
    Column("agency_name", "社区矫正机构名称", max_length=100, help="县行：空则为「县名+社区矫正管理局」"),
]

UNIT_EXAMPLES: list[dict[str, Any]] = [
    {
        "county": "431224",
        "kind": "县（区）",
        "name": "溆浦县",
        "bureau_name": "溆浦县司法局",
        "agency_name": "溆浦县社区矫正管理局",
    },
    {"county": "溆浦县", "kind": "中队/司法所", "name": "卢峰中队", "judicial_office": "否"},
    {"county": "溆浦县", "kind": "中队/司法所", "name": "龙潭司法所", "judicial_office": "是"},
    {
        "county": "溆浦县",
        "kind": "乡镇",
        "name": "卢峰镇",
        "parent": "卢峰中队",
        "latitude": 27.908,
        "longitude": 110.594,
    },
    {
        "county": "溆浦县",
        "kind": "乡镇",
        "name": "龙潭镇",
        "parent": "龙潭司法所",
        "latitude": 27.452,
        "longitude": 110.752,
    },
    {"county": "溆浦县", "kind": "村（社区）", "name": "城东社区", "parent": "卢峰镇"},
]


def _units_begin(actor: Any, context: dict[str, Any]) -> None:
    _require_admin(actor)
    visible = scoped(OrgUnit, actor).filter(
        kind__in=[OrgUnit.Kind.COUNTY, OrgUnit.Kind.SQUADRON, OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.VILLAGE]
    )
    # (county key, kind, name) of the units that exist or that rows above create
    context["units"] = {}
    for unit in visible.select_related("county", "parent"):
        context["units"][(unit.county_id, unit.kind, unit.name)] = unit
    context["counties"] = {}
    for unit in visible.filter(kind=OrgUnit.Kind.COUNTY):
        context["counties"][unit.name] = unit.pk
        if unit.code:
            context["counties"][unit.code] = unit.pk
    context["new_counties"] = {}
    context["all_counties"] = set(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY).values_list("code", flat=True)
    )


def _county_key(text: str, context: dict[str, Any]) -> Any:
    if text in context["counties"]:
        return context["counties"][text]
    if text in context["new_counties"]:
        return context["new_counties"][text]
    raise RowProblem(
        "county", _("No county %(c)s in your area (a county row above, or an existing county).") % {"c": text}
    )


def _units_prepare(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    kind = row["kind"]
    name = row.get("name") or ""
    if kind == UnitKind.COUNTY:
        if not selectors.is_operator(actor):
            raise RowProblem("kind", _("Only a province or city operator creates counties."))
        division = selectors.division(row["county"])
        if division is None:
            matches = [d for d in selectors.divisions().values() if d.name == row["county"]]
            if len(matches) != 1:
                raise RowProblem(
                    "county",
                    _("%(c)s is not in the administrative division list (give the 6-digit code).")
                    % {"c": row["county"]},
                )
            division = matches[0]
        if name and name != division.name:
            raise RowProblem(
                "name", _("Division %(code)s is %(name)s.") % {"code": division.code, "name": division.name}
            )
        if division.code not in {d.code for d in selectors.divisions_for(actor=actor)}:
            raise RowProblem(
                "county", _("%(name)s lies outside your city or province.") % {"name": division.name}
            )
        if division.code in context["all_counties"] or division.code in context["new_counties"]:
            raise RowProblem("county", _("%(name)s has already been set up.") % {"name": division.name})
        key = f"new:{division.code}"
        context["new_counties"][division.code] = key
        context["new_counties"][division.name] = key
        return {"kind": kind, "code": division.code, "row": row}
    county = _county_key(row["county"], context)
    if not name:
        raise RowProblem("name", _("Name the unit."))
    parent_kind = {
        UnitKind.SQUADRON: OrgUnit.Kind.COUNTY,
        UnitKind.TOWNSHIP: OrgUnit.Kind.SQUADRON,
        UnitKind.VILLAGE: OrgUnit.Kind.TOWNSHIP,
    }[kind]
    parent: tuple[Any, ...]
    if parent_kind == OrgUnit.Kind.COUNTY:
        parent = ("county", county)
    else:
        parent_name = row.get("parent") or ""
        if not parent_name:
            raise RowProblem("parent", _("Name the unit this one sits under."))
        if (county, parent_kind, parent_name) not in context["units"]:
            raise RowProblem(
                "parent",
                _("No %(kind)s named %(name)s in this county.")
                % {"kind": OrgUnit.Kind(parent_kind).label, "name": parent_name},
            )
        parent = (parent_kind, county, parent_name)
    if (county, kind, name) in context["units"]:
        raise RowProblem("name", _("%(name)s already exists in this county.") % {"name": name})
    context["units"][(county, kind, name)] = "new"
    return {"kind": kind, "county": county, "parent": parent, "name": name, "row": row}


def _units_write(actor: Any, prepared: list[dict[str, Any]], context: dict[str, Any]) -> int:
    counties: dict[Any, OrgUnit] = {}
    made: dict[tuple[Any, str, str], OrgUnit] = {}

    def county_unit(key: Any) -> OrgUnit:
        if key not in counties:
            counties[key] = OrgUnit.objects.get(pk=key)
        return counties[key]

    created = 0
    for item in prepared:
        row = item["row"]
        if item["kind"] == UnitKind.COUNTY:
            county = services.county_create(
                actor=actor,
                code=item["code"],
                bureau_name=row.get("bureau_name") or "",
                agency_name=row.get("agency_name") or "",
            )
            counties[f"new:{item['code']}"] = county
            created += 1
            continue
        county = county_unit(item["county"])
        if item["parent"][0] == "county":
            parent = county
        else:
            _kind, _county, parent_name = item["parent"]
            parent = made.get((item["county"], _kind, parent_name)) or OrgUnit.objects.get(
                county=county, kind=_kind, name=parent_name
            )
        unit = services.unit_add(
            actor=actor,
            parent=parent,
            name=item["name"],
            is_judicial_office=bool(row.get("judicial_office")),
            latitude=row.get("latitude"),
            longitude=row.get("longitude"),
        )
        made[(item["county"], unit.kind, unit.name)] = unit
        created += 1
    return created


ORG_UNITS = register_import(
    ImportKind(
        kind="org_units",
        label="组织机构（县、中队/司法所、乡镇）",
        unit=Units.ORG_UNITS,
        columns=UNIT_COLUMNS,
        prepare=_units_prepare,
        write=_units_write,
        begin=_units_begin,
        order=10,
        examples=UNIT_EXAMPLES,
        description=(
            "一行一个单位，自上而下：县（仅省、市操作员或超级管理员可建，须为内置行政区划表中的县区，"
            "边界随之而来）、中队/司法所、乡镇、村（社区）。县管理员只能在本县内添加单位。任一行有错误则整个文件不导入。"
        ),
    )
)


# --- providers ------------------------------------------------------------------------------------------

PROVIDER_COLUMNS = [
    Column("name", "机构名称", required=True, max_length=120, example="湖南省德馨社会工作服务中心"),
    Column("short_name", "简称", max_length=60, example="湖南德馨社工"),
    Column("credit_code", "统一社会信用代码", max_length=18, help="18位"),
    Column("address", "地址", max_length=200, example="溆浦县卢峰镇"),
    Column(
        "head_office",
        "总部",
        max_length=200,
        example="长沙市",
        help="项目负责人、督导、心理咨询师所在的机构总部",
    ),
    Column("contact_name", "联系人", max_length=50, example="罗文华"),
    Column("contact_phone", "联系电话", max_length=30),
]


def _providers_begin(actor: Any, context: dict[str, Any]) -> None:
    _require_admin(actor)
    context["names"] = set(ServiceProvider.objects.values_list("name", flat=True))


def _providers_prepare(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    if row["name"] in context["names"]:
        raise RowProblem("name", _("%(name)s is already registered.") % {"name": row["name"]})
    context["names"].add(row["name"])
    return row


def _providers_write(actor: Any, prepared: list[dict[str, Any]], context: dict[str, Any]) -> int:
    for row in prepared:
        services.provider_save(actor=actor, data=row)
    return len(prepared)


PROVIDERS = register_import(
    ImportKind(
        kind="providers",
        label="服务机构（社工机构）",
        unit=Units.PROVIDERS,
        columns=PROVIDER_COLUMNS,
        prepare=_providers_prepare,
        write=_providers_write,
        begin=_providers_begin,
        order=20,
        description="承接购买服务的社会工作服务机构，一行一个（含其总部）。已登记的名称不能重复。任一行有错误则整个文件不导入。",
    )
)


# --- staff ----------------------------------------------------------------------------------------------


STAFF_COLUMNS = [
    Column(
        "username", "账号", required=True, max_length=40, example="xp_sw1", help="3-40位小写字母、数字、_ . -"
    ),
    Column("full_name", "姓名", required=True, max_length=50, example="周婷"),
    Column(
        "role",
        "角色",
        required=True,
        max_length=40,
        example="社工",
        help="取值: 矫正局管理员 / 矫正局工作人员 / 中队（司法所）工作人员 / 社工 / 心理咨询师 / 社工机构督导 / "
        "财务审计；不能高于导入人自己的角色",
    ),
    Column(
        "units",
        "任职单位",
        max_length=400,
        example="卢峰中队",
        help="本县的县或中队/司法所名称，多个用分号分隔；服务机构督导留空",
    ),
    Column(
        "county",
        "所属县（区）",
        max_length=100,
        example="溆浦县",
        help="县名称或区划代码；任职单位重名时用来区分",
    ),
    Column(
        "provider",
        "服务机构",
        max_length=120,
        example="湖南德馨社工",
        help="社工、心理咨询师、督导：机构名称或简称",
    ),
    Column("phone", "手机号", max_length=11),
    Column("juveniles", "可查看未成年人", "bool", help="空则按角色默认"),
]

STAFF_EXAMPLES = [
    {
        "username": "xp_officer",
        "full_name": "张卫东",
        "role": "矫正局工作人员",
        "units": "溆浦县",
        "county": "溆浦县",
    },
    {
        "username": "xp_sw1",
        "full_name": "周婷",
        "role": "社工",
        "units": "卢峰中队",
        "county": "溆浦县",
        "provider": "湖南德馨社工",
    },
    {"username": "xp_supervisor", "full_name": "罗文华", "role": "社工机构督导", "provider": "湖南德馨社工"},
]


def _role(text: str) -> str | None:
    """The role a cell names (its Chinese or English name, or its code), staff or not: a role that exists
    but may not be granted is refused by name, not as an unknown value."""
    from django.utils import translation

    text = (text or "").strip()
    for value, label in Role.choices:
        if text == value:
            return value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                if text.lower() == str(label).lower():
                    return value
    return None


def _staff_begin(actor: Any, context: dict[str, Any]) -> None:
    _require_admin(actor)
    context["grantable"] = set(services.grantable_roles(actor))
    context["usernames"] = {u.lower() for u in User.objects.values_list("username", flat=True)}
    context["units"] = list(
        scoped(OrgUnit, actor, CHANGE, Domain.ADMIN).filter(
            kind__in=[OrgUnit.Kind.COUNTY, OrgUnit.Kind.SQUADRON]
        )
        if not scope_for(actor).unrestricted
        else OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.COUNTY, OrgUnit.Kind.SQUADRON])
    )
    context["providers"] = list(ServiceProvider.objects.all())


def _staff_prepare(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    import re

    username = row["username"].strip().lower()
    if not re.fullmatch(r"[a-z0-9_.-]{3,40}", username):
        raise RowProblem("username", _("3-40 lower-case letters, digits, _ . -"))
    if username in context["usernames"]:
        raise RowProblem("username", _("The account name %(u)s is taken.") % {"u": username})
    role = _role(row["role"])
    if role is None:
        raise RowProblem("role", _("Unknown role %(r)s.") % {"r": row["role"]})
    if role not in context["grantable"]:
        raise RowProblem("role", _("You may not grant the role %(role)s.") % {"role": Role(role).label})
    county_text = (row.get("county") or "").strip()
    units = []
    for name in [n.strip() for n in re.split(r"[;；、,，]", row.get("units") or "") if n.strip()]:
        matches = [
            u
            for u in context["units"]
            if u.name == name
            and (
                not county_text
                or county_text in (u.name, u.code)
                or county_text in (getattr(u.county, "name", ""), getattr(u.county, "code", ""))
            )
        ]
        if len(matches) != 1:
            raise RowProblem(
                "units",
                _("No county or squadron %(name)s in your area.") % {"name": name}
                if not matches
                else _("Several units are named %(name)s: give the county.") % {"name": name},
            )
        units.append(matches[0])
    if role == Role.SUPERVISOR and units:
        raise RowProblem("units", _("A contractor supervisor is not posted to units."))
    if role != Role.SUPERVISOR and not units:
        raise RowProblem("units", _("Post the account to at least one squadron or county."))
    provider = None
    if row.get("provider"):
        found = [p for p in context["providers"] if row["provider"] in (p.name, p.short_name)]
        if len(found) != 1:
            raise RowProblem("provider", _("No service provider %(p)s.") % {"p": row["provider"]})
        provider = found[0]
    if role in services.PROVIDER_ROLES - {Role.COUNSELLOR, Role.SOCIAL_WORKER} and provider is None:
        raise RowProblem("provider", _("A contractor supervisor belongs to a service provider."))
    if role not in services.PROVIDER_ROLES and provider is not None:
        raise RowProblem("provider", _("Only provider staff belong to a service provider."))
    phone = (row.get("phone") or "").strip()
    if phone and not re.fullmatch(r"1[3-9]\d{9}", phone):
        raise RowProblem("phone", _("Not a mobile phone number."))
    context["usernames"].add(username)
    return {
        "username": username,
        "full_name": row["full_name"],
        "role": role,
        "units": units,
        "provider": provider,
        "phone": phone,
        "can_view_juveniles": row.get("juveniles"),
    }


def _staff_check(actor: Any, prepared: list[tuple[int, Any]], context: dict[str, Any]) -> list[RowError]:
    return []


def _staff_write(actor: Any, prepared: list[dict[str, Any]], context: dict[str, Any]) -> int:
    for item in prepared:
        user, _password = services.account_create(actor=actor, **item)
        # Imported accounts get no password that anyone has seen: the administrator issues each
        # holder a temporary password from the staff list (shown once), changed at first sign-in.
        user.set_unusable_password()
        user.must_change_password = True
        user.save()
    return len(prepared)


STAFF = register_import(
    ImportKind(
        kind="staff",
        label="工作人员账号",
        unit=Units.STAFF_ACCOUNTS,
        columns=STAFF_COLUMNS,
        prepare=_staff_prepare,
        write=_staff_write,
        begin=_staff_begin,
        order=30,
        examples=STAFF_EXAMPLES,
        description=(
            "一行一个账号：角色与任职单位。只能任职于本县，不能授予高于导入人自己的角色；账号名不能重复。"
            "导入的账号没有可用密码：管理员在「工作人员账号」页为每人生成临时密码（只显示一次），首次登录须修改。"
            "任一行有错误则整个文件不导入。"
        ),
    )
)
