"""docs/imports.md: the template of every registered import kind, generated from the ImportKinds.

``jiaozheng imports_doc`` rewrites the part of docs/imports.md between the two markers; the text around
them is written by hand. A test checks that the file lists every column of every registered kind.
"""

from __future__ import annotations

from pathlib import Path

from jiaozheng.core.imports import ImportKind, _kind_text, import_kinds

START = "<!-- generated:start (jiaozheng imports_doc) -->"
END = "<!-- generated:end -->"
DOC = Path(__file__).resolve().parents[2] / "docs" / "imports.md"


def _cell(text: object) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")


def kind_section(kind: ImportKind) -> str:
    lines = [
        f"### `{kind.kind}`: {kind.label}",
        "",
        _cell(kind.description),
        "",
        f"`jiaozheng import {kind.kind} FILE --as USER` · template: `jiaozheng import {kind.kind} --template {kind.kind}.xlsx`",
        "",
        "| Column (header) | Key | Required | Format | Example | Notes |",
        "|---|---|---|---|---|---|",
    ]
    for column in kind.columns:
        lines.append(
            f"| {_cell(column.header)} | `{column.key}` | {'yes' if column.required else 'no'} | "
            f"{_cell(_kind_text(column))} | {_cell(column.example)} | {_cell(column.help)} |"
        )
    return "\n".join(lines)


def generated() -> str:
    kinds = import_kinds()
    index = ["| Kind | Records | Columns | Required columns |", "|---|---|---|---|"]
    for key, kind in kinds.items():
        required = "、".join(c.header for c in kind.columns if c.required)
        index.append(f"| `{key}` | {_cell(kind.label)} | {len(kind.columns)} | {_cell(required)} |")
    sections = [kind_section(kind) for kind in kinds.values()]
    return "\n\n".join([START, "\n".join(index), *sections, END])


def render(current: str) -> str:
    if START in current and END in current:
        head, rest = current.split(START, 1)
        _old, tail = rest.split(END, 1)
        return head + generated() + tail
    return current.rstrip() + "\n\n" + generated() + "\n"
