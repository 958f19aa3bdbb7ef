"""The bibliography loader: real .bib files parse, every problem is named at its 1-based line,
unused entries are warnings, and a broken references.bib stops the build writing nothing."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from conftest import snapshot
from pressroom import checks
from pressroom.read.bibliography import load_bibliography
from pressroom.build import assemble_all, build
from pressroom.read.pack import load_pack
from pressroom.diagnostics import ContentError, Report

REAL_WORLD = Path("/work/shared/testdata/real-world.bib")
MACRO = re.compile(r"^(?P<key>\S+): (?P<field>\w+) uses undefined macro ")


def load(path: Path) -> tuple[object, Report]:
    report = Report()
    return load_bibliography(path, path.name, report), report


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based number of the ``nth`` line of ``text`` that starts with ``needle``."""
    found = [n for n, line in enumerate(text.split("\n"), start=1) if line.startswith(needle)]
    return found[nth - 1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    return path


# --- a real-world file --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_world():
    if not REAL_WORLD.is_file():
        pytest.skip(f"{REAL_WORLD} is not here (see its README.md: a 1,730-block .bib from lawrennd/bibliography)")
    started = time.perf_counter()
    bib, report = load(REAL_WORLD)
    seconds = time.perf_counter() - started
    # lines as editors and the engine count them: on "\n" only (the file holds a form feed,
    # which str.splitlines() would take for a line break)
    return bib, report, REAL_WORLD.read_text(encoding="utf-8").split("\n"), seconds


def test_real_world_file_parses(real_world):
    bib, report, lines, seconds = real_world
    assert len(bib.entries) > 1500
    assert seconds < 30
    # every entry block is either parsed or reported: none is silently dropped
    blocks = [line for line in lines if re.match(r"@(?!string|comment|preamble)\w+\s*\{", line, re.IGNORECASE)]
    failed = [d for d in report.errors if not MACRO.match(d.message)]
    assert len(bib.entries) + len(failed) == len(blocks)
    assert not report.warnings


def test_real_world_failed_blocks_are_named_at_their_at_line(real_world):
    """Found in this file: one failed block, a duplicate key (Bastounis-crp24, line 582)."""
    _, report, lines, _ = real_world
    failed = [d for d in report.errors if not MACRO.match(d.message)]
    assert failed, "the file has a duplicate key: it must be reported"
    for diagnostic in failed:
        line = lines[diagnostic.line - 1]
        assert line.startswith("@"), (diagnostic, line)
        key = re.search(r"'([^']+)'", diagnostic.message)
        if key:
            assert f"{{{key.group(1)}," in line, (diagnostic, line)
    assert [str(d) for d in failed] == [
        "real-world.bib:582: duplicate entry key 'Bastounis-crp24' (first at line 251) — rename one of the two "
        "entries (and the citations meant for it), or remove the copy"]


def test_real_world_undefined_macros_are_named_at_their_field_line(real_world):
    _, report, lines, _ = real_world
    macros = [d for d in report.errors if MACRO.match(d.message)]
    assert macros
    for diagnostic in macros:
        match = MACRO.match(diagnostic.message)
        entry = next(n for n, line in enumerate(lines, start=1) if re.match(rf"@\w+\{{{re.escape(match['key'])},", line))
        assert diagnostic.line > entry, diagnostic
        assert re.match(rf"\s*{match['field']}\s*=", lines[diagnostic.line - 1], re.IGNORECASE), diagnostic


# --- every kind of problem at its line ----------------------------------------------------------------

SMALL = """\
% One problem per entry.
@string{lancet = {The Lancet}}

@article{uses-string,
  author  = {Smith, Jane},
  title   = {A Title},
  journal = lancet,
  month   = mar,
  year    = {2018},
}

@article{twin,
  author = {Doe, John},
  title  = {First},
  year   = {2019},
}

@article{twin,
  author = {Doe, Jane},
  title  = {Second},
  year   = {2019},
}

@article{two-titles,
  author = {Doe, John},
  title  = {One},
  title  = {Two},
  year   = {2019},
}

@article{bad-macro,
  author  = {Doe, John},
  title   = {Three},
  journal = nolancet,
  year    = {2020},
}

@article{unclosed,
  author = {Doe, John},
  title  = {Four},
  year   = {2021},

@article{after,
  author = {Roe, Richard},
  title  = {Five},
  year   = {2022},
}
"""


def test_each_problem_at_its_line(tmp_path):
    bib, report = load(write(tmp_path, SMALL))
    found = sorted((d.line, d.message) for d in report.items)
    assert found == [
        (line_of(SMALL, "@article{twin,", 2), f"duplicate entry key 'twin' (first at line {line_of(SMALL, '@article{twin,')})"),
        (line_of(SMALL, "@article{two-titles,"), "entry has a field twice: 'title'"),
        (line_of(SMALL, "  journal = nolancet,"), "bad-macro: journal uses undefined macro 'nolancet'"),
        (line_of(SMALL, "@article{unclosed,"), "cannot parse this entry: Expected a `=` after entry key, "
                                               "but found `@article`."),  # bibtexparser's own reason
    ]
    assert all(d.level == "error" and d.path == "refs.bib" for d in report.items)
    assert (found[0][0], found[1][0], found[2][0], found[3][0]) == (18, 24, 34, 38)  # read by hand
    hints = {d.message: d.hint for d in report.items}
    assert hints["bad-macro: journal uses undefined macro 'nolancet'"] == (
        "define it with @string{nolancet = {…}} or put the value in braces")


def test_good_entries_survive_their_neighbours(tmp_path):
    """A defined @string and a month macro are fine; the entry after an unclosed one is read."""
    bib, report = load(write(tmp_path, SMALL))
    assert set(bib.entries) == {"uses-string", "twin", "bad-macro", "after"}
    assert not [d for d in report.items for key in ("uses-string", "after")
                if d.message.startswith(f"{key}:") or f"'{key}'" in d.message]  # as diagnostics name entries
    assert bib.entries["twin"].line == 12  # the first definition is kept
    assert bib.entries["after"].line == 43
    assert bib.entries["uses-string"].type == "article"


def test_a_clean_file_has_no_diagnostics(tmp_path):
    clean = SMALL.split("@article{twin,")[0]  # the @string and the entry using it (with month = mar)
    bib, report = load(write(tmp_path, clean))
    assert report.items == []
    assert list(bib.entries) == ["uses-string"]


def test_missing_file_is_reported(tmp_path):
    bib, report = load(tmp_path / "nothing.bib")
    assert [(d.line, d.message) for d in report.items] == [(None, "bibliography not found")]
    assert bib.entries == {}


def test_line_numbers_after_a_latex_line_break(tmp_path):
    text = ("@article{a,\n  title    = {First line \\\\\n              second line},\n}\n\n"
            "@article{b,\n  title   = {B},\n  journal = nolancet,\n}\n")
    bib, report = load(write(tmp_path, text))
    assert bib.entries["b"].line == line_of(text, "@article{b,")
    assert [d.line for d in report.items] == [line_of(text, "  journal = nolancet,")]


def test_concatenation_with_a_defined_macro_is_fine(tmp_path):
    text = ("@string{pre = {Proceedings of }}\n\n"
            "@inproceedings{c,\n  title     = {C},\n  booktitle = pre # {Something},\n  year      = 2018,\n}\n")
    _, report = load(write(tmp_path, text))
    assert report.items == []


def test_a_parse_failure_says_what_is_wrong(tmp_path):
    text = "@article{broken,\n  author = {Someone},\n  title  {No equals sign},\n}\n"
    _, report = load(write(tmp_path, text))
    assert len(report.items) == 1
    assert report.items[0].message != "cannot parse this entry: syntax error"
    assert "=" in report.items[0].message


def test_a_missing_comma_is_a_one_line_diagnostic(tmp_path):
    text = "@report{broken,\n  author = {Someone},\n  title  = {Missing comma}\n  year   = {2020},\n}\n"
    _, report = load(write(tmp_path, text))
    assert [d.line for d in report.items] == [3]
    assert "\n" not in str(report.items[0])
    assert "macro" not in report.items[0].message


# --- unused entries: warnings, only when the whole pack is judged ----------------------------------

UNUSED = """
@report{never-cited-2020,
  author      = {{Nobody}},
  title       = {A Report Nobody Cites},
  institution = {Nowhere},
  year        = {2020},
}
"""
UNUSED_WARNING = ("warning: entry 'never-cited-2020' is never cited or listed — cite it, link its URL in a "
                  "reading list, or remove it")


def add_entry(root: Path, entry: str) -> int:
    """Insert ``entry`` before the bibliography's first entry; returns the line of its '@'."""
    path = root / "references.bib"
    text = path.read_text(encoding="utf-8")
    at = text.index("\n@") + 1
    path.write_text(text[:at] + entry.lstrip("\n") + "\n" + text[at:], encoding="utf-8")
    return text[:at].count("\n") + 1


def test_unused_entry_is_a_warning_with_its_line(project):
    line = add_entry(project, UNUSED)
    assert (project / "references.bib").read_text().split("\n")[line - 1] == "@report{never-cited-2020,"
    result = build(project, locales=["en"], formats=["docx"])
    assert not result.report.errors
    assert [str(d) for d in result.report.warnings if "never cited" in d.message] == [
        f"references.bib:{line}: {UNUSED_WARNING}"]
    assert (project / "output" / "en" / "qa.docx").is_file()
    with pytest.raises(ContentError) as failure:  # --strict: warnings fail too
        build(project, locales=["en"], formats=["docx"], strict=True, force=True)
    assert f"references.bib:{line}: {UNUSED_WARNING}" in [str(d) for d in failure.value.report.warnings]


def test_unused_entries_are_judged_only_on_the_whole_pack(project):
    add_entry(project, UNUSED)
    pack = load_pack(project)
    report = Report()
    bib, documents = assemble_all(pack, {"en"}, report)
    assert not report.errors

    def unused(selection: dict) -> list[str]:
        found = Report()
        checks.run(pack, selection, found, bibliography=bib, only=["citations"])
        assert not found.errors
        return [d.message for d in found.warnings]

    # the guidance alone cites few entries: judged on it alone, nearly every entry looks unused
    assert unused({key: doc for key, doc in documents.items() if key[0] == "guidance"}) == []
    assert unused(documents) == ["entry 'never-cited-2020' is never cited or listed"]


# --- a broken references.bib stops the build ----------------------------------------------------------

BROKEN = {
    # (entry inserted before the first entry, the line of the problem counted from the '@' line)
    "duplicate key": ("@report{icaa2008,\n  title = {A Second Entry With This Key},\n}\n", 0,
                      "duplicate entry key 'icaa2008'"),
    "undefined macro": ("@report{macro-entry,\n  title       = {T},\n  institution = nowhere,\n}\n", 2,
                        "macro-entry: institution uses undefined macro 'nowhere'"),
    "missing =": ("@report{broken-entry,\n  author = {Someone},\n  title  {No equals sign},\n  year = {2020},\n}\n", 0,
                  "cannot parse this entry"),
}


@pytest.mark.parametrize("kind", [
    "duplicate key",
    "undefined macro",
    "missing =",
])
def test_broken_references_fail_the_build_writing_nothing(project, kind):
    entry, offset, message = BROKEN[kind]
    build(project, docs=["qa"], locales=["en"], formats=["docx"])
    before = snapshot(project)
    at = add_entry(project, entry)
    if kind == "duplicate key":  # the inserted entry comes first: the original is the duplicate
        text = (project / "references.bib").read_text(encoding="utf-8")
        at = line_of(text, "@report{icaa2008,", 2)
    with pytest.raises(ContentError) as failure:
        build(project, docs=["qa"], locales=["en"], formats=["docx"])
    errors = failure.value.report.errors
    assert [(d.path, d.line) for d in errors] == [("references.bib", at + offset)]
    assert errors[0].message.startswith(message)
    assert snapshot(project) == before
