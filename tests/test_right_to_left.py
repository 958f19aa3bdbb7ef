"""Right to left done right, read from the outputs: every glyph of every locale from the vendored
fonts, English inside Arabic in its own order, the running head mirrored, and parts taken from
the source labelled in the document's language (screen PDF and Word, not the print edition)."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT, copy_project, needs

from pressroom.build import build
from pressroom.inspect.preflight.fonts import font_info, is_vendored, iter_fonts
from pressroom.pdfobjects import page_resources

FAMILIES = set(re.findall(r'font-family: "([^"]+)"; src: url', (ROOT / "templates" / "pack.css").read_text()))


@pytest.fixture(scope="module")
def localised(tmp_path_factory) -> Path:
    """The guidance and the response form built in French and Arabic (PDF and Word)."""
    root = copy_project(tmp_path_factory.mktemp("rtl") / "pack")
    build(root, docs=["guidance", "response-form"], locales=["fr", "ar"], editions=["screen", "print"])
    return root


def pdftext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


@needs("pdffonts")
def test_pdffonts_lists_only_the_vendored_fonts_in_every_pdf_of_every_locale(localised, built_en):
    pdfs = sorted((localised / "output").rglob("*.pdf")) + sorted((built_en / "output" / "en").glob("*.pdf"))
    assert {p.parent.name for p in pdfs} == {"en", "fr", "ar"} and len(pdfs) >= 16
    for pdf in pdfs:
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        names = [line.split()[0] for line in listing.splitlines()[2:]]
        assert names, pdf
        for name in names:  # ABCDEF+Pack-Sans-Arabic-Bold: a subset of a family of templates/pack.css
            family = name.split("+", 1)[-1]
            assert any(family.startswith(f.replace(" ", "-")) for f in FAMILIES), f"{pdf}: {name}"
        with pikepdf.open(pdf) as document:  # and each program is one of templates/fonts, by its name table
            for page in document.pages:
                for font in iter_fonts(page_resources(page.obj)):
                    assert is_vendored(font_info(font)), f"{pdf}: {font_info(font)}"


@needs("pdftotext")
def test_english_titles_keep_their_punctuation_in_the_arabic_contents(localised):
    contents = pdftext(localised / "output" / "ar" / "guidance.pdf", "-f", "2", "-l", "2")
    line = next(line for line in contents.splitlines() if "Why has Amnesty decided" in line)
    assert "sex work?" in line and "?Why" not in line, line
    from pressroom.assemble import assemble
    from pressroom.diagnostics import Report
    from pressroom.read.bibliography import load_bibliography
    from pressroom.read.pack import load_pack
    pack = load_pack(localised)
    report = Report()
    bib = load_bibliography(pack.bibliography, "references.bib", report)
    document = assemble(pack, pack.document("guidance"), "ar", bib, report)
    assert '<a href="#why-a-consultation">\u2066Why has Amnesty' in document.html  # isolated, no element in a link
    form = assemble(pack, pack.document("response-form"), "ar", bib, report)
    assert "\u2066swc@amnesty.org.uk\u2069" in form.html  # an address inside Arabic text
    with zipfile.ZipFile(localised / "output" / "ar" / "guidance.docx") as package:
        body = package.read("word/document.xml").decode()
    # between left-to-right marks (in runs of their own: the marks are set in the Arabic face, the
    # English in the Latin one)
    assert re.search(r"\u200e(?:<[^>]+>)*Why has Amnesty decided[^<]*\?(?:<[^>]+>)*\u200e", body)


@needs("pdftotext")
def test_the_running_head_is_mirrored_and_in_the_locale_s_title(localised):
    def heads(pdf: Path, page: int) -> list[tuple[float, str]]:
        layout = pdftext(pdf, "-bbox", "-f", str(page), "-l", str(page))
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]+)</word>', layout)
        return [(float(x), w) for x, y, w in words if float(y) < 60]

    arabic = heads(localised / "output" / "ar" / "response-form.pdf", 2)
    words = {w for _, w in arabic} | {w[::-1] for _, w in arabic}  # -bbox gives Arabic words in visual order
    assert words >= {"استمارة", "الرد"}  # content/ar/titles.yaml
    assert min(x for x, _ in arabic) > 595 / 2  # at the right: mirrored
    french = heads(localised / "output" / "fr" / "response-form.pdf", 2)
    assert "FORMULAIRE" in {w.upper() for _, w in french} and max(x for x, _ in french) < 595 / 2


@needs("pdftotext")
def test_untranslated_parts_are_labelled_on_screen_and_in_word_not_in_print(localised):
    label = "Original en anglais — pas encore traduit"
    assert label in pdftext(localised / "output" / "fr" / "guidance.pdf")
    assert label not in pdftext(localised / "output" / "fr" / "guidance.print.pdf")
    with zipfile.ZipFile(localised / "output" / "fr" / "guidance.docx") as package:
        assert label in package.read("word/document.xml").decode()
    arabic = re.sub(r"\s+", " ", pdftext(localised / "output" / "ar" / "guidance.pdf"))
    assert "النص" in arabic and "بعد" in arabic  # (pdftotext splits the lam-alef ligatures of the rest)
    with zipfile.ZipFile(localised / "output" / "ar" / "guidance.docx") as package:
        runs = re.findall(r"<w:t[^>]*>([^<]*)</w:t>", package.read("word/document.xml").decode())
    # read as Word shows it: the dash is set in the Latin face, so it is a run of its own
    assert "النص الأصلي باللغة الإنجليزية — لم يُترجم بعد" in "".join(runs)
