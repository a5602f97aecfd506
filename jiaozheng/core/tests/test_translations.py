"""Every app's Chinese catalogue is complete: no empty and no fuzzy translations, and the pages use it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def _entries(text: str):
    """(msgid, msgstr values, flags) per entry of a .po file (enough of the format for this check)."""
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        flags = " ".join(ln for ln in lines if ln.startswith("#,"))
        fields: dict[str, str] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if "msgid" in fields and fields["msgid"]:
            yield fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")], flags


def test_every_app_with_pages_has_a_catalogue():
    apps_with_templates = {p.parent.name for p in ROOT.glob("*/templates")}
    with_catalogue = {p.parents[3].name for p in CATALOGUES}
    assert apps_with_templates <= with_catalogue, apps_with_templates - with_catalogue


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parents[3].name)
def test_the_catalogue_is_complete(path):
    problems = []
    for msgid, translations, flags in _entries(path.read_text(encoding="utf-8")):
        if "fuzzy" in flags:
            problems.append(f"fuzzy: {msgid}")
        elif not translations or not all(translations):
            problems.append(f"untranslated: {msgid}")
    assert not problems, "\n".join(problems[:20])
    assert path.with_suffix(".mo").exists(), "compile the catalogue (jiaozheng compilemessages)"
