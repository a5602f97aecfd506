"""For every indicator of the demo county's 2020 contract-year, the evidence pack lists exactly the records
the annual report counts: the records of the indicator's measure over the report's own context."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_every_indicator_of_2020_lists_exactly_the_records_the_report_counts(demo, tmp_path):
    from jiaozheng.contracts.models import Contract
    from jiaozheng.evidence.services import pack_generate
    from jiaozheng.indicators.evaluation import evaluate
    from jiaozheng.orgs.models import User

    contract = Contract.objects.get(code="XP-2020")
    officer = User.objects.get(username="xp_officer")
    path = tmp_path / "XP-2020.zip"
    result = pack_generate(actor=officer, contract=contract, year=2020, path=str(path))
    report = evaluate(contract, 2020)  # what the annual report computes
    failures = []
    with zipfile.ZipFile(path) as zf:
        index = {
            row[1]: row
            for row in list(csv.reader(io.TextIOWrapper(zf.open("index.csv"), encoding="utf-8-sig")))[1:]
        }
        assert len(index) == len(report.outcomes)
        listed = 0
        for outcome in report.outcomes:
            code = outcome.indicator.code
            measure = outcome.measure
            if measure is None or measure.records is None:
                if index[code][7]:
                    failures.append(f"{code}: a listing without records behind the figure")
                continue
            expected = sorted(measure.records(report.figures.ctx).values_list("pk", flat=True))
            rows = list(csv.reader(io.TextIOWrapper(zf.open(index[code][7]), encoding="utf-8-sig")))[1:]
            got = sorted(int(r[1]) for r in rows)
            if got != expected:
                failures.append(f"{code}: pack lists {len(got)}, the report counts {len(expected)}")
            listed += 1
        # the seed's figures, as listings: 158 education sessions and 158 community activities
        assert index["education"][6] == "158" and index["community"][6] == "158"
        sessions = [n for n in zf.namelist() if n.startswith("records/education.session/")]
        assert any(n.endswith("/signin.pdf") for n in sessions)
    assert listed >= 10 and not failures, failures
    assert result.records == sum(int(r[6] or 0) for r in index.values())
    # buyer satisfaction is computed from the signed evaluation, and the pack lists that record
    outcome = report.outcome("buyer_satisfaction")
    assert outcome.actual is not None and outcome.actual == 95
    assert index["buyer_satisfaction"][6] == "1"
