"""The translators' hand-off, paragraph by paragraph: an export carries every translation, an
import changes only what the translator changed (PO and XLIFF alike), status counts paragraphs,
a source edit never blocks a build, --diff says what changed and --mark records it."""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from conftest import invoke

from pressroom.build import build
from pressroom.commands.translations import diff, export, import_, mark, status
from pressroom.diagnostics import ContentError, Report
from pressroom.read.pack import load_pack

STORES = {"po": ".po", "xliff": ".xlf"}


def files(root: Path) -> dict[str, bytes]:
    """Every file a translator's import may write: content/ and the template catalogues."""
    found = {}
    for folder in ("content", "templates/locales"):
        found.update({str(p.relative_to(root)): p.read_bytes() for p in sorted((root / folder).rglob("*"))
                      if p.is_file()})
    return found


def read_units(path: Path, fmt: str):
    from translate.storage import po, xliff
    if fmt == "po":
        store = po.pofile(path.read_bytes())
        return store, [u for u in store.units if not u.isheader()]
    store = xliff.xlifffile(path.read_bytes())
    return store, list(store.units)


def change(path: Path, fmt: str, source_start: str, target: str) -> str:
    """Give one entry (found by the start of its English) a new translation, as a CAT tool would."""
    store, units = read_units(path, fmt)
    unit = next(u for u in units if str(u.source).startswith(source_start))
    unit.target = target
    if fmt == "xliff":
        unit.markapproved(True)
    else:
        unit.markfuzzy(False)
    path.write_bytes(bytes(store))
    return str(unit.source)


def counts(root: Path, locale: str = "fr") -> tuple[int, int, int]:
    return next(s for s in status(load_pack(root)) if s.locale == locale).paragraphs


def test_export_carries_the_translations_that_exist(project, tmp_path):
    pack = load_pack(project)
    written = export(pack, "fr", tmp_path / "po")
    store, units = read_units(tmp_path / "po" / "qa" / "02-the-proposed-policy.po", "po")
    assert units and all(str(u.target) and not u.isfuzzy() for u in units)  # all of it translated
    assert any("Pourquoi Amnesty International" in str(u.target) for u in units)
    assert all(loc.startswith("content/en/qa/02-the-proposed-policy.md:") for u in units for loc in u.getlocations())
    _, untranslated = read_units(tmp_path / "po" / "guidance" / "04-policy-summary.po", "po")
    assert untranslated and not any(str(u.target) for u in untranslated)
    header = store.parseheader()
    assert header["Language"] == "fr" and header["Project-Id-Version"] == pack.id
    plural = get_plural("fr")
    assert header["Plural-Forms"] == f"nplurals={plural.num_plurals}; plural={plural.plural_expr};"
    text = b"".join(p.read_bytes() for p in written).decode()
    assert "PACKAGE VERSION" not in text and "FULL NAME" not in text and "/tmp" not in text
    names = {str(p.relative_to(tmp_path / "po")) for p in written}
    assert {"response-form/form.po", "titles.po", "templates.po"} <= names
    _, labels = read_units(tmp_path / "po" / "response-form" / "form.po", "po")
    assert any(u.getcontext() == "field email label" and str(u.target) == "Adresse électronique" for u in labels)


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_importing_an_untouched_export_changes_nothing(project, tmp_path, fmt):
    before = files(project)
    pack = load_pack(project)
    export(pack, "fr", tmp_path / fmt, fmt)
    report = Report()
    assert import_(pack, "fr", tmp_path / fmt, report, fmt) == []
    assert report.errors == [] and files(project) == before


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_one_changed_entry_changes_exactly_that_paragraph(project, tmp_path, fmt):
    pack = load_pack(project)
    export(pack, "fr", tmp_path / fmt, fmt)
    before, counted = files(project), counts(project)
    english = change(tmp_path / fmt / "qa" / f"02-the-proposed-policy{STORES[fmt]}", fmt, "Whilst Amnesty",
                     "Amnesty sait que la question est sensible.")
    report = Report()
    changed = import_(pack, "fr", tmp_path / fmt, report, fmt)
    target = project / "content" / "fr" / "qa" / "02-the-proposed-policy.md"
    assert report.errors == [] and changed == [target]
    after = files(project)
    assert [k for k in after if after[k] != before.get(k) and ".sources" not in k] == [str(target.relative_to(project))]
    old, new = before[str(target.relative_to(project))].decode().split("\n"), target.read_text().split("\n")
    start = next(i for i, line in enumerate(old) if line.startswith("Si Amnesty est consciente"))
    end = old.index("", start)  # the paragraph's lines: up to the next blank line
    edits = [op for op in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if op[0] != "equal"]
    assert edits and all(start <= i1 and i2 <= end for _, i1, i2, _, _ in edits)  # only that paragraph's lines
    assert new[start:start + len(new) - len(old) + end - start] == ["Amnesty sait que la question est sensible."]
    assert english.startswith("Whilst Amnesty") and counts(project) == counted


@pytest.mark.parametrize("fmt", ["po", "xliff"])
def test_translating_one_paragraph_of_a_new_fragment_moves_the_count_by_one(project, tmp_path, fmt):
    pack = load_pack(project)
    export(pack, "fr", tmp_path / fmt, fmt)
    done, outdated, total = counts(project)
    change(tmp_path / fmt / "guidance" / f"04-policy-summary{STORES[fmt]}", fmt, "Amnesty International opposes",
           "Amnesty International s’oppose à la criminalisation.")
    report = Report()
    import_(pack, "fr", tmp_path / fmt, report, fmt)
    assert report.errors == []
    assert counts(project) == (done + 1, outdated, total)
    fr = project / "content" / "fr" / "guidance" / "04-policy-summary.md"
    state = next(s for s in status(load_pack(project)) if s.locale == "fr")
    assert "guidance/04-policy-summary.md" in state.of("partial")
    english = (project / "content" / "en" / "guidance" / "04-policy-summary.md").read_text().split("\n---\n", 1)[1]
    lines = fr.read_text().split("\n---\n", 1)[1].split("\n")
    assert [a for a, b in zip(english.split("\n"), lines) if a != b] == [
        next(line for line in english.split("\n") if line.startswith("Amnesty International opposes"))]


def test_empty_or_fuzzy_entries_never_replace_a_translation(project, tmp_path):
    pack = load_pack(project)
    export(pack, "fr", tmp_path / "po")
    path = tmp_path / "po" / "qa" / "02-the-proposed-policy.po"
    store, units = read_units(path, "po")
    units[0].target = ""
    units[1].target = "Une traduction à revoir."
    units[1].markfuzzy(True)
    path.write_bytes(bytes(store))
    before, counted = files(project), counts(project)
    report = Report()
    assert import_(pack, "fr", tmp_path / "po", report) == []
    assert files(project) == before and counts(project) == counted


def test_an_import_that_loses_a_note_is_refused_and_writes_nothing(project, tmp_path):
    pack = load_pack(project)
    export(pack, "fr", tmp_path / "po")
    path = tmp_path / "po" / "guidance" / "04-policy-summary.po"
    store, units = read_units(path, "po")
    unit = next(u for u in units if "[^1]" in str(u.source))
    unit.target = str(unit.source).replace("[^1]", "")
    change(tmp_path / "po" / "qa" / "02-the-proposed-policy.po", "po", "Whilst", "Changé.")
    path.write_bytes(bytes(store))
    before = files(project)
    report = Report()
    assert import_(pack, "fr", tmp_path / "po", report) == []
    assert any("[^1]" in d.message and d.path == str(path) for d in report.errors)
    assert files(project) == before


def test_an_imported_fragment_keeps_its_markdown_structure(project, tmp_path):
    pack = load_pack(project)
    export(pack, "fr", tmp_path / "po")
    path = tmp_path / "po" / "research-summary" / "02-who-are-sex-workers.po"
    store, units = read_units(path, "po")
    for unit in units:
        unit.target = "FR " + str(unit.source)
    path.write_bytes(bytes(store))
    report = Report()
    import_(pack, "fr", tmp_path / "po", report)
    assert report.errors == []
    english = (project / "content/en/research-summary/02-who-are-sex-workers.md").read_text()
    french = (project / "content/fr/research-summary/02-who-are-sex-workers.md").read_text()
    structure = [line for line in english.split("\n") if line.startswith((":::", "- ", "#"))]
    assert [line.split(" ")[0] for line in structure] == [line.split(" ")[0] for line in french.split("\n")
                                                if line.startswith((":::", "- ", "#"))]
    assert "::: definition" in french and "{#who-are-sex-workers}" in french
    result = build(project, docs=["research-summary"], locales=["fr"], formats=["docx"])
    assert not [d for d in result.report.errors]


def test_a_note_added_to_the_english_never_blocks_a_build(project):
    source = project / "content" / "en" / "qa" / "02-the-proposed-policy.md"
    text = source.read_text().replace("housing and education.\n", "housing and education.[^new]\n", 1)
    source.write_text(text + "\n[^new]: A new note of the English.\n")
    english = build(project, docs=["qa"], locales=["en"], formats=["docx"])
    assert english.report.errors == []
    french = build(project, docs=["qa"], locales=["fr"], formats=["docx"])
    assert french.report.errors == []
    assert any(d.path == "content/fr/qa/02-the-proposed-policy.md" and "outdated" in d.message
               for d in french.report.warnings)
    with pytest.raises(ContentError):
        build(project, docs=["qa"], locales=["fr"], formats=["docx"], strict=True, force=True)


def test_diff_shows_the_changed_paragraph_and_mark_records_the_update(project):
    source = project / "content" / "en" / "qa" / "02-the-proposed-policy.md"
    source.write_text(source.read_text().replace("a very vulnerable group", "a highly vulnerable group"))
    pack = load_pack(project)
    lines = diff(pack, "fr")
    assert any("- Sex workers are a very vulnerable group" in line for line in lines)
    assert any("+ Sex workers are a highly vulnerable group" in line for line in lines)
    assert any(line.strip() == "~ very → highly" for line in lines)
    assert "qa/02-the-proposed-policy.md" in next(s for s in status(pack) if s.locale == "fr").of("outdated")
    target = project / "content" / "fr" / "qa" / "02-the-proposed-policy.md"
    mark(pack, target)
    assert f"translated-from: {hashlib.sha256(source.read_bytes()).hexdigest()}" in target.read_text()
    assert diff(load_pack(project), "fr") == []
    assert "qa/02-the-proposed-policy.md" in next(s for s in status(load_pack(project)) if s.locale == "fr").of("translated")


@pytest.mark.parametrize("front, line", [
    ("---\ntranslated-from: x\n---\n\n---\ntitle: \"Q&A\"\neditorial:\n  - \"a note\"\n---\n", 5),
    ("---\ntranslated-from: x\nnotes: \"for the editor\"\n---\n", 3),
])
def test_front_matter_that_would_be_printed_is_an_error_at_its_line(project, front, line):
    target = project / "content" / "fr" / "qa" / "02-the-proposed-policy.md"
    body = target.read_text().split("\n---\n", 1)[1]
    target.write_text(front + body)
    with pytest.raises(ContentError) as failure:
        build(project, docs=["qa"], locales=["fr"], formats=["docx"])
    assert any(d.path == "content/fr/qa/02-the-proposed-policy.md" and d.line == line
               for d in failure.value.report.errors), [str(d) for d in failure.value.report.errors]


@pytest.mark.parametrize("args", [("i18n.export", "zz"), ("i18n.export", "en"), ("i18n.import", "zz"),
                                  ("translations", "--diff", "zz"),
                                  ("translations", "--mark", "content/en/qa/01-introduction.md")])
def test_every_command_refuses_an_unknown_locale_or_file(project, args):
    result = invoke(project, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert not (project / "output" / "i18n").exists()


def test_translations_command_counts_paragraphs(project):
    result = invoke(project, "translations")
    assert result.returncode == 0, result.stderr
    assert "paragraphs" in result.stdout
    fr = next(s for s in status(load_pack(project)) if s.locale == "fr")
    done, _, total = fr.paragraphs
    assert f"{done}/{total}" in result.stdout


def test_mark_records_a_form_brought_up_to_date(project):
    source = project / "content" / "en" / "response-form" / "form.yaml"
    source.write_text(source.read_text().replace('label: "Email address"', 'label: "Email"'))
    assert "response-form/form.yaml" in next(s for s in status(load_pack(project)) if s.locale == "fr").of("outdated")
    target = project / "content" / "fr" / "response-form" / "form.yaml"
    mark(load_pack(project), target)
    assert target.read_text().startswith(f"translated-from: {hashlib.sha256(source.read_bytes()).hexdigest()}\n")
    assert "response-form/form.yaml" in next(s for s in status(load_pack(project)) if s.locale == "fr").of("translated")


def test_an_entry_whose_msgid_was_edited_is_not_dropped_silently(project, tmp_path):
    """A template string whose msgid a translator (or a CAT tool) changed matches nothing: it is
    not imported, and the import says so with the nearest template strings."""
    pack = load_pack(project)
    export(pack, "fr", tmp_path / "po")
    path = tmp_path / "po" / "templates.po"
    text = path.read_text(encoding="utf-8")
    assert '\nmsgid "Contents"\n' in text
    path.write_text(text.replace('\nmsgid "Contents"\n', '\nmsgid "Contnets"\n'), encoding="utf-8")
    before = files(project)
    report = Report()
    import_(pack, "fr", tmp_path / "po", report)
    assert files(project) == before
    assert [str(d) for d in report.items] == [
        f"{path}: warning: “Contnets” is no string of the English now: not imported — did you mean “Contents” or "
        "“Notes”? keep each entry's source (msgid) as exported; if the English changed, export again and translate "
        "the new text"]
