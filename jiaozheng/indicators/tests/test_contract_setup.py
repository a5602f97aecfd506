"""The contract-year set-up: contract, budget lines and indicators in one step from the seed template."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jiaozheng.contracts.models import Contract, FundLine
from jiaozheng.indicators import services
from jiaozheng.indicators.contract_templates import SEED, resolve_measure
from jiaozheng.indicators.models import Indicator

pytestmark = pytest.mark.django_db


def _header(world, **extra):
    data = {
        "code": "X-2019",
        "name": "X 县2019年购买服务",
        "buyer": world.county_x,
        "provider": world.provider_1,
        "start_on": dt.date(2019, 1, 1),
        "end_on": dt.date(2019, 12, 31),
        "budget_amount": SEED.budget,
        "contract_amount": SEED.price,
    }
    data.update(extra)
    return data


def _lines():
    return [{"category": s.category, "name": s.name, "amount": s.amount} for s in SEED.lines]


def _indicators():
    return [
        {
            "measure": s.measure,
            "name": s.name,
            "group": s.group,
            "target": s.target,
            "unit": s.unit,
            "weight": s.weight,
            "direction": s.direction,
        }
        for s in SEED.indicators
    ]


def test_the_seed_template_adds_up_to_its_price_and_has_the_five_service_lines():
    assert SEED.lines_total() == SEED.price == Decimal("890980")
    modules = {s.measure.split(".")[0] for s in SEED.indicators}
    assert {"education", "assessments", "counselling", "community", "visits", "location"} <= modules


def test_a_contract_year_is_set_up_from_the_template(world):
    contract = services.contract_year_setup(
        actor=world.bureau_admin, contract=_header(world), lines=_lines(), indicators=_indicators()
    )
    assert FundLine.objects.filter(contract=contract).count() == 8
    indicators = Indicator.objects.filter(contract=contract, year=2019)
    assert indicators.count() == len(SEED.indicators)
    assert indicators.get(measure_code="education.sessions_held").target == 156


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lines": lambda: _lines()[:-1]}, "890,980.00"),
        ({"indicators": lambda: [{**_indicators()[0], "measure": "nosuch.measure"}]}, "nosuch.measure"),
        ({"header": {"end_on": dt.date(2020, 6, 30)}}, ""),
    ],
)
def test_incoherent_set_up_changes_nothing(world, change, message):
    before = Contract.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.contract_year_setup(
            actor=world.bureau_admin,
            contract=_header(world, **change.get("header", {})),
            lines=change.get("lines", _lines)(),
            indicators=change.get("indicators", _indicators)(),
        )
    assert message in " ".join(exc.value.messages)
    assert Contract.objects.count() == before


def test_a_contract_year_overlapping_another_of_the_same_provider_and_county_is_refused(world):
    year = world.contract_x.start_on.year
    with pytest.raises(ValidationError) as exc:
        services.contract_year_setup(
            actor=world.bureau_admin,
            contract=_header(world, code="X-dup", start_on=dt.date(year, 3, 1), end_on=dt.date(year, 12, 31)),
            lines=_lines(),
            indicators=_indicators(),
        )
    assert "X-1" in " ".join(exc.value.messages)
    assert not Contract.objects.filter(code="X-dup").exists()


def test_a_county_administrator_cannot_set_up_a_contract_for_another_county(world):
    with pytest.raises(ValidationError):
        services.contract_year_setup(
            actor=world.bureau_admin,
            contract=_header(world, buyer=world.county_y),
            lines=_lines(),
            indicators=_indicators(),
        )
    assert not Contract.objects.filter(code="X-2019").exists()


def test_measures_are_named_in_plain_words():
    assert resolve_measure("教育学习场次") == "education.sessions_held"
    assert resolve_measure("education.sessions_held") == "education.sessions_held"
    assert resolve_measure("no such thing") is None


def _post_data(world, initial_response, **overrides):
    """The set-up page's own prefilled values, as a browser would post them back."""
    context = initial_response.context
    data = {}
    for name in context["form"].fields:
        value = context["form"].initial.get(name, "")
        data[f"c-{name}"] = getattr(value, "pk", value)
    data.update(
        {
            "c-code": "X-2019",
            "c-name": "X 县2019年购买服务",
            "c-buyer": world.county_x.pk,
            "c-provider": world.provider_1.pk,
            "c-start_on": "2019-01-01",
            "c-end_on": "2019-12-31",
        }
    )
    for prefix, formset in (("lines", context["line_set"]), ("ind", context["indicator_set"])):
        data[f"{prefix}-TOTAL_FORMS"] = formset.total_form_count()
        data[f"{prefix}-INITIAL_FORMS"] = 0
        for i, form in enumerate(formset.forms):
            for name in form.fields:
                value = form.initial.get(name, "")
                if value is True:
                    data[f"{prefix}-{i}-{name}"] = "on"
                elif value not in (False, None, ""):
                    data[f"{prefix}-{i}-{name}"] = str(value)
    data.update(overrides)
    return data


def test_the_set_up_page_saves_the_template_as_edited(world, login):
    client = login(world.bureau_admin)
    page = client.get(reverse("indicators:contract_setup"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "教育学习场次" in body  # the measure by its plain name
    data = _post_data(world, page, **{"ind-1-target": "144"})
    response = client.post(reverse("indicators:contract_setup"), data)
    assert response.status_code == 302, response.context and response.context["problems"]
    contract = Contract.objects.get(code="X-2019")
    assert Indicator.objects.get(contract=contract, measure_code="education.sessions_held").target == 144


def test_the_set_up_page_refuses_lines_that_do_not_add_up(world, login):
    client = login(world.bureau_admin)
    page = client.get(reverse("indicators:contract_setup"))
    response = client.post(
        reverse("indicators:contract_setup"), _post_data(world, page, **{"lines-0-amount": "1"})
    )
    assert response.status_code == 200
    assert "890,980.00" in " ".join(response.context["problems"])
    assert not Contract.objects.filter(code="X-2019").exists()


def test_the_set_up_page_and_its_messages_are_in_chinese(world, login):
    from jiaozheng.core.testing.texts import findings, html_text

    client = login(world.bureau_admin)
    page = client.get(reverse("indicators:contract_setup"))
    url = reverse("indicators:contract_setup")
    not_summing = client.post(url, _post_data(world, page, **{"lines-0-amount": "1"}))
    assert "合同金额" in " ".join(not_summing.context["problems"])
    missing = client.post(url, _post_data(world, page, **{"ind-0-target": "", "c-code": ""}))
    assert missing.context["problems"]
    year = world.contract_x.start_on.year
    overlapping = client.post(
        url, _post_data(world, page, **{"c-start_on": f"{year}-03-01", "c-end_on": f"{year}-12-31"})
    )
    assert "X-1" in overlapping.content.decode() and "重叠" in overlapping.content.decode()
    found = []
    pages = (("page", page), ("not summing", not_summing), ("missing", missing), ("overlap", overlapping))
    for name, response in pages:
        assert response.status_code == 200
        found += findings(name, html_text(response.content), exempt=["bureau_admin", "X-2019", "X-1"])
    assert not found, "\n".join(found)
