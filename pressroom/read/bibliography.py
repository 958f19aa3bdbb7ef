"""references.bib in → validated entries (``Bibliography``) out.

Parsing and validation use bibtexparser 2, so every problem names its .bib line: parse
errors, duplicate keys and fields, and undefined ``@string`` macros (which bibtexparser would
otherwise keep as literal text). Formatting the citations is assembling's (assemble/citations.py).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from pressroom.diagnostics import Report
from pressroom.model import LINK_HINT, link_problem


@dataclass(frozen=True)
class Entry:
    key: str
    line: int  # 1-based line in the .bib file
    type: str
    url: str | None = None


@dataclass(frozen=True)
class Bibliography:
    path: Path
    shown: str
    entries: dict[str, Entry] = field(default_factory=dict)
    usable: bool = True  # False when the file has blocks that did not parse: not given to pandoc


def load_bibliography(path: Path, shown: str, report: Report) -> Bibliography:
    """Parse a .bib file; report every failed block and unusable value with its line."""
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware, MonthIntMiddleware

    if not path.is_file():
        report.error(shown, None, "bibliography not found", "create it or fix pack.bibliography")
        return Bibliography(path, shown, usable=False)
    text = path.read_text(encoding="utf-8", errors="replace")
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # its 0-based lines; ours are reported
    library = bibtexparser.parse_file(
        str(path), append_middleware=[LatexDecodingMiddleware(keep_braced_groups=True), MonthIntMiddleware(True)])
    for block in library.failed_blocks:
        report.error(shown, _line_of(text, block), _failure_message(block), "fix the entry's syntax")
    macros = {string.key.lower() for string in library.strings}
    entries = {}
    for entry in library.entries:
        line = _line_of(text, entry)
        for item in entry.fields:
            if item.enclosing == "no-enclosing" and isinstance(item.value, str):
                _check_bare_value(report, shown, entry, item, line + _field_offset(entry.raw, item.key), macros)
        entries[entry.key] = Entry(entry.key, line, entry.entry_type, _raw_url(entry.raw))
        _check_links(report, shown, entry, line)
    return Bibliography(path, shown, entries, usable=not library.failed_blocks)


def _line_of(text: str, block) -> int:
    """The 1-based line of a block, found by its raw text: bibtexparser 2.1 miscounts lines
    after a value line that ends in a backslash (a LaTeX line break)."""
    raw = (getattr(block, "raw", "") or "").strip()
    start = _offset_of_line(text, block.start_line)  # its count only ever falls short
    found = text.find(raw, start) if raw else -1
    return text.count("\n", 0, found) + 1 if found >= 0 else block.start_line + 1


def _offset_of_line(text: str, line0: int) -> int:
    offset = 0
    for _ in range(line0):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return 0
    return offset


def _field_offset(raw: str, key: str) -> int:
    match = re.search(rf"^[ \t]*{re.escape(key)}\s*=", raw or "", flags=re.IGNORECASE | re.MULTILINE)
    return raw.count("\n", 0, match.start()) if match else 0


def _check_bare_value(report: Report, shown: str, entry, item, line: int, macros: set[str]) -> None:
    """An unbraced value is a number, a defined @string, or a concatenation of those and literals."""
    value = item.value.strip()
    if "\n" in value or "=" in value:
        report.error(shown, line, f"{entry.key}: {item.key} runs into the next field",
                     "add the missing comma after this field's value")
        return
    for part in (p.strip() for p in value.split("#")):
        if part and not part.isdigit() and part[0] not in "{\"" and part.lower() not in macros:
            report.error(shown, line, f"{entry.key}: {item.key} uses undefined macro {part!r}",
                         f"define it with @string{{{part} = {{…}}}} or put the value in braces")


def _check_links(report: Report, shown: str, entry, line: int) -> None:
    """A url or doi becomes a link in the bibliography: it passes the one allow-list, at its line."""
    for key in ("url", "doi"):
        value = entry.fields_dict.get(key)
        if value is None or not isinstance(value.value, str):
            continue
        text = (_raw_url(entry.raw) if key == "url" else None) or value.value.strip()
        if key == "doi":  # as reference managers export it: doi:10.…, https://doi.org/10.…
            text = re.sub(r"\A(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", text, flags=re.IGNORECASE)
        target = text if key == "url" else f"https://doi.org/{text}"
        problem = link_problem(target)
        if key == "doi" and not problem and not re.match(r"10\.\d{4,9}/\S+\Z", text):
            problem = f"doi {text!r} is not a DOI (10.NNNN/…)"
        if problem:
            report.error(shown, line + _field_offset(entry.raw, key), f"{entry.key}: {key}: {problem}",
                         LINK_HINT if key == "url" else "write the DOI alone: 10.1234/abc")


def _raw_url(raw: str) -> str | None:
    """The url as written: LaTeX decoding would turn its '&' into a space."""
    match = re.search(r"\burl\s*=\s*[{\"]([^}\"]+)[}\"]", raw or "", flags=re.IGNORECASE)
    return match.group(1).strip() if match else None


def _failure_message(block) -> str:
    name = type(block).__name__
    if name == "DuplicateBlockKeyBlock":
        return f"duplicate entry key {block.key!r}"
    if name == "DuplicateFieldKeyBlock":
        return f"entry has a field twice: {str(block.error).split(':', 1)[-1].split('.')[0].strip()}"
    reason = getattr(getattr(block, "error", None), "abort_reason", "") or str(getattr(block, "error", ""))
    lines = reason.strip().splitlines()
    return f"cannot parse this entry: {lines[-1].strip() if lines else 'syntax error'}"
