"""No developer text anywhere a user looks (issue 17, point 1).

Signs in as every role, visits every page of the route table (Django's URL resolver, path parameters
filled with objects of a lean world: the standard test world, one object of every kind the access
matrix knows, and a contract-year with the platform's indicator set), and renders every generated
document (annual report, monthly plan and summary, psychological person reports, the 文书, every export
and print view, as DOCX text, PDF text and the HTML they are made from). Each text is checked by
``jiaozheng.core.testing.texts.findings``: English left in the Chinese interface, code identifiers,
citation tags, placeholders, the words seed/demo. A failure lists every finding.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, TestCase
from django.utils import timezone, translation

from jiaozheng.core.testing.matrix import OBJECT_FACTORIES, OWNED, discover, ui_routes
from jiaozheng.core.testing.texts import findings, response_text
from jiaozheng.core.testing.world import make_world

discover()

# One persona per role (the world's extra personas of county Y only repeat these roles elsewhere).
PERSONAS = (
    "bureau_admin",
    "bureau_officer",
    "squadron_officer",
    "social_worker",
    "counsellor",
    "supervisor",
    "auditor",
    "subject",
)
STAFF_NAMES = {
    "bureau_admin": "李建国",
    "bureau_officer": "王秀兰",
    "squadron_officer": "张卫东",
    "social_worker": "刘晓燕",
    "social_worker_b": "陈志强",
    "counsellor": "杨静",
    "supervisor": "赵明",
    "auditor": "孙丽",
    "bureau_officer_y": "周勇",
    "supervisor_y": "吴芳",
}
# Files people uploaded (vouchers, photos, course materials...): their text is theirs, not the platform's.
UPLOADS = {
    "contracts:voucher_download",
    "education:material_download",
    "visits:attachment_download",
    "assessments:external_source",
    "checkins:reference_image",
    "checkins:attempt_frame",
    "community:photo_view",
    "logout",
    "set_language",
    "metrics",
}
# Query-string variants of pages that are one route but several screens.
VARIANTS = {
    "people:person_detail": [
        "?tab=" + t for t in ("history", "timeline", "discipline", "team", "plan", "prohibitions")
    ],
    "indicators:monthly": ["?kind=plan"],
    "supervision:release_certificate": [],
}


def _lean_world():
    """The standard world, its staff with real names, the contract-year of county X with the platform's
    indicator set, one object of every kind the access matrix can make, and a generated annual report."""
    from jiaozheng.indicators import demo as indicator_demo
    from jiaozheng.indicators.generate import render
    from jiaozheng.indicators.report import annual_report

    world = make_world()
    for username, name in STAFF_NAMES.items():
        user = world.users[username]
        user.full_name = name
        user.save(update_fields=["full_name"])
    year = timezone.localdate().year
    indicator_demo._indicators(world.bureau_admin, world.contract_x, year, yl=False)
    objects: dict[str, Any] = {}
    for label, factory in OBJECT_FACTORIES.items():
        if label in OWNED:
            continue
        for key, where in ((label, "A"), ((label, "subject"), "subject")):
            try:
                with transaction.atomic():
                    objects[key] = factory(world, where)
            except Exception:  # noqa: BLE001 - factories made for one request each may collide here
                objects[key] = None
    run = objects.get("indicators.ReportRun")
    if run is not None:
        data = render(annual_report(world.contract_x, year), "pdf")
        run.file.save("report.pdf", ContentFile(data), save=True)
    return world, objects


def _exempt(world) -> list[str]:
    """Data of the world an officer typed or the platform numbered: login names, codes, numbers."""
    from jiaozheng.contracts.models import Contract
    from jiaozheng.orgs.models import User
    from jiaozheng.people.models import Person

    values = list(User.objects.values_list("username", flat=True))
    values += list(Contract.objects.values_list("code", flat=True))
    for person in Person.objects.all():
        values += [person.id_number, getattr(person, "case_number", "")]
    return [v for v in values if v]


class CrawlTexts(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world, cls.objects = _lean_world()

    def _url(self, route, persona: str) -> str | None:
        policy = route.policy
        values = dict(policy.samples)
        if policy.obj:
            param, label = policy.obj
            if label in OWNED:
                user = self.world.users[persona]
                obj = OBJECT_FACTORIES[label](self.world, "own", user)
            else:
                obj = self.objects.get((label, "subject") if persona == "subject" else label)
            if obj is None:
                return None
            values[param] = obj.pk
        url = route.pattern
        for param in route.params:
            if param not in values:
                return None
            url = re.sub(r"<(?:\w+:)?" + param + r">", str(values[param]), url)
        return url

    def test_every_page_and_document_as_every_role_holds_no_developer_text(self):
        exempt = _exempt(self.world)
        found: list[str] = []
        visited = 0
        seen_bodies: set[int] = set()

        def read(name: str, got) -> None:
            response, body = got
            nonlocal visited
            if response.status_code >= 500:
                found.append(f"{name}: server error {response.status_code}")
                return
            if response.status_code in (301, 302, 303, 405):
                return
            key = hash(body)
            if key in seen_bodies:
                return
            seen_bodies.add(key)
            try:
                text = response_text(response.get("Content-Type", ""), body)
            except Exception as exc:  # noqa: BLE001 - a document nobody can open is a finding too
                found.append(f"{name}: unreadable {response.get('Content-Type')}: {exc}")
                return
            if text is None:
                return
            visited += 1
            found.extend(findings(name, text, exempt))

        routes = [r for r in ui_routes() if r.policy is not None and r.name not in UPLOADS]
        with translation.override("zh-hans"):
            anonymous = Client(raise_request_exception=False)
            for route in routes:
                if route.policy.public and not route.params:
                    read(f"anonymous {route.pattern}", _get(anonymous, route.pattern))
            for persona in PERSONAS:
                user = self.world.users[persona]
                client = Client(raise_request_exception=False)
                client.force_login(user)
                for route in routes:
                    if route.policy.public:
                        continue
                    url = self._url(route, persona)
                    if url is None:
                        continue
                    urls = [url] + [url + v for v in VARIANTS.get(route.name, [])]
                    if route.name == "supervision:release_certificate":
                        urls.append(url.replace("certificate.pdf", "certificate.docx"))
                    for one in urls:
                        read(f"{persona} {route.name} {one}", _get(client, one))
            for name, text in _documents(self.world):
                visited += 1
                found.extend(findings(name, text, exempt))
        report = os.environ.get("JZ_CRAWL_REPORT")
        if report:  # the full list, for whoever mends the findings
            Path(report).write_text("\n".join(found), encoding="utf-8")
        assert visited > 300, visited
        assert not found, _summary(found)


def _summary(found: list[str]) -> str:
    """Findings grouped by what was found: count, one page or document where it is, its context."""
    groups: dict[str, list[str]] = {}
    for item in found:
        where, _, what = item.partition(": ")
        key = what.split(" in ")[0]
        groups.setdefault(key, []).append(f"{where}: {what}")
    lines = [f"{len(found)} findings, {len(groups)} distinct:"]
    for key, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"{len(items):5d} x {key}  e.g. {items[0][:300]}")
    return "\n".join(lines)


def _get(client: Client, url: str):
    """A GET in a savepoint that is rolled back (some pages log a read or mark a notice read)."""
    result = None

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            result = (response, body)
            raise Rollback
    except Rollback:
        pass
    return result


def _documents(world) -> list[tuple[str, str]]:
    """Every generated document, as the DOCX and PDF text and the HTML the PDF is made from."""
    from jiaozheng.assessments import reports as psych
    from jiaozheng.assessments.models import Report
    from jiaozheng.assessments.services import report_issue
    from jiaozheng.assessments.testing import completed_assessment
    from jiaozheng.core.testing.texts import docx_text, html_text, pdf_text
    from jiaozheng.indicators.render_docx import render_docx
    from jiaozheng.indicators.render_pdf import render_html, render_pdf
    from jiaozheng.indicators.report import annual_report, monthly_plan, monthly_summary

    today = timezone.localdate()
    year = today.year
    contract = world.contract_x
    docs = [
        ("annual", annual_report(contract, year)),
        ("summary", monthly_summary(contract, year, today.month, today=today)),
        ("plan", monthly_plan(contract, year, today.month, today=today)),
    ]
    out: list[tuple[str, str]] = []
    for name, doc in docs:
        out.append((f"{name} DOCX", docx_text(render_docx(doc))))
        out.append((f"{name} HTML", html_text(render_html(doc))))
        out.append((f"{name} PDF", pdf_text(render_pdf(doc))))
    answers = {
        "phq9": [2, 2, 1, 2, 1, 1, 2, 1, 0, 1],
        "gad7": [1, 2, 1, 1, 2, 1, 1],
    }
    for code, values in answers.items():
        assessment = completed_assessment(world.person_a, code, values)
        report = report_issue(actor=world.counsellor, assessment=assessment, comments="建议复测。")
        out.append((f"{code} report DOCX", docx_text(psych.render_docx(report))))
        out.append((f"{code} report PDF", pdf_text(psych.render_pdf(report))))
    for report in Report.objects.exclude(assessment__scale_code__in=answers):
        out.append((f"{report.assessment.scale_code} report PDF", pdf_text(psych.render_pdf(report))))
    return out
