"""Import templates of psychological assessment (``jiaozheng import KIND FILE``, core.imports framework).

- ``copa_pi``: COPA-PI results handed over by the prison, one row per person, one column per dimension
  (standard score as printed) with optional "<dimension>原始分" and "<dimension>解释" columns. The
  dimension names are configurable (rule ``assessments.copa_pi_dimensions``; default: the 12 names of
  psychometrics.md §4). Stored as external results, never rescored.
- ``assessments``: historical results at score level, one row per assessment. Either the item answers
  (column 答案, comma-separated, scored here by the real scorer) or the scores as given (column 分数,
  "metric=value;..." with the scale's metric or factor names), with the validity as recorded.
"""

from __future__ import annotations

import contextvars
import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.assessments.choices import (
    AssessmentStatus,
    EntryMethod,
    EntryOrigin,
    ExternalVersion,
    Mode,
    Validity,
)
from jiaozheng.assessments.scales import ScaleError, get_scale
from jiaozheng.core.fields import blind_index
from jiaozheng.core.imports import Column, ImportKind, RowProblem, Units, register_import
from jiaozheng.core.roles import CHANGE, Domain, Role, role_allows
from jiaozheng.core.scoping import scope_for, scoped

# The county whose dimension list applies to the current upload (set by the page for the uploader).
current_county: contextvars.ContextVar[Any] = contextvars.ContextVar("jz_copa_county", default=None)


def _require(actor: Any) -> None:
    scope = scope_for(actor)
    if scope.unrestricted or scope.role == Role.BUREAU_ADMIN:  # the administrator brings in the county's past
        return
    if scope.role == Role.SUBJECT or not role_allows(scope.role, Domain.PSYCH, CHANGE):
        raise PermissionDenied(
            _("Only counsellors and the bureau administrator may import psychological results.")
        )


def _persons_by_id(actor: Any) -> dict[str, Any]:
    from jiaozheng.people.models import Person

    return {
        p.id_index: p
        for p in scoped(Person, actor).only("pk", "name", "id_index", "county_id", *Person.TERM_FIELDS)
    }


def _person_for(row: dict[str, Any], context: dict[str, Any]) -> Any:
    index = blind_index(row["id_number"])
    person = context["persons"].get(index)
    if person is None:
        raise RowProblem("id_number", _("No person with this ID number in your area."))
    if row.get("name") and row["name"].strip() != person.name:
        raise RowProblem(
            "name", _("The name does not match the person with this ID number (%(n)s).") % {"n": person.name}
        )
    return person


# --- COPA-PI -----------------------------------------------------------------------------------------------


def copa_pi_dimensions(county: Any = None) -> list[str]:
    from jiaozheng.core.rules import rule

    configured = rule(
        "assessments.copa_pi_dimensions", county if county is not None else current_county.get()
    )
    return list(configured) if configured else get_scale("copa_pi").dimensions


BASE_COLUMNS = [
    Column("id_number", "身份证号", required=True, max_length=18, example="431224198503120012"),
    Column("name", "姓名", required=True, max_length=50, example="张三"),
    Column("administered_on", "施测日期", "date", required=True, example="2026-03-15"),
    Column("administering_org", "施测单位", required=True, max_length=120, example="湖南省网岭监狱"),
    Column("version", "版本", help="试用版 / 正式版", example="正式版"),
    Column("valid", "效度", help="有效 / 无效，按原报告", example="有效"),
    Column("indicators", "效度指标", help="名称=值；多个用分号隔开，按原报告"),
    Column("note", "备注"),
]


class _CopaColumns(Sequence):
    """The template's columns, computed when read: the base columns plus three per dimension."""

    def _all(self) -> list[Column]:
        columns = list(BASE_COLUMNS)
        for i, name in enumerate(copa_pi_dimensions()):
            columns.append(
                Column(f"dim{i}_standard", name, "decimal", help="标准分（T分），按原报告", example="50")
            )
            columns.append(Column(f"dim{i}_raw", f"{name}原始分", "decimal", help="原始分，可空"))
            columns.append(Column(f"dim{i}_text", f"{name}解释", help="原报告的解释文字，可空"))
        return columns

    def __getitem__(self, index):  # type: ignore[override]
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[Column]:
        return iter(self._all())


def copa_pi_columns(actor: Any = None) -> list[Column]:
    county = _actor_county(actor)
    token = current_county.set(county)
    try:
        return list(_CopaColumns())
    finally:
        current_county.reset(token)


def _actor_county(actor: Any) -> Any:
    from jiaozheng.orgs.models import OrgUnit

    if actor is None:
        return None
    scope = scope_for(actor)
    ids = sorted(scope.all_county_ids)
    return OrgUnit.objects.filter(pk=ids[0]).first() if len(ids) == 1 else None


def copa_pi_template(actor: Any = None) -> bytes:
    """A UTF-8 (with BOM, for Excel) CSV template with the header row and one example row."""
    columns = copa_pi_columns(actor)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in columns])
    writer.writerow([c.example for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _copa_begin(actor: Any, context: dict[str, Any]) -> None:
    _require(actor)
    context["persons"] = _persons_by_id(actor)


_VERSION = {
    "试用版": ExternalVersion.TRIAL,
    "正式版": ExternalVersion.FORMAL,
    "trial": ExternalVersion.TRIAL,
    "formal": ExternalVersion.FORMAL,
}
_VALID = {"有效": True, "是": True, "valid": True, "无效": False, "否": False, "invalid": False}


def _copa_prepare(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    person = _person_for(row, context)
    if row["administered_on"] > timezone.localdate():
        raise RowProblem("administered_on", _("This date is in the future."))
    # An external result (a prison's COPA-PI before parole) is a document of another body, not a service
    # record of the contract: it may precede the correction.
    version = ExternalVersion.UNKNOWN
    if row.get("version"):
        version = _VERSION.get(row["version"].strip())
        if version is None:
            raise RowProblem("version", _("Write 试用版 or 正式版."))
    valid = None
    if row.get("valid"):
        if row["valid"].strip() not in _VALID:
            raise RowProblem("valid", _("Write 有效 or 无效."))
        valid = _VALID[row["valid"].strip()]
    indicators = {}
    for part in (row.get("indicators") or "").replace("；", ";").split(";"):
        if part.strip():
            key, sep, value = part.partition("=")
            if not sep:
                raise RowProblem("indicators", _("Write indicators as name=value; name=value."))
            indicators[key.strip()] = value.strip()
    scores = []
    for i, name in enumerate(copa_pi_dimensions()):
        standard, raw, text = (
            row.get(f"dim{i}_standard"),
            row.get(f"dim{i}_raw"),
            row.get(f"dim{i}_text") or "",
        )
        if standard is None and raw is None and not text:
            continue
        scores.append({"dimension": name, "standard": standard, "raw": raw, "interpretation": text})
    if not scores:
        raise RowProblem(None, _("The row holds no dimension score."))
    return {
        "person": person,
        "administered_on": row["administered_on"],
        "administering_org": row["administering_org"],
        "version": version,
        "valid": valid,
        "indicators": indicators,
        "scores": scores,
        "note": row.get("note") or "",
    }


def _copa_write(actor: Any, rows: list[dict[str, Any]], context: dict[str, Any]) -> int:
    from jiaozheng.assessments.services import external_result_create

    source_bytes = context.get("source_bytes")
    source_name = context.get("source_name") or f"import {timezone.localtime():%Y-%m-%d %H:%M}"
    if not source_bytes:  # command-line import: hash the imported rows themselves
        source_bytes = json.dumps(rows, default=str, ensure_ascii=False, sort_keys=True).encode("utf-8")
    kept = False
    for row in rows:
        external_result_create(
            actor=actor,
            person=row["person"],
            administered_on=row["administered_on"],
            administering_org=row["administering_org"],
            scores=row["scores"],
            source_name=source_name,
            source_bytes=source_bytes,
            version=row["version"],
            valid_as_printed=row["valid"],
            validity_indicators=row["indicators"],
            entry_method=EntryMethod.CSV,
            keep_file=bool(context.get("keep_file")) and not kept,
            note=row["note"],
        )
        kept = True
    return len(rows)


COPA_PI = register_import(
    ImportKind(
        kind="copa_pi",
        label="COPA-PI 测评结果（外部）",
        unit=Units.ASSESSMENTS,
        columns=_CopaColumns(),
        prepare=_copa_prepare,
        write=_copa_write,
        begin=_copa_begin,
        description="监狱移交的中国罪犯心理评估个性分测验结果，按原报告录入，系统不重新计分。维度列可配置。",
    )
)


# --- assessments at score level ------------------------------------------------------------------------------


ASSESSMENT_COLUMNS = [
    Column("id_number", "身份证号", required=True, max_length=18, example="431224198503120012"),
    Column("name", "姓名", required=True, max_length=50, example="张三"),
    Column(
        "scale",
        "量表",
        required=True,
        max_length=16,
        example="PHQ-9",
        help="SCL-90 / PHQ-9 / GAD-7 / SDS / SAS（大小写、连字符不限）",
    ),
    Column("administered_on", "施测日期", "date", required=True, example="2026-05-10"),
    Column("mode", "方式", help="纸笔 / 在线，默认纸笔", example="纸笔"),
    Column(
        "answers", "答案", example="1,1,0,2,1,0,1,0,0", help="按题号顺序的作答，逗号分隔；填写则由系统计分"
    ),
    Column("scores", "分数", help="未提供答案时：指标=分值，用分号隔开，如 总分=152;阳性项目数=43"),
    Column("validity", "有效性", help="仅在只提供分数时使用：有效 / 存疑 / 无效，默认有效"),
    Column("minutes", "作答用时（分钟）", "float"),
]
_MODES = {"纸笔": Mode.PAPER, "paper": Mode.PAPER, "在线": Mode.ONLINE, "online": Mode.ONLINE, "": Mode.PAPER}
_VALIDITY = {
    "有效": Validity.VALID,
    "valid": Validity.VALID,
    "存疑": Validity.QUESTIONABLE,
    "questionable": Validity.QUESTIONABLE,
    "无效": Validity.INVALID,
    "invalid": Validity.INVALID,
}


def _assess_begin(actor: Any, context: dict[str, Any]) -> None:
    _require(actor)
    context["persons"] = _persons_by_id(actor)


def _scores_only_result(scale: Any, text: str, validity: str) -> dict[str, Any]:
    from jiaozheng.assessments.scoring import OPS, plain_number, to_fraction

    values: dict[str, Any] = {}
    labels = {scale.metric_label(n): n for n in list(scale.metrics) + list(scale.subscales)}
    for part in text.replace("；", ";").split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        key = labels.get(key, key)
        if not sep or (key not in scale.metrics and key not in scale.subscales):
            raise RowProblem(
                "scores",
                _("Unknown score %(k)s; use the scale's metric or factor names.") % {"k": part.strip()},
            )
        try:
            values[key] = plain_number(to_fraction(value.strip()), 4)
        except (ValueError, ZeroDivisionError):
            raise RowProblem("scores", _("%(v)s is not a number.") % {"v": value})
    if not values:
        raise RowProblem("scores", _("Give the answers or the scores."))
    metrics = {k: v for k, v in values.items() if k in scale.metrics}
    subscales = {
        k: {
            "key": scale.subscales[k].get("key", k),
            "items": len(scale.subscales[k]["items"]),
            "answered": None,
            "sum": None,
            "mean": v,
        }
        for k, v in values.items()
        if k in scale.subscales
    }
    rules = []
    results = []
    for rule_ in scale.screening.get("cutoffs", []):
        metric = rule_["metric"]
        test, limit = OPS[rule_["op"]], to_fraction(rule_["value"])
        if metric.startswith("subscales."):
            names = [n for n in subscales if metric == "subscales.*" or metric.endswith(n)]
            met_by = [n for n in names if test(to_fraction(subscales[n]["mean"]), limit)]
            met = bool(met_by) if names else None
            rules.append(
                {
                    "metric": metric,
                    "op": rule_["op"],
                    "value": rule_["value"],
                    "met": met,
                    "met_by": met_by,
                    "source": rule_.get("source", ""),
                }
            )
        else:
            value = metrics.get(metric)
            met = None if value is None else bool(test(to_fraction(value), limit))
            rules.append(
                {
                    "metric": metric,
                    "op": rule_["op"],
                    "value": rule_["value"],
                    "met": met,
                    "observed": value,
                    "source": rule_.get("source", ""),
                }
            )
        results.append(met)
    positive = True if True in results else (None if None in results else (False if results else None))
    primary = values.get(scale.primary_metric)
    return {
        "scale": scale.code,
        "version": scale.version,
        "definition_hash": scale.definition_hash,
        "answers": {},
        "answered": None,
        "items": len(scale.scored_ids),
        "missing": [],
        "metrics": metrics,
        "subscales": subscales,
        "bands": [],
        "subscale_bands": {},
        "screening": {
            "positive": positive,
            "combine": "any",
            "rules": rules,
            "label": scale.screening.get("label", {}),
        },
        "flags": [],
        "urgent": False,
        "validity": {
            "status": validity,
            "flags": [],
            "checks": [],
            "seconds_per_item": None,
            "timed": False,
            "soft_flags_invalid": 2,
            "note": "imported at score level; validity as recorded",
        },
        "risk_level": "medium" if positive else "low",
        "risk_reason": "",
        "intervention": bool(positive),
        "individual_route": False,
        "primary": {"metric": scale.primary_metric, "value": primary},
        "options": {},
        "imported_scores": True,
    }


def _assess_prepare(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    from jiaozheng.assessments.scoring import AnswerError, normalise_answers
    from jiaozheng.assessments.services import score_options

    person = _person_for(row, context)
    try:
        scale = get_scale(re.sub(r"[\s_\-－]", "", row["scale"]).lower())  # PHQ-9, phq9, Phq 9
    except ScaleError:
        raise RowProblem("scale", _("Unknown scale %(s)s.") % {"s": row["scale"]})
    if scale.is_external:
        raise RowProblem("scale", _("Import COPA-PI results with the copa_pi template."))
    if row["administered_on"] > timezone.localdate():
        raise RowProblem("administered_on", _("This date is in the future."))
    if outside := person.outside_correction(row["administered_on"]):
        raise RowProblem("administered_on", outside)
    mode = _MODES.get((row.get("mode") or "").strip().lower())
    if mode is None:
        raise RowProblem("mode", _("Write 纸笔 or 在线."))
    minutes = row.get("minutes")
    if minutes is not None and not (0 < minutes <= 600):
        raise RowProblem("minutes", _("The answering time is between 1 and 600 minutes."))
    answers_text = (row.get("answers") or "").strip()
    if answers_text:
        from jiaozheng.assessments.scoring import score

        try:
            answers = normalise_answers(
                scale, [a.strip() for a in answers_text.replace("，", ",").split(",")]
            )
        except AnswerError as exc:
            raise RowProblem("answers", str(exc))
        options = score_options(person.county_id, scale.code, total_seconds=minutes * 60 if minutes else None)
        result = score(scale, answers, options)
    else:
        validity = _VALIDITY.get((row.get("validity") or "有效").strip().lower())
        if validity is None:
            raise RowProblem("validity", _("Write 有效, 存疑 or 无效."))
        answers = {}
        result = _scores_only_result(scale, row.get("scores") or "", validity)
    return {
        "person": person,
        "scale": scale,
        "answers": answers,
        "result": result,
        "on": row["administered_on"],
        "mode": mode,
        "minutes": minutes,
    }


def _assess_write(actor: Any, rows: list[dict[str, Any]], context: dict[str, Any]) -> int:
    from jiaozheng.assessments.models import AnswerEntry, Assessment
    from jiaozheng.assessments.services import apply_result, raise_flags
    from jiaozheng.audit.services import record_bulk

    now = timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    objs = []
    for row in rows:
        a = Assessment(
            person=row["person"],
            scale_code=row["scale"].code,
            scale_version=row["scale"].version,
            scale_hash=row["scale"].definition_hash,
            status=AssessmentStatus.COMPLETED,
            mode=Mode.IMPORTED,
            assigned_by=user,
            assigned_at=now,
            completed_at=now,
            administered_on=row["on"],
            entered_by=user,
            answers={str(k): v for k, v in row["answers"].items()},
            total_seconds=row["minutes"] * 60 if row["minutes"] else None,
            note=_("Imported (%(mode)s form)") % {"mode": "纸笔" if row["mode"] == Mode.PAPER else "在线"},
        )
        apply_result(a, row["result"])
        objs.append(a)
    created = Assessment.objects.bulk_create(objs)
    record_bulk(created)
    entries = AnswerEntry.objects.bulk_create(
        [
            AnswerEntry(
                assessment=a,
                at=now,
                entered_by=user,
                origin=EntryOrigin.IMPORT,
                answers=a.answers,
                reason=_("Import"),
            )
            for a in created
        ]
    )
    record_bulk(entries)
    for a in created:
        raise_flags(a, a.result, notify=a.administered_on >= timezone.localdate() - dt.timedelta(days=7))
    return len(created)


ASSESSMENTS = register_import(
    ImportKind(
        kind="assessments",
        label="心理测评结果",
        unit=Units.ASSESSMENTS,
        columns=ASSESSMENT_COLUMNS,
        prepare=_assess_prepare,
        write=_assess_write,
        begin=_assess_begin,
        description="历史心理测评结果：提供答案则由系统按量表规则计分；只提供分数则按原记录保存（不推算有效性）。",
    )
)


def source_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
