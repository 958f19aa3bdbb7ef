"""Translations: fallback and its report, staleness, locale formats, catalogue coverage, the PO
hand-off round trip, the token check, and right-to-left Arabic in PDF and Word."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from conftest import needs

from pressroom.assemble import assemble
from pressroom.read.bibliography import load_bibliography
from pressroom.build import build
from pressroom.read.pack import load_pack
from pressroom.diagnostics import ContentError, Report
from pressroom.commands.i18n import coverage, po_path
from pressroom.commands.translations import export, import_, status


def assembled(root: Path, doc_id: str, locale: str):
    pack = load_pack(root)
    report = Report()
    bib = load_bibliography(pack.bibliography, "references.bib", report)
    return assemble(pack, pack.document(doc_id), locale, bib, report), report


def test_missing_fragments_fall_back_to_english_and_are_reported(project):
    result = build(project, docs=["guidance"], locales=["fr"], formats=["docx"])
    fallbacks = [d for d in result.report.warnings if "not translated" in d.message]
    assert {d.path for d in fallbacks} >= {"content/fr/guidance/01-guidance-notes.md"}
    text = (project / "output" / "fr" / "guidance.docx").is_file()
    assert text


def test_strict_build_fails_on_fallback(project):
    with pytest.raises(ContentError):
        build(project, docs=["guidance"], locales=["fr"], formats=["docx"], strict=True)


def test_an_english_change_makes_the_translation_outdated(project):
    pack = load_pack(project)
    before = next(s for s in status(pack) if s.locale == "fr")
    assert "qa/02-the-proposed-policy.md" in before.of("translated")
    source = project / "content" / "en" / "qa" / "02-the-proposed-policy.md"
    source.write_text(source.read_text() + "\nA new English paragraph.\n")
    after = next(s for s in status(load_pack(project)) if s.locale == "fr")
    assert "qa/02-the-proposed-policy.md" in after.of("outdated")
    assert "guidance/01-guidance-notes.md" in after.of("missing")
    result = build(project, docs=["qa"], locales=["fr"], formats=["docx"])
    assert any("outdated" in d.message and d.path.endswith("fr/qa/02-the-proposed-policy.md")
               for d in result.report.warnings)


def test_french_deadline_and_strings(project):
    document, _ = assembled(project, "response-form", "fr")
    assert "vendredi 21 mars 2014" in document.html
    assert "Formulaire de réponse" in document.html  # content/fr/titles.yaml
    assert '"Page " counter(page) " sur " counter(pages)' in document.html
    english, _ = assembled(project, "response-form", "en")
    assert "Friday 21 March 2014" in english.html


def test_catalogue_coverage_counts_fuzzy_as_untranslated(project):
    full = coverage(project, "fr")
    assert full.total == full.translated > 0 and full.fuzzy == 0
    path = po_path(project, "fr")
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale="fr")
    next(m for m in catalog if m.id == "Contents").flags.add("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog)
    partial = coverage(project, "fr")
    assert (partial.translated, partial.fuzzy) == (full.total - 1, 1)
    document, _ = assembled(project, "qa", "fr")  # a fuzzy string is not used: English shows
    assert ">Contents<" in document.html and "Sommaire" not in document.html


def test_po_export_import_round_trip_keeps_labels_keys_and_targets(project, tmp_path):
    pack = load_pack(project)
    written = export(pack, "de", tmp_path / "po")
    guidance_po = tmp_path / "po" / "guidance" / "04-policy-summary.po"
    assert guidance_po in written
    with open(guidance_po, "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:  # a "translation" that keeps every token of the source
        if message.id:
            message.string = "DE " + message.id
    with open(guidance_po, "wb") as handle:
        write_po(handle, catalog)
    for other in written:
        if other != guidance_po:
            other.unlink()
    report = Report()
    imported = import_(pack, "de", tmp_path / "po", report)
    assert report.errors == []
    target = project / "content" / "de" / "guidance" / "04-policy-summary.md"
    assert imported == [target]
    text = target.read_text()
    assert text.startswith("---\ntranslated-from: ")
    assert "[^1]" in text and "[@unaids-guidance-note]" in text


def test_import_refuses_a_translation_that_drops_a_note(project, tmp_path):
    pack = load_pack(project)
    export(pack, "de", tmp_path / "po")
    path = tmp_path / "po" / "guidance" / "04-policy-summary.po"
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id:
            message.string = message.id.replace("[^1]", "")
    with open(path, "wb") as handle:
        write_po(handle, catalog)
    for other in (tmp_path / "po").rglob("*.po"):
        if other != path:
            other.unlink()
    report = Report()
    assert import_(pack, "de", tmp_path / "po", report) == []
    assert any("[^1]" in d.message for d in report.errors)


@pytest.mark.parametrize("doc_id, name, old, new", [
    ("qa", "02-the-proposed-policy.md", "{#legalisation}", ""),
    ("response-form", "01-introduction.md", "(doc:guidance#questions)", "(doc:guidance#question)"),
])
def test_a_translation_that_loses_a_token_fails_the_build(project, doc_id, name, old, new):
    fragment = project / "content" / "fr" / doc_id / name
    text = fragment.read_text()
    assert old in text
    fragment.write_text(text.replace(old, new))
    with pytest.raises(ContentError) as failure:
        build(project, docs=[doc_id], locales=["fr"], formats=["docx"])
    messages = [str(d) for d in failure.value.report.errors]
    assert any(f"fr/{doc_id}/{name}" in m and "translation" in m for m in messages), messages


@pytest.fixture(scope="module")
def arabic(tmp_path_factory) -> Path:
    from conftest import copy_project
    root = copy_project(tmp_path_factory.mktemp("ar") / "pack")
    build(root, docs=["response-form"], locales=["ar"])
    return root


@needs("pdftotext")
def test_arabic_pdf_text_is_arabic_in_reading_order(arabic):
    text = subprocess.run(["pdftotext", str(arabic / "output" / "ar" / "response-form.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "استمارة الرد" in text
    source = (arabic / "content" / "ar" / "response-form" / "01-introduction.md").read_text()
    sentence = re.search(r"تعكف منظمة العفو الدولية[^.،]*", source).group(0).split()[:4]
    assert " ".join(sentence) in re.sub(r"\s+", " ", text)


def test_arabic_html_and_docx_are_right_to_left(arabic):
    document, _ = assembled(arabic, "response-form", "ar")
    assert '<html lang="ar" dir="rtl">' in document.html
    with zipfile.ZipFile(arabic / "output" / "ar" / "response-form.docx") as package:
        body = package.read("word/document.xml").decode()
    paragraphs = body.count("<w:p>") + body.count("<w:p ")
    assert body.count("<w:bidi/>") >= paragraphs * 0.9
    assert '<w:rtl/>' in body and 'w:bidi="ar-SA"' in body  # Word takes the language with a region


def test_extracting_and_updating_again_moves_no_byte(tmp_path):
    """i18n.extract then i18n.update on catalogues already up to date leave every file as it was
    (the .pot's date, which each .po copies, is kept while no message changed): a translator's
    diff shows only what changed."""
    import re

    from conftest import copy_project

    from pressroom.commands.i18n import extract, template_path, update

    root = copy_project(tmp_path / "pack")
    extract(root)
    pot = template_path(root)  # as if extracted long ago
    pot.write_text(re.sub(r"POT-Creation-Date: [^\\]+", "POT-Creation-Date: 2020-01-01 00:00+0000", pot.read_text()))
    update(root, ["fr", "ar"])
    files = lambda: {p: p.read_bytes() for p in (root / "templates" / "locales").rglob("*.po*")}
    first = files()
    assert b"2020-01-01 00:00" in first[pot]
    extract(root)
    update(root, ["fr", "ar"])
    assert files() == first
