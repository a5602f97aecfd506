"""Provincial rules: ``jiaozheng rules list``, ``jiaozheng rules set KEY JSON_VALUE --unit CODE [--source ...]``."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiaozheng.core.rules import clear_cache, registered_rules, validate_value


class Command(BaseCommand):
    help = "List the rules and their values, or set a province's or county's value."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "set"])
        parser.add_argument("key", nargs="?")
        parser.add_argument("value", nargs="?", help="JSON value, e.g. 3 or [1,2] or '{\"a\": 1}'")
        parser.add_argument("--unit", help="Division code of the province or county (e.g. 430000)")
        parser.add_argument("--source", default="")

    def handle(self, *args, **options):
        from jiaozheng.core.models import RuleValue
        from jiaozheng.core.rules import unit_model

        OrgUnit = unit_model()

        if options["action"] == "list":
            overrides = {(r.key, r.unit_id): r for r in RuleValue.objects.select_related("unit")}
            for key, rule in registered_rules().items():
                self.stdout.write(
                    f"{key} = {json.dumps(rule.default, ensure_ascii=False)}  [{rule.source}] {rule.description}"
                )
                for (okey, _unit), row in overrides.items():
                    if okey == key:
                        self.stdout.write(
                            f"    {row.unit.name}: {json.dumps(row.value, ensure_ascii=False)}  {row.source}"
                        )
            return
        if not (options["key"] and options["value"] and options["unit"]):
            raise CommandError("usage: rules set KEY JSON_VALUE --unit CODE")
        try:
            value = json.loads(options["value"])
        except ValueError:
            raise CommandError("the value must be JSON")
        try:
            validate_value(options["key"], value)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        unit = OrgUnit.objects.filter(code=options["unit"], kind__in=["province", "county"]).first()
        if unit is None:
            raise CommandError("no province or county with that code")
        from jiaozheng.core.context import acting_as
        from jiaozheng.core.registry import provider

        system_user = provider("orgs.system_user")

        with acting_as(system_user(), "cli"):
            RuleValue.objects.update_or_create(
                key=options["key"], unit=unit, defaults={"value": value, "source": options["source"]}
            )
        clear_cache()
        self.stdout.write(f"{options['key']} = {value} for {unit.name}")
