"""Reading PDF objects the way the PDF writer's finishing and the inspection both need to:
page boxes with the spec's inheritance and defaults, a page's resources, and what a structure
element's kid owns. Imports no stage; pikepdf only.
"""

from __future__ import annotations

from dataclasses import dataclass

from pikepdf import Dictionary, Name

A4 = (595.28, 841.89)  # the pack's trim (templates/pack.css: @page { size: A4 })


def inherited(page: Dictionary, key: str):
    node, depth = page, 0
    while isinstance(node, Dictionary) and depth < 64:
        if key in node:
            return node[key]
        node, depth = node.get("/Parent"), depth + 1
    return None


def box(value) -> tuple[float, float, float, float] | None:
    try:
        x0, y0, x1, y1 = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def page_boxes(page: Dictionary) -> dict[str, tuple[float, float, float, float]]:
    """MediaBox, CropBox, BleedBox, TrimBox with the defaults of the PDF spec (Crop → Media, …)."""
    media = box(inherited(page, "/MediaBox")) or (0.0, 0.0, *A4)
    crop = box(inherited(page, "/CropBox")) or media
    bleed = box(page.get("/BleedBox")) or crop
    trim = box(page.get("/TrimBox")) or crop
    return {"MediaBox": media, "CropBox": crop, "BleedBox": bleed, "TrimBox": trim}


def page_resources(page: Dictionary) -> Dictionary:
    resources = inherited(page, "/Resources")
    return resources if isinstance(resources, Dictionary) else Dictionary()


def object_key(obj) -> tuple[int, int] | int:
    """An object's identity while walking a file: its object number, or (direct objects) its id."""
    objgen = obj.objgen
    return objgen if objgen != (0, 0) else id(obj)


@dataclass(eq=False)
class Content:
    """Marked content (page, MCID) or an annotation, as owned by a structure element."""

    page: Dictionary
    mcid: int | None = None
    annotation: Dictionary | None = None


def content_of(kid, page: Dictionary | None) -> Content | None:
    """A structure element's kid as the content it owns (an MCID, a marked-content reference, an
    annotation), on ``page`` unless it names its own; None when the kid is an element."""
    if isinstance(kid, int):
        return Content(page, mcid=int(kid))
    if kid.get("/Type") == Name.MCR:
        return Content(kid.get("/Pg", page), mcid=int(kid.MCID))
    if kid.get("/Type") == Name.OBJR:
        return Content(kid.get("/Pg", page), annotation=kid.Obj)
    return None
