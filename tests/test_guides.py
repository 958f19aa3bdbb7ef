"""What the guides in docs/ promise a user who follows them, held where the software keeps it."""

from __future__ import annotations

from pathlib import Path

from pressroom.diagnostics import Report
from pressroom.read.pack import load_pack
from pressroom.read.unlisted import report_unlisted


def test_the_pack_as_cloned_has_nothing_unlisted(project: Path) -> None:
    """The web edition's front page (content/en/web/, pack.yaml's web.landing) is part of the pack:
    a fresh clone's build warns about no folder (docs/adding-a-fragment.md shows no such line)."""
    report = Report()
    pack = load_pack(project)
    report_unlisted(pack, pack.locales, report)
    assert [str(d) for d in report.items] == []


def test_a_file_beside_the_landing_page_is_told_where_to_list_it(project: Path) -> None:
    (project / "content/en/web/02-more.md").write_text("# More\n", encoding="utf-8")
    report = Report()
    pack = load_pack(project)
    report_unlisted(pack, pack.locales, report)
    assert [str(d) for d in report.items] == [
        "content/en/web/02-more.md: warning: not part of 'web': pack.yaml does not list it — "
        "list it in pack.yaml under web.landing.fragments, or remove it"]
