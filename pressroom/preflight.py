"""Preflight: what a printer (or a screen reader) would reject, found in the written PDFs.

``preflight`` opens every PDF of ``output/<locale>/`` (each document × edition of pack.yaml)
with pikepdf and checks it against its edition:

- page boxes: TrimBox is A4; with ``bleed`` the BleedBox is the TrimBox grown by the bleed on
  each side and the MediaBox holds it; without bleed (and without marks) MediaBox = TrimBox;
- fonts: every font embedded (FontFile, FontFile2 or FontFile3) and subset (``ABCDEF+Name``),
  in page resources, form XObjects, patterns, Type 3 fonts, annotation appearances, form fields;
- document language (``/Lang``) and title (``/Info /Title`` or XMP ``dc:title``);
- PDF/UA editions: tagged (``/MarkInfo /Marked``, ``/StructTreeRoot``), every Figure has ``/Alt``,
  ``pdfuaid:part`` in the XMP, the title shown (``DisplayDocTitle``), headings without skipped
  levels (a warning); the reading order: no text outside the structure tree (or an artifact),
  each ``Note`` with its ID and read right after its ``Reference``, each form field in a
  ``Form`` element and named (``TU``);
- press editions (bleed, marks or PDF/X): every image at ≥ 300 ppi at its placed size, from the
  CTM at its ``Do`` (through form XObjects and tiling patterns);
- PDF/X editions: no DeviceRGB colour (``rg``/``RG``, ``/DeviceRGB`` colour spaces and images);
- ``booklet: true``: a multiple of 4 pages.

Every problem names the output file and the page: ``output/en/guidance.print.pdf: page 3: font
'Helvetica' is not embedded — …``; a problem on many pages is reported once, listing them.

``pad_booklet`` pads a saddle-stitch booklet to a multiple of 4 pages, the colophon on the last.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from .config import Edition, Pack
from .diagnostics import Report
from .tagging import content_of

OUTPUT = Path("output")
A4 = (595.28, 841.89)  # the pack's trim (templates/pack.css: @page { size: A4 })
TOLERANCE = 0.5  # points
MIN_PPI = 300
FONTS = Path(__file__).resolve().parent.parent / "templates" / "fonts"
SUBSET = re.compile(r"^[A-Z]{6}\+")
UNITS_PT = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pc": 12.0, "px": 0.75, "q": 72 / 101.6}
FONT_HINT = "use only the pack's fonts (templates/fonts, declared with @font-face in templates/pack.css)"

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


# --- the whole pack ---------------------------------------------------------------------------


def preflight(root: Path, pack: Pack, locales: list[str] | None = None, *,
              docs: list[str] | None = None) -> Report:
    """Check every PDF of the selection under ``root/output/<locale>/``; the report lists problems."""
    from .build import plan  # the same targets (and file names) as the build

    report = Report()
    editions = {e.name: e for e in pack.editions}
    targets = plan(pack, docs, locales, ["pdf"])
    for locale in dict.fromkeys(t.locale for t in targets):
        if not (root / OUTPUT / locale).is_dir():
            report.error(f"{OUTPUT.as_posix()}/{locale}/", None, "nothing is built for this locale",
                         f"run `invoke build --locale {locale}` first")
    for target in targets:
        path = root / OUTPUT / target.key
        shown = (OUTPUT / target.key).as_posix()
        if not path.is_file():
            if (root / OUTPUT / target.locale).is_dir():
                report.error(shown, None, "this PDF is not built",
                             f"run `invoke build --locale {target.locale}` first")
            continue
        check_pdf(path, editions[target.edition], report, shown=shown, locale=target.locale)
    return report


def is_press(edition: Edition) -> bool:
    """An edition for the press: bleed, crop marks or PDF/X (its images must reach 300 ppi)."""
    return bool(edition.bleed or edition.marks or _variant(edition).startswith("pdf/x"))


def _variant(edition: Edition) -> str:
    return (edition.pdf_variant or "").lower()


# --- one file ---------------------------------------------------------------------------------


class _Pages:
    """Collects per-page problems, so that one problem on 25 pages is one diagnostic."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str, str], list[int]] = defaultdict(list)

    def add(self, page: int | None, message: str, hint: str = "", level: str = "error") -> None:
        pages = self.found[(level, message, hint)]
        if page is not None and page not in pages:
            pages.append(page)

    def emit(self, report: Report, shown: str) -> None:
        for (level, message, hint), pages in self.found.items():
            text = f"page {pages[0]}: {message}" if pages else message
            if len(pages) > 1:
                text += f" (also on page{'s' if len(pages) > 2 else ''} {page_list(pages[1:])})"
            (report.error if level == "error" else report.warning)(shown, None, text, hint)


def page_list(pages: list[int]) -> str:
    """[2, 3, 4, 7] → '2–4, 7'."""
    runs: list[list[int]] = []
    for page in sorted(pages):
        if runs and page == runs[-1][-1] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def check_pdf(path: Path, edition: Edition, report: Report, *, shown: str | None = None,
              locale: str | None = None, trim: tuple[float, float] = A4) -> None:
    """Check one PDF against its edition; problems go to ``report`` under ``shown`` (the path)."""
    shown = shown or str(path)
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        report.error(shown, None, f"cannot be opened as a PDF: {exc}", "rebuild it with `invoke build --force`")
        return
    with pdf:
        found = _Pages()
        numbers = {page.obj.objgen: n for n, page in enumerate(pdf.pages, 1)}
        bleed = _length(edition.bleed) if edition.bleed else None
        if edition.bleed and bleed is None:
            report.error("content/pack.yaml", None, f"edition {edition.name!r}: bleed {edition.bleed!r} is not a length",
                         "write it as e.g. 3mm")
        press, pdfx = is_press(edition), _variant(edition).startswith("pdf/x")
        for n, page in enumerate(pdf.pages, 1):
            _check_boxes(page.obj, n, trim, bleed, edition, found)
            _check_fonts(page_resources(page.obj), n, found, annotations=page.obj.get("/Annots"))
            if press or pdfx:
                _check_content(page, n, press, pdfx, found)
            if pdfx:
                group = page.obj.get("/Group")
                if isinstance(group, Dictionary) and _is_rgb(group.get("/CS")):
                    found.add(n, "DeviceRGB transparency group in a PDF/X file", "use CMYK or an ICC-based colour space")
        _check_form_fonts(pdf, found)
        _check_document(pdf, edition, locale, numbers, found)
        found.emit(report, shown)
        count = len(pdf.pages)
        if edition.booklet and count % 4:
            report.error(shown, None, f"{count} page{'s' if count != 1 else ''}: a saddle-stitched booklet "
                                      "needs a multiple of 4",
                         f"pad it to {math.ceil(count / 4) * 4} pages (preflight.pad_booklet) or cut the content")


def _length(value: str) -> float | None:
    """A CSS length ('3mm', '0.125in', '8.5pt') in points."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]+)\s*", value)
    if not match or match.group(2).lower() not in UNITS_PT:
        return None
    return float(match.group(1)) * UNITS_PT[match.group(2).lower()]


# --- page boxes -------------------------------------------------------------------------------


def _inherited(page: Dictionary, key: str):
    node, depth = page, 0
    while isinstance(node, Dictionary) and depth < 64:
        if key in node:
            return node[key]
        node, depth = node.get("/Parent"), depth + 1
    return None


def _box(value) -> tuple[float, float, float, float] | None:
    try:
        x0, y0, x1, y1 = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def page_boxes(page: Dictionary) -> dict[str, tuple[float, float, float, float]]:
    """MediaBox, CropBox, BleedBox, TrimBox with the defaults of the PDF spec (Crop → Media, …)."""
    media = _box(_inherited(page, "/MediaBox")) or (0.0, 0.0, *A4)
    crop = _box(_inherited(page, "/CropBox")) or media
    bleed = _box(page.get("/BleedBox")) or crop
    trim = _box(page.get("/TrimBox")) or crop
    return {"MediaBox": media, "CropBox": crop, "BleedBox": bleed, "TrimBox": trim}


def _size(box) -> str:
    return f"{(box[2] - box[0]) / UNITS_PT['mm']:.1f} × {(box[3] - box[1]) / UNITS_PT['mm']:.1f} mm"


def _same(a, b) -> bool:
    return all(abs(x - y) <= TOLERANCE for x, y in zip(a, b))


def _contains(outer, inner) -> bool:
    return (outer[0] <= inner[0] + TOLERANCE and outer[1] <= inner[1] + TOLERANCE
            and outer[2] >= inner[2] - TOLERANCE and outer[3] >= inner[3] - TOLERANCE)


def _check_boxes(page: Dictionary, n: int, trim_size: tuple[float, float], bleed: float | None,
                 edition: Edition, found: _Pages) -> None:
    boxes = page_boxes(page)
    trim, media = boxes["TrimBox"], boxes["MediaBox"]
    width, height = trim[2] - trim[0], trim[3] - trim[1]
    if abs(width - trim_size[0]) > TOLERANCE or abs(height - trim_size[1]) > TOLERANCE:
        found.add(n, f"trim is {_size(trim)} ({width:.2f} × {height:.2f} pt), not A4 (210.0 × 297.0 mm)",
                  "keep @page { size: A4 } in templates/pack.css (no other page size)")
    if bleed is not None:
        grown = (trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed)
        if not _same(boxes["BleedBox"], grown):
            have = min(trim[0] - boxes["BleedBox"][0], trim[1] - boxes["BleedBox"][1],
                       boxes["BleedBox"][2] - trim[2], boxes["BleedBox"][3] - trim[3])
            found.add(n, f"BleedBox is not the TrimBox grown by the {edition.bleed} bleed on each side "
                         f"(smallest side: {have / UNITS_PT['mm']:.1f} mm)",
                      f"the edition sets @page {{ bleed: {edition.bleed} }}: rebuild with `invoke build --force`")
        if not _contains(media, boxes["BleedBox"]):
            found.add(n, "MediaBox is smaller than the BleedBox", "rebuild with `invoke build --force`")
    elif edition.marks:
        if not _contains(media, trim):
            found.add(n, "MediaBox is smaller than the TrimBox", "rebuild with `invoke build --force`")
    elif not _same(media, trim):
        found.add(n, f"MediaBox ({_size(media)}) differs from the TrimBox ({_size(trim)}) in an edition "
                     "without bleed or marks", "remove bleed and marks from this edition's @page")


# --- fonts ------------------------------------------------------------------------------------


def page_resources(page: Dictionary) -> Dictionary:
    resources = _inherited(page, "/Resources")
    return resources if isinstance(resources, Dictionary) else Dictionary()


def _key(obj) -> tuple[int, int] | int:
    objgen = obj.objgen
    return objgen if objgen != (0, 0) else id(obj)


@dataclass(frozen=True)
class FontInfo:
    name: str
    subtype: str
    embedded: bool
    subset: bool


def font_info(font: Dictionary) -> FontInfo:
    """What a font dictionary says about itself (Type 3 glyphs are content: always embedded)."""
    subtype = str(font.get("/Subtype", "/?"))[1:]
    name = str(font.get("/BaseFont", font.get("/Name", "/(unnamed)")))
    name = name[1:] if name.startswith("/") else name
    if subtype == "Type3":
        return FontInfo(name, subtype, True, True)
    descriptor = font.get("/FontDescriptor")
    if subtype == "Type0":
        descendants = font.get("/DescendantFonts")
        descendant = descendants[0] if isinstance(descendants, Array) and len(descendants) else Dictionary()
        descriptor = descendant.get("/FontDescriptor")
    embedded = isinstance(descriptor, Dictionary) and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return FontInfo(name, subtype, embedded, bool(SUBSET.match(name)))


def iter_fonts(resources: Dictionary, annotations=None, seen: set | None = None) -> Iterator[Dictionary]:
    """Every font reachable from ``resources``: forms, patterns, Type 3 fonts, appearance streams."""
    seen = set() if seen is None else seen
    if not isinstance(resources, Dictionary) or _key(resources) in seen:
        return
    seen.add(_key(resources))
    for font in (resources.get("/Font") or Dictionary()).values():
        if isinstance(font, Dictionary) and _key(font) not in seen:
            seen.add(_key(font))
            yield font
            if font.get("/Subtype") == Name.Type3:
                yield from iter_fonts(font.get("/Resources"), seen=seen)
    for kind in ("/XObject", "/Pattern"):
        for item in (resources.get(kind) or Dictionary()).values():
            if isinstance(item, Stream) and _key(item) not in seen:
                seen.add(_key(item))
                yield from iter_fonts(item.get("/Resources"), seen=seen)
    for annotation in annotations or []:
        if not isinstance(annotation, Dictionary):
            continue
        appearances = annotation.get("/AP")
        for state in (appearances.values() if isinstance(appearances, Dictionary) else []):
            if isinstance(state, Stream):
                streams = [state]
            else:
                streams = list(state.values()) if isinstance(state, Dictionary) else []
            for stream in streams:
                if isinstance(stream, Stream) and _key(stream) not in seen:
                    seen.add(_key(stream))
                    yield from iter_fonts(stream.get("/Resources"), seen=seen)


def _font_problems(info: FontInfo) -> list[str]:
    problems = []
    if not info.embedded:
        problems.append(f"font '{info.name}' is not embedded")
    elif not info.subset:
        problems.append(f"font '{info.name}' is embedded in full, not as a subset (no 'ABCDEF+' prefix)")
    return problems


def _check_fonts(resources: Dictionary, n: int, found: _Pages, annotations=None) -> None:
    for font in iter_fonts(resources, annotations):
        for problem in _font_problems(font_info(font)):
            found.add(n, problem, FONT_HINT)


def _check_form_fonts(pdf: pikepdf.Pdf, found: _Pages) -> None:
    form = pdf.Root.get("/AcroForm")
    if isinstance(form, Dictionary):
        for font in iter_fonts(form.get("/DR")):
            for problem in _font_problems(font_info(font)):
                found.add(None, f"form fields (AcroForm /DR): {problem}", FONT_HINT)


# --- content: images and colour ---------------------------------------------------------------


def _mul(m1: Matrix, m2: Matrix) -> Matrix:
    """m1 then m2 (PDF row-vector convention: cm sets CTM = m1 × CTM)."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def _matrix(value) -> Matrix:
    try:
        values = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return IDENTITY
    return values if len(values) == 6 else IDENTITY  # type: ignore[return-value]


@dataclass(frozen=True)
class Placement:
    """An image drawn on a page: its pixels and its size there."""

    name: str
    pixels: tuple[int, int]
    size_pt: tuple[float, float]

    @property
    def ppi(self) -> float:
        w, h = self.size_pt
        if w <= 0 or h <= 0:
            return math.inf
        return min(self.pixels[0] / (w / 72), self.pixels[1] / (h / 72))


def _place(name: str, width, height, ctm: Matrix) -> Placement:
    a, b, c, d = ctm[:4]  # the image's unit square → page: x-axis (a, b), y-axis (c, d)
    return Placement(name, (int(width or 0), int(height or 0)), (math.hypot(a, b), math.hypot(c, d)))


def _is_rgb(space, resources: Dictionary | None = None) -> bool:
    """DeviceRGB, directly, by a resource name, or as the base of an Indexed space."""
    if isinstance(space, Name):
        if space == Name.DeviceRGB or str(space) == "/RGB":
            return True
        named = (resources.get("/ColorSpace") or Dictionary()) if isinstance(resources, Dictionary) else Dictionary()
        return str(space) in named and _is_rgb(named[str(space)])
    if isinstance(space, Array) and len(space) >= 2 and space[0] in (Name.Indexed, Name("/I")):
        return _is_rgb(space[1], resources)
    return False


def iter_content(stream, resources: Dictionary, ctm: Matrix = IDENTITY,
                 depth: int = 0) -> Iterator[tuple[str, object]]:
    """Walk a content stream like a renderer: yields ('image', Placement) and ('rgb', what).

    The CTM follows q/Q/cm; form XObjects multiply in their /Matrix and use their own resources;
    tiling patterns are walked in pattern space (their /Matrix over the stream's base space).
    """
    if depth > 16:
        return
    resources = resources if isinstance(resources, Dictionary) else Dictionary()
    yield from _resource_colours(resources)
    for pattern_name, pattern in (resources.get("/Pattern") or Dictionary()).items():
        if isinstance(pattern, Stream) and pattern.get("/PatternType") == 1:
            space = _mul(_matrix(pattern.get("/Matrix", IDENTITY)), ctm)
            yield from iter_content(pattern, pattern.get("/Resources"), space, depth + 1)
        elif isinstance(pattern, Dictionary) and _is_rgb((pattern.get("/Shading") or Dictionary()).get("/ColorSpace")):
            yield "rgb", f"shading pattern {pattern_name[1:]!r} in DeviceRGB"
    stack: list[Matrix] = []
    base = ctm
    for instruction in pikepdf.parse_content_stream(stream):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            image = instruction.iimage
            yield "image", _place("inline image", image.width, image.height, ctm)
            if _is_rgb(image.obj.get("/ColorSpace", image.obj.get("/CS")), resources):
                yield "rgb", "inline image in DeviceRGB"
            continue
        op, operands = str(instruction.operator), instruction.operands
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else base
        elif op == "cm" and len(operands) == 6:
            ctm = _mul(_matrix(operands), ctm)
        elif op in ("rg", "RG"):
            yield "rgb", f"{op} operator (DeviceRGB colour)"
        elif op in ("cs", "CS") and operands and _is_rgb(operands[0], resources):
            yield "rgb", f"{op} {operands[0]} (DeviceRGB colour space)"
        elif op == "Do" and operands:
            xobject = (resources.get("/XObject") or Dictionary()).get(str(operands[0]))
            if not isinstance(xobject, Stream):
                continue
            if xobject.get("/Subtype") == Name.Image:
                if not xobject.get("/ImageMask", False):
                    yield "image", _place(str(operands[0])[1:], xobject.get("/Width"), xobject.get("/Height"), ctm)
                if _is_rgb(xobject.get("/ColorSpace"), resources):
                    yield "rgb", f"image {str(operands[0])[1:]!r} in DeviceRGB"
            elif xobject.get("/Subtype") == Name.Form:
                inner = _mul(_matrix(xobject.get("/Matrix", IDENTITY)), ctm)
                group = xobject.get("/Group")
                if isinstance(group, Dictionary) and _is_rgb(group.get("/CS")):
                    yield "rgb", "a form XObject has a DeviceRGB transparency group"
                yield from iter_content(xobject, xobject.get("/Resources", resources), inner, depth + 1)


def _resource_colours(resources: Dictionary) -> Iterator[tuple[str, object]]:
    for name, space in (resources.get("/ColorSpace") or Dictionary()).items():
        if _is_rgb(space):
            yield "rgb", f"colour space {name[1:]!r} is DeviceRGB"
    for name, shading in (resources.get("/Shading") or Dictionary()).items():
        if isinstance(shading, Dictionary) and _is_rgb(shading.get("/ColorSpace")):
            yield "rgb", f"shading {name[1:]!r} in DeviceRGB"


def _check_content(page: pikepdf.Page, n: int, press: bool, pdfx: bool, found: _Pages) -> None:
    try:
        items = list(iter_content(page, page_resources(page.obj)))
    except (pikepdf.PdfError, ValueError, TypeError) as exc:
        found.add(n, f"the page's content cannot be read ({exc})", "rebuild it with `invoke build --force`")
        return
    for kind, item in items:
        if kind == "image" and press:
            assert isinstance(item, Placement)
            if item.ppi + 0.5 < MIN_PPI:
                w_mm, h_mm = (v / UNITS_PT["mm"] for v in item.size_pt)
                need = math.ceil(item.size_pt[0] / 72 * MIN_PPI)
                found.add(n, f"image '{item.name}' ({item.pixels[0]} × {item.pixels[1]} px) prints at "
                             f"{item.ppi:.0f} ppi at {w_mm:.1f} × {h_mm:.1f} mm, under {MIN_PPI} ppi",
                          f"use an image at least {need} px wide at this size, or place it smaller")
        elif kind == "rgb" and pdfx:
            found.add(n, f"RGB colour in a PDF/X file: {item}", "use CMYK (or ICC-based) colour for print")


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
                    numbers: dict, found: _Pages) -> None:
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
    if _variant(edition).startswith("pdf/ua"):
        _check_tagged(pdf, edition, xmp, numbers, found)


def _check_tagged(pdf: pikepdf.Pdf, edition: Edition, xmp: dict, numbers: dict, found: _Pages) -> None:
    root = pdf.Root
    part = _variant(edition).removeprefix("pdf/ua-")
    hint = f"render this edition with pdf_variant {edition.pdf_variant}"
    mark_info = root.get("/MarkInfo")
    if not (isinstance(mark_info, Dictionary) and bool(mark_info.get("/Marked", False))):
        found.add(None, f"{edition.pdf_variant}: not marked as tagged (/MarkInfo /Marked true)", hint)
    if str(xmp.get("{http://www.aiim.org/pdfua/ns/id/}part", "")) != part:
        found.add(None, f"{edition.pdf_variant}: no pdfuaid:part={part} in the XMP metadata", hint)
    viewer = root.get("/ViewerPreferences")
    if not (isinstance(viewer, Dictionary) and bool(viewer.get("/DisplayDocTitle", False))):
        found.add(None, f"{edition.pdf_variant}: the title is not shown (/ViewerPreferences /DisplayDocTitle)", hint)
    tree = root.get("/StructTreeRoot")
    if not isinstance(tree, Dictionary):
        found.add(None, f"{edition.pdf_variant}: no structure tree (/StructTreeRoot): the PDF is not tagged", hint)
        return
    roles = tree.get("/RoleMap") or Dictionary()
    previous: tuple[int, str] | None = None
    for element in iter_structure(tree):
        role = _role(element, roles)
        page = _element_page(element, numbers)
        described = str(element.get("/Alt", "")).strip() or str(element.get("/ActualText", "")).strip()
        if role == "Figure" and not described:
            found.add(page, "figure without alternative text (/Alt)",
                      "give the image a description: ![what it shows](file) in the fragment")
        level = int(role[1]) if re.fullmatch(r"H[1-6]", role) else None
        if level is None:
            continue
        if previous and level > previous[0] + 1:
            found.add(page, f"heading {role} follows {previous[1]}: H{previous[0] + 1} is skipped",
                      "use the next heading level (## under #, ### under ##)", level="warning")
        previous = (level, role)
    _check_reading_order(pdf, tree, roles, numbers, found)


def _check_reading_order(pdf: pikepdf.Pdf, tree: Dictionary, roles: Dictionary, numbers: dict,
                         found: _Pages) -> None:
    """What a screen reader would miss or read out of place: text no structure element owns
    (and that is no artifact), a footnote not read right after its call or without the ID
    PDF/UA requires, a form field outside a Form element or without an accessible name, a link
    without a description."""
    owned: set[tuple] = set()
    widgets: set[tuple] = set()
    for element in iter_structure(tree):
        role = _role(element, roles)
        page = _element_page(element, numbers)
        if role == "Note":
            if not str(element.get("/ID", "")):
                found.add(page, "footnote (Note) without an ID", "PDF/UA needs one: rebuild with `invoke build --force`")
            if _read_before(element) != "Reference":
                found.add(page, "footnote not read right after its call (its Note does not follow a Reference)",
                          "rebuild with `invoke build --force`; report it if it stays")
        for kind, key in _marked_kids(element):
            (owned if kind == "mcid" else widgets if role == "Form" else set()).add(key)
    for n, page in enumerate(pdf.pages, 1):
        for mcid in _untagged(page, owned):
            found.add(n, "text outside the structure tree: a screen reader skips it" if mcid is None
                      else "marked content that belongs to no structure element: a screen reader skips it",
                      "tag it (or mark it as an artifact when it is decoration)")
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") == Name.Link and not str(annotation.get("/Contents", "")).strip():
                found.add(n, "link without a description (Contents): a screen reader cannot say where it goes",
                          "rebuild with `invoke build --force`")
            if annotation.get("/Subtype") != Name.Widget:
                continue
            field = annotation.get("/Parent", annotation)
            if not str(field.get("/TU", "")).strip():
                found.add(n, f"form field {str(field.get('/T', ''))!r} has no accessible name (TU)",
                          "give the field a label in form.yaml")
            if annotation.objgen not in widgets:
                found.add(n, f"form field {str(field.get('/T', ''))!r} is not in a Form structure element",
                          "rebuild with `invoke build --force`")


def _read_before(element: Dictionary) -> str:
    """The role of the sibling read just before ``element`` ("" for marked content or none)."""
    kids = element.get("/P", Dictionary()).get("/K")
    kids = list(kids) if isinstance(kids, Array) else []
    index = next((i for i, k in enumerate(kids) if isinstance(k, Dictionary) and k.objgen == element.objgen), 0)
    before = kids[index - 1] if index > 0 else None
    return str(before.get("/S", "/"))[1:] if isinstance(before, Dictionary) else ""


def _marked_kids(element: Dictionary) -> Iterator[tuple[str, tuple]]:
    """('mcid', (page, MCID)) and ('annotation', objgen) for what ``element`` owns directly."""
    page = element.get("/Pg")
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, Array) else [kids] if kids is not None else []):
        content = content_of(kid, page) if isinstance(kid, (int, Dictionary)) else None
        if content is not None and content.annotation is not None:
            yield "annotation", content.annotation.objgen
        elif content is not None and content.page is not None:
            yield "mcid", (content.page.objgen, content.mcid)


TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


def _untagged(page: pikepdf.Page, owned: set[tuple]) -> Iterator[int | None]:
    """MCIDs on ``page`` that no element owns, and None for text shown outside marked content."""
    stack: list[str] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            mcid = operands[1].get("/MCID") if op == "BDC" and isinstance(operands[1], Dictionary) else None
            tag = "artifact" if operands[0] == Name.Artifact else "mcid" if mcid is not None else "other"
            stack.append(tag)
            if mcid is not None and (page.obj.objgen, int(mcid)) not in owned:
                yield int(mcid)
        elif op == "EMC" and stack:
            stack.pop()
        elif op in TEXT_OPERATORS and not {"artifact", "mcid"} & set(stack):
            yield None


def iter_structure(tree: Dictionary) -> Iterator[Dictionary]:
    """Structure elements in reading order (depth first), each once."""
    seen: set = set()

    def walk(node, depth: int) -> Iterator[Dictionary]:
        if depth > 256:
            return
        if isinstance(node, Array):
            for kid in node:
                yield from walk(kid, depth)
            return
        if not isinstance(node, Dictionary) or _key(node) in seen:
            return
        seen.add(_key(node))
        if "/S" in node and node.get("/Type", Name.StructElem) == Name.StructElem:
            yield node
        if "/K" in node and node.get("/Type") not in (Name.MCR, Name.OBJR):
            yield from walk(node["/K"], depth + 1)

    yield from walk(tree.get("/K"), 0)


def _role(element: Dictionary, roles: Dictionary) -> str:
    role, hops = str(element.get("/S", "/"))[1:], 0
    while f"/{role}" in roles and hops < 16:
        mapped = str(roles[f"/{role}"])[1:]
        if mapped == role:
            break
        role, hops = mapped, hops + 1
    return role


def _element_page(element: Dictionary, numbers: dict, depth: int = 0) -> int | None:
    page = element.get("/Pg")
    if isinstance(page, Dictionary) and page.objgen in numbers:
        return numbers[page.objgen]
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, Array) else [kids]):
        if isinstance(kid, Dictionary) and depth < 32:
            number = _element_page(kid, numbers, depth + 1)
            if number:
                return number
    return None


# --- booklets ---------------------------------------------------------------------------------


def pad_booklet(pdf_bytes: bytes, colophon_text: str, *, marks: str | None = None,
                fonts: Path = FONTS) -> bytes:
    """Pad a saddle-stitch booklet with blank pages to a multiple of 4, the colophon on the last.

    The padding pages are laid out by WeasyPrint with the pack's own fonts (``templates/fonts``,
    so the colophon's font is embedded and subset like every other) at the last page's trim and
    bleed (and ``marks``, the edition's crop marks), then appended with pikepdf and given exactly
    the last page's boxes. A PDF that already has a multiple of 4 pages is returned unchanged.
    """
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    count = len(pdf.pages)
    missing = -count % 4
    if missing == 0:
        return pdf_bytes
    last = pdf.pages[-1].obj
    boxes = page_boxes(last)
    trim, bleed_box = boxes["TrimBox"], boxes["BleedBox"]
    bleed = max(0.0, min(trim[0] - bleed_box[0], trim[1] - bleed_box[1],
                         bleed_box[2] - trim[2], bleed_box[3] - trim[3]))
    with fixed_font_dates(_creation_epoch(pdf)):
        rendered = _render_padding(missing, colophon_text, trim, bleed, marks, fonts)
    padding = pikepdf.open(io.BytesIO(rendered))
    tagged = "/StructTreeRoot" in pdf.Root
    for page in padding.pages:
        own = page_boxes(page.obj)["TrimBox"]
        dx, dy = trim[0] - own[0], trim[1] - own[1]
        pdf.pages.append(page)
        added = pdf.pages[-1]
        before = f"{'/Artifact BMC ' if tagged else ''}q 1 0 0 1 {dx:.4f} {dy:.4f} cm\n".encode()
        added.contents_add(pdf.make_stream(before), prepend=True)
        added.contents_add(pdf.make_stream(b"\nQ" + (b" EMC" if tagged else b"")), prepend=False)
        for key in ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox"):
            value = _inherited(last, key) if key in ("/MediaBox", "/CropBox") else last.get(key)
            if value is not None:
                added.obj[key] = Array([float(v) for v in value])
            elif key in added.obj:
                del added.obj[key]
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


@contextmanager
def fixed_font_dates(epoch: int) -> Iterator[None]:
    """Subset fonts dated ``epoch`` (or SOURCE_DATE_EPOCH when set), not now: reproducible bytes.

    WeasyPrint subsets fonts with fontTools, which stamps each subset's ``head.modified`` with the
    current time unless SOURCE_DATE_EPOCH is set — the same PDF rendered a second later differs.
    """
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = saved or str(epoch)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]


def _creation_epoch(pdf: pikepdf.Pdf) -> int:
    """The PDF's /CreationDate (D:YYYYMMDDHHmmSS, taken as UTC) in seconds; 0 when it has none."""
    match = re.match(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?",
                     str(pdf.docinfo.get("/CreationDate", "")) if "/Info" in pdf.trailer else "")
    if not match:
        return 0
    parts = [int(v) if v else d for v, d in zip(match.groups(), (1970, 1, 1, 0, 0, 0))]
    try:
        return int(dt.datetime(*parts, tzinfo=dt.timezone.utc).timestamp())
    except ValueError:
        return 0


def _render_padding(count: int, colophon: str, trim, bleed: float, marks: str | None, fonts: Path) -> bytes:
    """``count`` pages at ``trim`` size: blank ones, then one with the colophon at its foot."""
    from weasyprint import HTML  # heavy: only when a booklet is padded

    from .pdf import ProjectFetcher

    width, height = trim[2] - trim[0], trim[3] - trim[1]
    faces = "".join(
        f'@font-face {{ font-family: "{family}"; src: url({file}); {extra} }}\n'
        for family, file, extra in (("Pack Sans", "NotoSans-Regular.ttf", ""),
                                    ("Pack Sans", "NotoSans-Bold.ttf", "font-weight: bold;"),
                                    ("Pack Arabic", "NotoNaskhArabic-Regular.ttf", ""))
        if (fonts / file).is_file())
    page = [f"size: {width:.4f}pt {height:.4f}pt;", "margin: 0;"]
    if bleed > 0:
        page.append(f"bleed: {bleed:.4f}pt;")
    if marks:
        page.append(f"marks: {marks};")
    css = (faces + f"@page {{ {' '.join(page)} }}\n"
           "html { font: 8pt/1.45 'Pack Sans', 'Pack Arabic', sans-serif; color: #111; }\n"
           "body { margin: 0; }\n"
           f".page {{ height: {height - 1:.4f}pt; box-sizing: border-box; padding: 24mm; }}\n"
           ".page + .page { break-before: page; }\n"
           ".colophon { display: flex; flex-direction: column; justify-content: flex-end; }\n"
           ".colophon p { margin: 0; white-space: pre-line; max-width: 120mm; }\n")
    blank = '<div class="page"></div>' * (count - 1)
    # the CSS sits in the document: WeasyPrint loads @font-face of a document's own stylesheets
    html = (f'<!doctype html><html><head><meta charset="utf-8"><title>colophon</title><style>{css}</style>'
            f'</head><body>{blank}<div class="page colophon"><p dir="auto">{escape(colophon.strip())}</p></div>'
            '</body></html>')
    fetcher = ProjectFetcher(fonts)
    data = HTML(string=html, base_url=str(fonts) + "/", url_fetcher=fetcher).write_pdf()
    if fetcher.refused:
        raise ValueError(f"the colophon page tried to read {fetcher.refused}")
    return data
