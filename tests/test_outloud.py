"""Every screen PDF of every locale, checked by a tool nobody here wrote: outloud (PyPI), a
PDF/UA-1 and WCAG 2.2 checker whose rules cite ISO 14289-1 and the Matterhorn protocol.

Each error or warning it reports must be one that docs/accessibility.md explains as not
applying to the pack: its table of exceptions (between the ``outloud exceptions`` markers) is
read here, and an exception that no longer matches anything fails too, so the list stays true.
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path

import pytest
from conftest import ROOT, copy_project

outloud = pytest.importorskip("outloud", reason="outloud is not installed (it is in the test extra: "
                                                "pip install -e '.[test]')")

DOCS = ROOT / "docs" / "accessibility.md"
START, END = "<!-- outloud exceptions -->", "<!-- end of outloud exceptions -->"


def exceptions() -> list[tuple[str, str, re.Pattern]]:
    """(rule, file pattern, regular expression) per row of the documented table."""
    text = DOCS.read_text(encoding="utf-8")
    assert START in text and END in text, f"{DOCS}: the table of exceptions lost its markers"
    rows = []
    for line in text.split(START, 1)[1].split(END, 1)[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not re.fullmatch(r"[A-Z]+-\d+", cells[0]):
            continue  # the header, its rule, prose
        rows.append((cells[0], cells[1].strip("`"), re.compile(cells[2].strip("`"))))  # no | in a pattern
    return rows


@pytest.fixture(scope="module")
def screen_pdfs(tmp_path_factory) -> list[tuple[str, Path]]:
    """The screen edition of every document in every locale: ("ar/guidance.pdf", path)."""
    from pressroom.build import build

    root = copy_project(tmp_path_factory.mktemp("outloud") / "pack")
    build(root, formats=["pdf"], editions=["screen"])
    found = sorted((p.relative_to(root / "output").as_posix(), p) for p in (root / "output").glob("*/*.pdf"))
    assert {name.split("/")[0] for name, _ in found} >= {"en", "fr", "ar"}
    return found


def findings(screen_pdfs) -> list[tuple[str, object]]:
    out = []
    for name, path in screen_pdfs:
        result = outloud.check(str(path))
        assert result.error is None, f"{name}: outloud could not read it: {result.error}"
        out += [(name, f) for f in result.findings if f.severity in ("error", "warning")]
    return out


def test_outloud_finds_nothing_the_docs_do_not_explain(screen_pdfs) -> None:
    table = exceptions()
    unexplained, used = [], set()
    for name, finding in findings(screen_pdfs):
        said = f"{finding.message} | {finding.evidence or ''}"
        match = next((i for i, (rule, files, pattern) in enumerate(table)
                      if rule == finding.rule and fnmatch(name, files)
                      and (pattern.search(finding.message) or pattern.search(finding.evidence or ""))), None)
        if match is None:
            unexplained.append(f"{name}: page {finding.page}: {finding.rule} {finding.severity}: {said}")
        used.add(match)
    assert unexplained == [], "\n".join(unexplained)
    stale = [f"{rule} {files}" for i, (rule, files, _) in enumerate(table) if i not in used]
    assert stale == [], f"{DOCS.name}: exceptions nothing matches any more (remove them): {stale}"
