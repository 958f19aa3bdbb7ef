"""One font subsetter, the fast one: WeasyPrint subsets with HarfBuzz where libharfbuzz-subset0 is
installed (a README prerequisite), the build knows which one it will use before rendering, says
so once where the library is missing (and carries on), and records which one made each PDF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pressroom.build import build
from pressroom.write.pdf import subsetter

QA_EN = {"docs": ["qa"], "locales": ["en"], "editions": ["screen"], "jobs": 1}


@pytest.fixture
def subset_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often WeasyPrint subsets a font with each library (renders run in this process: jobs=1)."""
    from weasyprint.pdf import fonts

    calls = {subsetter.HARFBUZZ: 0, subsetter.FONTTOOLS: 0}
    for name, method in ((subsetter.HARFBUZZ, "_harfbuzz_subset"), (subsetter.FONTTOOLS, "_fonttools_subset")):
        original = getattr(fonts.Font, method)

        def counted(self, *args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            return _original(self, *args, **kwargs)
        monkeypatch.setattr(fonts.Font, method, counted)
    return calls


def recorded(root: Path) -> dict[str, str]:
    state = json.loads((root / "output" / ".state.json").read_text())
    return {key: value["subsetter"] for key, value in state.items() if "subsetter" in value}


def test_the_build_predicts_the_subsetter_weasyprint_chooses():
    assert subsetter.font_subsetter() == subsetter.weasyprint_subsetter()


@pytest.mark.skipif(subsetter.font_subsetter() != subsetter.HARFBUZZ,
                    reason="libharfbuzz-subset0 is not installed here (a README prerequisite; CI installs it)")
def test_with_the_library_fonts_are_subset_by_harfbuzz(project: Path, subset_calls: dict):
    said: list[str] = []
    build(project, formats=["pdf"], progress=said.append, **QA_EN)
    assert subset_calls[subsetter.HARFBUZZ] > 0 and subset_calls[subsetter.FONTTOOLS] == 0
    assert recorded(project) == {"en/qa.pdf": subsetter.HARFBUZZ}
    assert not [message for message in said if "harfbuzz" in message.lower()]


def test_without_the_library_the_build_says_so_once_and_carries_on(project: Path, subset_calls: dict,
                                                                    monkeypatch: pytest.MonkeyPatch):
    from weasyprint.pdf import fonts

    load = subsetter._load
    monkeypatch.setattr(subsetter, "_load", lambda names: None if names == subsetter.SUBSET_LIBRARY else load(names))
    monkeypatch.setattr(fonts, "harfbuzz_subset", None)  # WeasyPrint, in this process, without it too
    subsetter.font_subsetter.cache_clear()
    try:
        said: list[str] = []
        first = build(project, formats=["pdf", "docx"], progress=said.append, **QA_EN)
        build(project, formats=["pdf", "docx"], progress=said.append, force=True, **QA_EN)  # once a build
    finally:
        subsetter.font_subsetter.cache_clear()
    notices = [message for message in said if "libharfbuzz-subset0" in message]
    assert notices == [subsetter.NOTICE] * 2
    assert "apt-get install libharfbuzz-subset0" in subsetter.NOTICE and "1.7×" in subsetter.NOTICE
    assert subset_calls[subsetter.FONTTOOLS] > 0
    assert not [d for d in first.report.items if "fontTools" in d.message]  # not WeasyPrint's, once per font
    assert (project / "output" / "en" / "qa.pdf").read_bytes().startswith(b"%PDF-")
    assert recorded(project) == {"en/qa.pdf": subsetter.FONTTOOLS}
    # the subsetter is an input of a PDF (not of a DOCX): with the library back, the PDF is rebuilt
    monkeypatch.undo()
    again = build(project, formats=["pdf", "docx"], **QA_EN)
    assert [t.key for t in again.built] == (["en/qa.pdf"] if subsetter.font_subsetter() == subsetter.HARFBUZZ else [])
