"""docs/configuration.md names every environment variable the code reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_environment_variable_is_documented():
    code = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "jiaozheng").rglob("*.py") if "tests" not in p.parts
    )
    variables = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', code))
    variables |= set(re.findall(r'os\.environ\.get\("((?:JZ_|DATABASE_|REDIS_)[A-Z_]*)"', code))
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = sorted(v for v in variables if v not in doc and not v.startswith("JZ_BENCH"))
    assert not missing, f"undocumented variables: {missing}"
