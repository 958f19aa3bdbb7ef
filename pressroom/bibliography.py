"""references.bib → validated entries, and citation clusters → formatted notes (CSL).

Parsing and validation use bibtexparser 2, so every problem names its .bib line: parse
errors, duplicate keys and fields, and undefined ``@string`` macros (which bibtexparser would
otherwise keep as literal text). Formatting uses pandoc's citeproc with the pack's CSL style:
measured correct for Chicago notes (full first note, short note after), where citeproc-py got
initials, locators and punctuation wrong (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import logging
import re
import subprocess
from html import escape
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import html as lxml_html

from .diagnostics import Report

STYLES_DIR = Path("templates") / "csl"


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


@dataclass(frozen=True)
class Cluster:
    """One citation as written: ``[@a, p. 8; @b]``; in a footnote or in running text."""

    text: str
    in_note: bool


@dataclass(frozen=True)
class Formatted:
    clusters: list[str]  # HTML per cluster, in the order given
    note_style: bool  # True: body citations become footnotes
    bibliography: str  # HTML list of the cited works ('' if not asked for)


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
            if getattr(item, "_enclosing", None) == "no-enclosing" and isinstance(item.value, str):
                _check_bare_value(report, shown, entry, item, line + _field_offset(entry.raw, item.key), macros)
        entries[entry.key] = Entry(entry.key, line, entry.entry_type, _raw_url(entry.raw))
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


def style_path(root: Path, style: str) -> Path:
    """A CSL style by name (templates/csl/<name>.csl) or by path relative to the project."""
    candidate = root / style
    return candidate if candidate.suffix == ".csl" else root / STYLES_DIR / f"{style}.csl"


def is_note_style(csl: Path) -> bool:
    return bool(re.search(r'<style[^>]*class="note"', csl.read_text(encoding="utf-8")[:2000]))


def format_citations(clusters: list[Cluster], bib: Path, csl: Path, lang: str,
                     with_bibliography: bool = False) -> Formatted:
    """Format every cluster of one document, in order, in one pandoc citeproc run."""
    note_style = is_note_style(csl)
    if not clusters and not with_bibliography:
        return Formatted([], note_style, "")
    source = _pandoc_source(clusters, with_bibliography)
    output = _pandoc(source, str(bib), str(csl), lang, bib.stat().st_mtime_ns)
    tree = lxml_html.fragment_fromstring(output, create_parent="div")
    for back in tree.xpath('//a[contains(@class, "footnote-back")]'):
        back.drop_tree()
    notes = {li.get("id"): li for li in tree.xpath('//section[@id="footnotes"]//li')}
    formatted = [_cluster_html(tree, notes, index) for index in range(len(clusters))]
    refs = tree.xpath('//div[@id="refs"]')
    bibliography = _inner(refs[0]) if refs else ""
    return Formatted(formatted, note_style, bibliography)


def _pandoc_source(clusters: list[Cluster], with_bibliography: bool) -> str:
    """Clusters as pandoc Markdown, each in a span with an id, all in running text: pandoc
    would put a citation inside a note in parentheses; as its own note it reads as a note."""
    lines = [f"[{cluster.text}]{{#cite-{index}}}" for index, cluster in enumerate(clusters)]
    if with_bibliography:
        lines.append("::: {#refs}\n:::")
    return "\n\n".join(lines) + "\n"


@lru_cache(maxsize=64)
def _pandoc(source: str, bib: str, csl: str, lang: str, bib_mtime: int) -> str:
    import pypandoc

    result = subprocess.run(
        # raw HTML and TeX off: a locator is text, whatever it looks like
        [pypandoc.get_pandoc_path(), "--from=markdown-raw_html-raw_tex-raw_attribute", "--to=html5", "--citeproc", "--wrap=none",
         f"--bibliography={bib}", f"--csl={csl}", f"--metadata=lang:{lang}",
         *([] if "{#refs}" in source else ["--metadata=suppress-bibliography:true"])],
        input=source, capture_output=True, text=True, check=True)
    return result.stdout


def _cluster_html(tree, notes: dict, index: int) -> str:
    span = tree.xpath(f'//span[@id="cite-{index}"]')[0]
    ref = span.xpath('.//a[contains(@class, "footnote-ref")]')
    if ref:  # a note style turned the body citation into a note: take the note's text
        note = notes[ref[0].get("href").lstrip("#")]
        return "".join(_inner(p) for p in note.xpath("./p"))
    return _inner(span)


def _inner(element) -> str:
    text = element.text or ""
    return escape(text, quote=False) + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in element)
