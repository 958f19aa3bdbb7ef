"""A PDF/X edition's last pass, in pikepdf: the PDF a press accepts.

WeasyPrint 70 writes a PDF/X-4 file with CMYK colour (``device-cmyk()``), the ``@color-profile``
as its output intent, a TrimBox and a BleedBox; what it leaves, this pass does:

- **book form**: blank pages so that the page count suits the document's binding (a multiple of
  4 for saddle stitching, even for perfect binding, as is when loose), inserted before the back
  cover so that the back cover stays the last page;
- **slug and marks**: the MediaBox grown by ``SLUG`` beyond the BleedBox, and crop marks and
  registration targets drawn there in the Registration colour (``/Separation /All``: on every
  plate), starting ``MARK_GAP`` outside the BleedBox — never inside it. (WeasyPrint's own
  ``marks`` are drawn inside the bleed, with MediaBox = BleedBox: a printer trims them into the
  page.) The BleedBox is set to exactly the edition's bleed (WeasyPrint sets up to 10 pt);
- **output intent**: named by its registered characterization (``OutputConditionIdentifier``,
  e.g. FOGRA39, in the ICC registry) rather than the profile's file name;
- **no live annotations**: links are for screens; paper has no use for them and PDF/X allows
  none inside the BleedBox (cross-document links are already text with page numbers);
- **reproducible bytes**: WeasyPrint stamps PDF/X files with a random XMP DocumentID: it is
  derived from the target instead.
"""

from __future__ import annotations

import io
import re
import uuid

import pikepdf
from pikepdf import Array, Dictionary, Name, String

MM = 72 / 25.4
SLUG = 10 * MM  # beyond the bleed, for the marks
MARK_GAP = 1 * MM  # between the BleedBox and the start of a crop mark
MARK_LENGTH = 5 * MM
MARK_WIDTH = 0.25  # pt
TARGET_RADIUS = 2.2 * MM
REGISTRY = "http://www.color.org"
PAD_TO = {"saddle-stitch": 4, "perfect-bound": 2, "loose": 1}
REGISTRATION = "PRall"  # the colour space resource name of the marks


def css_length(value: str) -> float:
    """'3mm', '0.125in', '8.5pt' in points (0 for anything else: pack.yaml is read first)."""
    units = {"pt": 1.0, "mm": MM, "cm": 10 * MM, "in": 72.0, "px": 0.75}
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(pt|mm|cm|in|px)\s*", value or "", re.IGNORECASE)
    return float(match.group(1)) * units[match.group(2).lower()] if match else 0.0


def pages_to_add(count: int, binding: str) -> int:
    """Blank pages that make ``count`` suit ``binding``."""
    return -count % PAD_TO.get(binding, 1)


def prepress(data: bytes, *, bleed: float, marks: str, binding: str, back_cover: bool,
             condition: str, identifier: str) -> bytes:
    """The finished print PDF: padded for ``binding``, boxes and marks set, output intent named."""
    pdf = pikepdf.open(io.BytesIO(data))
    _pad(pdf, pages_to_add(len(pdf.pages), binding), before_last=back_cover)
    registration = pdf.make_indirect(Array([
        Name.Separation, Name.All, Name.DeviceCMYK,
        Dictionary(FunctionType=2, Domain=Array([0, 1]), C0=Array([0, 0, 0, 0]), C1=Array([1, 1, 1, 1]), N=1)]))
    for page in pdf.pages:
        _boxes(page.obj, bleed)
        if "/Annots" in page.obj:
            del page.obj["/Annots"]
        _draw_marks(pdf, page, bleed, marks, registration)
    _name_output_intent(pdf, condition)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["xmpMM:DocumentID"] = f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'pressroom:' + identifier)}"
        meta["xmpMM:InstanceID"] = f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'pressroom:' + identifier + ':1')}"
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _pad(pdf: pikepdf.Pdf, count: int, *, before_last: bool) -> None:
    """``count`` blank pages with the boxes of the last page, before it or after it."""
    if count <= 0:
        return
    last = pdf.pages[-1].obj
    for _ in range(count):
        blank = pdf.make_indirect(Dictionary(
            Type=Name.Page, Resources=Dictionary(), Contents=pdf.make_stream(b""),
            MediaBox=Array([float(v) for v in last.MediaBox]),
            TrimBox=Array([float(v) for v in last.TrimBox]),
            BleedBox=Array([float(v) for v in last.get("/BleedBox", last.TrimBox)])))
        if before_last and len(pdf.pages) > 1:
            pdf.pages.insert(len(pdf.pages) - 1, pikepdf.Page(blank))
        else:
            pdf.pages.append(pikepdf.Page(blank))


def _boxes(page: Dictionary, bleed: float) -> None:
    x0, y0, x1, y1 = (float(v) for v in page.TrimBox)
    page.BleedBox = Array([x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed])
    page.MediaBox = Array([x0 - bleed - SLUG, y0 - bleed - SLUG, x1 + bleed + SLUG, y1 + bleed + SLUG])
    for key in ("/CropBox", "/ArtBox"):  # both default to the MediaBox: the marks are seen
        if key in page:
            del page[key]


def mark_paths(trim: tuple[float, float, float, float], bleed: float, marks: str) -> list[str]:
    """Crop marks (``crop``) and registration targets (``cross``) around ``trim``, as PDF paths
    (stroked by the caller), all outside the BleedBox."""
    x0, y0, x1, y1 = trim
    start, end = bleed + MARK_GAP, bleed + MARK_GAP + MARK_LENGTH
    paths = []
    if "crop" in marks.split():
        for x, dx in ((x0, -1), (x1, 1)):
            for y, dy in ((y0, -1), (y1, 1)):
                paths.append(f"{x + dx * start:.3f} {y:.3f} m {x + dx * end:.3f} {y:.3f} l")
                paths.append(f"{x:.3f} {y + dy * start:.3f} m {x:.3f} {y + dy * end:.3f} l")
    if "cross" in marks.split():
        r, centre = TARGET_RADIUS, bleed + MARK_GAP + SLUG / 2
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        for px, py in ((cx, y0 - centre), (cx, y1 + centre), (x0 - centre, cy), (x1 + centre, cy)):
            paths.append(_circle(px, py, r))
            paths.append(f"{px - 1.4 * r:.3f} {py:.3f} m {px + 1.4 * r:.3f} {py:.3f} l "
                         f"{px:.3f} {py - 1.4 * r:.3f} m {px:.3f} {py + 1.4 * r:.3f} l")
    return paths


def _circle(x: float, y: float, r: float) -> str:
    k = 0.5523 * r  # four Bézier quarters
    return (f"{x + r:.3f} {y:.3f} m {x + r:.3f} {y + k:.3f} {x + k:.3f} {y + r:.3f} {x:.3f} {y + r:.3f} c "
            f"{x - k:.3f} {y + r:.3f} {x - r:.3f} {y + k:.3f} {x - r:.3f} {y:.3f} c "
            f"{x - r:.3f} {y - k:.3f} {x - k:.3f} {y - r:.3f} {x:.3f} {y - r:.3f} c "
            f"{x + k:.3f} {y - r:.3f} {x + r:.3f} {y - k:.3f} {x + r:.3f} {y:.3f} c")


def _draw_marks(pdf: pikepdf.Pdf, page: pikepdf.Page, bleed: float, marks: str, registration) -> None:
    trim = tuple(float(v) for v in page.obj.TrimBox)
    paths = mark_paths(trim, bleed, marks or "")  # type: ignore[arg-type]
    if not paths:
        return
    resources = page.obj.get("/Resources")
    if not isinstance(resources, Dictionary):
        page.obj.Resources = resources = Dictionary()
    if "/ColorSpace" not in resources:
        resources.ColorSpace = Dictionary()
    resources.ColorSpace[f"/{REGISTRATION}"] = registration
    drawing = [f"/{REGISTRATION} CS 1 SCN {MARK_WIDTH} w 0 J 0 j [] 0 d"] + [f"{p} S" for p in paths]
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)  # the page's own state stays its own
    page.contents_add(pdf.make_stream(("\nQ q\n" + "\n".join(drawing) + "\nQ\n").encode()), prepend=False)


def _name_output_intent(pdf: pikepdf.Pdf, condition: str) -> None:
    """The output intent says which registered printing condition its profile characterizes."""
    intents = pdf.Root.get("/OutputIntents")
    if not isinstance(intents, Array) or not len(intents):
        return
    intent = intents[0]
    description = profile_description(intent.get("/DestOutputProfile")) or condition
    intent.OutputConditionIdentifier = String(condition)
    intent.RegistryName = String(REGISTRY)
    intent.OutputCondition = String(description)
    intent.Info = String(description)


def profile_description(stream) -> str:
    """An ICC profile's own description ('desc'), read by Pillow's littleCMS; "" if unreadable."""
    if not isinstance(stream, pikepdf.Stream):
        return ""
    from PIL import ImageCms

    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(stream.read_bytes())).profile.profile_description.strip()
    except (OSError, ImageCms.PyCMSError, ValueError):
        return ""
