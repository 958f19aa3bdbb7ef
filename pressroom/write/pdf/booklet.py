"""A laid-out PDF in → the same PDF padded to a multiple of 4 pages for saddle stitching, the
colophon on the last page."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import escape
from pathlib import Path

import pikepdf
from pikepdf import Array

from pressroom.pdfobjects import inherited, page_boxes
from pressroom.write.pdf.fetcher import ProjectFetcher
from pressroom.write.pdf.fonts import fixed_font_dates


def pad_booklet(pdf_bytes: bytes, colophon_text: str, *, marks: str | None = None,
                fonts: Path, cmyk: bool = False) -> bytes:
    """Pad a saddle-stitch booklet with blank pages to a multiple of 4, the colophon on the last.

    The padding pages are laid out by WeasyPrint with the pack's own fonts (``templates/fonts``,
    so the colophon's font is embedded and subset like every other) at the last page's trim and
    bleed (and ``marks``, the edition's crop marks), then appended with pikepdf and given exactly
    the last page's boxes. A PDF that already has a multiple of 4 pages is returned unchanged.
    ``cmyk``: the colophon in 100 % K (a PDF/X edition), not in RGB.
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
        rendered = _render_padding(missing, colophon_text, trim, bleed, marks, fonts, cmyk)
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
            value = inherited(last, key) if key in ("/MediaBox", "/CropBox") else last.get(key)
            if value is not None:
                added.obj[key] = Array([float(v) for v in value])
            elif key in added.obj:
                del added.obj[key]
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


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


def _render_padding(count: int, colophon: str, trim, bleed: float, marks: str | None, fonts: Path,
                    cmyk: bool = False) -> bytes:
    """``count`` pages at ``trim`` size: blank ones, then one with the colophon at its foot."""
    from weasyprint import HTML  # heavy: only when a booklet is padded

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
           "html { font: 8pt/1.45 'Pack Sans', 'Pack Arabic', sans-serif; "
           f"color: {'device-cmyk(0 0 0 1)' if cmyk else '#111'}; }}\n"
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
