"""Citation clusters in → formatted notes and bibliography (HTML) out, by pandoc citeproc.

pandoc's citeproc with the pack's CSL style: measured correct for Chicago notes (full first
note, short note after), where citeproc-py got initials, locators and punctuation wrong
(docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Callable

from lxml import html as lxml_html

from pressroom.read.bibliography import Bibliography, Cache

STYLES_DIR = Path("templates") / "csl"


@dataclass(frozen=True)
class Formatted:
    clusters: list[str]  # HTML per cluster, in the order given
    note_style: bool  # True: body citations become footnotes
    bibliography: str  # HTML list of the cited works ('' if not asked for)


@dataclass(frozen=True)
class Cluster:
    """One citation as written: ``[@a, p. 8; @b]``; in a footnote or in running text."""

    text: str
    in_note: bool


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


def format_batch(jobs: list[CitationJob], bib: Path, csl: Path, bib_text: str | None = None,
                 cache: Cache | None = None) -> Callable[[], list[Formatted]]:
    """Start formatting every job in one pandoc run; the function returned waits for it and gives
    each job's Formatted. pandoc works in its own process meanwhile, so the caller can go on.
    ``bib_text``: what pandoc reads as the .bib (``Bibliography.subset``: the cited entries;
    real-world.bib whole costs it 0.27 s more), else the whole file. ``cache``: pandoc's output
    is kept there under a digest of all it reads (the citations, the entries, the style, the
    pandoc binary), so an edit that changes no citation does not run it again (~0.5 s)."""
    note_style = is_note_style(csl)
    empty = Formatted([], note_style, "")
    wanted = [index for index, job in enumerate(jobs) if job.clusters or job.with_bibliography]
    if not wanted:
        return lambda: [empty] * len(jobs)
    source = _pandoc_source([jobs[index] for index in wanted])
    if bib_text is None:
        bib_text = bib.read_text(encoding="utf-8", errors="replace")
    output = _kept(cache, source, bib_text, csl)

    def result() -> list[Formatted]:
        tree = _output_tree(output())
        notes = {li.get("id"): li for li in tree.xpath('//section[@id="footnotes"]//li')}
        formatted = [empty] * len(jobs)
        for group, index in enumerate(wanted):
            formatted[index] = _group_result(tree, notes, group, len(jobs[index].clusters), note_style)
        return formatted
    return result


def _kept(cache: Cache | None, source: str, bib_text: str, csl: Path) -> Callable[[], str]:
    """pandoc's output for ``source``: from ``cache`` when it holds it for these very inputs,
    else from a pandoc run in the background (then kept)."""
    import hashlib
    import os

    import pypandoc

    binary = os.stat(pypandoc.get_pandoc_path())
    key = hashlib.sha256("\0".join([source, bib_text, csl.read_text(encoding="utf-8", errors="replace"),
                                     f"{binary.st_size} {binary.st_mtime_ns}"]).encode()).hexdigest()
    held = cache.get(CACHED, key) if cache is not None else None
    if isinstance(held, str):
        return lambda: held
    running = _in_background(_pandoc, source, bib_text, str(csl), csl.stat().st_mtime_ns)

    def output() -> str:
        text = running()
        if cache is not None:
            cache.put(CACHED, key, text)
        return text
    return output


CACHED = "citations.json"  # output/.cache/: the last pandoc output


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
def _pandoc(source: str, bib_text: str, csl: str, csl_mtime: int) -> str:  # csl_mtime: a cache key
    import tempfile

    import pypandoc

    with tempfile.TemporaryDirectory() as tmp:
        groups, bib = Path(tmp) / "groups.lua", Path(tmp) / "references.bib"
        groups.write_text(GROUPS_FILTER, encoding="utf-8")
        bib.write_text(bib_text, encoding="utf-8")
        result = subprocess.run(
            # raw HTML and TeX off: a locator is text, whatever it looks like
            [pypandoc.get_pandoc_path(), "--from=markdown-raw_html-raw_tex-raw_attribute", "--to=html5", "--wrap=none",
             # --sandbox: pandoc reads only the files named here and never the network (a CSL
             # parent, a bibliography URL, an image in a title): no fetch, by construction
             "--sandbox", f"--lua-filter={groups}", f"--bibliography={bib}", f"--csl={csl}"],
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


# -- citations in the assembled tree -------------------------------------------------------


def citation_spans(body, bib: Bibliography) -> list:
    """The ``span.citation`` elements pandoc can format; one citing an unknown key is marked
    ``citation-unresolved`` for the checks (pandoc would only print the key with a '?')."""
    spans = body.xpath('//span[@class="citation"]')
    resolvable = [s for s in spans if all(k in bib.entries for k in s.get("data-cites", "").split())]
    for span in spans:
        if span not in resolvable:
            span.set("class", "citation-unresolved")
    return resolvable


def apply_citations(spans: list, job: CitationJob, formatted: Formatted) -> str:
    """Replace each citation span by its formatted text (a note when in running text); returns
    the bibliography's HTML."""
    for span, cluster, text in zip(spans, job.clusters, formatted.clusters):
        _replace_citation(span, text, in_note=cluster.in_note, as_note=formatted.note_style)
    return formatted.bibliography


def is_in_note(span) -> bool:
    return bool(span.xpath('ancestor::span[contains(@class, "footnote")]'))


def _replace_citation(span, text: str, *, in_note: bool, as_note: bool) -> None:
    new = lxml_html.fragment_fromstring(text, create_parent="span")
    new.set("data-cites", span.get("data-cites"))
    new.set("data-src", span.get("data-src"))
    new.set("class", "footnote citation" if as_note and not in_note else "citation")
    new.tail = span.tail
    if in_note and new.tail and new.tail.startswith(".") and _text_of(new).endswith("."):
        new.tail = new.tail[1:]  # "[@key]." in a note: the style already ends the note
    elif in_note and (new.tail or "").strip() and not new.tail.lstrip().startswith((".", "!", "?")):
        _drop_final_stop(new)  # "[@key] and the new study…": mid-sentence, the style's full stop goes
    elif as_note and not in_note:
        _call_after_punctuation(span, new)
    span.getparent().replace(span, new)


def _call_after_punctuation(span, note) -> None:
    """``word [@key].`` → ``word.¹``: a note call follows the punctuation, with no space before it."""
    previous = span.getprevious()
    before = (previous.tail if previous is not None else span.getparent().text) or ""
    punctuation = re.match(r"[.,;:!?]+", note.tail or "")
    mark = punctuation.group() if punctuation else ""
    before = before.rstrip() + mark
    note.tail = (note.tail or "")[len(mark):]
    if previous is not None:
        previous.tail = before
    else:
        span.getparent().text = before


ABBREVIATION = re.compile(r"(?:\b(?:n\.d|et al|eds?|pp?|no|vol|trans|repr)|\b[A-Z])\.$")


def _drop_final_stop(element) -> None:
    """The full stop a note style ends a citation with, taken off its last text (an
    abbreviation's stop, "n.d." or "et al.", stays)."""
    if not _text_of(element).endswith(".") or ABBREVIATION.search(_text_of(element)):
        return
    for node in reversed(list(element.iter())):
        for attribute in ("tail", "text"):
            if node is element and attribute == "tail":
                continue
            value = getattr(node, attribute)
            if value and value.strip():
                if value.rstrip().endswith("."):
                    stripped = value.rstrip()
                    setattr(node, attribute, stripped[:-1] + value[len(stripped):])
                return


def _text_of(element) -> str:
    return element.text_content().rstrip()
