"""Extension points each app fills from its own files, so apps never edit shared modules.

- Navigation: ``NAV`` in the app's ``nav.py`` (a list of NavItem).
- API: ``router`` in the app's ``api.py`` (mounted under /api/v1/ by jiaozheng.api).
- UI routes: ``urlpatterns`` in the app's ``urls.py`` (mounted under /<app_label>/ by jiaozheng.urls).
- Demo data: ``load(ctx)`` and ``ORDER`` in the app's ``demo.py`` (run in ORDER by load-demo).
- Indicators: measures registered in the app's ``measures.py`` with ``jiaozheng.core.measures``.
- Imports: kinds registered in the app's ``imports.py`` (``jiaozheng import KIND FILE``).
- Providers: functions core calls but a higher layer implements (signing in, the system account, audit
  actions), registered with ``provide`` in the app's ``provides.py`` and looked up with ``provider``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    policy: Any  # jiaozheng.core.access.Policy
    order: int = 100
    icon: str = ""
    group: Any = ""


def platform_apps() -> list[Any]:
    return [cfg for cfg in apps.get_app_configs() if cfg.name.startswith("jiaozheng.")]


def app_modules(submodule: str) -> Iterator[tuple[Any, ModuleType]]:
    """Import ``<app>.<submodule>`` for every platform app that has it."""
    for cfg in platform_apps():
        name = f"{cfg.name}.{submodule}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        yield cfg, module


_nav_cache: list[NavItem] | None = None


def nav_items() -> list[NavItem]:
    global _nav_cache
    if _nav_cache is None:
        items: list[NavItem] = []
        for _cfg, module in app_modules("nav"):
            items.extend(getattr(module, "NAV", []))
        _nav_cache = sorted(items, key=lambda item: item.order)
    return _nav_cache


_PROVIDERS: dict[str, Any] = {}


def provide(name: str, func: Any) -> Any:
    """Register ``func`` as the implementation of ``name`` (called from an app's ``provides.py``)."""
    if name in _PROVIDERS and _PROVIDERS[name] is not func:
        raise ValueError(f"provider {name!r} is registered twice")
    _PROVIDERS[name] = func
    return func


def provider(name: str) -> Any:
    """The function registered under ``name``; core calls higher layers only through these."""
    if name not in _PROVIDERS:
        for _cfg, _module in app_modules("provides"):
            pass  # importing an app's provides.py registers its functions
    try:
        return _PROVIDERS[name]
    except KeyError:
        raise LookupError(f"no app provides {name!r}") from None
