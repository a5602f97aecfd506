"""The ``jiaozheng`` console command: Django's management commands with the platform's settings.

``jiaozheng <command> [options]`` is ``manage.py <command>``; ``jiaozheng`` alone lists the commands.
Hyphenated names are accepted for the platform's own commands (``load-demo`` = ``load_demo``).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaozheng.settings.base")
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "jiaozheng"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
