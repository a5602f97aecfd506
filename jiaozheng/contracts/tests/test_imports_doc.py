"""docs/imports.md documents every column of every registered import kind."""

from __future__ import annotations

from jiaozheng.contracts.importdoc import DOC, END, START, kind_section
from jiaozheng.core.imports import import_kinds


def test_the_imports_doc_lists_every_column_of_every_registered_kind():
    # given the doc as committed and the kinds the installed modules register
    text = DOC.read_text(encoding="utf-8")
    generated = text.split(START, 1)[1].split(END, 1)[0]
    missing = []
    # then each kind has its section and each of its columns appears in it with its header and key
    for key, kind in import_kinds().items():
        marker = f"### `{key}`"
        if marker not in generated:
            missing.append(f"{key}: no section (run `jiaozheng imports_doc`)")
            continue
        section = generated.split(marker, 1)[1].split("\n### ", 1)[0]
        for column in kind.columns:
            if f"| {column.header} | `{column.key}` |" not in section.replace("\\|", "|"):
                missing.append(f"{key}: column {column.header} ({column.key})")
    assert not missing, "docs/imports.md is out of date:\n" + "\n".join(missing)


def test_a_kind_section_holds_the_header_key_requirement_and_help_of_each_column():
    kind = import_kinds()["payments"]
    section = kind_section(kind)
    assert "| 拨付日期 | `paid_on` | yes | 日期 YYYY-MM-DD |" in section
    assert "累计拨付不得超过中标价" in section
