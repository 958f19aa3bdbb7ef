"""Fonts in → findings out: every font embedded and subset, and one of the pack's own
(templates/fonts: a glyph from the build machine's fonts makes output depend on the machine),
wherever it is used (pages, form XObjects, patterns, Type 3 fonts, annotation appearances,
form fields)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from struct import error as struct_error
from typing import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from pressroom.inspect.preflight.findings import Pages
from pressroom.pdfobjects import object_key

SUBSET = re.compile(r"^[A-Z]{6}\+")
FONT_HINT = "use only the pack's fonts (templates/fonts, declared with @font-face in templates/pack.css)"
VENDORED = Path(__file__).resolve().parents[3] / "templates" / "fonts"
FOREIGN_HINT = ("a character that none of templates/fonts has was set in a font of the build machine: "
                "vendor a font that has it into templates/fonts and add it to the font stack in templates/pack.css")


@dataclass(frozen=True)
class FontInfo:
    name: str
    subtype: str
    embedded: bool
    subset: bool
    program: tuple[str, str] | None = None  # (PostScript name, version) of the embedded font program


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
    program = program_identity(descriptor) if embedded else None
    return FontInfo(name, subtype, embedded, bool(SUBSET.match(name)), program)


@lru_cache(maxsize=8)
def vendored_fonts(folder: Path = VENDORED) -> frozenset[tuple[str, str]]:
    """(PostScript name, version) of each font file of templates/fonts."""
    from fontTools.ttLib import TTFont

    found = set()
    for path in sorted(folder.glob("*.[ot]tf")):
        with TTFont(str(path), lazy=True) as font:
            found.add(_identity(font))
    return frozenset(found)


def program_identity(descriptor: Dictionary) -> tuple[str, str] | None:
    """(PostScript name, version) from the name table of an embedded TrueType or OpenType
    program (subsets keep it); None for a program without one (Type 1, bare CFF)."""
    from fontTools.ttLib import TTFont, TTLibError

    stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
    if not isinstance(stream, Stream):
        return None
    try:
        with TTFont(io.BytesIO(stream.read_bytes()), lazy=True) as program:
            return _identity(program) if "name" in program else None
    except (TTLibError, KeyError, ValueError, AssertionError, struct_error):
        return None


def _identity(font) -> tuple[str, str]:
    names = font["name"]
    return str(names.getDebugName(6) or names.getDebugName(4) or "?"), str(names.getDebugName(5) or "")


def is_vendored(info: FontInfo, vendored: frozenset[tuple[str, str]] | None = None) -> bool:
    """The font is one of templates/fonts (same PostScript name and version); a Type 3 font,
    drawn by the PDF itself, is not."""
    return info.program is not None and info.program in (vendored if vendored is not None else vendored_fonts())


def iter_fonts(resources: Dictionary, annotations=None, seen: set | None = None) -> Iterator[Dictionary]:
    """Every font reachable from ``resources``: forms, patterns, Type 3 fonts, appearance streams."""
    seen = set() if seen is None else seen
    if not isinstance(resources, Dictionary) or object_key(resources) in seen:
        return
    seen.add(object_key(resources))
    for font in (resources.get("/Font") or Dictionary()).values():
        if isinstance(font, Dictionary) and object_key(font) not in seen:
            seen.add(object_key(font))
            yield font
            if font.get("/Subtype") == Name.Type3:
                yield from iter_fonts(font.get("/Resources"), seen=seen)
    for kind in ("/XObject", "/Pattern"):
        for item in (resources.get(kind) or Dictionary()).values():
            if isinstance(item, Stream) and object_key(item) not in seen:
                seen.add(object_key(item))
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
                if isinstance(stream, Stream) and object_key(stream) not in seen:
                    seen.add(object_key(stream))
                    yield from iter_fonts(stream.get("/Resources"), seen=seen)


def _font_problems(info: FontInfo) -> list[tuple[str, str]]:
    problems = []
    if not info.embedded:
        problems.append((f"font '{info.name}' is not embedded", FONT_HINT))
    elif not info.subset:
        problems.append((f"font '{info.name}' is embedded in full, not as a subset (no 'ABCDEF+' prefix)", FONT_HINT))
    if info.embedded and not is_vendored(info):
        what = info.program[0] if info.program else info.subtype
        problems.append((f"font '{info.name}' ({what}) is not one of the pack's fonts (templates/fonts)",
                         FOREIGN_HINT))
    return problems


def check_fonts(resources: Dictionary, n: int, found: Pages, annotations=None) -> None:
    for font in iter_fonts(resources, annotations):
        for problem, hint in _font_problems(font_info(font)):
            found.add(n, problem, hint)


def check_form_fonts(pdf: pikepdf.Pdf, found: Pages) -> None:
    form = pdf.Root.get("/AcroForm")
    if isinstance(form, Dictionary):
        for font in iter_fonts(form.get("/DR")):
            for problem, hint in _font_problems(font_info(font)):
                found.add(None, f"form fields (AcroForm /DR): {problem}", hint)
