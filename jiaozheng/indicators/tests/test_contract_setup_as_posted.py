"""The contract-year page saves what a browser posts back from it unchanged (apart from the header).

A browser submits every control of the form: for a select without a chosen option it sends the first
option. The page's two empty budget-line rows used to send the first category, so they counted as filled
in and their empty name and amount refused the whole contract-year ("此项必填") unless the user ticked
"delete" on rows that hold nothing.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from jiaozheng.contracts.models import Contract, FundLine
from jiaozheng.indicators.contract_templates import SEED
from jiaozheng.indicators.models import Indicator

pytestmark = pytest.mark.django_db


class _Forms(HTMLParser):
    """The successful controls of each form of a page, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._in_form = False
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._in_form = True
            self.forms.append([])
        elif not self._in_form:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.forms[-1].append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "reset", "image"):
                self.forms[-1].append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = {"name": a.get("name", ""), "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea":
            self._textarea = {"name": a.get("name", ""), "text": ""}

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value = self._option["value"] if self._option["value"] is not None else self._option["text"]
            if self._select["first"] is None:
                self._select["first"] = value
            if self._option["selected"]:
                self._select["chosen"] = value
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"] if self._select["chosen"] is not None else self._select["first"]
            if self._select["name"] and chosen is not None:
                self.forms[-1].append((self._select["name"], chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].append((self._textarea["name"], self._textarea["text"].lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def _as_a_browser_posts_it(html: str) -> dict[str, str]:
    parser = _Forms()
    parser.feed(html)
    form = next(f for f in parser.forms if any(name == "c-code" for name, _value in f))
    return dict(form)


def test_the_template_as_shown_saves_with_its_empty_rows_left_empty(world, login):
    client = login(world.bureau_admin)
    page = client.get(reverse("indicators:contract_setup"))
    data = _as_a_browser_posts_it(page.content.decode())
    data.update(
        {
            "c-code": "X-2019",
            "c-name": "X 县2019年购买服务",
            "c-buyer": str(world.county_x.pk),
            "c-provider": str(world.provider_1.pk),
            "c-start_on": "2019-01-01",
            "c-end_on": "2019-12-31",
        }
    )
    response = client.post(reverse("indicators:contract_setup"), data)
    assert response.status_code == 302, response.context["problems"]
    contract = Contract.objects.get(code="X-2019")
    assert FundLine.objects.filter(contract=contract).count() == len(SEED.lines)
    assert Indicator.objects.filter(contract=contract, year=2019).count() == len(SEED.indicators)


def test_a_line_with_a_name_but_no_category_is_refused(world, login):
    client = login(world.bureau_admin)
    data = _as_a_browser_posts_it(client.get(reverse("indicators:contract_setup")).content.decode())
    data.update(
        {
            "c-code": "X-2019",
            "c-name": "X 县2019年购买服务",
            "c-buyer": str(world.county_x.pk),
            "c-provider": str(world.provider_1.pk),
            "c-start_on": "2019-01-01",
            "c-end_on": "2019-12-31",
            "lines-8-name": "其他费用",
            "lines-8-amount": "0",
        }
    )
    response = client.post(reverse("indicators:contract_setup"), data)
    assert response.status_code == 200
    assert response.context["line_set"].forms[8].errors["category"]
    assert not Contract.objects.filter(code="X-2019").exists()
