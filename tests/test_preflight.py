"""Preflight of the written PDFs, booklet padding, and the printer's package.

The real English pack (``built_en``) must pass; every negative case is a small PDF made here
(pikepdf for hand-written content, WeasyPrint for images and tagging), so each check is shown to
bite on exactly what it is meant to catch.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT, needs
from pikepdf import Array, Dictionary, Name
from pypdf import PdfReader

from pressroom.model import Edition
from pressroom.read.pack import load_pack
from pressroom.diagnostics import ContentError, Report
from pressroom.commands.package import MANIFEST, package, package_name
from pressroom.commands.preflight import preflight
from pressroom.inspect.preflight import check_pdf
from pressroom.pdfobjects import page_boxes
from pressroom.write.pdf.booklet import pad_booklet

MM = 72 / 25.4
FONTS = ROOT / "templates" / "fonts"
A4_BOX = (0.0, 0.0, 595.276, 841.89)
BLEED = 3 * MM
SCREEN = Edition("screen", pdf_variant="pdf/ua-1", forms=True)
PRINT = Edition("print", bleed="3mm", marks="crop cross")
BOOKLET = Edition("print", bleed="3mm", marks="crop cross", booklet=True)
PDFX = Edition("press", pdf_variant="pdf/x-4", bleed="3mm")
PRINT_CSS = "@page { size: A4; bleed: 3mm; marks: crop cross; margin: 20mm }"


def messages(report: Report, level: str = "error") -> list[str]:
    return [str(d) for d in report.sorted() if d.level == level]


def check(path: Path, edition: Edition, locale: str | None = "en") -> Report:
    report = Report()
    check_pdf(path, edition, report, shown=path.name, locale=locale)
    return report


def make_pdf(path: Path, pages: list[bytes], *, fonts: dict | None = None, size=(595.276, 841.89),
             bleed: float | None = BLEED, lang: str | None = "en", title: str | None = "A title") -> Path:
    """A PDF with hand-written page content; boxes of the print edition unless told otherwise.

    ``fonts`` maps resource names to functions making the font dictionary inside the new PDF.
    """
    pdf = pikepdf.new()
    font_dict = Dictionary({f"/{name}": pdf.make_indirect(make(pdf)) for name, make in (fonts or {}).items()})
    trim = [0, 0, *size]
    for content in pages:
        page = pdf.add_blank_page(page_size=size)
        page.obj.Resources = Dictionary(Font=font_dict) if b" Tf" in content else Dictionary()  # fonts where used
        page.obj.Contents = pdf.make_stream(content)
        page.obj.TrimBox = Array(trim)
        if bleed is not None:
            grown = Array([-bleed, -bleed, size[0] + bleed, size[1] + bleed])
            page.obj.MediaBox, page.obj.BleedBox = grown, grown
    if lang:
        pdf.Root.Lang = pikepdf.String(lang)
    if title:
        pdf.docinfo["/Title"] = title
    pdf.save(path)
    return path


def weasy_pdf(path: Path, body: str, css: str = PRINT_CSS, **options) -> Path:
    """A test PDF set in the pack's fonts (a font of the machine is a preflight error of its own)."""
    from weasyprint import HTML

    fonts = (ROOT / "templates" / "fonts").as_uri()
    css = (f"@font-face {{ font-family: Pack; src: url({fonts}/NotoSerif-Regular.ttf); }} "
           f"@font-face {{ font-family: Pack; src: url({fonts}/NotoSerif-Bold.ttf); font-weight: bold; }} "
           f"html {{ font-family: Pack; }} {css}")
    html = f'<html lang="en"><head><title>Test</title><style>{css}</style></head><body>{body}</body></html>'
    path.write_bytes(HTML(string=html).write_pdf(**options))
    return path


def png(width: int, height: int) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (255, 230, 0)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def HELVETICA(pdf: pikepdf.Pdf) -> Dictionary:
    """A base-14 font as a hand-made PDF names it: no FontDescriptor, nothing embedded."""
    return Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)


TEXT = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET"


# --- the real pack ----------------------------------------------------------------------------


def test_real_pack_passes_preflight(built_en: Path) -> None:
    report = preflight(built_en, load_pack(built_en), ["en"])
    assert messages(report) == [], "\n".join(map(str, report.sorted()))
    assert messages(report, "warning") == []


def test_print_edition_boxes_are_a4_with_3mm_bleed(built_en: Path) -> None:
    pack = load_pack(built_en)
    for doc in pack.documents:
        with pikepdf.open(built_en / "output/en" / f"{doc}.print.pdf") as pdf:
            for page in pdf.pages:
                trim = [float(v) for v in page.obj.TrimBox]
                bleed = [float(v) for v in page.obj.BleedBox]
                media = [float(v) for v in page.obj.MediaBox]
                assert trim == pytest.approx(A4_BOX, abs=0.5)
                assert bleed == pytest.approx([-BLEED, -BLEED, A4_BOX[2] + BLEED, A4_BOX[3] + BLEED], abs=0.05)
                assert media[0] <= bleed[0] and media[1] <= bleed[1] and media[2] >= bleed[2] and media[3] >= bleed[3]
        with pikepdf.open(built_en / "output/en" / f"{doc}.pdf") as pdf:
            boxes = page_boxes(pdf.pages[0].obj)
            assert boxes["TrimBox"] == pytest.approx(A4_BOX, abs=0.5)
            assert boxes["MediaBox"] == pytest.approx(boxes["TrimBox"], abs=0.01)


def test_pdfua_checks_bite_on_an_untagged_file(built_en: Path) -> None:
    """The print edition is not tagged: checked as the screen edition, it fails saying why."""
    errors = messages(check(built_en / "output/en/qa.print.pdf", SCREEN))
    assert any("not marked as tagged" in e for e in errors)
    assert any("no structure tree" in e for e in errors)
    assert any("pdfuaid:part=1" in e for e in errors)
    assert any("MediaBox" in e and "differs from the TrimBox" in e for e in errors)


def test_nothing_built_is_an_error(project: Path) -> None:
    report = preflight(project, load_pack(project), ["en"])
    assert messages(report) == ["output/en/: nothing is built for this locale — run `invoke build --locale en` first"]


# --- fonts, boxes, metadata -------------------------------------------------------------------


def test_font_not_embedded_names_file_and_page(built_en: Path, tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(built_en, root)
    make_pdf(root / "output/en/guidance.print.pdf", [b"", TEXT], fonts={"F1": HELVETICA})
    report = preflight(root, load_pack(root), ["en"])
    assert [e for e in messages(report) if "Helvetica" in e] == [
        "output/en/guidance.print.pdf: page 2: font 'Helvetica' is not embedded — use only the pack's fonts "
        "(templates/fonts, declared with @font-face in templates/pack.css)"]
    assert not [e for e in messages(report) if not e.startswith("output/en/guidance.print.pdf")]


def embedded_font(program: bytes, name: str = "/NotoSans"):
    def font(pdf: pikepdf.Pdf) -> Dictionary:  # a TrueType font with its file, named without a subset tag
        descriptor = Dictionary(Type=Name.FontDescriptor, FontName=Name(name), FontFile2=pdf.make_stream(program))
        return Dictionary(Type=Name.Font, Subtype=Name.TrueType, BaseFont=Name(name), FontDescriptor=descriptor)
    return font


def test_font_embedded_in_full_is_reported(tmp_path: Path) -> None:
    font = embedded_font((ROOT / "templates" / "fonts" / "NotoSans-Regular.ttf").read_bytes())

    path = make_pdf(tmp_path / "full.pdf", [TEXT, TEXT, TEXT], fonts={"F1": font})
    assert messages(check(path, PRINT)) == [
        "full.pdf: page 1: font 'NotoSans' is embedded in full, not as a subset (no 'ABCDEF+' prefix) (also on "
        "pages 2, 3) — use only the pack's fonts (templates/fonts, declared with @font-face in templates/pack.css)"]


def test_a_font_that_is_not_one_of_the_pack_s_is_an_error(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont

    machine = TTFont(str(ROOT / "templates" / "fonts" / "NotoSans-Regular.ttf"))  # a font of the build machine
    for record in machine["name"].names:
        if record.nameID in (1, 4, 6):
            record.string = {1: "DejaVu Sans", 4: "DejaVu Sans", 6: "DejaVuSans"}[record.nameID]
    program = io.BytesIO()
    machine.save(program)
    path = make_pdf(tmp_path / "machine.pdf", [TEXT], fonts={"F1": embedded_font(program.getvalue(), "/ABCDEF+DejaVu")})
    assert [m for m in messages(check(path, PRINT)) if "DejaVu" in m] == [
        "machine.pdf: page 1: font 'ABCDEF+DejaVu' (DejaVuSans) is not one of the pack's fonts "
        "(templates/fonts) — a character that none of templates/fonts has was set in a font of the build machine: "
        "vendor a font that has it into templates/fonts and add it to the font stack in templates/pack.css"]


def test_page_size_language_and_title(tmp_path: Path) -> None:
    letter = make_pdf(tmp_path / "letter.pdf", [b""], size=(612, 792), bleed=None, lang=None, title=None)
    errors = messages(check(letter, PRINT))
    letter_trim = "letter.pdf: page 1: trim is 215.9 × 279.4 mm (612.00 × 792.00 pt), not A4 (210.0 × 297.0 mm)"
    assert any(e.startswith(letter_trim) for e in errors)
    assert any("page 1: BleedBox is not the TrimBox grown by the 3mm bleed" in e for e in errors)
    assert any("no document language (/Lang in the catalog)" in e for e in errors)
    assert any("no document title" in e for e in errors)
    ok = make_pdf(tmp_path / "ok.pdf", [b""])
    assert messages(check(ok, PRINT)) == []
    assert messages(check(ok, PRINT, locale="fr"), "warning") == [
        "ok.pdf: warning: document language is 'en' in the 'fr' output — set <html lang> from the locale (fr)"]


# --- images, colour, tagging ------------------------------------------------------------------


def test_low_resolution_image_fails_the_print_edition(tmp_path: Path) -> None:
    low = weasy_pdf(tmp_path / "low.pdf", f'<p>x</p><p>y</p><img src="{png(30, 20)}" style="width: 50mm">')
    errors = messages(check(low, PRINT))
    assert len(errors) == 1, errors
    assert "low.pdf: page 1: image '" in errors[0]
    assert "(30 × 20 px) prints at 15 ppi at 50.0 × 33.3 mm, under 300 ppi" in errors[0]
    assert "at least 591 px wide" in errors[0]
    screen = Edition("screen", pdf_variant="pdf/ua-1")
    assert not [e for e in messages(check(low, screen)) if "ppi" in e]  # screens need no 300 ppi
    sharp = weasy_pdf(tmp_path / "sharp.pdf", f'<img src="{png(600, 400)}" style="width: 25.4mm">')
    assert messages(check(sharp, PRINT)) == []


def test_low_resolution_background_image_is_found_through_its_pattern(tmp_path: Path) -> None:
    path = weasy_pdf(tmp_path / "bg.pdf", f'<div style="background: url({png(30, 20)}); height: 30mm"></div>')
    errors = messages(check(path, PRINT))
    assert len(errors) == 1 and "prints at 96 ppi" in errors[0], errors


def test_rgb_colour_fails_only_pdfx(tmp_path: Path) -> None:
    rgb = make_pdf(tmp_path / "rgb.pdf", [b"1 0 0 rg 0 0 10 10 re f", b"/DeviceRGB CS 0 0 1 SC 0 0 m 9 9 l S"])
    errors = [e for e in messages(check(rgb, PDFX)) if "RGB" in e]  # a hand-made file lacks the rest of PDF/X too
    assert errors == [
        "rgb.pdf: page 1: RGB colour in a PDF/X file: rg operator (DeviceRGB colour) — use CMYK (or ICC-based) "
        "colour for print",
        "rgb.pdf: page 2: RGB colour in a PDF/X file: CS /DeviceRGB (DeviceRGB colour space) — use CMYK (or "
        "ICC-based) colour for print"]
    assert messages(check(rgb, PRINT)) == []  # not PDF/X: RGB is the printer's to convert
    cmyk = make_pdf(tmp_path / "cmyk.pdf", [b"0 1 1 0 k 0 0 10 10 re f 0 0 0 1 K 0 0 m 9 9 l S"])
    assert [e for e in messages(check(cmyk, PDFX)) if "RGB" in e] == []


def test_figure_without_alt_and_skipped_heading(tmp_path: Path) -> None:
    image = png(600, 400)
    bad = weasy_pdf(tmp_path / "bad.pdf", f'<h1>A</h1><h3>B</h3><img src="{image}" style="width: 20mm">', css="",
                    pdf_variant="pdf/ua-1")
    report = check(bad, SCREEN)
    assert messages(report) == [
        "bad.pdf: page 1: figure without alternative text (/Alt) — give the image a description: "
        "![what it shows](file) in the fragment"]
    assert messages(report, "warning") == [
        "bad.pdf: warning: page 1: heading H3 follows H1: H2 is skipped — use the next heading level (## under #, "
        "### under ##)"]
    good = weasy_pdf(tmp_path / "good.pdf", f'<h1>A</h1><h2>B</h2><img alt="A yellow box" src="{image}">', css="",
                     pdf_variant="pdf/ua-1")
    assert check(good, SCREEN).items == []


# --- booklets ---------------------------------------------------------------------------------


@needs("pdftotext")
def test_booklet_rule_and_padding(built_en: Path, tmp_path: Path) -> None:
    with pikepdf.open(built_en / "output/en/guidance.print.pdf") as pdf:  # exactly 5 real pages
        while len(pdf.pages) > 5:
            del pdf.pages[-1]
        while len(pdf.pages) < 5:
            pdf.pages.append(pdf.pages[0])
        five = tmp_path / "five.pdf"
        pdf.save(five)
    assert messages(check(five, BOOKLET)) == [
        "five.pdf: 5 pages: a saddle-stitched booklet needs a multiple of 4 — pad it to 8 pages "
        "(write/pdf/booklet.py) or cut the content"]
    colophon = "Printed by Example Print Ltd.\nAmnesty International UK, 2014"
    padded_bytes = pad_booklet(five.read_bytes(), colophon, marks="crop cross", fonts=FONTS)
    time.sleep(1.1)  # fontTools dates font subsets to the second: a second later, the same bytes
    assert pad_booklet(five.read_bytes(), colophon, marks="crop cross", fonts=FONTS) == padded_bytes
    padded = tmp_path / "padded.pdf"
    padded.write_bytes(padded_bytes)
    assert check(padded, BOOKLET).items == []  # 8 pages, fonts embedded, boxes as the rest
    with pikepdf.open(padded) as pdf:
        assert len(pdf.pages) == 8
        last = page_boxes(pdf.pages[4].obj)
        assert all(page_boxes(p.obj) == last for p in pdf.pages[5:])

    def text(page: int) -> str:
        return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), padded, "-"],
                              capture_output=True, text=True, check=True).stdout

    assert text(6).strip() == text(7).strip() == ""
    assert text(8).split() == colophon.split()
    assert pad_booklet(padded_bytes, colophon, fonts=FONTS) == padded_bytes  # a multiple of 4 is left alone


# --- the printer's package --------------------------------------------------------------------


@pytest.fixture
def built_copy(built_en: Path, tmp_path: Path) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(built_en, root, ignore=shutil.ignore_patterns("print"))
    return root


def read_manifest(text: str) -> dict[str, dict[str, str]]:
    blocks = {}
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith("#"))
        if fields:
            blocks[fields["file"]] = fields
    return blocks


def test_package_manifest_and_reproducible_zip(built_copy: Path) -> None:
    pack = load_pack(built_copy)
    # check_fresh=False: freshness hashes the engine's code too, which may change under a session
    # fixture; test_package_refuses_stale_pdfs covers it
    folder = package(built_copy, pack, "en", check_fresh=False)
    name = package_name(pack, "en")
    assert folder == built_copy / "output/print" / name and name == "aiuk-sex-work-consultation-en-2014-03-21"
    pdfs = sorted(p.name for p in folder.glob("*.pdf"))
    assert pdfs == sorted(f"{doc}.pdf" for doc in pack.documents)
    for doc in pack.documents:
        assert (folder / f"{doc}.pdf").read_bytes() == (built_copy / f"output/en/{doc}.print.pdf").read_bytes()
    manifest = read_manifest((folder / MANIFEST).read_text())
    assert sorted(manifest) == pdfs
    for pdf_name, fields in manifest.items():
        data = (folder / pdf_name).read_bytes()
        assert fields["sha256"] == hashlib.sha256(data).hexdigest()
        assert int(fields["pages"]) == len(PdfReader(io.BytesIO(data)).pages)
        assert fields["trim"] == "210.0 x 297.0 mm" and fields["bleed"] == "3.0 mm"
        assert "+Pack-Serif (embedded)" in fields["fonts"] and "NOT" not in fields["fonts"]
    archive_path = folder.parent / f"{name}.zip"
    first = archive_path.read_bytes()
    with zipfile.ZipFile(archive_path) as archive:
        assert sorted(archive.namelist()) == sorted(f"{name}/{n}" for n in [MANIFEST, *pdfs])
        for entry in archive.infolist():
            assert entry.date_time == (2014, 3, 21, 0, 0, 0)
            assert archive.read(entry) == (folder / entry.filename.split("/", 1)[1]).read_bytes()
    assert package(built_copy, pack, "en", check_fresh=False) == folder
    assert archive_path.read_bytes() == first


def test_package_refuses_missing_and_failing_pdfs(built_copy: Path) -> None:
    pack = load_pack(built_copy)
    (built_copy / "output/en/qa.print.pdf").unlink()
    make_pdf(built_copy / "output/en/guidance.print.pdf", [TEXT], fonts={"F1": HELVETICA})
    with pytest.raises(ContentError) as caught:
        package(built_copy, pack, "en")
    errors = [str(d) for d in caught.value.report.sorted()]
    assert ("output/en/qa.print.pdf: the print PDF is not built — run `invoke build --locale en --edition print` "
            "first") in errors
    assert any(e.startswith("output/en/guidance.print.pdf: page 1: font 'Helvetica' is not embedded") for e in errors)
    assert not (built_copy / "output/print").exists()


def test_package_refuses_stale_pdfs(built_copy: Path) -> None:
    fragment = built_copy / "content/en/qa/01-introduction.md"
    fragment.write_text(fragment.read_text(encoding="utf-8") + "\nA late change.\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        package(built_copy, load_pack(built_copy), "en")
    assert ("output/en/qa.print.pdf: out of date: its sources changed after it was built — run `invoke build "
            "--locale en --edition print` first") in [str(d) for d in caught.value.report.sorted()]
    assert not (built_copy / "output/print").exists()
