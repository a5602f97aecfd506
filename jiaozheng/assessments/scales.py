"""Scales as data: loading and checking scale definitions and their content packs.

A scale is a YAML file (``data/scales/<id>.yaml``) validated against ``data/scale.schema.json`` and a few
semantic checks (items named by subscales exist, metrics refer only to metrics declared before them, ...).
Item texts live apart, in content packs ``data/content/<pack>.<lang>.yaml``. An agency adds or replaces
scales and packs without code by putting files in ``$JZ_SCALES_DIR/scales/`` and
``$JZ_SCALES_DIR/content/`` (they take precedence over the shipped ones).

Nothing here touches the database: the scorer, the CLI and the tests use it directly.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
SCHEMA_PATH = DATA_DIR / "scale.schema.json"
LANGS = ("zh-hans", "en")
DEFAULT_LANG = "zh-hans"


class ScaleError(Exception):
    """A scale or content-pack file is invalid (the message names the file and the problem)."""


def _dirs(kind: str) -> list[Path]:
    """Search path for ``scales`` or ``content``: the agency's directory first, then the shipped one."""
    dirs = []
    extra = os.environ.get("JZ_SCALES_DIR", "").strip()
    if extra:
        dirs.append(Path(extra) / kind)
    dirs.append(DATA_DIR / kind)
    return dirs


_schema_cache: dict[str, Any] = {}


def schema() -> dict[str, Any]:
    if "schema" not in _schema_cache:
        _schema_cache["schema"] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return _schema_cache["schema"]


def _text(value: dict[str, str] | None, lang: str) -> str:
    if not value:
        return ""
    lang = _norm_lang(lang)
    return value.get(lang) or value.get(DEFAULT_LANG) or next(iter(value.values()), "")


def _norm_lang(lang: str | None) -> str:
    lang = (lang or DEFAULT_LANG).lower().replace("_", "-")
    return "en" if lang.startswith("en") else "zh-hans"


@dataclass(frozen=True)
class Item:
    id: int
    reverse: bool = False
    scored: bool = True
    options: tuple[dict[str, Any], ...] = ()


@dataclass
class ContentPack:
    scale: str
    lang: str
    path: Path | None
    items: dict[int, str] = field(default_factory=dict)
    instructions: str = ""
    approval_required: bool = False
    approved: bool = False
    placeholder: bool = False
    notice: str = ""
    licence_note: str = ""
    subscales: dict[str, str] = field(default_factory=dict)

    @property
    def usable_in_production(self) -> bool:
        """Free texts, or texts the agency approved (placeholders never are)."""
        return not self.placeholder and (not self.approval_required or self.approved)


@dataclass
class Scale:
    """One validated scale definition (read-only)."""

    data: dict[str, Any]
    path: Path | None = None

    # --- identity ----------------------------------------------------------------------------------
    @property
    def code(self) -> str:
        return self.data["id"]

    @property
    def version(self) -> str:
        return str(self.data["version"])

    @property
    def kind(self) -> str:
        return self.data["kind"]

    @property
    def is_external(self) -> bool:
        return self.kind == "external"

    def title(self, lang: str = DEFAULT_LANG) -> str:
        return _text(self.data["title"], lang)

    def short_title(self, lang: str = DEFAULT_LANG) -> str:
        return _text(self.data.get("short_title"), lang) or self.title(lang)

    def description(self, lang: str = DEFAULT_LANG) -> str:
        return _text(self.data.get("description"), lang)

    def timeframe(self, lang: str = DEFAULT_LANG) -> str:
        return _text(self.data.get("timeframe"), lang)

    @property
    def licence(self) -> dict[str, Any]:
        return self.data.get("licence", {"status": "unknown"})

    @cached_property
    def definition_hash(self) -> str:
        canonical = json.dumps(self.data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    # --- items -------------------------------------------------------------------------------------
    @cached_property
    def items(self) -> list[Item]:
        out = []
        for entry in self.data.get("items", []):
            if isinstance(entry, int):
                out.append(Item(entry))
            else:
                out.append(
                    Item(
                        entry["id"],
                        reverse=bool(entry.get("reverse", False)),
                        scored=bool(entry.get("scored", True)),
                        options=tuple(entry.get("options", ())),
                    )
                )
        return out

    @cached_property
    def item_ids(self) -> list[int]:
        return [item.id for item in self.items]

    @cached_property
    def scored_ids(self) -> list[int]:
        return [item.id for item in self.items if item.scored]

    @cached_property
    def item_by_id(self) -> dict[int, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def reverse_ids(self) -> frozenset[int]:
        return frozenset(item.id for item in self.items if item.reverse)

    @property
    def response_scale(self) -> list[dict[str, Any]]:
        return self.data.get("response_scale", [])

    def options(self, item_id: int) -> list[dict[str, Any]]:
        item = self.item_by_id[item_id]
        return list(item.options) if item.options else self.response_scale

    def option_values(self, item_id: int) -> list[int]:
        return [o["value"] for o in self.options(item_id)]

    def option_label(self, item_id: int, value: int | None, lang: str = DEFAULT_LANG) -> str:
        for option in self.options(item_id):
            if option["value"] == value:
                return _text(option["label"], lang)
        return ""

    @cached_property
    def value_range(self) -> tuple[int, int]:
        values = [o["value"] for o in self.response_scale]
        return min(values), max(values)

    # --- scoring parts -----------------------------------------------------------------------------
    @property
    def subscales(self) -> dict[str, dict[str, Any]]:
        return self.data.get("subscales", {})

    def subscale_label(self, name: str, lang: str = DEFAULT_LANG) -> str:
        return _text(self.subscales.get(name, {}).get("label"), lang) or name

    @property
    def metrics(self) -> dict[str, dict[str, Any]]:
        return self.data.get("metrics", {})

    def metric_label(self, name: str, lang: str = DEFAULT_LANG) -> str:
        if name in self.metrics:
            return _text(self.metrics[name].get("label"), lang) or name
        if name in self.subscales:
            return self.subscale_label(name, lang)
        return name

    @property
    def primary_metric(self) -> str:
        return self.data.get("primary_metric", "")

    @property
    def screening(self) -> dict[str, Any]:
        return self.data.get("screening", {})

    @property
    def flags(self) -> list[dict[str, Any]]:
        return self.data.get("flags", [])

    @property
    def norms(self) -> list[dict[str, Any]]:
        return self.data.get("norms", [])

    @property
    def validity(self) -> dict[str, Any]:
        return self.data.get("validity", {})

    @property
    def dimensions(self) -> list[str]:
        return list(self.data.get("dimensions", []))

    # --- content -----------------------------------------------------------------------------------
    def content(self, lang: str = DEFAULT_LANG) -> ContentPack:
        return content_pack(self.data.get("content_pack", self.code), _norm_lang(lang))

    def item_text(self, item_id: int, lang: str = DEFAULT_LANG) -> str:
        pack = self.content(lang)
        if item_id in pack.items:
            return pack.items[item_id]
        fallback = self.content(DEFAULT_LANG)
        return fallback.items.get(item_id, f"#{item_id}")


# --- loading -----------------------------------------------------------------------------------------

_lock = threading.Lock()
_scales: dict[str, Scale] | None = None
_packs: dict[tuple[str, str], ContentPack] = {}


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScaleError(f"{path.name}: not valid YAML: {exc}")


def validate_data(data: Any, *, name: str = "scale") -> Scale:
    """Validate one scale definition (schema + semantic checks); return the Scale or raise ScaleError."""
    import jsonschema

    if not isinstance(data, dict):
        raise ScaleError(f"{name}: the file must hold a mapping")
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for error in errors[:10]:
            where = "/".join(str(p) for p in error.absolute_path) or "(top)"
            lines.append(f"{where}: {error.message}")
        raise ScaleError(f"{name}: " + "; ".join(lines))
    scale = Scale(data)
    problems = _semantic_problems(scale)
    if problems:
        raise ScaleError(f"{name}: " + "; ".join(problems))
    return scale


def _semantic_problems(scale: Scale) -> list[str]:
    problems: list[str] = []
    if scale.is_external:
        return problems
    ids = scale.item_ids
    if len(ids) != len(set(ids)):
        problems.append("item ids repeat")
    known = set(ids)
    scored = set(scale.scored_ids)
    values = [o["value"] for o in scale.response_scale]
    if len(values) != len(set(values)):
        problems.append("response_scale values repeat")
    for name, sub in scale.subscales.items():
        missing = [i for i in sub["items"] if i not in scored]
        if missing:
            problems.append(f"subscale {name} names items that are not scored items: {missing}")
        if len(sub["items"]) != len(set(sub["items"])):
            problems.append(f"subscale {name} repeats items")
    declared: set[str] = set()

    def check_operand(operand: Any, where: str) -> None:
        if isinstance(operand, (int, float)):
            return
        if isinstance(operand, str):
            if operand not in declared:
                problems.append(f"{where}: metric {operand!r} is used before it is declared")
            return
        check_expr(operand, where)

    def check_expr(expr: dict[str, Any], where: str) -> None:
        op = expr["op"]
        if op in ("sum", "mean", "count_where", "sum_where"):
            items = expr.get("items", "all")
            if items != "all":
                bad = [i for i in items if i not in scored]
                if bad:
                    problems.append(f"{where}: items {bad} are not scored items")
            if op in ("count_where", "sum_where") and "where" not in expr:
                problems.append(f"{where}: {op} needs 'where'")
        elif op == "ratio":
            for key in ("num", "den"):
                if key not in expr:
                    problems.append(f"{where}: ratio needs {key!r}")
                else:
                    check_operand(expr[key], where)
        elif op in ("diff", "add"):
            for key in ("a", "b"):
                if key not in expr:
                    problems.append(f"{where}: {op} needs {key!r}")
                else:
                    check_operand(expr[key], where)
        elif op == "scale":
            if "src" not in expr or "factor" not in expr:
                problems.append(f"{where}: scale needs 'src' and 'factor'")
            else:
                check_operand(expr["src"], where)
        elif op == "ref":
            check_operand(expr.get("metric", ""), where)

    for name, expr in scale.metrics.items():
        if name in scale.subscales:
            problems.append(f"metric {name} has the name of a subscale")
        check_expr(expr, f"metric {name}")
        declared.add(name)
    names = declared | set(scale.subscales)
    if scale.primary_metric and scale.primary_metric not in names:
        problems.append(f"primary_metric {scale.primary_metric!r} is not a metric or subscale")
    for rule in scale.screening.get("cutoffs", []):
        metric = rule["metric"]
        if metric == "subscales.*":
            if not scale.subscales:
                problems.append("cut-off on subscales.* but the scale has no subscales")
            continue
        if metric.startswith("subscales."):
            metric = metric.split(".", 1)[1]
        if metric not in names:
            problems.append(f"cut-off on unknown metric {rule['metric']!r}")
    for band_set in scale.data.get("bands", []):
        if band_set["metric"] not in names:
            problems.append(f"bands on unknown metric {band_set['metric']!r}")
    for flag in scale.flags:
        if flag["item"] not in known:
            problems.append(f"flag {flag['code']} names unknown item {flag['item']}")
    for norm in scale.norms:
        unknown = [k for k in norm["values"] if k not in names]
        if unknown:
            problems.append(f"norm {norm['id']} has values for unknown metrics {unknown}")
        for key, (_mean, sd) in norm["values"].items():
            if sd <= 0:
                problems.append(f"norm {norm['id']}: SD of {key} must be positive")
    validity = scale.validity
    for pair in validity.get("antonym_pairs", []):
        if any(i not in scored for i in pair):
            problems.append(f"antonym pair {pair} names items that are not scored items")
    for extreme in validity.get("extreme_metrics", []):
        if extreme["metric"] not in names:
            problems.append(f"extreme_metrics names unknown metric {extreme['metric']!r}")

    def check_condition(cond: dict[str, Any], where: str) -> None:
        for sub in cond.get("any", []) + cond.get("all", []):
            check_condition(sub, where)
        if "metric" in cond and cond["metric"] not in names:
            problems.append(f"{where}: unknown metric {cond['metric']!r}")
        if "subscale" in cond and cond["subscale"] not in scale.subscales:
            problems.append(f"{where}: unknown subscale {cond['subscale']!r}")
        if ("metric" in cond or "subscale" in cond) and ("op" not in cond or "value" not in cond):
            problems.append(f"{where}: a metric condition needs 'op' and 'value'")
        if "flag" in cond and cond["flag"] not in {f["code"] for f in scale.flags}:
            problems.append(f"{where}: unknown flag {cond['flag']!r}")

    for i, rule in enumerate(scale.data.get("risk", {}).get("rules", [])):
        check_condition(rule["when"], f"risk rule {i + 1}")
    for key in ("intervention", "individual_route"):
        if key in scale.data:
            check_condition(scale.data[key], key)
    return problems


def load_file(path: Path) -> Scale:
    scale = validate_data(_read_yaml(path), name=path.name)
    if path.stem != scale.code:
        raise ScaleError(f"{path.name}: the file name must be the scale id ({scale.code}.yaml)")
    scale.path = path
    return scale


def all_scales() -> dict[str, Scale]:
    """Every scale, by code: the agency's directory overrides the shipped files of the same name."""
    global _scales
    if _scales is None:
        with _lock:
            found: dict[str, Scale] = {}
            for folder in reversed(_dirs("scales")):
                if not folder.is_dir():
                    continue
                for path in sorted(folder.glob("*.yaml")):
                    scale = load_file(path)
                    found[scale.code] = scale
            _scales = dict(sorted(found.items()))
    return _scales


def get_scale(code: str) -> Scale:
    scales = all_scales()
    if code not in scales:
        raise ScaleError(f"unknown scale {code!r}; known: {', '.join(scales)}")
    return scales[code]


def questionnaires() -> dict[str, Scale]:
    return {code: s for code, s in all_scales().items() if not s.is_external}


def content_pack(pack: str, lang: str) -> ContentPack:
    key = (pack, lang)
    if key in _packs:
        return _packs[key]
    found = None
    for folder in _dirs("content"):
        path = folder / f"{pack}.{lang}.yaml"
        if path.is_file():
            found = path
            break
    if found is None:
        result = ContentPack(scale=pack, lang=lang, path=None)
    else:
        data = _read_yaml(found) or {}
        if not isinstance(data, dict) or not isinstance(data.get("items", {}), dict):
            raise ScaleError(f"{found.name}: a content pack holds a mapping with an 'items' mapping")
        result = ContentPack(
            scale=pack,
            lang=lang,
            path=found,
            items={int(k): str(v) for k, v in (data.get("items") or {}).items()},
            instructions=str(data.get("instructions", "")),
            approval_required=bool(data.get("approval_required", False)),
            approved=bool(data.get("approved", False)),
            placeholder=bool(data.get("placeholder", False)),
            notice=str(data.get("notice", "")),
            licence_note=str(data.get("licence_note", "")),
            subscales={str(k): str(v) for k, v in (data.get("subscales") or {}).items()},
        )
    with _lock:
        _packs[key] = result
    return result


def reload() -> None:
    """Forget loaded scales and packs (after files changed; tests)."""
    global _scales
    with _lock:
        _scales = None
        _packs.clear()


def builtin_norms(scale: Scale) -> list[dict[str, Any]]:
    return list(scale.norms)


def scale_choices(lang: str = DEFAULT_LANG) -> list[tuple[str, str]]:
    return [(code, f"{s.short_title(lang)} {s.title(lang)}") for code, s in questionnaires().items()]
