"""Readable timeline verbs. Each app registers its verbs with a translatable template.

``timeline_add(person, "visit.recorded", obj=visit, kind="field_visit")`` stores the verb and its
parameters; the page renders ``template.format(**params)`` in the reader's language. Parameters named in
``choices`` are choice codes shown with their label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Verb:
    template: Any
    choices: dict[str, type[models.Choices]] = field(default_factory=dict)
    icon: str = "•"


_VERBS: dict[str, Verb] = {}


def register_verb(
    verb: str, template: Any, *, choices: dict[str, type[models.Choices]] | None = None, icon: str = "•"
) -> None:
    _VERBS[verb] = Verb(template=template, choices=choices or {}, icon=icon)


def render(event: Any) -> str:
    definition = _VERBS.get(event.verb)
    params = dict(event.params or {})
    if definition is None:
        return event.verb
    for name, choices in definition.choices.items():
        if name in params:
            try:
                params[name] = choices(params[name]).label
            except ValueError:
                pass
    try:
        return str(definition.template).format(**params)
    except (KeyError, IndexError, ValueError):
        return str(definition.template)


def icon(verb: str) -> str:
    definition = _VERBS.get(verb)
    return definition.icon if definition else "•"


register_verb("record.created", _("Record created"))
