"""Preflight: what a printer (or a screen reader) would reject, found in the written PDFs.

``check_pdf`` opens one written PDF with pikepdf and checks it against its edition (the
``invoke preflight`` command runs it on every PDF of the selection):

- page boxes: TrimBox is A4; with ``bleed`` the BleedBox is the TrimBox grown by the bleed on
  each side and the MediaBox holds it; without bleed (and without marks) MediaBox = TrimBox;
- fonts: every font embedded (FontFile, FontFile2 or FontFile3) and subset (``ABCDEF+Name``),
  in page resources, form XObjects, patterns, Type 3 fonts, annotation appearances, form fields;
- document language (``/Lang``) and title (``/Info /Title`` or XMP ``dc:title``);
- PDF/UA editions: tagged (``/MarkInfo /Marked``, ``/StructTreeRoot``), every Figure has ``/Alt``,
  ``pdfuaid:part`` in the XMP, the title shown (``DisplayDocTitle``), headings without skipped
  levels (a warning); the reading order: no text outside the structure tree (or an artifact),
  each ``Note`` with its ID and read right after its ``Reference``, each ``Reference`` a link
  or naming its ``Note`` (``/Ref``, the note labelled), each ``LI`` a ``Lbl`` and one ``LBody``,
  tagged content painted in reading order (a warning), each form field in a ``Form`` element
  and named (``TU``);
- annotations (every edition): each with the Print flag, none hidden;
- press editions (bleed, marks or PDF/X): every image at ≥ 300 ppi at its placed size, from the
  CTM at its ``Do`` (through form XObjects and tiling patterns);
- PDF/X editions: no RGB colour (``rg``/``RG``, DeviceRGB or 3-component ICC colour spaces,
  images, shadings, transparency groups, annotations); the conformance markers, the output
  intent, K-only black and greys, fonts all from ``templates/fonts``, the page count the
  document's binding needs, no URL hyphenated (``pdfx``); and, rendered by Ghostscript in CMYK,
  colour at the trim carried into the bleed, nothing else in the bleed, crop marks in the slug,
  total ink per pixel under the edition's limit (``render``);
- ``booklet: true``: a multiple of 4 pages.

Every problem names the output file and the page: ``output/en/guidance.print.pdf: page 3: font
'Helvetica' is not embedded — …``; a problem on many pages is reported once, listing them.
"""

from __future__ import annotations

import math
from pathlib import Path

import pikepdf
from pikepdf import Dictionary

from pressroom.diagnostics import Report
from pressroom.inspect.preflight.boxes import check_boxes
from pressroom.inspect.preflight.colour import check_content, is_rgb
from pressroom.inspect.preflight.findings import Pages, length
from pressroom.inspect.preflight import pdfx as press
from pressroom.inspect.preflight.fonts import check_fonts, check_form_fonts, iter_fonts
from pressroom.inspect.preflight.reading import check_annotations, check_tagged
from pressroom.inspect.preflight.render import check_rendered
from pressroom.model import TEMPLATES, Edition
from pressroom.pdfobjects import A4, page_boxes, page_resources

FONTS = Path(__file__).resolve().parents[3] / TEMPLATES / "fonts"


def is_press(edition: Edition) -> bool:
    """An edition for the press: bleed, crop marks or PDF/X (its images must reach 300 ppi)."""
    return bool(edition.bleed or edition.marks or edition.variant.startswith("pdf/x"))


def check_pdf(path: Path, edition: Edition, report: Report, *, shown: str | None = None,
              locale: str | None = None, trim: tuple[float, float] = A4, binding: str | None = None,
              fonts: Path = FONTS) -> None:
    """Check one PDF against its edition; problems go to ``report`` under ``shown`` (the path).
    ``binding``: the document's (pack.yaml), whose page count a PDF/X edition must suit;
    ``fonts``: the folder its fonts must all come from."""
    shown = shown or str(path)
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        report.error(shown, None, f"cannot be opened as a PDF: {exc}", "rebuild it with `invoke build --force`")
        return
    with pdf:
        found = Pages()
        numbers = {page.obj.objgen: n for n, page in enumerate(pdf.pages, 1)}
        bleed = length(edition.bleed) if edition.bleed else None
        if edition.bleed and bleed is None:
            report.error("content/pack.yaml", None, f"edition {edition.name!r}: bleed {edition.bleed!r} is not a length",
                         "write it as e.g. 3mm")
        press, pdfx = is_press(edition), edition.variant.startswith("pdf/x")
        for n, page in enumerate(pdf.pages, 1):
            check_boxes(page.obj, n, trim, bleed, edition, found)
            check_fonts(page_resources(page.obj), n, found, annotations=page.obj.get("/Annots"))
            check_annotations(page, n, found)
            if press or pdfx:
                check_content(page, n, press, pdfx, found)
            if pdfx:
                group = page.obj.get("/Group")
                if isinstance(group, Dictionary) and is_rgb(group.get("/CS")):
                    found.add(n, "DeviceRGB transparency group in a PDF/X file", "use CMYK or an ICC-based colour space")
        check_form_fonts(pdf, found)
        _check_document(pdf, edition, locale, numbers, found)
        if pdfx:
            _check_press(path, pdf, edition, binding, fonts, found)
        found.emit(report, shown)
        count = len(pdf.pages)
        if edition.booklet and count % 4:
            report.error(shown, None, f"{count} page{'s' if count != 1 else ''}: a saddle-stitched booklet "
                                      "needs a multiple of 4",
                         f"pad it to {math.ceil(count / 4) * 4} pages (write/pdf/booklet.py) or cut the content")





def _check_press(path: Path, pdf: pikepdf.Pdf, edition: Edition, binding: str | None, fonts: Path,
                 found: Pages) -> None:
    """What a PDF/X file must also be for the press (``pdfx``, ``render``)."""
    press.check_pdfx(pdf, edition.variant, edition.output_condition, _xmp(pdf), found)
    seen: set = set()
    for n, page in enumerate(pdf.pages, 1):
        press.check_ink(page, n, found)
        press.check_font_origin(list(iter_fonts(page_resources(page.obj), page.obj.get("/Annots"))), n, fonts, found, seen)
    problem = press.binding_problem(len(pdf.pages), binding or "loose")
    if problem:
        step = press.BINDINGS[binding or "loose"][0]
        found.add(None, problem, f"rebuild it (the print edition pads to {math.ceil(len(pdf.pages) / step) * step} "
                                 "pages with blank pages), or change the document's binding in content/pack.yaml")
    broken = press.hyphenated_urls(path)
    if broken is None:
        found.add(None, "URLs not checked for hyphenation: pdftotext (poppler-utils) is not installed",
                  "apt-get install poppler-utils", level="warning")
    for n, word in broken or []:
        found.add(n, f"a URL is hyphenated at a line end ({word!r}): a reader types the hyphen",
                  "mark it as an address (a link whose text is the URL), or class=\"no-hyphenate\"")
    check_rendered(path, [page_boxes(p.obj) for p in pdf.pages], found, limit=edition.ink_limit,
                   condition=edition.output_condition, crop_marks="crop" in (edition.marks or "").split())


# --- document: language, title, tagging ------------------------------------------------------


def _xmp(pdf: pikepdf.Pdf) -> dict[str, object]:
    if "/Metadata" not in pdf.Root:
        return {}
    try:
        meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)  # read only: no `with`
        return {key: meta[key] for key in meta}
    except Exception:  # a broken XMP packet is reported as missing values, never a crash
        return {}


def _check_document(pdf: pikepdf.Pdf, edition: Edition, locale: str | None,
                    numbers: dict, found: Pages) -> None:
    root = pdf.Root
    xmp = _xmp(pdf)
    lang = str(root.get("/Lang", "")).strip()
    if not lang:
        found.add(None, "no document language (/Lang in the catalog)",
                  "the template's <html lang> sets it: check templates/base.html.j2")
    elif locale and lang.lower().split("-")[0] != locale.lower().split("-")[0]:
        found.add(None, f"document language is {lang!r} in the {locale!r} output",
                  f"set <html lang> from the locale ({locale})", level="warning")
    info_title = str(pdf.docinfo.get("/Title", "")).strip() if "/Info" in pdf.trailer else ""
    if not info_title and not str(xmp.get("{http://purl.org/dc/elements/1.1/}title", "")).strip():
        found.add(None, "no document title (/Info /Title or XMP dc:title)",
                  "the template's <title> sets it: give the document a title in content/pack.yaml")
    if edition.variant.startswith("pdf/ua"):
        check_tagged(pdf, edition, xmp, numbers, found)


