from __future__ import annotations

from django import forms, template
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for paging links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return urlencode(sorted(query.lists()), doseq=True)


@register.filter
def is_wide(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.Textarea)


@register.filter
def yuan(value) -> str:
    """Amount in yuan with thousands separators."""
    if value in (None, ""):
        return ""
    return f"{float(value):,.2f}"


@register.filter
def wan(value) -> str:
    """Amount in 万元 as the bureau writes it: 89.098."""
    if value in (None, ""):
        return ""
    text = f"{float(value) / 10000:.4f}".rstrip("0").rstrip(".")
    return text


@register.filter
def pct(value, digits: int = 1) -> str:
    if value in (None, ""):
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
