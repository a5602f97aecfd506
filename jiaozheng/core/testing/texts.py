"""What a user reads: the visible text of a page or a generated document, and the developer text in it.

Used by the crawl-and-render test (every page as every role, every generated document) and by the demo's
document test. A *finding* is text an officer should never see in the Chinese interface:

- an English sentence or word (an untranslated msgid) — except the few Latin words a Chinese document
  prints itself (scale abbreviations, APP, GPS, file formats, the authors of a cited cut-off);
- a code identifier: ``snake_case`` or a dotted measure code (``visits.routine_visits``);
- a citation tag (``[S30]``);
- a placeholder: ``{x}``, ``%(x)s``, ``%s``, an unresolved figure token, ``TODO``, ``lorem``;
- the words seed / demo (种子数据, 演示) outside the demo banner (an element marked ``data-demo-banner``).

Elements marked ``lang="en"`` (the language switch's "English") and ``translate="no"`` (syntax an editor
types, such as the figure tokens of the report texts) are not read.

``exempt`` strings are data of the world being crawled (login names, contract codes, file names, ID
numbers): they are removed before the checks, so that an officer's own entries are not findings.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterable

# Latin words a Chinese page or document may print.
ALLOWED_LATIN = frozenset(
    {
        # scales and statistics a psychologist prints, and the authors of the published cut-offs
        "PHQ",
        "GAD",
        "SCL",
        "SAS",
        "SDS",
        "COPA",
        "PI",
        "SD",
        "Kroenke",
        "Spitzer",
        "Williams",
        "Wang",
        "Zung",
        "Löwe",
        "Derogatis",
        # devices, positioning and file formats
        "APP",
        "App",
        "Traccar",  # the phone apps' own names, as installed from the app store
        "Client",
        "OsmAnd",
        "WebP",
        "MP",  # MP3 / MP4 file formats
        "CGCS",
        "GIS",
        "GPS",
        "LBS",
        "WGS",
        "GCJ",
        "PDF",
        "DOCX",
        "XLSX",
        "CSV",
        "csv",
        "xlsx",
        "docx",
        "pdf",
        "zip",  # file extensions in an example file name (记-2020-015_2.jpg)
        "jpg",
        "png",
        "SHA",  # a file's SHA-256 fingerprint, printed as evidence of what was imported
        "PowerPoint",
        "GeoJSON",
        "PMTiles",
        "MBTiles",
        "OpenStreetMap",  # a base map's attribution, which its licence requires to be shown
        "ZIP",
        "px",
        "JSON",
        "Excel",
        "Word",
        "JPG",
        "JPEG",
        "PNG",
        "UTF",
        "GB",
        "KB",
        "MB",
        "ID",
        "API",
        "IP",
        "URL",
        "km",
        "m",
    }
)

DEMO_BANNER_ATTR = "data-demo-banner"

_CHECKS = (
    (re.compile(r"\[S\d+[a-z]?\]"), "citation tag"),
    (re.compile(r"(?i)\b(?:seed|demo)\b|种子数据|演示"), "seed/demo"),
    (re.compile(r"\b[A-Za-z]+[a-z0-9]*(?:_[a-z0-9]+)+\b"), "code identifier"),
    (re.compile(r"\b[a-z][a-z0-9]*(?:\.[a-z][a-z0-9_]*)+\b"), "code identifier"),
    (re.compile(r"\{\{|\}\}|\{[a-z_][a-z0-9_]*\}|\{%|%\}"), "placeholder"),
    (re.compile(r"%\([a-z_]+\)[sd]|%[sd]\b"), "placeholder"),
    (re.compile(r"(?i)\bTODO\b|\bFIXME\b|\blorem\b|\bipsum\b|\bXXX\b"), "placeholder"),
    (re.compile(r"【(?:未取得|无此|[a-z])"), "unresolved figure"),
)
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z']+")
# Record numbers are data, not words: report numbers (county-XL-year-seq) and contract codes
# (HT-year-seq, the example a template prints).
_NUMBERS = re.compile(r"\b(?:\d{6}-)?[A-Z]{1,4}-\d{4}(?:-\d+)+\b")


def findings(name: str, text: str, exempt: Iterable[str] = ()) -> list[str]:
    """Every piece of developer text in ``text``, each as ``"name: what 'text'"``."""
    for value in sorted({v for v in exempt if v}, key=len, reverse=True):
        text = text.replace(value, " ")
    text = _NUMBERS.sub(" ", text)
    found = []
    for pattern, what in _CHECKS:
        found += [f"{name}: {what} {m.group(0)!r}" for m in pattern.finditer(text)]
    for match in _LATIN_WORD.finditer(text):
        word = match.group(0)
        if word not in ALLOWED_LATIN:
            start, end = max(0, match.start() - 20), match.end() + 20
            found.append(f"{name}: English {word!r} in {text[start:end]!r}")
    return found


# --- visible text ---------------------------------------------------------------------------------------

_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label", "data-confirm", "hx-confirm")


def html_text(html: str | bytes) -> str:
    """The text a user reads on a page: text nodes outside script/style/the demo banner, the page title, and
    the attributes a browser shows (title, placeholder, alt, aria-label, confirmations, button values)."""
    import lxml.html

    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    if not html.strip():
        return ""
    root = lxml.html.fromstring(html)
    skipped = "//script|//style|//template|//noscript|//*[@lang='en']|//*[@translate='no']"
    for bad in root.xpath(f"{skipped}|//*[@{DEMO_BANNER_ATTR}]"):
        bad.drop_tree()
    parts = [" ".join(root.itertext())]
    for attr in _ATTRIBUTES:
        parts += root.xpath(f"//@{attr}")
    parts += root.xpath("//input[@type='submit' or @type='button']/@value")
    return "\n".join(str(p) for p in parts)


def docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    parts = []
    for sheet in book.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            parts += [str(v) for v in row if isinstance(v, str)]
    return "\n".join(parts)


def response_text(content_type: str, data: bytes) -> str | None:
    """The readable text of a response body by its content type; None for bodies nobody reads as text
    (images, JSON for scripts)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "text/html":
        return html_text(data)
    if kind == "application/pdf":
        return pdf_text(data)
    if kind.endswith("wordprocessingml.document"):
        return docx_text(data)
    if kind.endswith("spreadsheetml.sheet"):
        return xlsx_text(data)
    if kind in ("text/csv", "text/plain"):
        return data.decode("utf-8-sig", "replace")
    return None
