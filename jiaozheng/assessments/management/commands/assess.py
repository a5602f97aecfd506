"""``jiaozheng assess``: score answers, check scale files, list the scales.

    jiaozheng assess score SCALE_CODE --answers 1,2,... [--seconds N] [--rounding floor|half_up]
                                      [--cutoff-op 'subscales.*=>'] [--compact]
    jiaozheng assess validate FILE.yaml [FILE.yaml ...]
    jiaozheng assess scales

``score`` prints the scored result as JSON: every metric, factor score, band, screening result with each
cut-off, item flags and the validity checks with their measured values and thresholds. Answers are the
options as the person chose them (SCL-90 1-5, SDS/SAS 1-4 for A-D, PHQ-9/GAD-7 0-3); reverse keys are
applied by the scorer. An empty position (``1,,3``) is a missing answer. Nothing is written anywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Score answers on a scale (prints JSON), validate scale files, or list the scales."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        score = sub.add_parser("score", help="Score one set of answers and print the result as JSON")
        score.add_argument("scale", help="Scale code: scl90, phq9, gad7, sds, sas, ...")
        score.add_argument("--answers", required=True, help="Comma-separated answers in item order")
        score.add_argument("--seconds", type=float, default=None, help="Total answering time (speed checks)")
        score.add_argument(
            "--rounding",
            choices=["floor", "half_up", "none"],
            default=None,
            help="Rounding of scaled metrics such as the SDS/SAS standard score (default: the scale's)",
        )
        score.add_argument(
            "--cutoff-op",
            action="append",
            default=[],
            metavar="METRIC=OP",
            help="Override a cut-off operator, e.g. 'subscales.*=>' for the strict reading of 超过2分",
        )
        score.add_argument("--compact", action="store_true", help="One-line JSON")
        validate = sub.add_parser("validate", help="Check scale files against the schema and the rules")
        validate.add_argument("files", nargs="+")
        sub.add_parser("scales", help="List the scales with their versions and content-pack status")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "score":
            return self._score(options)
        if action == "validate":
            return self._validate(options["files"])
        return self._list()

    def _score(self, options):
        from jiaozheng.assessments.scales import ScaleError, get_scale
        from jiaozheng.assessments.scoring import AnswerError, ScoreOptions, score

        try:
            scale = get_scale(options["scale"].lower())
        except ScaleError as exc:
            raise CommandError(str(exc))
        answers = [a.strip() for a in options["answers"].split(",")]
        rounding = {}
        if options["rounding"]:
            rounding = {
                name: options["rounding"]
                for name, expr in scale.metrics.items()
                if expr["op"] == "scale" and expr.get("rounding", "none") != "none"
            }
        cutoff_ops = {}
        for spec in options["cutoff_op"]:
            metric, sep, op = spec.partition("=")
            if not sep or not op:
                raise CommandError(f"--cutoff-op takes METRIC=OP, got {spec!r}")
            cutoff_ops[metric] = op
        try:
            result = score(
                scale,
                answers,
                ScoreOptions(rounding=rounding, cutoff_ops=cutoff_ops, total_seconds=options["seconds"]),
            )
        except AnswerError as exc:
            raise CommandError(str(exc))
        indent = None if options["compact"] else 2
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=indent))

    def _validate(self, files):
        from jiaozheng.assessments.scales import ScaleError, load_file

        failed = 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}: no such file")
                failed += 1
                continue
            try:
                scale = load_file(path)
            except ScaleError as exc:
                self.stderr.write(f"INVALID {exc}")
                failed += 1
            else:
                self.stdout.write(f"OK {path.name}: {scale.code} {scale.version}, {len(scale.items)} items")
        if failed:
            raise CommandError(f"{failed} file(s) invalid")

    def _list(self):
        from jiaozheng.assessments.scales import all_scales

        for code, scale in all_scales().items():
            pack = scale.content("zh-hans")
            if scale.is_external:
                status = "external (imported results)"
            elif pack.path is None:
                status = "no content pack"
            elif pack.placeholder:
                status = "PLACEHOLDER texts: agency approval required"
            elif pack.approval_required and not pack.approved:
                status = "texts awaiting agency approval"
            else:
                status = "texts ready"
            self.stdout.write(f"{code:8} {scale.version:16} {len(scale.items):3} items  {status}")
