"""Load the demo county (jiaozheng load-demo [--if-empty])."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jiaozheng.core.demo import DEMO_PASSWORD, new_context
from jiaozheng.core.registry import app_modules


def demo_modules():
    modules = [m for _cfg, m in app_modules("demo") if m.__name__ != "jiaozheng.core.demo"]
    return sorted(modules, key=lambda m: getattr(m, "ORDER", 100))


def demo_logins() -> list[tuple[str, str, str]]:
    """The accounts of a loaded demo, read back from the database."""
    from django.contrib.auth import get_user_model

    from jiaozheng.core.roles import Role

    User = get_user_model()

    order = {role: i for i, role in enumerate(Role.values)}
    users = (
        User.objects.filter(is_active=True, is_system=False)
        .exclude(role="")
        .select_related("provider", "person")
    )
    rows = []
    for user in sorted(users, key=lambda u: (order.get(u.role, 99), u.username)):
        note = user.org_label or (user.person.name if user.person_id else "")
        rows.append((str(Role(user.role).label), user.username, note))
    return rows


def print_logins(stdout, logins) -> None:
    stdout.write("")
    stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
    width = max(len(u) for _r, u, _n in logins)
    for role, username, note in logins:
        stdout.write(f"  {username.ljust(width)}  {role}  {note}")


class Command(BaseCommand):
    help = "Load the deterministic demo county (溆浦县 and 沅陵县) with staff of every role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the database holds persons"
        )

    def handle(self, *args, **options):
        from jiaozheng.core.rules import unit_model

        OrgUnit = unit_model()

        if OrgUnit.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database already holds data; demo not loaded.")
                logins = demo_logins()
                if logins:
                    print_logins(self.stdout, logins)
                return
            raise CommandError("The database already holds data; load the demo into an empty database.")
        ctx = new_context(stdout=self.stdout)
        started = time.monotonic()
        with transaction.atomic():
            for module in demo_modules():
                module.load(ctx)
        self.stdout.write(f"Demo loaded in {time.monotonic() - started:.1f} s.")
        print_logins(self.stdout, ctx.logins)
