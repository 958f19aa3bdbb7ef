"""A PDF/X edition as the press will print it: Ghostscript renders every page in CMYK
(``tiff32nc``, the whole MediaBox, no anti-aliasing) and the pixels are read:

- **bleed**: along each edge of the trim, a pixel printed at the trim edge must be printed out
  to the bleed edge (a trim-touching colour that is white in the bleed shows as a white sliver
  when the cut drifts), and a pixel in the bleed where the trim edge is white is something drawn
  inside the BleedBox that is not the page (a mark inside the bleed, a stray object);
- **marks**: the slug (outside the BleedBox) holds crop marks at each corner when the edition
  asks for them;
- **total area coverage**: C + M + Y + K of each pixel inside the BleedBox, its maximum against
  the characterization's ink limit (300 % for FOGRA39 sheet-fed offset by default) — per pixel,
  not a page average (Ghostscript's ``inkcov`` averages).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from pressroom.inspect.preflight.findings import Pages

DPI = 72  # 3 mm of bleed is 8 pixels
PRINTED = 8  # C + M + Y + K (each 0-255) above which a pixel counts as printed: about 3 % of one ink
MM = 25.4 / DPI
BLEED_HINT = "extend the element to the bleed edge (as the cover band in templates/edition-print.css)"
STRAY_HINT = ("marks belong in the slug, outside the BleedBox (rebuild with `invoke build --force`); "
              "keep every other object inside the trim or bleeding off it")


@dataclass(frozen=True)
class PageRender:
    """One page's ink total per pixel (mode "I", 0-1020) and its boxes in pixels (left, top, right, bottom)."""

    total: object
    trim: tuple[int, int, int, int]
    bleed: tuple[int, int, int, int]


def renders(path: Path, boxes: list[dict]) -> Iterator[PageRender]:
    """Each page of ``path`` rendered by Ghostscript; raises RuntimeError when it cannot render."""
    from PIL import Image, ImageMath, ImageSequence

    with tempfile.TemporaryDirectory(prefix="pressroom-preflight-") as tmp:
        out = Path(tmp) / "pages.tif"
        done = subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiff32nc", "-sCompression=lzw",
                               f"-r{DPI}", f"-sOutputFile={out}", str(path)], capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not out.is_file():
            raise RuntimeError((done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"])
        with Image.open(out) as tif:
            for frame, page in zip(ImageSequence.Iterator(tif), boxes):
                c, m, y, k = (channel.convert("I") for channel in frame.split())
                total = ImageMath.lambda_eval(lambda a: a["c"] + a["m"] + a["y"] + a["k"], c=c, m=m, y=y, k=k)
                media = page["MediaBox"]
                yield PageRender(total, _pixels(page["TrimBox"], media, total.size),
                                 _pixels(page["BleedBox"], media, total.size))


def _pixels(box, media, size) -> tuple[int, int, int, int]:
    scale = DPI / 72
    return (max(0, round((box[0] - media[0]) * scale)), max(0, round((media[3] - box[3]) * scale)),
            min(size[0], round((box[2] - media[0]) * scale)), min(size[1], round((media[3] - box[1]) * scale)))


def _edges(trim, bleed) -> dict[str, list[tuple[tuple[int, int], list[tuple[int, int]]]]]:
    """Per edge: each pixel just inside the trim, with the bleed pixels outside it (outermost first)."""
    left, top, right, bottom = trim
    b_left, b_top, b_right, b_bottom = bleed
    return {
        "top": [((x, top), [(x, y) for y in range(b_top, top)]) for x in range(left, right)],
        "bottom": [((x, bottom - 1), [(x, y) for y in range(b_bottom - 1, bottom - 1, -1)]) for x in range(left, right)],
        "left": [((left, y), [(x, y) for x in range(b_left, left)]) for y in range(top, bottom)],
        "right": [((right - 1, y), [(x, y) for x in range(b_right - 1, right - 1, -1)]) for y in range(top, bottom)],
    }


def check_bleed(page: PageRender, n: int, found: Pages) -> None:
    pixel = page.total.load()
    for side, samples in _edges(page.trim, page.bleed).items():
        short = stray = 0
        for edge, across in samples:
            if not across:
                continue
            if pixel[edge] > PRINTED:
                short += pixel[across[0]] <= PRINTED
            else:
                stray += any(pixel[p] > PRINTED for p in across)
        if short:
            found.add(n, f"colour at the {side} edge stops short of the bleed edge ({short * MM:.0f} mm of the edge): "
                         "a white sliver shows if the cut drifts", BLEED_HINT)
        if stray:
            found.add(n, f"something is drawn inside the bleed at the {side} edge where the page is white "
                         f"({stray * MM:.0f} mm of the edge): a mark or stray object inside the BleedBox", STRAY_HINT)
    left, top, right, bottom = page.trim
    b_left, b_top, b_right, b_bottom = page.bleed
    corners = (((left, top), (b_left, b_top, left, top)), ((right - 1, top), (right, b_top, b_right, top)),
               ((left, bottom - 1), (b_left, bottom, left, b_bottom)), ((right - 1, bottom - 1), (right, bottom, b_right, b_bottom)))
    for corner, region in corners:
        if region[2] > region[0] and region[3] > region[1] and pixel[corner] <= PRINTED \
                and page.total.crop(region).getextrema()[1] > PRINTED:
            found.add(n, "something is drawn in a corner of the bleed where the page's corner is white "
                         "(a crop mark inside the BleedBox?)", STRAY_HINT)


def check_slug_marks(page: PageRender, n: int, found: Pages) -> None:
    """Crop marks at each corner of the slug: ink outside the BleedBox, in line with the trim."""
    width, height = page.total.size
    left, top, right, bottom = page.trim
    b_left, b_top, b_right, b_bottom = page.bleed
    reach = 2  # pixels either side of the trim line
    regions = [(0, top - reach, b_left, top + reach), (left - reach, 0, left + reach, b_top),
               (b_right, top - reach, width, top + reach), (right - reach, 0, right + reach, b_top),
               (0, bottom - reach, b_left, bottom + reach), (left - reach, b_bottom, left + reach, height),
               (b_right, bottom - reach, width, bottom + reach), (right - reach, b_bottom, right + reach, height)]
    missing = [r for r in regions if r[2] <= r[0] or r[3] <= r[1] or page.total.crop(r).getextrema()[1] <= PRINTED]
    if missing:
        found.add(n, f"{len(missing)} of the 8 crop marks missing from the slug (outside the BleedBox)",
                  "rebuild with `invoke build --force` (the edition's marks: crop)")


def check_coverage(page: PageRender, n: int, limit: float, condition: str, found: Pages) -> float:
    """The highest C + M + Y + K of a pixel inside the BleedBox (in %), reported over ``limit``."""
    from PIL import ImageMath

    inside = page.total.crop(page.bleed)
    highest = inside.getextrema()[1] * 100 / 255
    if highest > limit + 0.5:
        threshold = (limit + 0.5) * 255 / 100
        over = ImageMath.lambda_eval(lambda a: (a["t"] > threshold) * 255, t=inside).convert("L").getbbox()
        where = ""
        if over:
            dx, dy = page.bleed[0] - page.trim[0], page.bleed[1] - page.trim[1]
            where = f" at {(over[0] + dx) * MM:.0f} mm from the left, {(over[1] + dy) * MM:.0f} mm from the top of the trim"
        found.add(n, f"total ink {highest:.0f} %{where}, over the {limit:.0f} % limit of {condition or 'the output intent'}",
                  "lighten that colour, or convert the image with the edition's output profile (templates/icc/)")
    return highest


def check_rendered(path: Path, boxes: list[dict], found: Pages, *, limit: float, condition: str,
                   crop_marks: bool) -> float | None:
    """Every render check of one PDF/X file; returns its highest total ink (None: not rendered)."""
    if shutil.which("gs") is None:
        found.add(None, "not checked as printed (bleed, marks, total ink): Ghostscript is not installed",
                  "apt-get install ghostscript", level="warning")
        return None
    highest = 0.0
    try:
        for n, page in enumerate(renders(path, boxes), 1):
            check_bleed(page, n, found)
            if crop_marks:
                check_slug_marks(page, n, found)
            highest = max(highest, check_coverage(page, n, limit, condition, found))
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
        found.add(None, f"Ghostscript cannot render this file ({exc})", "rebuild it with `invoke build --force`")
        return None
    return highest
