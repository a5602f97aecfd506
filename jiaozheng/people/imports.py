"""Caseload import: the 社区矫正对象 template (docs/imports.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiaozheng.core.imports import Column, ImportKind, RowError, RowProblem, Units, register_import
from jiaozheng.core.roles import CHANGE, Domain, role_allows
from jiaozheng.core.scoping import scope_for, scoped
from jiaozheng.orgs.models import OrgUnit
from jiaozheng.people.choices import (
    ETHNICITY_BY_NAME,
    CorrectionType,
    Education,
    Employment,
    Gender,
    OffenceCategory,
    RiskLevel,
    SupervisionClass,
)

COLUMNS = [
    Column("name", "姓名", required=True, max_length=50, example="张三"),
    Column("gender", "性别", "choice", required=True, choices=Gender, example="男"),
    Column("birth_date", "出生日期", "date", required=True, example="1985-03-12"),
    Column("ethnicity", "民族", example="汉族", help="56 个民族名称，如 汉族、苗族、侗族"),
    Column(
        "id_number",
        "身份证号",
        required=True,
        max_length=18,
        example="431224198503120012",
        help="18 位居民身份证号码，校验位和出生日期、性别须一致",
    ),
    Column("phone", "手机号", max_length=11, example="13807451234"),
    Column("education", "文化程度", "choice", required=True, choices=Education, example="初中"),
    Column("employment", "就业情况", "choice", required=True, choices=Employment, example="务农"),
    Column("employer", "工作单位或学校", max_length=120),
    Column("address", "居住地址", required=True, max_length=200, example="溆浦县卢峰镇××村5组"),
    Column("squadron", "中队/司法所", required=True, example="卢峰中队", help="本县中队或司法所名称"),
    Column("township", "乡镇", help="须属于所填中队"),
    Column("village", "村（社区）", help="须属于所填乡镇"),
    Column("home_latitude", "住址纬度", "float", help="WGS-84 十进制度，可空"),
    Column("home_longitude", "住址经度", "float", help="WGS-84 十进制度，可空"),
    Column("correction_type", "矫正类别", "choice", required=True, choices=CorrectionType, example="缓刑"),
    Column(
        "offence_category", "犯罪类型", "choice", required=True, choices=OffenceCategory, example="危险驾驶"
    ),
    Column("offence", "罪名", max_length=100, example="危险驾驶罪"),
    Column("sentence", "原判刑罚", max_length=200, example="拘役三个月，缓刑六个月"),
    Column("deciding_authority", "决定机关", max_length=100, example="溆浦县人民法院"),
    Column("judgment_effective_on", "判决生效日期", "date"),
    Column("term_start", "矫正起始日期", "date", required=True, example="2026-01-05"),
    Column("term_end", "矫正结束日期", "date", required=True, example="2026-07-04"),
    Column("intake_on", "报到日期", "date", example="2026-01-08", help="已报到的填写；空表示待报到"),
    Column(
        "supervision_class",
        "管理等级",
        "choice",
        choices=SupervisionClass,
        example="普管",
        help="空则按严管登记",
    ),
    Column("risk_level", "风险等级", "choice", choices=RiskLevel),
]


def _begin(actor: Any, context: dict[str, Any]) -> None:
    scope = scope_for(actor)
    if not scope.unrestricted and not role_allows(scope.role, Domain.CASELOAD, CHANGE):
        raise PermissionDenied(_("Your role may not import the caseload."))
    units = scoped(OrgUnit, actor).filter(
        kind__in=[OrgUnit.Kind.SQUADRON, OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.VILLAGE]
    )
    county = context.get("county")
    if county is not None:
        units = units.filter(county_id=getattr(county, "pk", county))
    context["squadrons"] = {}
    context["townships"] = {}
    context["villages"] = {}
    for unit in units.select_related("parent"):
        if unit.kind == OrgUnit.Kind.SQUADRON:
            context["squadrons"].setdefault(unit.name, []).append(unit)
        elif unit.kind == OrgUnit.Kind.TOWNSHIP:
            context["townships"][(unit.squadron_id, unit.name)] = unit
        else:
            context["villages"][(unit.parent_id, unit.name)] = unit


def _prepare(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    from jiaozheng.people.services import CREATE_ONLY_FIELDS, EDITABLE_FIELDS

    squadrons = context["squadrons"].get(row["squadron"], [])
    if not squadrons:
        raise RowProblem("squadron", _("No squadron named %(n)s in your area.") % {"n": row["squadron"]})
    if len(squadrons) > 1:
        raise RowProblem(
            "squadron", _("Several squadrons are named %(n)s: import per county.") % {"n": row["squadron"]}
        )
    squadron = squadrons[0]
    row["squadron"] = squadron
    if row.get("township"):
        township = context["townships"].get((squadron.pk, row["township"]))
        if township is None:
            raise RowProblem(
                "township", _("Township %(n)s does not belong to this squadron.") % {"n": row["township"]}
            )
        row["township"] = township
        if row.get("village"):
            village = context["villages"].get((township.pk, row["village"]))
            if village is None:
                raise RowProblem(
                    "village", _("Village %(n)s does not belong to this township.") % {"n": row["village"]}
                )
            row["village"] = village
        else:
            row["village"] = None
    else:
        row["township"] = None
        if row.get("village"):
            raise RowProblem("village", _("Give the township of the village."))
        row["village"] = None
    ethnicity = row.get("ethnicity") or "汉族"
    if ethnicity not in ETHNICITY_BY_NAME and ethnicity.lower() not in ETHNICITY_BY_NAME:
        raise RowProblem("ethnicity", _("Unknown ethnicity %(v)s") % {"v": ethnicity})
    row["ethnicity"] = ETHNICITY_BY_NAME.get(ethnicity) or ETHNICITY_BY_NAME[ethnicity.lower()]
    data = {k: v for k, v in row.items() if k in EDITABLE_FIELDS or k in CREATE_ONLY_FIELDS}
    if not data.get("supervision_class"):
        data.pop("supervision_class", None)
    data["risk_level"] = data.get("risk_level") or ""
    from jiaozheng.people.services import person_build

    return person_build(actor=actor, data=data, units_checked=True)


def _check_all(actor: Any, prepared: list[tuple[int, Any]], context: dict[str, Any]) -> list[RowError]:
    seen: dict[str, int] = {}
    errors = []
    for row_number, person in prepared:
        if person.id_index in seen:
            errors.append(
                RowError(
                    row_number, "身份证号", _("Same ID number as row %(r)s.") % {"r": seen[person.id_index]}
                )
            )
        else:
            seen[person.id_index] = row_number
    return errors


def _write(actor: Any, persons: list[Any], context: dict[str, Any]) -> int:
    from jiaozheng.people.services import persons_bulk_register

    return persons_bulk_register(actor=actor, persons=persons)


PERSONS = register_import(
    ImportKind(
        kind="persons",
        label="社区矫正对象",
        unit=Units.PERSONS,
        columns=COLUMNS,
        prepare=_prepare,
        write=_write,
        begin=_begin,
        check_all=_check_all,
        description="社区矫正对象名册。任一行有错误则整个文件不导入，并列出行号、列名和原因。",
        order=50,  # after the county's set-up, before every record of a person
    )
)
