"""API tokens: ``jiaozheng tokens issue USERNAME --name NAME [--days N]``, ``tokens list USERNAME``,
``tokens revoke PREFIX``. The key is printed once; only its hash is stored."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiaozheng.audit.context import acting_as
from jiaozheng.orgs.models import ApiToken, User
from jiaozheng.orgs.services import system_user, token_issue


class Command(BaseCommand):
    help = "Issue, list and revoke API tokens."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["issue", "list", "revoke"])
        parser.add_argument("target", help="username (issue/list) or token prefix (revoke)")
        parser.add_argument("--name", default="integration")
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, **options):
        system = system_user()
        with acting_as(system, "cli"):
            if options["action"] == "revoke":
                rows = ApiToken.objects.filter(prefix=options["target"], revoked=False)
                if not rows.exists():
                    raise CommandError("no active token with that prefix")
                for row in rows:
                    row.revoked = True
                    row.save()
                self.stdout.write("revoked")
                return
            user = User.objects.filter(username=options["target"], is_active=True).first()
            if user is None:
                raise CommandError(f"no active account {options['target']!r}")
            if options["action"] == "list":
                for row in user.api_tokens.all():
                    state = (
                        "revoked"
                        if row.revoked
                        else f"expires {row.expires_at:%Y-%m-%d}"
                        if row.expires_at
                        else "active"
                    )
                    self.stdout.write(
                        f"{row.prefix}  {row.name}  {state}  last used {row.last_used_at or '-'}"
                    )
                return
            _token, key = token_issue(actor=system, user=user, name=options["name"], days=options["days"])
            self.stdout.write(key)
