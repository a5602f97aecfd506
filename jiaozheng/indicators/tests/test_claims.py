"""Claims computed: every sentence of the report that states a fact about the year comes from records.

A clean year says the funds were earmarked, the schedule was kept and nobody absconded; then one breach
at a time is injected (an unmapped expenditure, a month behind plan, a person who lost contact) and the
sentence it concerns must change. The engine names no contract code.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from decimal import Decimal

import pytest
from django.utils import timezone

from jiaozheng.contracts import services as funds
from jiaozheng.contracts.choices import FundCategory
from jiaozheng.indicators import services
from jiaozheng.indicators.evaluation import evaluate
from jiaozheng.indicators.report import annual_report
from jiaozheng.indicators.testing import measures
from jiaozheng.indicators.tests.conftest import indicator_data

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LATE: set[int] = set()  # months whose month-end figure lags the plan (set by a test)


def _sessions(ctx):
    """13 sessions a month (156 a year, on plan); a month in LATE lags by 8 at its end."""
    value = 13 * ctx.end.month
    if ctx.end.month in LATE and ctx.end.month < 12:
        value -= 8
    return value


@pytest.fixture
def year(world, contract_2024):
    admin = world.bureau_admin
    LATE.clear()
    with measures(**{"t.sessions": _sessions}):
        services.indicator_save(
            actor=admin,
            contract=contract_2024,
            year=2024,
            data=indicator_data("education", "t.sessions", 156, 60, name="集中教育学习场次"),
        )
    services.indicator_save(
        actor=admin,
        contract=contract_2024,
        year=2024,
        data=indicator_data(
            "absconding",
            "location.lost_contact_persons",
            0,
            40,
            name="脱管人数",
            unit="人",
            group="effect",
            direction="lower",
        ),
    )
    line = funds.fund_line_save(
        actor=admin, contract=contract_2024, category=FundCategory.PERSONNEL, name="人员开支", amount=890980
    )
    funds.payment_record(actor=admin, contract=contract_2024, paid_on=dt.date(2024, 1, 15), amount=890980)
    funds.expenditure_record(
        actor=admin,
        contract=contract_2024,
        line=line,
        spent_on=dt.date(2024, 3, 1),
        amount=800000,
        description="工资",
        voucher_no="2024-记-001",
        vouchers=[funds.VoucherFile("scan.png", PNG)],
    )
    yield contract_2024
    LATE.clear()


def _text(contract) -> str:
    with measures(**{"t.sessions": _sessions}):
        doc = annual_report(contract, 2024)
    parts = []
    for block in doc.blocks:
        if block.paragraph is not None:
            parts.append(block.paragraph.text)
        elif block.text:
            parts.append(block.text)
    return "\n".join(parts)


def test_each_sentence_follows_its_records(world, year):
    clean = _text(year)
    assert "无预算科目超支" in clean and "项目资金专款专用" in clean
    assert "各月末累计完成量均达到进度计划" in clean
    assert "全年未发生脱管情况（脱管人数为0）" in clean

    # an expenditure not mapped to a budget line: the earmark sentence names the problem
    funds.expenditure_record(
        actor=world.bureau_admin,
        contract=year,
        spent_on=dt.date(2024, 6, 1),
        amount=Decimal("1860"),
        description="办公用品",
        voucher_no="2024-记-002",
        vouchers=[funds.VoucherFile("scan.png", PNG)],
    )
    breached = _text(year)
    assert "项目资金专款专用。" not in breached
    assert "1笔支出（0.186万元）未对应预算科目" in breached

    # a month behind the plan: the schedule sentence names the indicator and the month
    LATE.add(5)
    late = _text(year)
    assert "各月末累计完成量均达到进度计划" not in late
    assert "集中教育学习场次（5月）" in late

    # a person who lost contact: the absconding sentence and the indicator's score change
    from jiaozheng.location.choices import AlertSeverity, AlertType
    from jiaozheng.location.services import alert_escalate, alert_raise

    alert = alert_raise(
        person=world.person_a,
        alert_type=AlertType.LOST_CONTACT,
        severity=AlertSeverity.HIGH,
        title="失联",
        evidence={},
        occurred_at=timezone.make_aware(dt.datetime(2024, 7, 3, 9, 0)),
    )
    assert "全年未发生脱管情况" in _text(year)  # a silence not yet escalated is not 脱管
    alert_escalate(
        actor=world.squadron_officer, alert=alert, note="经查找仍无法取得联系，报县局协调公安查找。"
    )
    absconded = _text(year)
    assert "未发生脱管" not in absconded
    assert "全年发生脱管1人" in absconded
    with measures(**{"t.sessions": _sessions}):
        outcome = evaluate(year, 2024).outcome("absconding")
    assert outcome is not None and outcome.actual == 1 and outcome.score.score == 0


def test_the_engine_names_no_contract_code():
    root = pathlib.Path(__file__).resolve().parents[2]
    found = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if "/tests/" in rel or rel.endswith(("demo.py", "bench.py")) or "/management/commands/" in rel:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if "example=" in line:  # a sample value shown beside an import column, not a branch
                continue
            for code in ("XP-2020", '"XP-', "'XP-", "YL-20"):
                if code in line:
                    found.append(f"{rel}: {line.strip()}")
    assert not found, found
