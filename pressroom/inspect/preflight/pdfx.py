"""A PDF/X edition read as a printer's prepress desk reads it (from the file's objects; what a
render shows is ``inspect/preflight/render.py``):

- the conformance markers: XMP ``pdfxid:GTS_PDFXVersion`` naming the edition's variant,
  ``/Trapped`` True or False, a TrimBox on every page;
- the output intent: ``/GTS_PDFX`` with a CMYK destination profile, named by the edition's
  registered characterization (``OutputConditionIdentifier``, e.g. FOGRA39) with its registry;
- ink: text and rules in neutral colours are K only (never built from C, M and Y as well),
  black text is 100 % K; no DeviceRGB in annotations (colours and appearance streams);
- fonts: every embedded font program is one of ``templates/fonts`` (by the PostScript name
  and version in its own name table, which the subset keeps; the PDF's font names are the CSS
  family names and say nothing);
- the page count suits the document's binding;
- no URL is hyphenated at a line end (poppler's ``pdftotext``, where installed).
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from pressroom.inspect.preflight.findings import Pages
from pressroom.pdfobjects import object_key, page_resources

BINDINGS = {"saddle-stitch": (4, "a multiple of 4"), "perfect-bound": (2, "an even number"), "loose": (1, "")}
NEUTRAL = 0.15  # C, M, Y within this of each other: a grey, not a colour
BLACK = 0.85  # K above this (and no C, M, Y): black, which is set at 100 %
TEXT_SHOW = {"Tj", "TJ", "'", '"'}
PAINT = {"f": "fill", "F": "fill", "f*": "fill", "B": "fill", "B*": "fill", "b": "fill", "b*": "fill",
         "S": "stroke", "s": "stroke"}
THIN = 3.0  # user units (WeasyPrint draws in CSS px, 0.75 pt): a filled rectangle this thin is a rule
HYPHENS = "\u2010-\u00ad"
URLISH = re.compile(r"(https?://|www\.|\.(org|com|net|int|uk|pdf|html?)\b|/\S*/|@\S+\.)", re.IGNORECASE)
XMP_PDFX = "{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion"


def check_pdfx(pdf: pikepdf.Pdf, variant: str, condition: str, xmp: dict, found: Pages) -> None:
    """Conformance markers and the output intent."""
    wanted = variant.upper()
    have = str(xmp.get(XMP_PDFX, ""))
    hint = "render this edition with pdf_variant pdf/x-4 (content/pack.yaml)"
    if have.upper() != wanted:
        found.add(None, f"no PDF/X marker for {wanted} in the XMP metadata (pdfxid:GTS_PDFXVersion is {have!r})", hint)
    trapped = pdf.docinfo.get("/Trapped") if "/Info" in pdf.trailer else None
    if trapped not in (Name("/True"), Name("/False")):
        found.add(None, "PDF/X needs /Trapped True or False in the document information", hint)
    intents = [i for i in (pdf.Root.get("/OutputIntents") or Array()) if i.get("/S") == Name("/GTS_PDFX")]
    if not intents:
        found.add(None, "no PDF/X output intent (/OutputIntents with /S /GTS_PDFX)",
                  "give the edition an output_profile (a CMYK ICC profile under templates/) in content/pack.yaml")
        return
    intent = intents[0]
    profile = intent.get("/DestOutputProfile")
    if not isinstance(profile, Stream) or int(profile.get("/N", 0)) != 4 or profile.read_bytes()[16:20] != b"CMYK":
        found.add(None, "the output intent's profile is not a CMYK ICC profile", "use a CMYK characterization (e.g. FOGRA39)")
    identifier = str(intent.get("/OutputConditionIdentifier", ""))
    if condition and identifier != condition:
        found.add(None, f"the output intent is {identifier!r}, not the registered characterization {condition!r}",
                  "rebuild with `invoke build --force`")
    if not str(intent.get("/RegistryName", "")):
        found.add(None, "the output intent names no registry (RegistryName)", "rebuild with `invoke build --force`")
    for n, page in enumerate(pdf.pages, 1):
        if "/TrimBox" not in page.obj:
            found.add(n, "no TrimBox: PDF/X needs one on every page", "rebuild with `invoke build --force`")


# --- ink ---------------------------------------------------------------------------------------


def _cmyk(space: str, values: list[float]) -> tuple[float, ...] | None:
    if space == "gray" and len(values) == 1:
        return (0.0, 0.0, 0.0, 1.0 - values[0])
    if space == "cmyk" and len(values) == 4:
        return tuple(values)
    return None


def _space_kind(name, resources: Dictionary) -> str:
    """'cmyk', 'gray', 'rgb' or 'other' for a colour space operand of cs/CS."""
    space = name
    if isinstance(name, Name) and name not in (Name.DeviceCMYK, Name.DeviceGray, Name.DeviceRGB):
        space = (resources.get("/ColorSpace") or Dictionary()).get(str(name), name)
    if isinstance(space, Array) and len(space) >= 2 and space[0] == Name.ICCBased:
        return {4: "cmyk", 1: "gray", 3: "rgb"}.get(int(space[1].get("/N", 0)), "other")
    return {Name.DeviceCMYK: "cmyk", Name.DeviceGray: "gray", Name.DeviceRGB: "rgb"}.get(space, "other") \
        if isinstance(space, Name) else "other"


def iter_ink(stream, resources: Dictionary, depth: int = 0, state: tuple | None = None) -> Iterator[tuple[str, tuple]]:
    """('text' | 'rule' | 'area', CMYK) for what a content stream paints in grey, black or process
    colour (spot colours and patterns are left out); a rule is a stroke or a thin filled
    rectangle (CSS borders are drawn so); form XObjects and tiling patterns walked."""
    if depth > 16:
        return
    resources = resources if isinstance(resources, Dictionary) else Dictionary()
    fill, stroke = state or (("gray", [0.0]), ("gray", [0.0]))
    saved: list[tuple] = []
    thin: list[bool] = []  # for each part of the current path: is it a line or a thin rectangle?
    for instruction in pikepdf.parse_content_stream(stream):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            continue
        op, operands = str(instruction.operator), instruction.operands
        numbers = [float(v) for v in operands if isinstance(v, (int, float)) or hasattr(v, "as_integer_ratio")] \
            if op in ("g", "G", "k", "K", "sc", "SC", "scn", "SCN") else []
        if op == "q":
            saved.append((fill, stroke))
        elif op == "Q" and saved:
            fill, stroke = saved.pop()
        elif op in ("g", "k"):
            fill = ("gray" if op == "g" else "cmyk", numbers)
        elif op in ("G", "K"):
            stroke = ("gray" if op == "G" else "cmyk", numbers)
        elif op in ("cs", "CS") and operands:
            kind = _space_kind(operands[0], resources)
            first = [0.0] if kind == "gray" else [0.0, 0.0, 0.0, 1.0]
            fill, stroke = ((kind, first), stroke) if op == "cs" else (fill, (kind, first))
        elif op in ("sc", "scn"):
            fill = (fill[0], numbers)
        elif op in ("SC", "SCN"):
            stroke = (stroke[0], numbers)
        elif op == "re" and len(operands) == 4:
            thin.append(min(abs(float(operands[2])), abs(float(operands[3]))) <= THIN)
        elif op in ("m", "l", "c", "v", "y"):
            thin.append(op != "m" or not thin)  # a drawn line is a rule
        elif op in ("n", "W", "W*"):
            thin = [] if op == "n" else thin
        elif op in TEXT_SHOW or op in PAINT:
            space, values = fill if op in TEXT_SHOW or PAINT[op] == "fill" else stroke
            colour = _cmyk(space, values)
            kind = "text" if op in TEXT_SHOW else "rule" if PAINT[op] == "stroke" or (thin and all(thin)) else "area"
            if colour is not None:
                yield kind, colour
            thin = thin if op in TEXT_SHOW else []
        elif op == "Do" and operands:
            xobject = (resources.get("/XObject") or Dictionary()).get(str(operands[0]))
            if isinstance(xobject, Stream) and xobject.get("/Subtype") == Name.Form:
                yield from iter_ink(xobject, xobject.get("/Resources", resources), depth + 1, (fill, stroke))
    for pattern in (resources.get("/Pattern") or Dictionary()).values():
        if isinstance(pattern, Stream) and pattern.get("/PatternType") == 1:
            yield from iter_ink(pattern, pattern.get("/Resources"), depth + 1)


def ink_problem(kind: str, colour: tuple) -> str | None:
    """What is wrong with painting ``colour`` (C, M, Y, K from 0 to 1) as ``kind``, or None."""
    c, m, y, k = colour
    shown = "/".join(f"{round(v * 100)}" for v in colour)
    if kind == "area":
        return None  # a tint may be built from several inks
    if max(c, m, y) - min(c, m, y) <= NEUTRAL and max(c, m, y) > 0.02:
        what = "black or grey text" if kind == "text" else "a black or grey rule"
        return f"{what} built from four inks (CMYK {shown}): misregistration fringes it with colour"
    if kind == "text" and max(c, m, y) <= 0.02 and BLACK < k < 0.995:
        return f"black text at {round(k * 100)} % K (CMYK {shown}), not 100 % K"
    return None


def check_ink(page: pikepdf.Page, n: int, found: Pages) -> None:
    hint = "set black and grey in K only, black text at 100 % K: device-cmyk(0 0 0 1) (templates/edition-print.css)"
    try:
        for kind, colour in iter_ink(page, page_resources(page.obj)):
            problem = ink_problem(kind, colour)
            if problem:
                found.add(n, problem, hint)
    except (pikepdf.PdfError, ValueError, TypeError) as exc:
        found.add(n, f"the page's content cannot be read ({exc})", "rebuild it with `invoke build --force`")
    for annotation in page.obj.get("/Annots") or Array():
        if not isinstance(annotation, Dictionary):
            continue
        for key in ("/C", "/IC"):
            if isinstance(annotation.get(key), Array) and len(annotation[key]) == 3:
                found.add(n, f"RGB colour in a PDF/X file: an annotation's {key[1:]} colour",
                          "print editions carry no annotations: rebuild with `invoke build --force`")


# --- fonts ------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def pack_fonts(folder: Path) -> dict[tuple[str, str], str]:
    """(PostScript name, version) → family and style, for each font file in ``folder``."""
    from fontTools.ttLib import TTFont

    fonts = {}
    for path in sorted(folder.glob("*.[ot]tf")):
        with TTFont(path, lazy=True) as font:
            names = font["name"]
            key = (str(names.getDebugName(6)), f"{font['head'].fontRevision:.3f}")
            fonts[key] = f"{names.getDebugName(1)} {names.getDebugName(2)}".replace(" Regular", "")
    return fonts


def font_program(font: Dictionary) -> bytes | None:
    descriptor = font.get("/FontDescriptor")
    if font.get("/Subtype") == Name.Type0 and isinstance(font.get("/DescendantFonts"), Array):
        descriptor = font.DescendantFonts[0].get("/FontDescriptor")
    if not isinstance(descriptor, Dictionary):
        return None
    for key in ("/FontFile2", "/FontFile3", "/FontFile"):
        if isinstance(descriptor.get(key), Stream):
            return descriptor[key].read_bytes()
    return None


def program_identity(data: bytes) -> tuple[tuple[str, str], str] | None:
    """((PostScript name, version), family and style) from an embedded TrueType/OpenType program."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(io.BytesIO(data), lazy=True) as font:
            names = font["name"]
            style = f"{names.getDebugName(1)} {names.getDebugName(2)}".replace(" Regular", "")
            return (str(names.getDebugName(6)), f"{font['head'].fontRevision:.3f}"), style
    except (TTLibError, KeyError, AssertionError, struct.error):
        return None


def check_font_origin(fonts: list[Dictionary], n: int, folder: Path, found: Pages, seen: set) -> None:
    known = pack_fonts(folder)
    for font in fonts:
        if object_key(font) in seen or font.get("/Subtype") == Name.Type3:
            continue
        seen.add(object_key(font))
        data = font_program(font)
        identity = program_identity(data) if data else None
        name = str(font.get("/BaseFont", "/?"))[1:]
        if identity is None:
            continue  # not embedded, or not TrueType: the embedding check reports it
        (postscript, version), style = identity
        if (postscript, version) not in known:
            found.add(n, f"font '{name}' is {style} ({postscript} {version}), not one of the pack's fonts",
                      "use only the fonts in templates/fonts (a system font was used: check font-family)")


# --- page count and hyphenation ----------------------------------------------------------------


def binding_problem(count: int, binding: str) -> str | None:
    step, wanted = BINDINGS.get(binding, (1, ""))
    if count % step:
        return f"{count} pages: a {binding} document needs {wanted}"
    return None


def hyphenated_urls(path: Path) -> list[tuple[int, str]] | None:
    """(page, the broken word) for each line that ends in a hyphen inside a URL; None without pdftotext."""
    if shutil.which("pdftotext") is None:
        return None
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, timeout=120).stdout
    broken = []
    for n, page in enumerate(text.split("\f"), 1):
        lines = [line.rstrip() for line in page.splitlines()]
        for line, after in zip(lines, lines[1:] + [""]):
            words = line.split()
            if not words or words[-1][-1] not in HYPHENS or len(words[-1]) < 2:
                continue
            joined = words[-1][:-1] + (after.split() or [""])[0]
            if URLISH.search(joined):
                broken.append((n, words[-1]))
    return broken
