"""What audit implements for core (``jiaozheng.core.registry.provider``)."""

from __future__ import annotations

from typing import Any

from jiaozheng.audit import services
from jiaozheng.core.registry import provide


def record_action(obj: Any, verb: str, data: dict[str, Any] | None = None) -> Any:
    return services.record_action(obj, verb, data)


provide("audit.record_action", record_action)
