"""A large .bib costs what it must and no more: the loader's work grows linearly with the file,
its parse is kept between builds (an edit elsewhere does not parse it again), only cited entries
are LaTeX-decoded and given to pandoc, and unused entries are one warning, not one each."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pressroom.assemble import citations as citations_module
from pressroom.build import CACHE, build
from pressroom.diagnostics import Report
from pressroom.read import bibliography
from pressroom.read.bibliography import load_bibliography

DOCX_EN = {"locales": ["en"], "formats": ["docx"]}


def synthetic(entries: int) -> str:
    """A .bib of ``entries`` entries, each with an @string, a month macro, LaTeX accents, a LaTeX
    line break (which bibtexparser miscounts lines after) and a URL."""
    return "@string{jrn = {Journal of Tests}}\n\n" + "".join(
        f"@article{{key{i},\n  author  = {{M{{\\\"u}}ller, Anna and Dupont, Jean}},\n"
        f"  title   = {{On {{T}}est {i} \\\\\n             and more}},\n  journal = jrn,\n  month   = mar,\n"
        f"  year    = {2000 + i % 20},\n  url     = {{https://example.org/{i}?a=1&b=2}},\n}}\n\n" for i in range(entries))


def cpu_seconds(path: Path) -> float:
    """The least CPU time of three loads (the least is the one the machine disturbed least)."""
    spent = []
    for _ in range(3):
        started = time.process_time()
        bib = load_bibliography(path, path.name, Report())
        spent.append(time.process_time() - started)
    assert len(bib.entries) == path.read_text().count("@article{")
    return min(spent)


def test_the_loaders_work_is_linear(tmp_path: Path):
    """10× the entries cost about 10× the time: the loader that looked each entry's line up by
    rescanning the file took 21× here (and 75× for real-world.bib, 46× the pack's own entries)."""
    small, large = tmp_path / "small.bib", tmp_path / "large.bib"
    small.write_text(synthetic(400), encoding="utf-8")
    large.write_text(synthetic(4000), encoding="utf-8")
    cpu_seconds(small)  # imports, caches
    ratio = cpu_seconds(large) / cpu_seconds(small)
    assert ratio < 15, f"10× the entries took {ratio:.1f}× the time"


def test_lines_stay_exact_in_a_large_file(tmp_path: Path):
    path = tmp_path / "large.bib"
    text = synthetic(3000) + "@article{last,\n  title = {T},\n  journal = nojournal,\n}\n"
    path.write_text(text, encoding="utf-8")
    report = Report()
    bib = load_bibliography(path, "large.bib", report)
    lines = text.split("\n")
    assert lines[bib.entries["key2999"].line - 1] == "@article{key2999,"
    assert [(d.line, d.message) for d in report.items] == [
        (lines.index("  journal = nojournal,") + 1, "last: journal uses undefined macro 'nojournal'")]


def test_an_edit_elsewhere_does_not_parse_the_bib_again(project: Path, monkeypatch: pytest.MonkeyPatch):
    parses = []
    parse = bibliography._parse
    monkeypatch.setattr(bibliography, "_parse", lambda text: parses.append(1) or parse(text))
    build(project, **DOCX_EN)
    assert len(parses) == 1 and list((project / "output" / CACHE).iterdir())
    fragment = project / "content" / "en" / "qa" / "01-introduction.md"
    fragment.write_text(fragment.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    edited = build(project, **DOCX_EN)
    assert [t.key for t in edited.built] == ["en/qa.docx"] and len(parses) == 1
    bib = project / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n% an edit of the .bib\n", encoding="utf-8")
    build(project, **DOCX_EN)
    assert len(parses) == 2  # a changed file is parsed again


def test_the_cache_gives_what_a_parse_gives(tmp_path: Path):
    path = tmp_path / "refs.bib"
    path.write_text(synthetic(20) + "@article{bad,\n  journal = nowhere,\n}\n", encoding="utf-8")
    cache = bibliography.Cache(tmp_path / "cache")
    parsed_report, cached_report = Report(), Report()
    parsed = load_bibliography(path, "refs.bib", parsed_report, cache)
    for written, data in cache.pending.items():
        written.parent.mkdir(exist_ok=True)
        written.write_bytes(data)
    cached = load_bibliography(path, "refs.bib", cached_report, bibliography.Cache(tmp_path / "cache"))
    assert cached == parsed and cached_report.items == parsed_report.items != []


def test_only_cited_entries_are_decoded_and_given_to_pandoc(project: Path, monkeypatch: pytest.MonkeyPatch):
    from bibtexparser.middlewares import LatexDecodingMiddleware

    bib = project / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + synthetic(50), encoding="utf-8")
    decoded, given = [], []
    transform = LatexDecodingMiddleware.transform_entry
    monkeypatch.setattr(LatexDecodingMiddleware, "transform_entry",
                        lambda self, entry, library: decoded.append(entry.key) or transform(self, entry, library))
    pandoc = citations_module._pandoc.__wrapped__
    monkeypatch.setattr(citations_module, "_pandoc", lambda source, bib_text, *rest: given.append(bib_text)
                        or pandoc(source, bib_text, *rest))
    result = build(project, **DOCX_EN)
    assert decoded and not [key for key in decoded if key.startswith("key")]
    assert len(given) == 1 and "@article{key" not in given[0] and "@report{icaa2008," in given[0]
    unused = [d for d in result.report.warnings if "never cited" in d.message]
    assert [d.message for d in unused] == ["50 entries of references.bib are never cited or listed"]
    assert unused[0].hint.endswith(", ".join(f"key{i}" for i in range(50)))
