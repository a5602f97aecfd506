"""Demo contract-years: funds, indicators, plans and report texts (ORDER 60, after the service modules).

- XP-2020, shaped like the seed report: budget 89.1万, contract price 89.098万 paid in full, the eight
  expenditure lines of the seed (sum 89.098万) spent month by month with vouchers, the pandemic adjustment
  and its approval, the contract's targets (156 / 156 / 250 / 6 / 20 / 250 / 330 / 50 / 20), a planned
  curve that dips in February and March, and three paragraphs of the provider's own (plans, experience,
  improvements: no figure, no claim); every other text is the platform's default wording. The actual
  figures (158, 255, 247 ...) are never typed: they come from the records of the service modules.
- XP-<this year> and YL-<this year>: the same indicators (YL scaled to its caseload), payments and
  spending up to last month, one unmapped and one unvouchered expenditure (so the 专款专用 checks show), and
  the default texts. Their progress warnings come from this year's records.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from jiaozheng.audit.context import acting_as
from jiaozheng.contracts import services as funds
from jiaozheng.contracts.choices import AdjustmentKind, Decision, FundCategory
from jiaozheng.contracts.models import Contract
from jiaozheng.core.demo import DemoContext
from jiaozheng.indicators import services
from jiaozheng.indicators.choices import Direction, IndicatorGroup, IndicatorKind, RateDisplay

ORDER = 60

# (category, name, amount in yuan, spending pattern: months with an expenditure)
SEED_LINES = [
    (FundCategory.PERSONNEL, "常驻司法局人员工资及五险一金", 339980, list(range(1, 13))),
    (FundCategory.ASSESSMENT, "心理测量评估费", 26000, [6, 12]),
    (FundCategory.COUNSELLING, "团辅个案", 120000, [3, 6, 9, 12]),
    (FundCategory.EDUCATION, "集中教育学习费", 120000, list(range(1, 13))),
    (FundCategory.COMMUNITY, "社区服务费用", 80000, list(range(1, 13))),
    (FundCategory.VISITS, "走访调查费用", 100000, list(range(1, 13))),
    (FundCategory.LOCATION, "定位服务费", 55000, [1, 7]),
    (FundCategory.TRAVEL_ADMIN_TAX, "差旅管理及相关税费", 50000, [2, 4, 6, 8, 10, 12]),
]
PAYEES = {
    FundCategory.PERSONNEL: "项目驻点社工（工资表）",
    FundCategory.ASSESSMENT: "心理测评服务",
    FundCategory.COUNSELLING: "心理咨询师劳务",
    FundCategory.EDUCATION: "授课讲师及场地",
    FundCategory.COMMUNITY: "公益活动物资",
    FundCategory.VISITS: "走访交通及误餐",
    FundCategory.LOCATION: "定位软件授权服务商",
    FundCategory.TRAVEL_ADMIN_TAX: "差旅、管理费及税费",
}

# code, name, group, kind, measure, direction, target (XP), target (YL), unit, weight, extra
INDICATORS: list[tuple[Any, ...]] = [
    (
        "budget_execution",
        "预算执行率",
        IndicatorGroup.BUDGET_EXECUTION,
        "q",
        "contracts.budget_execution_rate",
        Direction.HIGHER,
        100,
        100,
        "%",
        10,
        {},
    ),
    (
        "education",
        "集中教育学习场次",
        IndicatorGroup.OUTPUT_QUANTITY,
        "q",
        "education.sessions_held",
        Direction.HIGHER,
        156,
        48,
        "场次",
        6,
        {},
    ),
    (
        "community",
        "社区服务（公益活动）场次",
        IndicatorGroup.OUTPUT_QUANTITY,
        "q",
        "community.activities_held",
        Direction.HIGHER,
        156,
        48,
        "场次",
        6,
        {},
    ),
    (
        "assessed",
        "心理测量评估人次",
        IndicatorGroup.OUTPUT_QUANTITY,
        "q",
        "assessments.persons_assessed",
        Direction.HIGHER,
        250,
        45,
        "人次",
        5,
        {},
    ),
    (
        "group_sessions",
        "团体心理辅导场次",
        IndicatorGroup.OUTPUT_QUANTITY,
        "q",
        "counselling.group_sessions",
        Direction.HIGHER,
        6,
        2,
        "场次",
        3,
        {},
    ),
    (
        "individual_cases",
        "个案心理咨询人次",
        IndicatorGroup.OUTPUT_QUANTITY,
        "q",
        "counselling.individual_cases",
        Direction.HIGHER,
        20,
        6,
        "人次",
        3,
        {},
    ),
    (
        "app_installs",
        "定位服务（APP安装）人次",
        IndicatorGroup.OUTPUT_QUANTITY,
        "q",
        "location.installs",
        Direction.HIGHER,
        250,
        40,
        "人次",
        5,
        {
            "rate_display": RateDisplay.UNCAPPED,
            "rate_label": "电子监管率",
            "coverage_measure_code": "location.esupervision_rate",
            "description": "电子监管率＝定位APP安装人次÷合同约定安装人次（合同口径，可超过100%）；"
            "实际覆盖率＝在矫对象中已安装定位APP的人数÷在矫对象人数。",
        },
    ),
    (
        "routine_visits",
        "日常走访人次",
        IndicatorGroup.OUTPUT_QUANTITY,
        "q",
        "visits.routine_visits",
        Direction.HIGHER,
        330,
        120,
        "人次",
        4,
        {},
    ),
    (
        "focus_subjects",
        "重点走访对象人数",
        IndicatorGroup.OUTPUT_QUANTITY,
        "q",
        "visits.focus_subjects",
        Direction.HIGHER,
        50,
        15,
        "人",
        4,
        {},
    ),
    (
        "special_subjects",
        "特殊走访对象人数",
        IndicatorGroup.OUTPUT_QUANTITY,
        "q",
        "visits.special_subjects",
        Direction.HIGHER,
        20,
        6,
        "人",
        4,
        {},
    ),
    (
        "valid_assessments",
        "有效心理评估人数",
        IndicatorGroup.OUTPUT_QUALITY,
        "q",
        "assessments.valid_persons",
        Direction.HIGHER,
        250,
        45,
        "人",
        3,
        {},
    ),
    (
        "new_entrant_assessed",
        "新入矫对象测评率",
        IndicatorGroup.OUTPUT_QUALITY,
        "q",
        "assessments.new_entrant_rate",
        Direction.HIGHER,
        100,
        100,
        "%",
        3,
        {},
    ),
    (
        "visits_on_time",
        "重点对象按时走访率",
        IndicatorGroup.OUTPUT_TIMELINESS,
        "q",
        "visits.focus_on_time_rate",
        Direction.HIGHER,
        95,
        95,
        "%",
        2,
        {},
    ),
    (
        "within_price",
        "支出占中标价比例",
        IndicatorGroup.OUTPUT_COST,
        "q",
        "contracts.price_execution_rate",
        Direction.LOWER,
        100,
        100,
        "%",
        2,
        {"description": "项目支出不超过中标价（反向指标）。"},
    ),
    (
        "revocation_rate",
        "社区矫正对象撤销缓刑假释及收监率",
        IndicatorGroup.EFFECT,
        "q",
        "caseload.revocation_rate",
        Direction.LOWER,
        Decimal("0.2"),
        Decimal("0.2"),
        "%",
        10,
        {"description": "全国社区矫正对象矫正期间再犯罪率约0.2%，以此为上限（反向指标）。"},
    ),
    (
        "case_closure",
        "个案矫正率",
        IndicatorGroup.EFFECT,
        "q",
        "counselling.closure_rate",
        Direction.HIGHER,
        100,
        100,
        "%",
        10,
        {},
    ),
    (
        "no_absconding",
        "脱管人数",
        IndicatorGroup.EFFECT,
        "q",
        "location.lost_contact_persons",
        Direction.LOWER,
        0,
        0,
        "人",
        10,
        {"description": "服务对象无脱管、漏管：经核实的失联未归人数为0（反向指标）。"},
    ),
    (
        "buyer_satisfaction",
        "购买方满意度",
        IndicatorGroup.SATISFACTION,
        "q",
        "feedback.buyer_satisfaction",
        Direction.HIGHER,
        100,
        100,
        "%",
        10,
        {"description": "县司法局签署的年度满意度评价（购买方评价记录）"},
    ),
]

# The planned curve of 2020: activities stopped in February and March (pandemic), made up from April.
PLAN_2020 = {1: 13, 2: 4, 3: 6, 4: 15, 5: 15, 6: 15, 7: 15, 8: 15, 9: 15, 10: 15, 11: 14, 12: 14}

# The bureau's signed evaluation of the provider for 2020 (购买方满意度 is computed from this record).
BUYER_EVALUATION_2020 = (
    95,
    "溆浦县司法局局长",
    "县司法局评价服务专业、有序；工作得到省司法厅和市司法局的充分肯定。",
)
# Reasons and fixes written by the provider for indicators that fall short (the seed's own problems);
# filled in only where the records show a shortfall.
DEVIATIONS_2020 = {
    "valid_assessments": (
        "部分对象作答不完整或效度量表未通过，测评结果无效，未出具评估报告。",
        "对测评无效的对象安排复测，复测前由心理咨询师逐一讲解作答要求。",
    ),
    "visits_on_time": (
        "2—3月因疫情防控暂停实地走访；不少乡镇地处山区、分布较散，部分重点对象当月走访未能按时完成。",
        "社工派驻各中队就近走访，按中队排定月度走访日程；特殊时期以电话、视频问询补足并及时补登。",
    ),
    "case_closure": (
        "部分个案跨年度延续辅导，年底尚未结案。",
        "按个案辅导计划定期评估，符合结案条件的及时结案归档。",
    ),
}


# The provider's own paragraphs of the 2020 report (the rest uses the platform's default wording). They
# state no figure and no fact that the records could contradict: those are tokens of the default texts.
TEXTS_2020 = {
    "plans": (
        "（一）加强社工业务培训\n"
        "每季度组织一次派驻社工业务培训，重点提升走访记录、心理测评组织和个案辅导的规范化水平。\n"
        "（二）完善线上服务方式\n"
        "总结疫情期间远程授课、电话问询的做法，形成线下活动暂停时可随时启用的服务预案。\n"
        "（三）深化与各中队的协作\n"
        "派驻社工按中队排定月度走访和活动日程，与中队民警共同研判重点对象情况。"
    ),
    "experience": (
        "坚持分类施教，按片区和犯罪类型安排教育学习内容；以心理测评结果为依据安排团体辅导和个案咨询；"
        "社区服务由社工带领，在敬老院、社区和公园等场所就近开展；走访调查与手机定位相互印证，及时掌握对象动态。"
    ),
    "improvements": (
        "针对山区乡镇分散、走访耗时较长的问题，社工派驻各中队就近开展走访；"
        "针对疫情等原因造成的活动暂停，及时报请调整服务方式和进度，并在恢复后按月补足计划。"
    ),
}


def _split(amount: int, months: list[int]) -> list[tuple[int, Decimal]]:
    """Whole-yuan instalments adding up exactly to ``amount``; the last one takes the remainder."""
    part = amount // len(months)
    out = [(m, Decimal(part)) for m in months[:-1]]
    out.append((months[-1], Decimal(amount - part * (len(months) - 1))))
    return out


def voucher_pdf(lines: list[str]) -> bytes:
    """A small, valid one-page PDF standing in for a scanned voucher (ASCII text)."""
    text = (
        "BT /F1 12 Tf 50 780 Td 16 TL "
        + " ".join(f"({line.replace('(', '[').replace(')', ']')}) Tj T*" for line in lines)
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("ascii") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _lines(actor: Any, contract: Contract, scale: Decimal) -> dict[str, Any]:
    saved = {}
    total = Decimal(0)
    for order, (category, name, amount, _months) in enumerate(SEED_LINES):
        value = (Decimal(amount) * scale).quantize(Decimal(1))
        if order == len(SEED_LINES) - 1:
            value = contract.contract_amount - total  # the lines add up to the contract price
        total += value
        saved[category] = funds.fund_line_save(
            actor=actor, contract=contract, category=category, name=name, amount=value, sort_order=order
        )
    return saved


def _spend(
    ctx: DemoContext,
    actor: Any,
    contract: Contract,
    lines: dict[str, Any],
    year: int,
    upto: dt.date,
) -> list[Any]:
    rows = []
    number = 0
    for category, _name, _amount, months in SEED_LINES:
        line = lines[category]
        for month, amount in _split(int(line.amount), months):
            day = dt.date(year, month, min(28, 20 + ctx.rng.randrange(0, 8)))
            if day > upto:
                continue
            number += 1
            rows.append(
                funds.expenditure_build(
                    contract=contract,
                    line=line,
                    spent_on=day,
                    amount=amount,
                    payee=PAYEES[category],
                    description=f"{month}月{line.name}",
                    voucher_no=f"{year}-记-{number:03d}",
                    actor=actor,
                )
            )
    funds.expenditures_bulk_record(actor=actor, expenditures=rows)
    for expenditure in rows:
        funds.voucher_attach(
            actor=actor,
            expenditure=expenditure,
            upload=funds.VoucherFile(
                f"{expenditure.voucher_no}.pdf",
                voucher_pdf(
                    [
                        f"Voucher {expenditure.voucher_no.replace('记', 'J')}",
                        f"Contract {contract.code}",
                        f"Date {expenditure.spent_on.isoformat()}",
                        f"Amount CNY {expenditure.amount:,.2f}",
                    ]
                ),
            ),
        )
    return rows


def _indicators(actor: Any, contract: Contract, year: int, yl: bool) -> dict[str, Any]:
    saved = {}
    for order, spec in enumerate(INDICATORS):
        code, name, group, kind, measure, direction, target_xp, target_yl, unit, weight, extra = spec
        data = {
            "code": code,
            "name": name,
            "group": group,
            "kind": IndicatorKind.QUANTITATIVE if kind == "q" else IndicatorKind.QUALITATIVE,
            "measure_code": measure,
            "direction": direction,
            "target": target_yl if yl else target_xp,
            "unit": unit,
            "weight": weight,
            "sort_order": order,
            **extra,
        }
        saved[code] = services.indicator_save(
            actor=actor, contract=contract, year=year, data=data, allow_unregistered=True
        )
    return saved


def _buyer_evaluation(actor: Any, contract: Contract, year: int) -> None:
    from jiaozheng.feedback.services import buyer_evaluation_sign

    score, title, comments = BUYER_EVALUATION_2020
    for county in contract.counties.all():
        buyer_evaluation_sign(
            actor=actor,
            county_id=county.pk,
            provider_id=contract.provider_id,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            score=score,
            signer_title=title,
            comments=comments,
        )


def load(ctx: DemoContext) -> None:
    staff = ctx.objects["staff"]
    contracts = ctx.objects["contracts"]
    admin, supervisor = staff["xp_admin"], staff["supervisor"]
    seed = contracts["XP-2020"]
    with acting_as(admin, "cli"):
        lines = _lines(admin, seed, Decimal(1))
        for paid_on, amount in (
            (dt.date(2020, 1, 15), 267294),
            (dt.date(2020, 4, 20), 267294),
            (dt.date(2020, 8, 18), 178196),
            (dt.date(2020, 12, 22), 178196),
        ):
            funds.payment_record(
                actor=admin,
                contract=seed,
                paid_on=paid_on,
                amount=amount,
                payer="溆浦县司法局",
                reference=f"溆财拨〔2020〕{paid_on.month:02d}{paid_on.day:02d}号",
                note="政府购买社区矫正服务项目资金",
            )
        spent = _spend(ctx, admin, seed, lines, 2020, dt.date(2020, 12, 31))
        indicators = _indicators(admin, seed, 2020, yl=False)
        for code in ("education", "community"):
            services.plan_set(actor=admin, indicator=indicators[code], monthly=PLAN_2020)
        _buyer_evaluation(admin, seed, 2020)
        from jiaozheng.indicators.evaluation import evaluate

        for outcome in evaluate(seed, 2020).outcomes:
            code = outcome.indicator.code
            if code in DEVIATIONS_2020 and outcome.shortfall is not None:
                reason, fix = DEVIATIONS_2020[code]
                services.indicator_assess(
                    actor=admin,
                    indicator=indicators[code],
                    data={"deviation_reason": reason, "corrective_measure": fix},
                )
        for key, text in TEXTS_2020.items():
            services.narrative_save(actor=admin, contract=seed, year=2020, key=key, text=text)
    with acting_as(supervisor, "cli"):
        adjustment = funds.adjustment_submit(
            actor=supervisor,
            contract=seed,
            kind=AdjustmentKind.PANDEMIC,
            title="因新冠肺炎疫情防控调整服务方式和进度",
            reason="因国家疫情防控要求，2月至3月无法组织集中教育学习、社区服务等线下集中活动。",
            content="暂停期间改为电话动态问询、远程授课、远程直播等方式开展；欠缺的场次于4月至12月补足，全年量化考核指标不变。",
            requested_on=dt.date(2020, 2, 10),
        )
    with acting_as(admin, "cli"):
        funds.adjustment_decide(
            actor=admin,
            adjustment=adjustment,
            decision=Decision.APPROVE,
            decided_on=dt.date(2020, 2, 14),
            approver="溆浦县司法局局长（审批）",
            document_no="溆司函〔2020〕8号",
            opinion="同意。疫情期间确保服务不断档，疫情缓解后及时补足全年工作量。",
        )
    year = ctx.today.year
    last_month_end = ctx.today.replace(day=1) - dt.timedelta(days=1)
    current = [(contracts[f"XP-{year}"], admin, Decimal(1), False)]
    yl_admin = staff.get("yl_admin")
    if yl_admin is not None and f"YL-{year}" in contracts:
        yl = contracts[f"YL-{year}"]
        current.append((yl, yl_admin, yl.contract_amount / seed.contract_amount, True))
    for contract, actor, scale, is_yl in current:
        with acting_as(actor, "cli"):
            lines = _lines(actor, contract, scale)
            first = dt.date(year, 1, 15)
            if first <= ctx.today:
                instalments = [(first, Decimal("0.3"))]
                if dt.date(year, 4, 20) <= ctx.today:
                    instalments.append((dt.date(year, 4, 20), Decimal("0.3")))
                for paid_on, share in instalments:
                    funds.payment_record(
                        actor=actor,
                        contract=contract,
                        paid_on=paid_on,
                        amount=(contract.contract_amount * share).quantize(Decimal(1)),
                        reference=f"财拨〔{year}〕{paid_on.month:02d}号",
                    )
            if last_month_end.year == year:
                _spend(ctx, actor, contract, lines, year, last_month_end)
                if not is_yl:
                    funds.expenditure_record(
                        actor=actor,
                        contract=contract,
                        spent_on=last_month_end,
                        amount=Decimal("1860.00"),
                        payee="县城文具店",
                        description="办公用品采购（待确认预算科目）",
                        voucher_no=f"{year}-记-900",
                    )
            _indicators(actor, contract, year, yl=is_yl)
    ctx.say(f"contract-years: XP-2020 ({len(spent)} expenditures, {len(indicators)} indicators) and {year}")
