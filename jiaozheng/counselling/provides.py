"""What counselling offers the other service apps through ``jiaozheng.core.registry.provider``: opening a
referral (from a risk flag or a home visit) and a person's cases (on the assessment file)."""

from __future__ import annotations

from typing import Any

from jiaozheng.core.registry import provide
from jiaozheng.core.scoping import scoped
from jiaozheng.counselling.models import CounsellingCase
from jiaozheng.counselling.services import referral_open


def cases_for_person(*, actor: Any, person: Any) -> list[CounsellingCase]:
    """The person's counselling cases the actor may see, newest first."""
    return list(scoped(CounsellingCase, actor).filter(person=person).order_by("-opened_on"))


provide("counselling.referral_open", referral_open)
provide("counselling.cases_for_person", cases_for_person)
