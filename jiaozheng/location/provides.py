"""What location offers the other service apps through ``jiaozheng.core.registry.provider``: raising an
alert (check-ins raise one for a failed or missed face check-in)."""

from __future__ import annotations

from jiaozheng.core.registry import provide
from jiaozheng.location.services import alert_raise

provide("location.alert_raise", alert_raise)
