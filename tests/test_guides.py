"""What the guides in docs/ promise a user who follows them, held where the software keeps it."""

from __future__ import annotations

from pathlib import Path

from conftest import invoke

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


def test_a_strict_build_failed_by_warnings_says_so(project: Path) -> None:
    """docs/adding-a-fragment.md: `invoke build --strict` fails on a file pack.yaml does not list;
    its last line counts the warnings that failed it (not "0 error(s)")."""
    (project / "content/en/qa/05-what-happens-next.md").write_text("# What happens next\n", encoding="utf-8")
    done = invoke(project, "build", "--doc", "qa", "--locale", "en", "--format", "docx", "--strict")
    assert done.returncode == 1, done.stderr
    assert "content/en/qa/05-what-happens-next.md: warning: not part of 'qa': pack.yaml does not list it — " \
           "list it in pack.yaml under documents.qa.fragments, or remove it" in done.stderr
    assert done.stderr.strip().splitlines()[-1] == \
        "failed: 1 warning(s), errors under --strict — nothing was written"
    assert not (project / "output/en/qa.docx").exists()


def test_every_file_a_build_counts_is_shown_as_built_web_pages_too(project: Path) -> None:
    """docs/adding-a-fragment.md: `invoke build --doc qa` shows each file it writes; the web pages
    were counted in the summary but never shown ([25/28] … then "28 built")."""
    done = invoke(project, "build", "--doc", "qa", "--locale", "en", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    progress = [line for line in done.stderr.splitlines() if " built output/" in line]
    summary = next(line for line in done.stdout.splitlines() if "up to date in" in line)
    total = int(summary.split(" built")[0])
    assert [line.split("]")[0] for line in progress] == [f"[{n}/{total}" for n in range(1, total + 1)]
    assert any(" built output/web/en/qa.html (" in line for line in progress)
