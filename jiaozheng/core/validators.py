"""Input hygiene shared by every module: plain single-line text, names, spreadsheet cells, file names."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]")
_MARKUP = re.compile(r"[<>]|javascript:|&#|&lt;|&gt;", re.IGNORECASE)
_NAME = re.compile(r"^[\w\u00b7\u3400-\u4dbf\u4e00-\u9fff .'-]{1,50}$")
_FILE_NAME_TRICKS = re.compile(r"(^|[\\/])\.\.([\\/]|$)|[\\/\x00-\x1f]|^\.|^[A-Za-z]:")


def text_problem(value: str | None, *, multiline: bool = False) -> str | None:
    """Why a free-text value is refused: control characters, or markup in single-line fields."""
    if not value:
        return None
    if (_CONTROL if multiline else _CONTROL_SINGLE_LINE).search(value):
        return _("The text contains control characters.")
    if not multiline and _MARKUP.search(value):
        return _("The text may not contain < > or markup.")
    return None


def name_problem(value: str | None) -> str | None:
    """A person's name: Chinese characters, letters, the middle dot (·), spaces, apostrophes, hyphens."""
    if not value:
        return None
    if not _NAME.match(value):
        return _("A name may contain only Chinese characters, letters, · and spaces.")
    return None


def file_name_problem(name: str | None) -> str | None:
    """Refuse path tricks in uploaded file names (../, absolute paths, control characters, drive letters)."""
    if not name:
        return _("The file has no name.")
    if len(name) > 200:
        return _("The file name is too long.")
    if _FILE_NAME_TRICKS.search(name):
        return _("The file name may not contain folders, '..' or control characters.")
    return None


def safe_cell(value: Any) -> Any:
    """A spreadsheet cell value that cannot be read as a formula (CSV/XLSX injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
