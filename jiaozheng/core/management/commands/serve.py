"""Serve the platform: the web server (granian, WSGI) and the Huey worker, until Ctrl-C.

``jiaozheng serve [--host 127.0.0.1] [--port 8000] [--workers N] [--no-worker]``
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand

from jiaozheng.core.server import granian_command


class Command(BaseCommand):
    help = "Run the web server and the background worker (Ctrl-C stops both)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("JZ_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("JZ_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("JZ_WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="Do not start the Huey worker")

    def handle(self, *args, **options):
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "jiaozheng.settings.base")
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "jiaozheng.cli", "run_huey", "--quiet"], env=env)
            self.stdout.write(f"Background worker started (pid {worker.pid}).")
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"Serving on {url}  (Ctrl-C to stop)")
        web = subprocess.Popen(
            granian_command(
                host=options["host"],
                port=options["port"],
                workers=options["workers"],
                backpressure=4,
                log_level="warning",
            ),
            env=env,
        )
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (web, worker):
                if proc is not None and proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
