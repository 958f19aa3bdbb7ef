"""Comms staff's everyday: what the commands print (a quiet build, warnings grouped), messages
that suggest the fix, nothing left out silently, and commands that behave like commands."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import ROOT, append, invoke

from pressroom.build import build
from pressroom.diagnostics import ContentError, Report
from pressroom.read.pack import load_pack

PACK = "content/pack.yaml"


def _edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line(root: Path, relative: str, needle: str) -> int:
    return next(n for n, t in enumerate((root / relative).read_text(encoding="utf-8").splitlines(), 1) if needle in t)


# --- a cold build, as CI sees it (no terminal) ---------------------------------------------------

def test_cold_build_prints_a_line_per_file_one_summary_and_grouped_warnings(project: Path) -> None:
    done = invoke(project, "build", "--locale", "en,fr", "--format", "docx")
    assert done.returncode == 0, done.stderr
    targets = [t.key for t in __import__("pressroom.build.plan", fromlist=["plan"]).plan(
        load_pack(project), None, ["en", "fr"], ["docx"])]
    progress = [line for line in done.stderr.splitlines() if " built output/" in line]
    assert sorted(re.search(r"built output/(\S+)", line).group(1) for line in progress) == sorted(targets)
    assert [re.match(r"\[(\d+)/(\d+)\]", line).groups() for line in progress] == [
        (str(n), str(len(targets))) for n in range(1, len(targets) + 1)]
    summary = [line for line in done.stdout.splitlines() if "up to date in" in line]
    assert len(summary) == 1 and summary[0].startswith(f"{len(targets)} built, 0 up to date in ")
    fallback = [line for line in done.stderr.splitlines() if "fall back to English" in line]
    count = len(load_pack(project).documents)  # at least one per document: fr translates only some fragments
    assert len(fallback) == 1, done.stderr
    number = int(re.match(r"fr: warning: (\d+) fragments fall back to English — ", fallback[0]).group(1))
    assert number >= count and "--verbose" in fallback[0]
    assert not any("not translated: the 'en' text is used" in line for line in done.stderr.splitlines())
    assert "\x1b[" not in done.stderr  # no terminal codes in a log

    verbose = invoke(project, "build", "--locale", "fr", "--format", "docx", "--force", "--verbose")
    listed = [line for line in verbose.stderr.splitlines() if "not translated: the 'en' text is used" in line]
    assert len(listed) == number and all(line.startswith("content/fr/") for line in listed)


# --- --help, unknown tasks, missing arguments ------------------------------------------------------

def _tasks() -> list[str]:
    sys.path.insert(0, str(ROOT))
    import tasks
    return sorted(tasks.ns.task_names)


def _snapshot(root: Path) -> dict[str, float]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*")}


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_after_any_task_shows_its_help_and_writes_nothing(project: Path, flag: str) -> None:
    before = _snapshot(project)
    for name in _tasks():
        done = invoke(project, name, flag)
        assert done.returncode == 0, (name, done.stderr)
        assert f"Usage: inv[oke] [--core-opts] {name}" in done.stdout, (name, done.stdout)
        assert _snapshot(project) == before, f"invoke {name} {flag} wrote files"


def test_unknown_task_and_missing_argument_exit_2_with_the_choices(project: Path) -> None:
    done = invoke(project, "biuld")
    assert done.returncode == 2 and "no task or option 'biuld' — did you mean build?" in done.stderr
    done = invoke(project, "i18n.export")
    assert done.returncode == 2
    assert "error: invoke i18n.export needs a locale: choose from fr, ar" in done.stderr
    done = invoke(project, "i18n.export", "frr")
    assert done.returncode == 2 and "unknown locale 'frr' — did you mean fr? choose from fr, ar" in done.stderr
    done = invoke(project, "build", "--doc", "qaa", "--format", "docx")
    assert done.returncode == 2 and "unknown document 'qaa': did you mean qa?" in done.stderr
    assert not (project / "output").exists()
    assert "Traceback" not in done.stderr


# --- nothing silent ---------------------------------------------------------------------------------

def test_an_unlisted_source_fragment_is_a_warning_in_every_build(project: Path) -> None:
    build(project, docs=["qa"], locales=["en"], formats=["docx"])
    (project / "content/en/qa/05-new-question.md").write_text("# A new question\n\nText.\n", encoding="utf-8")
    (project / "content/en/qa/.05-new-question.md.swp").write_bytes(b"swap")
    result = build(project, docs=["qa"], locales=["en"], formats=["docx"])  # nothing to rebuild: still said
    assert result.built == []
    assert "content/en/qa/05-new-question.md: warning: not part of 'qa': pack.yaml does not list it — " \
           "list it in pack.yaml under documents.qa.fragments, or remove it" in [str(d) for d in result.report.items]
    assert not any(".swp" in d.path for d in result.report.items)
    with pytest.raises(ContentError):
        build(project, docs=["qa"], locales=["en"], formats=["docx"], strict=True)


def test_a_misnamed_translation_is_told_to_take_the_source_name(project: Path) -> None:
    (project / "content/fr/qa/01-introduction.md").rename(project / "content/fr/qa/01-introductoin.md")
    result = build(project, docs=["qa"], locales=["fr"], formats=["docx"])
    assert "content/fr/qa/01-introductoin.md: warning: not part of 'qa': pack.yaml does not list it — " \
           "rename it to a source fragment's name (did you mean 01-introduction.md?)" in [
               str(d) for d in result.report.items]


def test_the_pack_as_shipped_has_nothing_unlisted() -> None:
    """The web edition's landing page (content/<locale>/web/, under web.landing) is part of the pack."""
    from pressroom.read.unlisted import report_unlisted

    pack, report = load_pack(ROOT), Report()
    assert (ROOT / "content" / pack.source_locale / pack.landing.id).is_dir()
    report_unlisted(pack, pack.locales, report)
    assert not report.items, [str(d) for d in report.items]


def test_a_folder_no_document_names_is_reported(project: Path) -> None:
    (project / "content/en/annexes").mkdir()
    (project / "content/en/annexes/01-a.md").write_text("# A\n", encoding="utf-8")
    result = build(project, docs=["qa"], locales=["en"], formats=["docx"])
    lines = [str(d) for d in result.report.items if d.path == "content/en/annexes/"]
    assert lines and lines[0].startswith("content/en/annexes/: warning: folder not part of the pack: "
                                         "pack.yaml has no document 'annexes' — ")


# --- errors that suggest the fix ----------------------------------------------------------------------

def test_an_unknown_citation_key_names_the_nearest(project: Path) -> None:
    line = append(project, "content/en/qa/01-introduction.md", "\nAs reported.[^99]\n\n[^99]: [@grover2001].\n")
    with pytest.raises(ContentError) as failed:
        build(project, docs=["qa"], locales=["en"], formats=["docx"])
    assert (f"content/en/qa/01-introduction.md:{line + 3}: citation key @grover2001 is not in references.bib — "
            "did you mean @grover2010? add the entry to the bibliography or correct the key") in [
        str(d) for d in failed.value.report.errors]


def test_an_unknown_anchor_and_document_name_the_nearest(project: Path) -> None:
    line = append(project, "content/en/qa/01-introduction.md", "\nSee [the guidance](doc:guidence).\n")
    with pytest.raises(ContentError) as failed:
        build(project, docs=["qa"], locales=["en"], formats=["docx"])
    messages = [str(d) for d in failed.value.report.errors]
    assert any(m.startswith(f"content/en/qa/01-introduction.md:{line + 1}: link to unknown document 'guidence' — "
                            "did you mean doc:guidance?") for m in messages), messages


def test_a_misspelt_pack_key_names_the_nearest(project: Path) -> None:
    _edit(project, PACK, "  reply_email:", "  reply_mail:")
    with pytest.raises(ContentError) as failed:
        load_pack(project)
    line = _line(project, PACK, "reply_mail")
    assert f"{PACK}:{line}: unknown key 'reply_mail' in pack.yaml.pack — did you mean reply_email? use one of: " \
        in str(failed.value.report.errors[0])


def test_a_tab_in_pack_yaml_is_named(project: Path) -> None:
    _edit(project, PACK, "  title: Global policy consultation on sex work\n", "\ttitle: Global policy\n")
    with pytest.raises(ContentError) as failed:
        load_pack(project)
    line = _line(project, PACK, "\ttitle")
    assert [str(d) for d in failed.value.report.errors] == [
        f"{PACK}:{line}: a tab character in the indentation — indent with spaces, not tabs"]


def test_a_list_item_that_swallowed_the_next_lines_is_named(project: Path) -> None:
    _edit(project, PACK, "      - 01-introduction.md\n      - 02-the-proposed-policy.md\n",
          "      - 01-introduction.md\n        - 02-the-proposed-policy.md\n")
    with pytest.raises(ContentError) as failed:
        load_pack(project)
    line = _line(project, PACK, "- 01-introduction.md\n" if False else "01-introduction.md")
    errors = [str(d) for d in failed.value.report.errors]
    qa_line = [n for n, t in enumerate((project / PACK).read_text().splitlines(), 1)
               if t.strip() == "- 01-introduction.md"][1]
    assert errors == [f"{PACK}:{qa_line}: the list item '01-introduction.md' swallowed the lines after it (read as "
                      "one name: '01-introduction.md - 02-the-proposed-policy.md'…) — start every item of the "
                      "list with '- ' at the same indentation as the first"], (errors, line)


# --- network errors are not broken links -------------------------------------------------------------

def _only_local_links(project: Path) -> None:
    pack = project / PACK
    pack.write_text(pack.read_text().replace("  editions:", '  link_ignore: ["https://*", "http://hivlawcommission.org/*"]\n  editions:'))


def test_no_answer_from_any_host_is_one_warning_suggesting_offline(project: Path) -> None:
    from linkserver import closed_port

    from pressroom.commands.check import check_pack

    _only_local_links(project)
    port = closed_port()
    append(project, "content/en/qa/03-violence-and-numbers.md",
           f"\nRead <http://127.0.0.1:{port}/a> and <http://127.0.0.1:{port}/b>.\n")
    rows = []
    report = check_pack(project, summary=lambda key, counts: rows.append((key, dict(counts))))
    assert not [d for d in report.errors if "link" in d.message]
    assert dict(rows)[("qa", "en")] == {"unknown": 2}  # the table of invoke check calls none of them broken
    assert not [key for key, counts in rows if counts.get("broken")]
    network = [str(d) for d in report.warnings if d.kind == "network"]
    assert network == ["content/: warning: 2 external URLs could not be checked: no answer from any host "
                       "(connection refused) — check the network connection, or run invoke check --offline"]


def test_a_broken_url_is_reported_once_with_every_place(project: Path) -> None:
    from linkserver import LinkServer

    from pressroom.commands.check import check_pack

    _only_local_links(project)
    with LinkServer() as server:
        url = server.url("/missing")
        first = append(project, "content/en/qa/03-violence-and-numbers.md", f"\nRead <{url}>.\n") + 1
        second = append(project, "content/en/qa/04-consent-women-trafficking.md", f"\nSee <{url}>.\n") + 1
        report = check_pack(project)
    broken = [str(d) for d in report.errors if "broken link" in d.message]
    assert broken == [f"content/en/qa/03-violence-and-numbers.md:{first}: broken link {url}: 404 Not Found "
                      f"(also at content/en/qa/04-consent-women-trafficking.md:{second}) — fix the address or "
                      "remove the link"]


# --- citations inside notes read as sentences ----------------------------------------------------------

def test_a_mid_sentence_citation_in_a_note_leaves_no_stray_full_stop(project: Path) -> None:
    import zipfile

    append(project, "content/en/qa/01-introduction.md",
           "\nAs reported.[^90]\n\n[^90]: As the report [@grover2010, 4] and the new study both show.\n")
    build(project, docs=["qa"], locales=["en"], formats=["docx"])
    with zipfile.ZipFile(project / "output/en/qa.docx") as docx:
        notes = re.sub(r"<[^>]+>", "", docx.read("word/footnotes.xml").decode())
    found = re.search(r"As the report (.*?) and the new study both show\.", notes)
    assert found, notes[-600:]
    assert found.group(1).endswith("4") and "A/HRC/14/20" in found.group(1), found.group(1)


# --- notes say what they are ----------------------------------------------------------------------------

def test_the_three_kinds_of_policy_summary_notes_are_told_apart_in_pdf_and_docx(project: Path) -> None:
    import subprocess
    import zipfile

    build(project, docs=["guidance"], locales=["en"], formats=["docx", "pdf"], editions=["screen"])
    with zipfile.ZipFile(project / "output/en/guidance.docx") as docx:
        xml = docx.read("word/footnotes.xml").decode()
    notes = {int(i): re.sub(r"<[^>]+>", "", body) for i, body in
             re.findall(r'<w:footnote w:id="(\d+)"[^>]*>(.*?)</w:footnote>', xml, re.S) if int(i) > 0}
    reconstructed = {n for n, text in notes.items() if text.strip().startswith("Reconstructed:")}
    lost = {n for n, text in notes.items() if "The text of this note was lost from the source document." in text}
    assert reconstructed == {1, 4, 11, 22, 25, 26, 29, 30, 31, 32, 33}
    assert not reconstructed & lost and {34, 35, 36}.isdisjoint(reconstructed | lost)
    assert "rebuilt by the editors" in notes[1]  # the marker explained once
    assert sum("rebuilt by the editors" in t for t in notes.values()) == 1
    assert re.search(r"<w:i/>.*?Reconstructed:", xml)  # set apart (italic), not only worded
    assert "(Geneva: World Health Organization, 2012)" in notes[35]
    assert "UN Women, Note on Sex Work, Sexual Exploitation and Trafficking (2013)" in notes[34]
    assert "Reforming Canadian Criminal Laws on Prostitution (2005)" in notes[36]
    text = subprocess.run(["pdftotext", str(project / "output/en/guidance.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert text.count("Reconstructed:") == len(reconstructed)
    assert "Geneva: World Health Organization, 2012" in " ".join(text.split())


def test_a_catalogue_msgid_no_template_asks_for_names_the_nearest(project: Path) -> None:
    po = "templates/locales/fr/LC_MESSAGES/messages.po"
    _edit(project, po, 'msgid "Contents"\n', 'msgid "Contnets"\n')
    result = build(project, docs=["qa"], locales=["fr"], formats=["docx"])
    line = _line(project, po, 'msgid "Contnets"')
    assert f"{po}:{line}: warning: msgid 'Contnets' is no template string: " \
           "its translation is never used — did you mean 'Contents' or 'Notes'? correct the msgid to a template's " \
           "words as templates/locales/messages.pot has them (a template changed: invoke i18n.extract, then " \
           "invoke i18n.update)" in [str(d) for d in result.report.items]


def test_the_catalogues_as_shipped_match_the_templates(project: Path) -> None:
    from pressroom.commands.i18n import unextracted
    from pressroom.diagnostics import Report
    from pressroom.read.locales import catalogue_problems

    report = Report()
    unextracted(project, report)
    assert [str(d) for d in report.items] + [str(d) for d in catalogue_problems(project, "fr")] + [
        str(d) for d in catalogue_problems(project, "ar")] == []


def test_a_misspelt_template_string_names_the_nearest(project: Path) -> None:
    from pressroom.commands.i18n import unextracted
    from pressroom.diagnostics import Report

    line = _line(project, "templates/base.html.j2", '{{ _("Contents") }}')
    _edit(project, "templates/base.html.j2", '{{ _("Contents") }}', '{{ _("Contnets") }}')
    report = Report()
    unextracted(project, report)
    assert [str(d) for d in report.items] == [
        f"templates/base.html.j2:{line}: warning: template string 'Contnets' is not in "
        "templates/locales/messages.pot: no locale translates it — did you mean 'Contents' or 'Notes'? fix the "
        "template's words, or, if the string is new, invoke i18n.extract then invoke i18n.update"]
