"""WeasyPrint's warnings are the pack's diagnostics: a stylesheet slip names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import snapshot
from pressroom.build import build
from pressroom.diagnostics import ContentError

ONLY_QA = dict(docs=["qa"], locales=["en"], formats=["pdf"], editions=["screen"])


def weasyprint_warnings(report) -> list[str]:
    return [str(d) for d in report.warnings if "WeasyPrint" in d.message]


def misspell(project: Path) -> int:
    """A typo in a declaration of templates/pack.css; returns its line."""
    css = project / "templates" / "pack.css"
    lines = css.read_text(encoding="utf-8").split("\n")
    number = next(n for n, line in enumerate(lines, 1) if line.startswith("html {"))
    lines[number - 1] = lines[number - 1].replace("line-height:", "line-heigth:", 1)
    css.write_text("\n".join(lines), encoding="utf-8")
    return number


def test_the_shipped_templates_give_weasyprint_nothing_to_ignore(project: Path) -> None:
    result = build(project, **ONLY_QA)
    assert result.built and weasyprint_warnings(result.report) == []


def test_a_misspelt_property_is_a_warning_at_its_stylesheet_line(project: Path) -> None:
    line = misspell(project)
    result = build(project, **ONLY_QA)
    assert result.built
    found = weasyprint_warnings(result.report)
    assert found == [f"templates/pack.css:{line}: warning: WeasyPrint: Ignored `line-heigth: 1.5`, unknown property"
                     " — fix it in the stylesheet (WeasyPrint ignored it)"]


def test_strict_fails_on_it_and_writes_nothing(project: Path) -> None:
    build(project, **ONLY_QA)
    before = snapshot(project)
    misspell(project)
    with pytest.raises(ContentError) as raised:
        build(project, strict=True, **ONLY_QA)
    assert any("line-heigth" in d.message and d.path == "templates/pack.css" for d in raised.value.report.warnings)
    assert snapshot(project) == before
