"""Pages: the cover section, the body's A4 section with its running header and "Page X of Y"
footer, in the document's direction.

The cover is a section of its own with no margins at the top and sides, so that the yellow band
(the Cover Band style: shading, with the organisation at its foot) runs to the page's edges as
in the PDF; its page has no header or footer. The body's section follows on a new page.
"""

from __future__ import annotations

import re

from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

from pressroom.write.docx import ooxml

A4 = ("11906", "16838")  # twentieths of a point
BODY_MARGINS = {"w:top": Mm(24), "w:right": Mm(22), "w:bottom": Mm(26), "w:left": Mm(24),
                "w:header": Mm(12), "w:footer": Mm(12), "w:gutter": 0}
COVER_MARGINS = {"w:top": 0, "w:right": 0, "w:bottom": Mm(20), "w:left": 0, "w:header": 0, "w:footer": 0,
                 "w:gutter": 0}
BAND_LINES = 11  # the band's height in lines of the Cover Band style (its line spacing is exact)


def twips(length) -> str:
    return str(int(round(length / 635))) if length else "0"  # EMU → twentieths of a point


def page_setup(section, title: str, page_label: str, rtl: bool) -> None:
    """The body's section: A4, margins, header (the title) and footer (Page X of Y)."""
    sect = section._sectPr
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = BODY_MARGINS["w:top"], BODY_MARGINS["w:bottom"]
    section.left_margin, section.right_margin = BODY_MARGINS["w:left"], BODY_MARGINS["w:right"]
    section.header_distance, section.footer_distance = BODY_MARGINS["w:header"], BODY_MARGINS["w:footer"]
    section.different_first_page_header_footer = False
    header = section.header.paragraphs[0]._p
    _restyle(header, "Header", rtl)
    header.append(ooxml.text_run(title, _run_properties(rtl)))
    footer = section.footer.paragraphs[0]._p
    _restyle(footer, "Footer", rtl)
    for index, part in enumerate(re.split(r"\{(page|pages)\}", page_label)):
        if index % 2:
            footer.extend(ooxml.field("PAGE" if part == "page" else "NUMPAGES",
                                      properties=lambda: _run_properties(rtl)))
        elif part:
            footer.append(ooxml.text_run(part, _run_properties(rtl)))
    if rtl:  # sectPr order (ECMA-376 §17.6.17): bidi comes before docGrid
        grid = sect.find(qn("w:docGrid"))
        bidi = ooxml.element("w:bidi")
        grid.addprevious(bidi) if grid is not None else sect.append(bidi)


def _restyle(paragraph: etree._Element, style: str, rtl: bool) -> None:
    for child in list(paragraph):
        paragraph.remove(child)
    properties = ooxml.element("w:pPr", None, ooxml.element("w:pStyle", {"w:val": style}))
    if rtl:
        properties.append(ooxml.element("w:bidi"))
    paragraph.append(properties)


def _run_properties(rtl: bool) -> etree._Element | None:
    """Runs of a right-to-left header or footer are right to left too: the numbers of
    "الصفحة 3 من 11" then stand in the order the words give them."""
    return ooxml.element("w:rPr", None, ooxml.element("w:rtl")) if rtl else None


def cover_section_break(rtl: bool) -> etree._Element:
    """The paragraph that ends the cover's section: no margins at the top and sides, no
    header or footer, the next section on a new page."""
    sect = ooxml.element("w:sectPr", None,
                         ooxml.element("w:type", {"w:val": "nextPage"}),
                         ooxml.element("w:pgSz", {"w:w": A4[0], "w:h": A4[1]}),
                         ooxml.element("w:pgMar", {k: twips(v) for k, v in COVER_MARGINS.items()}))
    if rtl:
        sect.append(ooxml.element("w:bidi"))
    properties = ooxml.element("w:pPr", None, ooxml.element("w:pStyle", {"w:val": "CoverMeta"}))
    if rtl:
        properties.append(ooxml.element("w:bidi"))
    properties.append(sect)
    return ooxml.element("w:p", None, properties)


def band(paragraph, organisation: str, run_properties) -> None:
    """The band's height as empty lines, the organisation near its foot, one line below it;
    ``paragraph(style)`` adds a paragraph. Shaded alike, the three read as one band."""
    top = paragraph("Cover Band")
    for _ in range(BAND_LINES - 1):
        top.append(ooxml.element("w:r", None, ooxml.element("w:br")))
    paragraph("Cover Organisation").append(ooxml.text_run(organisation, run_properties()))
    paragraph("Cover Band")
