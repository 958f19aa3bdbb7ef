"""Fonts in → findings out: every font embedded and subset, wherever it is used (pages, form
XObjects, patterns, Type 3 fonts, annotation appearances, form fields)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from pressroom.inspect.preflight.findings import Pages
from pressroom.pdfobjects import object_key

SUBSET = re.compile(r"^[A-Z]{6}\+")
FONT_HINT = "use only the pack's fonts (templates/fonts, declared with @font-face in templates/pack.css)"


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


def _font_problems(info: FontInfo) -> list[str]:
    problems = []
    if not info.embedded:
        problems.append(f"font '{info.name}' is not embedded")
    elif not info.subset:
        problems.append(f"font '{info.name}' is embedded in full, not as a subset (no 'ABCDEF+' prefix)")
    return problems


def check_fonts(resources: Dictionary, n: int, found: Pages, annotations=None) -> None:
    for font in iter_fonts(resources, annotations):
        for problem in _font_problems(font_info(font)):
            found.add(n, problem, FONT_HINT)


def check_form_fonts(pdf: pikepdf.Pdf, found: Pages) -> None:
    form = pdf.Root.get("/AcroForm")
    if isinstance(form, Dictionary):
        for font in iter_fonts(form.get("/DR")):
            for problem in _font_problems(font_info(font)):
                found.add(None, f"form fields (AcroForm /DR): {problem}", FONT_HINT)
