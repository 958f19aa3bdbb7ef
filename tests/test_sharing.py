"""Work that is the same is done once: a locale with nothing of its own gets the source
document itself (assembled once, rendered once, the same bytes written), each distinct
(document, format, edition) is rendered once, and one pandoc run formats the citations of every
document and locale. And what is not translated says so: a fragment taken from the source
locale carries the source's language and direction, in the HTML and in Word.

None of these tests is timed: they count renders and pandoc runs, and compare bytes.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT, append
from pressroom import checks
from pressroom.assemble import citations as bibliography
import pressroom.build.render as build_module
from pressroom.assemble.structure import heading_text
from pressroom.assemble.citations import CitationJob, Cluster, format_batch, format_citations
from pressroom.build import assemble_all, build
from pressroom.read.pack import load_pack
from pressroom.diagnostics import ContentError, Report
from pressroom.commands.translations import status
from pressroom.write.docx.writer import write_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CSL = ROOT / "templates" / "csl" / "chicago-notes-bibliography.csl"
WORDS = ".//text()[not(ancestor::span[contains(@class, 'footnote')])]"  # a note is not in the body text
SMALL = {"docs": ["qa", "response-form"], "editions": ["screen"], "formats": ["pdf", "docx"],
         "jobs": 1}  # the two quickest documents (the web edition's pages are per locale: tests/test_web.py)


def add_locale(root: Path, code: str) -> None:
    """``code`` added to the pack's locales, with nothing of its own (no folder, titles or catalogue)."""
    pack = root / "content" / "pack.yaml"
    text = pack.read_text(encoding="utf-8")
    locales = re.search(r"locales: \[([^\]]*)\]", text)
    pack.write_text(text.replace(locales.group(0), f"locales: [{locales.group(1)}, {code}]"), encoding="utf-8")


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every render of a serial build (jobs=1 renders in this process), as (document, locale, format)."""
    seen: list = []
    render_one = build_module._render_one

    def counting(job):
        _, target, assembled, *_ = job  # (pack, target, assembled, the documents it links to)
        seen.append((assembled.doc.id, assembled.locale, target.format))
        return render_one(job)
    monkeypatch.setattr(build_module, "_render_one", counting)
    return seen


@pytest.fixture
def pandoc_runs(monkeypatch: pytest.MonkeyPatch) -> list:
    runs: list = []
    uncached = bibliography._pandoc.__wrapped__

    def counting(source, *args):
        runs.append(source)
        return uncached(source, *args)
    monkeypatch.setattr(bibliography, "_pandoc", counting)
    return runs


def documents_of(root: Path, locales: set[str]) -> tuple[dict, Report]:
    report = Report()
    _, documents = assemble_all(load_pack(root), locales, report)
    return documents, report


# --- a locale with nothing of its own -------------------------------------------------------------


def test_an_untranslated_locale_gets_the_source_bytes_from_one_render(project: Path, renders: list) -> None:
    add_locale(project, "de")
    progress: list[str] = []
    result = build(project, locales=["en", "de"], progress=progress.append, **SMALL)
    out = project / "output"
    names = ["qa.pdf", "qa.docx", "response-form.pdf", "response-form.docx"]
    assert sorted(t.key for t in result.built) == sorted(f"{loc}/{name}" for loc in ("en", "de") for name in names)
    for name in names:
        assert (out / "de" / name).read_bytes() == (out / "en" / name).read_bytes(), name
    assert sorted(renders) == sorted((doc, "en", fmt) for doc in ("qa", "response-form") for fmt in ("pdf", "docx"))
    assert "built output/en/qa.pdf" in progress[0] and "also written as output/de/qa.pdf" in " ".join(progress)


def test_an_untranslated_document_is_one_warning_and_fails_strict(project: Path) -> None:
    add_locale(project, "de")
    documents, report = documents_of(project, {"en", "de"})
    assert all(documents[(doc, "de")] is documents[(doc, "en")] for doc in load_pack(project).documents)
    checks.run(load_pack(project), documents, report)
    about_de = [d for d in report.sorted() if "/de/" in f"/{d.path}"]
    # every document, and the web edition's landing page
    assert [d.path for d in about_de] == [f"content/de/{doc}/" for doc in sorted([*load_pack(project).documents, "web"])]
    warning = str(about_de[0])
    assert "output/de/guidance.* is the untranslated 'en' document" in warning
    assert "content/en/guidance/" in warning and "invoke i18n.export de" in warning
    assert not any("outdated" in d.message for d in report.items)
    with pytest.raises(ContentError) as failed:
        build(project, locales=["de"], strict=True, **SMALL)
    assert any(d.path == "content/de/qa/" for d in failed.value.report.warnings)


@pytest.mark.parametrize("own", ["title", "catalogue", "fragment"])
def test_anything_of_its_own_makes_a_document_of_the_locale(project: Path, own: str) -> None:
    add_locale(project, "de")
    if own == "title":
        (project / "content/de").mkdir(parents=True)
        (project / "content/de/titles.yaml").write_text("qa:\n  title: Fragen und Antworten\n", encoding="utf-8")
    elif own == "catalogue":
        catalogue = project / "templates/locales/de/LC_MESSAGES/messages.po"
        catalogue.parent.mkdir(parents=True)
        catalogue.write_text((project / "templates/locales/fr/LC_MESSAGES/messages.po").read_text(encoding="utf-8"))
    else:
        (project / "content/de/qa").mkdir(parents=True)
        (project / "content/de/qa/01-introduction.md").write_text("# Einleitung {#qa}\n\nEin Satz.\n", encoding="utf-8")
    documents, _ = documents_of(project, {"en", "de"})
    assert documents[("qa", "de")] is not documents[("qa", "en")]
    assert documents[("qa", "de")].locale == "de"
    assert '<html lang="de"' in documents[("qa", "de")].html
    shared = own != "catalogue"  # a title or a fragment is its document's own; a catalogue is every document's
    assert (documents[("guidance", "de")] is documents[("guidance", "en")]) == shared


def test_translations_status_still_lists_an_untranslated_locale(project: Path) -> None:
    add_locale(project, "de")
    german = next(s for s in status(load_pack(project)) if s.locale == "de")
    everything = [f"{d.id}/{name}" for d in load_pack(project).documents.values() for name in d.fragments]
    assert german.missing == everything and not german.translated and not german.outdated
    assert german.strings.translated == 0 and not german.complete


def test_a_shared_document_rebuilds_with_its_source_and_reports_errors_once(project: Path, renders: list) -> None:
    add_locale(project, "de")
    build(project, locales=["en", "de"], **SMALL)
    renders.clear()
    assert build(project, locales=["en", "de"], **SMALL).built == []
    assert renders == []

    append(project, "content/en/qa/03-violence-and-numbers.md", "\nAn added sentence.\n")
    edited = build(project, locales=["en", "de"], **SMALL)
    assert sorted(t.key for t in edited.built) == ["de/qa.docx", "de/qa.pdf", "en/qa.docx", "en/qa.pdf"]
    assert sorted(renders) == [("qa", "en", "docx"), ("qa", "en", "pdf")]

    line = append(project, "content/en/qa/03-violence-and-numbers.md", "\nA call to [^nowhere].\n") + 1
    with pytest.raises(ContentError) as failed:
        build(project, locales=["en", "de"], **SMALL)
    errors = [d for d in failed.value.report.sorted() if d.level == "error"]
    assert [(d.path, d.line) for d in errors] == [("content/en/qa/03-violence-and-numbers.md", line)]


def test_a_translation_appearing_makes_the_locale_render_its_own(project: Path, renders: list) -> None:
    add_locale(project, "de")
    build(project, locales=["en", "de"], **{**SMALL, "formats": ["docx"]})
    source = (project / "content/en/qa/01-introduction.md").read_text(encoding="utf-8")
    (project / "content/de/qa").mkdir(parents=True)
    (project / "content/de/qa/01-introduction.md").write_text(source.replace("Questions and Answers", "Fragen"))
    renders.clear()
    result = build(project, locales=["en", "de"], **{**SMALL, "formats": ["docx"]})
    assert [t.key for t in result.built] == ["de/qa.docx"] and renders == [("qa", "de", "docx")]
    assert (project / "output/de/qa.docx").read_bytes() != (project / "output/en/qa.docx").read_bytes()


# --- a fragment taken from the source locale says its language --------------------------------------


def test_a_fallback_fragment_carries_the_source_language_in_html_and_word(project: Path) -> None:
    documents, _ = documents_of(project, {"fr"})
    guidance = documents[("guidance", "fr")]
    tree = guidance.tree
    assert tree.get("lang") == "fr-FR"
    wrappers = tree.xpath('//main/div[@class="fallback"]')
    assert len(wrappers) == len(load_pack(project).document("guidance").fragments)
    assert {(w.get("lang"), w.get("dir")) for w in wrappers} == {("en-GB", "ltr")}
    assert all(w.xpath('.//*[starts-with(@data-src, "content/en/guidance/")]') for w in wrappers)
    translated = documents[("qa", "fr")].tree
    assert not translated.xpath('//*[@class="fallback"]')

    body = etree.fromstring(zipfile.ZipFile(_docx(guidance, project)).read("word/document.xml"))
    paragraphs = [re.sub(r"\s+", " ", "".join(p.itertext())).strip() for p in body.iter(f"{W}p")]
    text = "\n".join(paragraphs)
    for wrapper in wrappers:  # nothing inside a wrapper is lost: every heading, every paragraph's start
        for heading in wrapper.iter("h1", "h2", "h3"):
            assert heading_text(heading) in text
        for paragraph in wrapper.iter("p"):
            words = " ".join("".join(paragraph.xpath(WORDS)).split()[:5])
            assert words in text, words
    english_runs = body.xpath('//w:r[w:rPr/w:lang[@w:val="en-GB"]]', namespaces={"w": W[1:-1]})
    assert len(english_runs) > len(wrappers)


def test_an_english_fragment_in_arabic_is_left_to_right_in_word(project: Path) -> None:
    documents, _ = documents_of(project, {"ar"})
    qa = documents[("qa", "ar")]
    assert qa.tree.get("dir") == "rtl" and qa.tree.xpath('//div[@class="fallback"][@dir="ltr"][@lang="en-GB"]')
    body = etree.fromstring(zipfile.ZipFile(_docx(qa, project)).read("word/document.xml"))
    ns = {"w": W[1:-1]}
    heading = next(p for p in body.iter(f"{W}p") if p.xpath("w:pPr/w:pStyle/@w:val", namespaces=ns) == ["Heading1"]
                   and "Questions and Answers" in "".join(p.itertext()))
    # left to right, said explicitly: the Arabic document's paragraph defaults are right to left
    assert heading.xpath("w:pPr/w:bidi/@w:val", namespaces=ns) == ["0"]
    assert heading.xpath(".//w:rPr/w:lang/@w:val", namespaces=ns) == ["en-GB"] * len(heading.xpath(".//w:r", namespaces=ns))
    assert body.find(".//w:sectPr/w:bidi", ns) is not None  # the document itself stays right to left


def _docx(assembled, root: Path):
    import io
    return io.BytesIO(write_docx(assembled, root))


# --- one pandoc run for every document and locale ------------------------------------------------


def test_one_pandoc_run_formats_every_document_and_locale(project: Path, pandoc_runs: list) -> None:
    documents, report = documents_of(project, {"en", "fr", "ar"})
    assert len(pandoc_runs) == 1 and not report.errors
    cited = [key for key, d in documents.items() if re.search(r'class="(footnote )?citation"', d.html)]
    assert len(cited) == 3  # the guidance, in each locale
    assert pandoc_runs[0].count(".citation-group") == 3


def test_each_group_is_formatted_as_if_alone(tmp_path: Path) -> None:
    """The second document's first citation of a work is a full note again, in its own language."""
    bib = tmp_path / "refs.bib"
    bib.write_text("@book{smith2019,\n  author = {Smith, Jane},\n  title = {Policing and Public Health},\n"
                   "  publisher = {Open Society},\n  year = {2019},\n}\n", encoding="utf-8")
    clusters = (Cluster("[@smith2019, 12]", False), Cluster("[@smith2019, 14]", False))
    english, french = format_batch([CitationJob(clusters, "en-GB"), CitationJob(clusters, "fr-FR", True)], bib, CSL)()
    assert english == format_citations(list(clusters), bib, CSL, "en-GB")
    assert french == format_citations(list(clusters), bib, CSL, "fr-FR", with_bibliography=True)
    assert english.clusters[0].startswith("Jane Smith, <em>Policing") and english.clusters[1] == "Smith, <em>Policing and Public Health</em>, 14."
    assert french.clusters[0].startswith("Jane Smith, <em>Policing") and "Smith" in french.bibliography
