"""What `invoke build` makes by default: the editions of pack.yaml not marked ``default: false`` —
the screen edition; the print edition (about as much PDF work again, needed only by the printer)
when asked for, and by `invoke package`, which builds what it packages."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom.build import build
from pressroom.commands.preflight import preflight
from pressroom.diagnostics import ContentError
from pressroom.read.pack import load_pack

QA_EN = {"docs": ["qa"], "locales": ["en"]}


def test_a_build_makes_the_default_editions(project: Path):
    pack = load_pack(project)
    assert [(e.name, e.default) for e in pack.editions] == [("screen", True), ("print", False)]
    result = build(project, **QA_EN)
    assert sorted(t.name for t in result.built if not t.site) == ["qa.docx", "qa.pdf"]
    assert not (project / "output" / "en" / "qa.print.pdf").exists()
    warnings = [str(d) for d in preflight(project, pack, ["en"], docs=["qa"]).warnings]
    assert ("output/en/qa.print.pdf: warning: not checked: the print edition is not built by default — run "
            "`invoke build --locale en --edition print` to check it") in warnings


def test_an_edition_not_built_by_default_is_built_when_asked(project: Path):
    result = build(project, editions=["print"], formats=["pdf"], **QA_EN)
    assert [t.name for t in result.built] == ["qa.print.pdf"]
    assert build(project, **QA_EN).built and build(project, **QA_EN).built == []  # the print PDF stays


def test_a_pack_must_build_some_edition_by_default(project: Path):
    path = project / "content" / "pack.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      forms: true\n", "      forms: true\n      default: false\n"), encoding="utf-8")
    with pytest.raises(ContentError) as failure:
        load_pack(project)
    line = text.split("\n").index("    screen:") + 1
    assert [str(d) for d in failure.value.report.errors] == [
        f"content/pack.yaml:{line}: no edition is built by default — remove 'default: false' from one of pack.editions"]
