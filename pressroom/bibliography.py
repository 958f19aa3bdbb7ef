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
from typing import Callable

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


@dataclass(frozen=True)
class CitationJob:
    """One document's citations in one language, formatted as if pandoc saw that document alone."""

    clusters: tuple[Cluster, ...]
    lang: str
    with_bibliography: bool = False


# pandoc formats each group as a document of its own (first and subsequent notes, ibid, its own
# bibliography, its language), so one pandoc run serves every document and locale of a build:
# starting pandoc and reading the .bib and the CSL style is most of the time of a run.
GROUPS_FILTER = """
function Pandoc(doc)
  for _, block in ipairs(doc.blocks) do
    if block.t == "Div" and block.classes:includes("citation-group") then
      doc.meta.lang = block.attributes["lang"]
      doc.meta["suppress-bibliography"] = block.attributes["refs"] == nil
      block.content = pandoc.utils.citeproc(pandoc.Pandoc(block.content, doc.meta)).blocks
    end
  end
  return doc
end
"""


def format_citations(clusters: list[Cluster], bib: Path, csl: Path, lang: str,
                     with_bibliography: bool = False) -> Formatted:
    """Format every cluster of one document, in order, in one pandoc citeproc run."""
    return format_batch([CitationJob(tuple(clusters), lang, with_bibliography)], bib, csl)()[0]


def format_batch(jobs: list[CitationJob], bib: Path, csl: Path) -> Callable[[], list[Formatted]]:
    """Start formatting every job in one pandoc run; the function returned waits for it and gives
    each job's Formatted. pandoc works in its own process meanwhile, so the caller can go on."""
    note_style = is_note_style(csl)
    empty = Formatted([], note_style, "")
    wanted = [index for index, job in enumerate(jobs) if job.clusters or job.with_bibliography]
    if not wanted:
        return lambda: [empty] * len(jobs)
    source = _pandoc_source([jobs[index] for index in wanted])
    output = _in_background(_pandoc, source, str(bib), str(csl), bib.stat().st_mtime_ns, csl.stat().st_mtime_ns)

    def result() -> list[Formatted]:
        tree = _output_tree(output())
        notes = {li.get("id"): li for li in tree.xpath('//section[@id="footnotes"]//li')}
        formatted = [empty] * len(jobs)
        for group, index in enumerate(wanted):
            formatted[index] = _group_result(tree, notes, group, len(jobs[index].clusters), note_style)
        return formatted
    return result


def _in_background(function: Callable, *args) -> Callable:
    """``function(*args)`` in a thread (it waits on pandoc, so it hardly holds the GIL); the
    function returned waits for its result or raises its exception."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(function, *args)
    pool.shutdown(wait=False)
    return future.result


def _pandoc_source(jobs: list[CitationJob]) -> str:
    """Each job a group; its clusters as pandoc Markdown, each in a span with an id, all in
    running text: pandoc would put a citation inside a note in parentheses; as its own note it
    reads as a note."""
    groups = []
    for group, job in enumerate(jobs):
        # a line break in a cluster is a space, and may not end its group (a line of colons would)
        lines = [f"[{cluster.text.replace(chr(10), ' ')}]{{#cite-{group}-{index}}}"
                 for index, cluster in enumerate(job.clusters)]
        if job.with_bibliography:
            lines.append("::: {#refs}\n:::")
        refs = " refs=1" if job.with_bibliography else ""
        groups.append(f":::: {{#group-{group} .citation-group lang='{job.lang}'{refs}}}\n"
                      + "\n\n".join(lines) + "\n::::")
    return "\n\n".join(groups) + "\n"


@lru_cache(maxsize=64)
def _pandoc(source: str, bib: str, csl: str, bib_mtime: int, csl_mtime: int) -> str:
    import tempfile

    import pypandoc

    with tempfile.TemporaryDirectory() as tmp:
        groups = Path(tmp) / "groups.lua"
        groups.write_text(GROUPS_FILTER, encoding="utf-8")
        result = subprocess.run(
            # raw HTML and TeX off: a locator is text, whatever it looks like
            [pypandoc.get_pandoc_path(), "--from=markdown-raw_html-raw_tex-raw_attribute", "--to=html5", "--wrap=none",
             f"--lua-filter={groups}", f"--bibliography={bib}", f"--csl={csl}"],
            input=source, capture_output=True, text=True, check=True)
    return result.stdout


def _output_tree(output: str):
    tree = lxml_html.fragment_fromstring(output, create_parent="div")
    for back in tree.xpath('//a[contains(@class, "footnote-back")]'):
        back.drop_tree()
    return tree


def _group_result(tree, notes: dict, group: int, count: int, note_style: bool) -> Formatted:
    root = tree.xpath(f'//div[@id="group-{group}"]')[0]
    clusters = [_cluster_html(root, notes, f"cite-{group}-{index}") for index in range(count)]
    refs = root.xpath('.//div[@id="refs"]')
    return Formatted(clusters, note_style, _inner(refs[0]) if refs else "")


def _cluster_html(root, notes: dict, span_id: str) -> str:
    span = root.xpath(f'.//span[@id="{span_id}"]')[0]
    ref = span.xpath('.//a[contains(@class, "footnote-ref")]')
    if ref:  # a note style turned the body citation into a note: take the note's text
        note = notes[ref[0].get("href").lstrip("#")]
        return "".join(_inner(p) for p in note.xpath("./p"))
    return _inner(span)


def _inner(element) -> str:
    text = element.text or ""
    return escape(text, quote=False) + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in element)
