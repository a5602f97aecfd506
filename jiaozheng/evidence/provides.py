"""What the evidence app provides to lower layers through core's registry."""

from __future__ import annotations

from typing import Any

from jiaozheng.core.registry import provide


def evidence_pack_to_file(*, actor: Any, contract: Any, year: int, path: str) -> Any:
    """Write the evidence pack of ``contract``'s ``year`` to ``path`` (the command line's ``report evidence``)."""
    from jiaozheng.evidence.services import pack_generate

    return pack_generate(actor=actor, contract=contract, year=year, path=path)


provide("evidence.pack_to_file", evidence_pack_to_file)
