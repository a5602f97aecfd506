"""Foreign keys follow the layers (docs/adr/0004-boundaries.md).

import-linter checks the Python imports; a foreign key names its target as a string ("people.Person"),
which it cannot see. Here every relation between platform apps must point down the layers:
dashboards > reports > indicators > contracts > service apps > people > orgs > audit > core, and the
service apps never point at each other. The user model (``settings.AUTH_USER_MODEL``) is Django's
swappable contract and may be named from any layer. The exceptions are named, with their reason; the
list must stay exact, so a new exception fails here as surely as a new violation.
"""

from __future__ import annotations

from django.apps import apps

LAYERS = ["core", "audit", "orgs", "people", "SERVICE", "contracts", "indicators", "reports", "dashboards"]
SERVICE_APPS = {
    "education",
    "community",
    "assessments",
    "counselling",
    "visits",
    "location",
    "checkins",
    "supervision",
    "feedback",
}

EXCEPTIONS = {
    # Rule overrides and background jobs belong to a province or county of the organisation tree.
    "core.RuleValue.unit -> orgs.OrgUnit": "a rule's value is set per province or county",
    "core.Job.county -> orgs.OrgUnit": "a job's result is visible in its county",
    # A supervised person's own account (the phone pages) is linked to the case.
    "orgs.User.person -> people.Person": "the subject's account is the person's",
    # The per-person timeline and the access log are kept with (or released by) the person.
    "audit.TimelineEvent.person -> people.Person": "the timeline is deleted with the person",
    "audit.AccessLog.person -> people.Person": "a read of a person's data names the person",
    # A contract's visit quotas are set from the visits pages (to move to contracts with issue 12 point 3).
    "visits.VisitQuota.contract -> contracts.Contract": "the quota is the contract's",
}


def layer(app_label: str) -> int | None:
    if app_label in SERVICE_APPS:
        return LAYERS.index("SERVICE")
    return LAYERS.index(app_label) if app_label in LAYERS else None


def relation_violations() -> set[str]:
    found = set()
    for model in apps.get_models():
        source = model._meta.app_label
        if layer(source) is None:
            continue
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            if getattr(field, "swappable_setting", None) == "AUTH_USER_MODEL":
                continue
            target = field.related_model._meta.app_label
            if target == source or layer(target) is None:
                continue
            if layer(target) >= layer(source):  # up the layers, or sideways between service apps
                found.add(f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}")
    return found


def test_foreign_keys_point_down_the_layers():
    assert relation_violations() == set(EXCEPTIONS)


def test_layer_order_is_the_documented_one():
    assert layer("core") < layer("audit") < layer("orgs") < layer("people") < layer("visits")
    assert (
        layer("visits") == layer("location") < layer("contracts") < layer("indicators") < layer("dashboards")
    )
