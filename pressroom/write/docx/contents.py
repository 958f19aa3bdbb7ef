"""The table of contents as Word makes it: a ``TOC \\o "1-3" \\h \\z \\u`` field over Heading 1–3
whose cached result is already the entries (a hyperlink to each heading's bookmark, a dotted
tab, a ``PAGEREF`` to the page), so that it reads right before anyone updates it; the settings'
``w:updateFields`` has Word refresh it, page numbers and all, when the file is opened.

Page numbers are estimated from the written body: each paragraph's lines from its length and
its style's size and spacing, footnote text on the page that calls it, page breaks where the
styles or the text put them. LibreOffice shows the cached result as it is (it does not update
fields when converting); Word replaces it on opening.
"""

from __future__ import annotations

import math

from docx.oxml.ns import qn
from lxml import etree

from pressroom.write.docx import ooxml

INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'
PAGE_HEIGHT_PT = (297 - 24 - 26) / 25.4 * 72  # A4 less the body's top and bottom margins
TEXT_WIDTH_PT = (210 - 24 - 22) / 25.4 * 72
AVERAGE_ADVANCE = 0.5  # of the font size: Noto Serif and Sans over running text


def entry(level: int, anchor: str, first: bool, style_id: str) -> tuple[etree._Element, etree._Element]:
    """A contents paragraph (its runs to be filled by the caller into the returned hyperlink),
    opening the TOC field if ``first``. The page number run is found again by ``fill_pages``."""
    paragraph = ooxml.element("w:p", None, ooxml.element("w:pPr", None, ooxml.element("w:pStyle", {"w:val": style_id})))
    if first:
        paragraph.extend(ooxml.field_start(INSTRUCTION, dirty=True))
    link = ooxml.element("w:hyperlink", {"w:anchor": anchor, "w:history": "1"})
    paragraph.append(link)
    return paragraph, link


def close_entry(link: etree._Element, anchor: str) -> None:
    """The tab and the PAGEREF field that end an entry."""
    link.append(ooxml.element("w:r", None, ooxml.element("w:tab")))
    link.extend(ooxml.field(f"PAGEREF {anchor} \\h", placeholder="1"))


def close_field(paragraph: etree._Element) -> None:
    paragraph.append(ooxml.element("w:r", None, ooxml.element("w:fldChar", {"w:fldCharType": "end"})))


def fill_pages(body: etree._Element, footnotes: etree._Element, styles) -> dict[str, int]:
    """Estimate the page of every bookmark and write it into each PAGEREF's cached result."""
    pages = estimate_pages(body, footnotes, styles)
    for instruction in body.iter(qn("w:instrText")):
        words = (instruction.text or "").split()
        if len(words) >= 2 and words[0] == "PAGEREF" and words[1] in pages:
            result = _field_result(instruction.getparent())
            if result is not None:
                result.text = str(pages[words[1]])
    return pages


def _field_result(instruction_run: etree._Element) -> etree._Element | None:
    """The first w:t after the field's separator."""
    node, separated = instruction_run.getnext(), False
    while node is not None:
        char = node.find(qn("w:fldChar"))
        if char is not None and char.get(qn("w:fldCharType")) == "separate":
            separated = True
        elif char is not None and char.get(qn("w:fldCharType")) == "end":
            return None
        elif separated and node.find(qn("w:t")) is not None:
            return node.find(qn("w:t"))
        node = node.getnext()
    return None


def estimate_pages(body: etree._Element, footnotes: etree._Element, styles) -> dict[str, int]:
    metrics = _Metrics(styles)
    notes = {note.get(qn("w:id")): note for note in footnotes.iter(qn("w:footnote"))}
    page, used, found = 1, 0.0, {}
    for paragraph in body.iter(qn("w:p")):
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        style_id = style.get(qn("w:val")) if style is not None else "Normal"
        if metrics.breaks_before(style_id) and used > 0:
            page, used = page + 1, 0.0
        for name in paragraph.iter(qn("w:bookmarkStart")):
            found[name.get(qn("w:name"))] = page
        used += metrics.height(style_id, _text(paragraph))
        for call in paragraph.iter(qn("w:footnoteReference")):
            note = notes.get(call.get(qn("w:id")))
            if note is not None:
                used += sum(metrics.height("FootnoteText", _text(p)) for p in note.iter(qn("w:p")))
        while used > PAGE_HEIGHT_PT:
            page, used = page + 1, used - PAGE_HEIGHT_PT
        ends_page = paragraph.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None or \
            paragraph.find(f".//{qn('w:br')}[@{qn('w:type')}='page']") is not None
        if ends_page:
            page, used = page + 1, 0.0
    return found


_TEXTS = etree.XPath(".//w:t/text()", namespaces={"w": ooxml.W})


def _text(paragraph: etree._Element) -> str:
    return "".join(_TEXTS(paragraph))


class _Metrics:
    """Size, spacing and page breaks of each paragraph style, following its base styles."""

    def __init__(self, styles):
        self.by_id = {style.style_id: style for style in styles if style.type == 1}  # paragraph styles
        self.cache: dict[str, tuple[float, float, bool]] = {}

    def _resolve(self, style_id: str) -> tuple[float, float, bool]:
        if style_id in self.cache:
            return self.cache[style_id]
        size, spacing, breaks = None, None, None
        style = self.by_id.get(style_id)
        while style is not None:
            element = style.element
            if size is None and element.find(f"{qn('w:rPr')}/{qn('w:sz')}") is not None:
                size = int(element.find(f"{qn('w:rPr')}/{qn('w:sz')}").get(qn("w:val"))) / 2
            space = element.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
            if spacing is None and space is not None:
                spacing = (int(space.get(qn("w:before"), 0)) + int(space.get(qn("w:after"), 0))) / 20
            if breaks is None and element.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None:
                breaks = element.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}").get(qn("w:val"), "1") not in (
                    "0", "false")
            style = style.base_style
        self.cache[style_id] = (size or 10.0, spacing if spacing is not None else 6.0, bool(breaks))
        return self.cache[style_id]

    def breaks_before(self, style_id: str) -> bool:
        return self._resolve(style_id)[2]

    def height(self, style_id: str, text: str) -> float:
        size, spacing, _ = self._resolve(style_id)
        per_line = max(1, int(TEXT_WIDTH_PT / (size * AVERAGE_ADVANCE)))
        lines = max(1, math.ceil(len(text) / per_line))
        return lines * size * 1.45 + spacing
