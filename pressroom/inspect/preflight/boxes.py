"""Page boxes in → findings out: TrimBox is the pack's trim, the BleedBox is the TrimBox grown
by the edition's bleed, the MediaBox holds them."""

from __future__ import annotations

from pikepdf import Dictionary

from pressroom.inspect.preflight.findings import UNITS_PT, Pages
from pressroom.model import Edition
from pressroom.pdfobjects import page_boxes

TOLERANCE = 0.5  # points


def _size(box) -> str:
    return f"{(box[2] - box[0]) / UNITS_PT['mm']:.1f} × {(box[3] - box[1]) / UNITS_PT['mm']:.1f} mm"


def _same(a, b) -> bool:
    return all(abs(x - y) <= TOLERANCE for x, y in zip(a, b))


def _contains(outer, inner) -> bool:
    return (outer[0] <= inner[0] + TOLERANCE and outer[1] <= inner[1] + TOLERANCE
            and outer[2] >= inner[2] - TOLERANCE and outer[3] >= inner[3] - TOLERANCE)


def check_boxes(page: Dictionary, n: int, trim_size: tuple[float, float], bleed: float | None,
                 edition: Edition, found: Pages) -> None:
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
