"""The participant questionnaire: defined as data (data/activity_satisfaction.yaml), worded per county."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.utils import translation

DATA = Path(__file__).resolve().parent / "data" / "activity_satisfaction.yaml"


@functools.cache
def _default() -> dict[str, Any]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def _text(value: Any) -> str:
    if isinstance(value, dict):
        lang = "en" if (translation.get_language() or "").startswith("en") else "zh-hans"
        return str(value.get(lang) or value.get("zh-hans") or "")
    return str(value or "")


@dataclass(frozen=True)
class Questionnaire:
    version: str
    items: tuple[tuple[str, str], ...]  # (key, text)
    open_question: str
    scale: tuple[tuple[int, str], ...]  # (value, label), best first

    @property
    def values(self) -> frozenset[int]:
        return frozenset(v for v, _label in self.scale)

    @property
    def max_value(self) -> int:
        return max(self.values)


def default_items() -> list[dict[str, str]]:
    return [{"key": item["key"], "text": _text(item["text"])} for item in _default()["items"]]


def questionnaire_for(county_id: int | None) -> Questionnaire:
    """The questionnaire in force in a county: its own wording if it has one, else the default."""
    from jiaozheng.feedback.models import CountyQuestionnaire

    data = _default()
    scale = tuple((int(s["value"]), _text(s["label"])) for s in data["scale"])
    own = CountyQuestionnaire.objects.filter(county_id=county_id).first() if county_id else None
    if own is not None and own.items:
        return Questionnaire(
            version=f"{data['version']}.c{own.county_id}v{own.version}",
            items=tuple((i["key"], i["text"]) for i in own.items),
            open_question=own.open_question,
            scale=scale,
        )
    return Questionnaire(
        version=str(data["version"]),
        items=tuple((i["key"], _text(i["text"])) for i in data["items"]),
        open_question=_text(data.get("open_question")),
        scale=scale,
    )
