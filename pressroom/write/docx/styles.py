"""The pack's Word styles: those ``templates/reference.docx`` lacks are added with the pack's
look, and ``invoke reference-docx`` writes a reference document holding them all."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt, RGBColor

from pressroom.write.docx import ooxml

# name: (type, base, font, size pt, bold, italic, space after pt) — the pack's look, added when
# reference.docx lacks the style (an edited reference.docx wins).
STYLES = {
    "Footnote Text": ("p", "Normal", "Noto Serif", 8, False, False, 2),
    "Footnote Reference": ("c", None, None, None, False, False, None),
    "Hyperlink": ("c", None, None, None, False, False, None),
    "Definition": ("p", "Normal", "Noto Sans", 9, False, False, 4),
    "Lead": ("p", "Normal", "Noto Sans", 12.5, False, False, 8),
    "Back Cover": ("p", "Normal", "Noto Sans", 10.5, False, False, 6),
    "Attribution": ("p", "Normal", "Noto Sans", 8.5, True, False, 10),
    "Cover Meta": ("p", "Normal", "Noto Sans", 9, False, False, 2),
    "Contents 1": ("p", "Normal", "Noto Sans", 10.5, True, False, 3),
    "Contents 2": ("p", "Normal", "Noto Sans", 9, False, False, 1),
    "Form Label": ("p", "Normal", "Noto Sans", 9.5, True, False, 2),
    "Form Answer": ("p", "Normal", "Noto Sans", 10, False, False, 6),
    "Form Help": ("p", "Normal", "Noto Sans", 8, False, True, 6),
    "Bibliography": ("p", "Normal", "Noto Serif", 9, False, False, 4),
}


def ensure_styles(document) -> None:
    """Add the pack's styles that the reference document lacks."""
    existing = {s.name for s in document.styles}
    for name, (kind, base, font, size, bold, italic, after) in STYLES.items():
        if name in existing:
            continue
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH if kind == "p" else WD_STYLE_TYPE.CHARACTER)
        if base:
            style.base_style = document.styles[base]
        if font:
            style.font.name = font
        if size:
            style.font.size = Pt(size)
        style.font.bold, style.font.italic = bold or None, italic or None
        if after is not None:
            style.paragraph_format.space_after = Pt(after)
    document.styles["Footnote Reference"].font.superscript = True
    document.styles["Hyperlink"].font.underline = True
    document.styles["Hyperlink"].font.color.rgb = RGBColor(0x11, 0x11, 0x11)


def make_reference(path: Path) -> None:
    """Write a reference.docx with the pack's styles (``invoke reference-docx``)."""
    document = docx.Document()
    ensure_styles(document)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Noto Serif", Pt(10)
    for level, size in ((1, 18), (2, 13), (3, 11), (4, 10)):
        heading = document.styles[f"Heading {level}"]
        heading.font.name, heading.font.size, heading.font.bold = "Noto Sans", Pt(size), True
        heading.font.color.rgb = RGBColor(0x11, 0x11, 0x11)
    for name in ("Title", "Subtitle"):
        document.styles[name].font.name = "Noto Sans"
        document.styles[name].font.color.rgb = RGBColor(0x11, 0x11, 0x11)
    out = io.BytesIO()
    document.save(out)
    path.write_bytes(ooxml.reproducible_zip(out.getvalue(), drop=("word/stylesWithEffects.xml",)))
