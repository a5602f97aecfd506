"""Template filters of the performance pages: rates and figures written the way the reports write them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join

from jiaozheng.indicators.scoring import format_number, format_percent, to_decimal

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    """A ratio as a percentage: 0.99998 -> 99.998% (never rounded up to 100 %)."""
    if value in (None, ""):
        return "—"
    return format_percent(to_decimal(value))


@register.filter
def num(value: Any) -> str:
    return format_number(to_decimal(value)) if value not in (None, "") else "—"


@register.simple_tag
def segments(items: Any) -> str:
    """Paragraph segments as HTML: figures become links to the records behind them."""
    parts = []
    for s in items:
        if s.missing:
            parts.append(format_html('<span class="fig missing" title="{}">{}</span>', s.title, s.text))
        elif s.figure and s.link:
            parts.append(format_html('<a class="fig" href="{}" title="{}">{}</a>', s.link, s.title, s.text))
        elif s.figure:
            parts.append(format_html('<span class="fig">{}</span>', s.text))
        else:
            parts.append(format_html("{}", s.text))
    return format_html_join("", "{}", ((p,) for p in parts))
