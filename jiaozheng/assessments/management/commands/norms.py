"""``jiaozheng norms``: list norms, or build a local norm from the agency's own valid assessments.

    jiaozheng norms list [--scale scl90]
    jiaozheng norms build --scale scl90 --from 2020-01-01 --to 2020-12-31 [--county 431224]
                          [--label NAME] [--code CODE] [--as USERNAME]

A local norm holds the mean and SD of every metric and factor over the valid completed assessments of the
county (or of every county without --county) in the period, with n and the date range; reports can then
compare with it. Fewer valid assessments than the rule assessments.local_norm_min_n refuses the build.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "List norms or build a local norm from valid assessments."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("list", help="Built-in and local norms")
        show.add_argument("--scale", default="")
        build = sub.add_parser("build", help="Build a local norm")
        build.add_argument("--scale", required=True)
        build.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        build.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
        build.add_argument("--county", default="", help="County code (e.g. 431224); empty: all counties")
        build.add_argument("--label", default="")
        build.add_argument("--code", default="")
        build.add_argument(
            "--as", dest="username", default="", help="Account the norm is built as (default: system)"
        )

    def handle(self, *args, **options):
        if options["action"] == "list":
            return self._list(options["scale"])
        return self._build(options)

    def _list(self, scale_code):
        from jiaozheng.assessments.models import LocalNorm
        from jiaozheng.assessments.scales import questionnaires

        for code, scale in questionnaires().items():
            if scale_code and code != scale_code:
                continue
            for norm in scale.norms:
                default = " (default)" if norm.get("default") else ""
                self.stdout.write(
                    f"{code:6} builtin {norm['id']:24} n={norm.get('n', '-')} variant={norm.get('variant', '-')}{default}"
                )
        for norm in LocalNorm.objects.order_by("scale_code", "-built_at"):
            if scale_code and norm.scale_code != scale_code:
                continue
            where = norm.county.name if norm.county_id else "all"
            self.stdout.write(
                f"{norm.scale_code:6} local   {norm.code:24} n={norm.n} {norm.date_from}..{norm.date_to} {where}"
                f"{'' if norm.active else ' (inactive)'}"
            )

    def _build(self, options):
        from jiaozheng.assessments.services import norm_build
        from jiaozheng.audit.context import acting_as
        from jiaozheng.orgs.models import OrgUnit, User
        from jiaozheng.orgs.services import system_user

        try:
            date_from = dt.date.fromisoformat(options["date_from"])
            date_to = dt.date.fromisoformat(options["date_to"])
        except ValueError:
            raise CommandError("dates are YYYY-MM-DD")
        county = None
        if options["county"]:
            county = OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY, code=options["county"]).first()
            if county is None:
                raise CommandError(f"no county with code {options['county']}")
        actor = system_user()
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active account {options['username']!r}")
        try:
            with acting_as(actor, "cli"):
                norm = norm_build(
                    actor=actor,
                    scale_code=options["scale"],
                    county=county,
                    date_from=date_from,
                    date_to=date_to,
                    label=options["label"],
                    code=options["code"],
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        self.stdout.write(f"built {norm.code}: {norm.label}")
        for name, (mean, sd) in norm.values.items():
            self.stdout.write(f"  {name:16} {mean} ± {sd}")
