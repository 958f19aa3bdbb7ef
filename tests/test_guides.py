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


def test_a_missing_or_damaged_reference_docx_is_said_with_the_fix(project: Path) -> None:
    """docs/restyling-word.md: without templates/reference.docx (or with a file Word saved in
    another format) the build says so and how to fix it, instead of an internal error."""
    reference = project / "templates/reference.docx"
    reference.write_bytes(b"\xd0\xcf\x11\xe0 an old .doc file")
    done = invoke(project, "build", "--doc", "qa", "--locale", "en", "--format", "docx")
    assert done.returncode == 1, done.stderr
    assert "templates/reference.docx: is not a Word document (.docx), or is damaged — save it again from Word as " \
           "Word Document (.docx), or run invoke reference-docx --force to replace it with the pack's own styles " \
           "(docs/restyling-word.md)" in done.stderr.splitlines()
    assert "internal error" not in done.stderr and not (project / "output/en/qa.docx").exists()
    reference.unlink()
    done = invoke(project, "build", "--doc", "qa", "--locale", "en", "--format", "docx")
    assert done.returncode == 1, done.stderr
    assert "templates/reference.docx: the Word files' styles are missing: there is no such file — run invoke " \
           "reference-docx to write the pack's own styles, or save your restyled copy there from Word as Word " \
           "Document (.docx) (docs/restyling-word.md)" in done.stderr.splitlines()
    assert "internal error" not in done.stderr
    assert invoke(project, "reference-docx").returncode == 0
    assert invoke(project, "build", "--doc", "qa", "--locale", "en", "--format", "docx").returncode == 0


def test_restyling_word_rebuilds_no_pdf(project: Path) -> None:
    """docs/restyling-word.md: a restyled templates/reference.docx is an input of the Word files
    (and the web pages naming their sizes), never of a PDF: a whole build after it re-renders no PDF."""
    from pressroom.build.plan import input_hash, plan

    pack = load_pack(project)
    targets = plan(pack, None, None, None)
    before = {t.key: input_hash(pack, t) for t in targets}
    reference = project / "templates/reference.docx"
    reference.write_bytes(reference.read_bytes() + b"\0")  # any change to the file's bytes
    after = {t.key: input_hash(pack, t) for t in targets}
    changed = {t.key for t in targets if before[t.key] != after[t.key]}
    assert changed and not [key for key in changed if key.endswith(".pdf")]
    assert {t.key for t in targets if t.key.endswith(".docx")} <= changed
    (project / "templates/pack.css").write_text((project / "templates/pack.css").read_text() + "\n")
    assert [t.key for t in targets if input_hash(pack, t) == after[t.key] and t.key.endswith(".pdf")] == []


def test_collected_responses_outside_what_git_ignores_are_warned_about(project: Path) -> None:
    """docs/responses.md: responses/ and responses*.csv/.xlsx are git-ignored; a table or a form
    folder that git would commit is said, since it holds personal data."""
    import shutil
    import subprocess

    from conftest import ROOT

    shutil.copy2(ROOT / ".gitignore", project / ".gitignore")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / "responses").mkdir()
    done = invoke(project, "collect", "responses/", "--xlsx")
    assert done.returncode == 0, done.stderr
    assert "0 responses (0 flagged) → responses/responses.csv and responses/responses.xlsx; 0 file(s) not read" \
        in done.stdout
    assert "personal data" not in done.stderr
    ignored = subprocess.run(["git", "-C", str(project), "check-ignore", "responses/responses.csv",
                              "responses/responses.xlsx", "responses-2014.csv", "responses-2014.xlsx"],
                             capture_output=True, text=True).stdout.split()
    assert len(ignored) == 4
    (project / "replies").mkdir()
    done = invoke(project, "collect", "replies", "--out", "summary.csv")
    assert done.returncode == 0, done.stderr
    hint = ("keep responses in responses/ and name tables responses….csv/.xlsx (both ignored), or move it out of "
            "the project (docs/responses.md)")
    assert [line for line in done.stderr.splitlines() if "personal data" in line] == [
        f"replies/: warning: holds personal data but is not ignored by git: a commit could publish it — {hint}",
        f"summary.csv: warning: holds personal data but is not ignored by git: a commit could publish it — {hint}"]


def test_a_pack_without_a_web_front_page_builds_its_files_and_says_why_no_web_edition(project: Path) -> None:
    """docs/new-consultation.md: a pack.yaml without web.landing built a web edition whose every
    page linked a missing index.html ("no such file in output/web — … report it")."""
    from pressroom.build import build

    pack = project / "content/pack.yaml"
    text = pack.read_text(encoding="utf-8")
    pack.write_text(text[:text.index("\nweb:")] + "\n", encoding="utf-8")
    result = build(project, docs=["qa"], locales=["en"])
    assert sorted(t.key for t in result.built) == ["en/qa.docx", "en/qa.pdf"]
    assert "content/pack.yaml: warning: no web edition: pack.yaml has no web.landing, the page the web edition " \
           "opens with — add a web: section with a landing: document (title, year, template, fragments) as this " \
           "pack's pack.yaml has it (docs/new-consultation.md)" in [str(d) for d in result.report.items]
    done = invoke(project, "build", "--doc", "qa", "--locale", "en", "--format", "web")
    assert done.returncode == 2 and "error: no web edition: pack.yaml has no web.landing" in done.stderr


def test_a_failed_build_still_names_the_unlisted_file(project: Path) -> None:
    """docs/adding-a-fragment.md: "every build says so" — a --strict build that fails on the
    translations' fallbacks, or a build with a content error, names the unlisted file too."""
    import pytest

    from pressroom.build import build
    from pressroom.diagnostics import ContentError

    (project / "content/en/qa/05-what-happens-next.md").write_text("# What happens next\n", encoding="utf-8")
    unlisted = ("content/en/qa/05-what-happens-next.md: warning: not part of 'qa': pack.yaml does not list it — "
                "list it in pack.yaml under documents.qa.fragments, or remove it")
    with pytest.raises(ContentError) as failed:
        build(project, docs=["qa"], locales=["en", "fr"], formats=["docx"], strict=True)
    assert unlisted in [str(d) for d in failed.value.report.items]
    assert any("fall back to English" in str(d) or "not translated" in str(d) for d in failed.value.report.items)
    intro = project / "content/en/qa/01-introduction.md"
    intro.write_text(intro.read_text(encoding="utf-8") + "\nSee [@grover2001].\n", encoding="utf-8")
    with pytest.raises(ContentError) as failed:
        build(project, docs=["qa"], locales=["en"], formats=["docx"])
    assert unlisted in [str(d) for d in failed.value.report.items]
