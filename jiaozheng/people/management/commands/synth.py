"""``jiaozheng synth province [--persons 35000] [--counties 120]``: synthetic provincial data for benchmarks."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jiaozheng.people.synthetic import generate_province


class Command(BaseCommand):
    help = "Generate a synthetic province (benchmarks only; never on a production database)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["province"])
        parser.add_argument("--persons", type=int, default=35000)
        parser.add_argument("--counties", type=int, default=120)
        parser.add_argument(
            "--fixes", type=int, default=0, help="location fixes to generate (location module)"
        )

    def handle(self, *args, **options):
        result = generate_province(persons=options["persons"], counties=options["counties"])
        self.stdout.write(
            f"province: {len(result.counties)} counties, {len(result.squadrons)} squadrons, "
            f"{len(result.person_ids)} persons in {result.seconds:.1f} s"
        )
        if options["fixes"]:
            from jiaozheng.core.registry import provider

            try:
                generate_fixes = provider("location.generate_fixes")
            except LookupError:
                self.stderr.write("the location module provides no fix generator")
                return
            stats = generate_fixes(person_ids=result.person_ids, total=options["fixes"])
            self.stdout.write(f"fixes: {stats}")
