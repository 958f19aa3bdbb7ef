"""Content streams in → findings out: images at their placed resolution, and (PDF/X) any
DeviceRGB colour, walked as a renderer walks them (CTM through q/Q/cm, form XObjects, patterns)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from pressroom.inspect.preflight.findings import UNITS_PT, Pages
from pressroom.pdfobjects import page_resources

MIN_PPI = 300
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


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


def is_rgb(space, resources: Dictionary | None = None) -> bool:
    """RGB: DeviceRGB, CalRGB or a 3-component ICC space, directly, by a resource name, or as
    the base of an Indexed space."""
    if isinstance(space, Name):
        if space == Name.DeviceRGB or str(space) == "/RGB":
            return True
        named = (resources.get("/ColorSpace") or Dictionary()) if isinstance(resources, Dictionary) else Dictionary()
        return str(space) in named and is_rgb(named[str(space)])
    if isinstance(space, Array) and len(space) >= 2 and space[0] in (Name.Indexed, Name("/I")):
        return is_rgb(space[1], resources)
    if isinstance(space, Array) and len(space) >= 2 and space[0] == Name.ICCBased:
        return isinstance(space[1], Stream) and int(space[1].get("/N", 0)) == 3  # an RGB profile
    if isinstance(space, Array) and len(space) >= 2 and space[0] == Name.CalRGB:
        return True
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
        elif isinstance(pattern, Dictionary) and is_rgb((pattern.get("/Shading") or Dictionary()).get("/ColorSpace")):
            yield "rgb", f"shading pattern {pattern_name[1:]!r} in DeviceRGB"
    stack: list[Matrix] = []
    base = ctm
    for instruction in pikepdf.parse_content_stream(stream):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            image = instruction.iimage
            yield "image", _place("inline image", image.width, image.height, ctm)
            if is_rgb(image.obj.get("/ColorSpace", image.obj.get("/CS")), resources):
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
        elif op in ("cs", "CS") and operands and is_rgb(operands[0], resources):
            yield "rgb", f"{op} {operands[0]} (DeviceRGB colour space)"
        elif op == "Do" and operands:
            xobject = (resources.get("/XObject") or Dictionary()).get(str(operands[0]))
            if not isinstance(xobject, Stream):
                continue
            if xobject.get("/Subtype") == Name.Image:
                if not xobject.get("/ImageMask", False):
                    yield "image", _place(str(operands[0])[1:], xobject.get("/Width"), xobject.get("/Height"), ctm)
                if is_rgb(xobject.get("/ColorSpace"), resources):
                    yield "rgb", f"image {str(operands[0])[1:]!r} in DeviceRGB"
            elif xobject.get("/Subtype") == Name.Form:
                inner = _mul(_matrix(xobject.get("/Matrix", IDENTITY)), ctm)
                group = xobject.get("/Group")
                if isinstance(group, Dictionary) and is_rgb(group.get("/CS")):
                    yield "rgb", "a form XObject has a DeviceRGB transparency group"
                yield from iter_content(xobject, xobject.get("/Resources", resources), inner, depth + 1)


def _resource_colours(resources: Dictionary) -> Iterator[tuple[str, object]]:
    for name, space in (resources.get("/ColorSpace") or Dictionary()).items():
        if is_rgb(space):
            yield "rgb", f"colour space {name[1:]!r} is DeviceRGB"
    for name, shading in (resources.get("/Shading") or Dictionary()).items():
        if isinstance(shading, Dictionary) and is_rgb(shading.get("/ColorSpace")):
            yield "rgb", f"shading {name[1:]!r} in DeviceRGB"


def check_content(page: pikepdf.Page, n: int, press: bool, pdfx: bool, found: Pages) -> None:
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
