"""Assembled HTML → DOCX bytes: the same tree the PDF is laid out from, mapped to Word.

Headings → Heading 1–4 (bookmarked), paragraphs and lists → named styles, footnote spans →
real Word footnotes, links → hyperlinks (to bookmarks inside, to sibling .docx files for
``doc:`` links), form fields → content controls. Styles come from ``templates/reference.docx``:
restyle it in Word and every document follows; styles it lacks are added with the pack's look.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

from pressroom.model import TEMPLATES, Assembled, doc_link, label_text
from pressroom.write.docx import ooxml
from pressroom.write.docx.styles import ensure_styles

REFERENCE = TEMPLATES / "reference.docx"
BLOCK_STYLES = {"definition": "Definition", "lead": "Lead", "back-cover": "Back Cover"}
# w:pPr children that come after w:bidi (ECMA-376 §17.3.1.26)
AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
              "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
              "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
SKIPPED = {"aside", "script", "style", "head"}
INLINE = {"a", "abbr", "b", "br", "cite", "code", "em", "i", "q", "small", "span", "strong", "sub", "sup"}

def write_docx(assembled: Assembled, root: Path) -> bytes:
    return WordWriter(assembled, root).write()


class WordWriter:
    def __init__(self, assembled: Assembled, root: Path):
        self.assembled = assembled
        self.tree = assembled.tree
        self.document = docx.Document(str(root / REFERENCE))
        ensure_styles(self.document)
        self.body = self.document.element.body
        self.end = self.body.find(qn("w:sectPr"))
        self.footnotes = ooxml.Footnotes(self.document.part)
        self.rtl = self.tree.get("dir") == "rtl"
        self.lang = self.tree.get("lang", "en")
        self.part_lang: str | None = None  # inside an element in another language than the document's
        self.bookmark_ids = itertools.count(1)
        self.control_ids = itertools.count(1)

    # -- the document ------------------------------------------------------------------

    def write(self) -> bytes:
        for child in list(self.body):
            if child.tag != qn("w:sectPr"):
                self.body.remove(child)
        self._page_setup()
        for child in self.tree.find("body"):
            self.block(child, None)
        self._properties()
        out = io.BytesIO()
        self.document.save(out)
        return ooxml.reproducible_zip(out.getvalue(), drop=("word/stylesWithEffects.xml",))

    def _meta(self, name: str) -> str:
        found = self.tree.xpath(f'//meta[@name="{name}"]/@content')
        return found[0] if found else ""

    def _page_setup(self) -> None:
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(24), Mm(26)
        section.left_margin, section.right_margin = Mm(24), Mm(22)
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.text = self.tree.findtext(".//title") or ""
        header.style = self.document.styles["Header"]
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer = paragraph._p
        label = self._meta("page-label") or "Page {page} of {pages}"
        for index, part in enumerate(re.split(r"\{(page|pages)\}", label)):
            if index % 2:
                footer.extend(ooxml.field("PAGE" if part == "page" else "NUMPAGES"))
            elif part:
                footer.append(ooxml.text_run(part))
        if self.rtl:  # sectPr order (ECMA-376 §17.6.17): bidi comes before docGrid
            grid = section._sectPr.find(qn("w:docGrid"))
            bidi = ooxml.element("w:bidi")
            grid.addprevious(bidi) if grid is not None else section._sectPr.append(bidi)
            for mirrored in (header, paragraph):  # the running head and the folio, right to left too
                mirrored._p.get_or_add_pPr().insert_element_before(ooxml.element("w:bidi"), *AFTER_BIDI)

    def _properties(self) -> None:
        core = self.document.core_properties
        when = dt.datetime.strptime(self._meta("dcterms.created"), "%Y-%m-%dT%H:%M:%SZ")
        core.title = self.tree.findtext(".//title") or ""
        core.subject = self._meta("description")
        core.author = self._meta("author")
        core.language = self.lang
        core.created = core.modified = when
        core.last_printed = when
        core.last_modified_by = core.comments = core.keywords = core.category = ""
        core.revision = 1

    # -- blocks ------------------------------------------------------------------------

    def paragraph(self, style: str | None, container=None) -> etree._Element:
        properties = ooxml.element("w:pPr")
        if style:
            properties.append(ooxml.element("w:pStyle", {"w:val": self.document.styles[style].style_id}))
        if self.rtl:
            properties.append(ooxml.element("w:bidi"))
        paragraph = ooxml.element("w:p", None, properties)
        if container is not None:
            container.append(paragraph)
        else:
            self.end.addprevious(paragraph)
        return paragraph

    def block(self, node, style: str | None) -> None:
        if not isinstance(node.tag, str) or not (node.get("lang") or node.get("dir")):
            return self._block(node, style)
        # a part in another language (a fragment not translated yet): its paragraphs and runs
        # say which, and which way it is written, for screen readers and Word's spelling
        saved = self.rtl, self.part_lang
        self.rtl, self.part_lang = node.get("dir") == "rtl", node.get("lang")
        try:
            self._block(node, style)
        finally:
            self.rtl, self.part_lang = saved

    def _block(self, node, style: str | None) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        classes = set((node.get("class") or "").split())
        if tag in SKIPPED or not tag:
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading(node, min(int(tag[1]), 4))
        elif tag == "p":
            self.inline_paragraph(node, style)
        elif tag in ("ul", "ol"):
            self._list(node, tag, 1)
        elif tag == "section" and "cover" in classes:
            self._cover(node)
        elif tag == "nav":
            self._contents(node)
        elif tag == "figure" and "pullquote" in classes:
            for child in node:
                self.block(child, "Attribution" if child.tag == "figcaption" else "Intense Quote")
        elif tag == "figcaption":
            self.inline_paragraph(node, style)
        elif tag == "blockquote":
            self._children(node, style or "Quote")
        elif tag == "div" and "field" in classes:
            self._field(node)
        elif tag == "div" and "csl-entry" in classes:
            self.inline_paragraph(node, "Bibliography")
        elif tag == "table":
            self._table(node)
        elif tag == "hr":
            self.paragraph(style)
        else:
            block_style = next((BLOCK_STYLES[c] for c in classes if c in BLOCK_STYLES), style)
            if "back-cover" in classes:
                self._page_break()
            self._children(node, block_style)

    def _children(self, node, style: str | None) -> None:
        if _has_inline_content(node):
            self.inline_paragraph(node, style, shallow=True)
        for child in node:
            self.block(child, style)

    def _heading(self, node, level: int) -> None:
        paragraph = self.inline_paragraph(node, f"Heading {level}")
        if node.get("id"):
            ooxml.bookmark(paragraph, ooxml.bookmark_name(node.get("id")), next(self.bookmark_ids))

    def _page_break(self) -> None:
        run = ooxml.element("w:r", None, ooxml.element("w:br", {"w:type": "page"}))
        self.paragraph(None).append(run)

    def _cover(self, node) -> None:
        for child in node.iter("h1", "p"):
            classes = (child.get("class") or "").split()
            style = "Title" if "title" in classes else "Subtitle" if "subtitle" in classes else "Cover Meta"
            self.inline_paragraph(child, style)
        for item in node.iter("div"):
            if item.find("dt") is not None:
                paragraph = self.paragraph("Cover Meta")
                paragraph.append(ooxml.text_run(f"{item.findtext('dt')}: ", self._run_properties({"b"})))
                self.inline(item.find("dd"), paragraph, frozenset())
        self._page_break()

    def _contents(self, node) -> None:
        title = node.find(".//h2")
        if title is not None:
            self.inline_paragraph(title, "TOC Heading")
        for item in node.iter("li"):
            level = 1 if "level-1" in (item.get("class") or "") else 2
            self.inline_paragraph(item, f"Contents {level}")
        self._page_break()

    def _list(self, node, tag: str, level: int) -> None:
        style = ("List Bullet" if tag == "ul" else "List Number") + (f" {level}" if level > 1 else "")
        for item in node.findall("li"):
            if _has_inline_content(item):  # a loose item's text is in its paragraphs: no empty bullet
                self.inline_paragraph(item, style, shallow=True)
            for child in item:
                if child.tag in ("ul", "ol"):
                    self._list(child, child.tag, min(level + 1, 3))
                elif child.tag == "p":
                    self.inline_paragraph(child, style)

    def _table(self, node) -> None:
        rows = node.xpath(".//tr")
        width = max((len(r.xpath("./th|./td")) for r in rows), default=0)
        if not rows or not width:
            return
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = self.document.styles["Table Grid"]
        for row, tr in zip(table.rows, rows):
            for cell, td in zip(row.cells, tr.xpath("./th|./td")):
                bold = {"b"} if td.tag == "th" else set()
                self.inline(td, cell.paragraphs[0]._p, frozenset(bold))
        self.end.addprevious(table._tbl)

    def _field(self, node) -> None:
        """A form field → its label, a content control tagged with the field name, its help."""
        name = node.get("data-field")
        if node.xpath(".//input[@type='checkbox']"):
            label = node.find(".//label")
            control = ooxml.content_control(name, label_text(label), next(self.control_ids), "☐", checkbox=True)
            self._add_control(control)
            paragraph = control.find(f".//{qn('w:p')}")
            paragraph.append(ooxml.text_run("  "))
            self.inline(label, paragraph, frozenset())
        else:
            label_node = node.xpath(".//*[contains(@class, 'field-label')]")[0]
            self.inline_paragraph(label_node, "Form Label")
            options = tuple((choice.find("input").get("value"), label_text(choice.find("label")))
                            for choice in node.xpath(".//span[@class='choice']"))
            hint = ooxml.CHOICE_PLACEHOLDER if options else ooxml.TEXT_PLACEHOLDER
            multiline = bool(node.xpath(".//textarea"))
            self._add_control(ooxml.content_control(name, label_text(label_node), next(self.control_ids), hint,
                                                    multiline=multiline, options=options))
        help_node = node.find(".//p[@class='field-help']")
        if help_node is not None:
            self.inline_paragraph(help_node, "Form Help")

    def _add_control(self, control: etree._Element) -> None:
        if self.rtl:
            control.find(f".//{qn('w:pPr')}").append(ooxml.element("w:bidi"))
        self.end.addprevious(control)

    # -- inline content ----------------------------------------------------------------

    def inline_paragraph(self, node, style: str | None, shallow: bool = False, container=None) -> etree._Element:
        """A paragraph from an element's inline content (``shallow``: stop at block children)."""
        paragraph = self.paragraph(style, container)
        self.inline(node, paragraph, frozenset(), shallow=shallow)
        return paragraph

    def _run_properties(self, formats: frozenset | set, style: str | None = None) -> etree._Element:
        properties = ooxml.element("w:rPr")
        if style:
            properties.append(ooxml.element("w:rStyle", {"w:val": style}))
        if "b" in formats:
            properties.append(ooxml.element("w:b"))
        if "i" in formats:
            properties.append(ooxml.element("w:i"))
        if "sup" in formats:
            properties.append(ooxml.element("w:vertAlign", {"w:val": "superscript"}))
        if self.rtl:
            properties.append(ooxml.element("w:rtl"))
            properties.append(ooxml.element("w:lang", {"w:bidi": self.part_lang or self.lang}))
        elif self.part_lang:
            properties.append(ooxml.element("w:lang", {"w:val": self.part_lang}))
        return properties

    def _text(self, target, text: str | None, formats: frozenset, style: str | None = None) -> None:
        if text:
            text = text.replace("\u2066", "\u200e").replace("\u2069", "\u200e")  # isolates: marks Word knows
            target.append(ooxml.text_run(re.sub(r"\s+", " ", text), self._run_properties(formats, style)))

    def inline(self, node, target, formats: frozenset, shallow: bool = False, style: str | None = None) -> None:
        self._text(target, node.text, formats, style)
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if shallow and tag in ("ul", "ol", "p", "div", "blockquote"):
                continue
            self._inline_child(child, tag, target, formats, style)
            self._text(target, child.tail, formats, style)

    def _inline_child(self, child, tag: str, target, formats: frozenset, style: str | None) -> None:
        classes = set((child.get("class") or "").split())
        if tag in ("strong", "b"):
            self.inline(child, target, formats | {"b"}, style=style)
        elif tag in ("em", "i", "cite"):
            self.inline(child, target, formats | {"i"}, style=style)
        elif tag == "sup":
            self.inline(child, target, formats | {"sup"}, style=style)
        elif tag == "br":
            target.append(ooxml.element("w:r", None, ooxml.element("w:br")))
        elif tag == "a" and child.get("href"):
            link = ooxml.hyperlink(self.document.part, self._link_target(child.get("href")))
            self.inline(child, link, formats, style="Hyperlink")
            target.append(link)
        elif tag == "span" and "footnote" in classes:
            self._footnote(child, target)
        elif tag in ("input", "textarea", "aside"):
            return
        elif tag == "span" and child.get("dir") in ("ltr", "rtl") and (child.get("dir") == "rtl") != self.rtl:
            self._isolated(child, target, formats, style)
        else:
            self.inline(child, target, formats, style=style)

    def _isolated(self, span, target, formats: frozenset, style: str | None) -> None:
        """Text in the other direction (English in Arabic): its runs say which way they go, and
        marks of that direction around them keep its punctuation in place ("…?", not "?…")."""
        mark = "\u200e" if span.get("dir") == "ltr" else "\u200f"
        saved = self.rtl
        self.rtl = span.get("dir") == "rtl"
        try:
            self._text(target, mark, formats, style)
            self.inline(span, target, formats, style=style)
            self._text(target, mark, formats, style)
        finally:
            self.rtl = saved

    def _link_target(self, href: str) -> str:
        if href.startswith("#"):
            return "#" + ooxml.bookmark_name(href[1:])
        link = doc_link(href)
        if link is not None:
            return f"{link.doc_id}.docx"
        return href

    def _footnote(self, span, target) -> None:
        note_id, paragraph = self.footnotes.add()
        if self.rtl:
            paragraph.find(qn("w:pPr")).append(ooxml.element("w:bidi"))
        self._text(paragraph, span.text, frozenset())
        for child in span:
            if "note-para" in (child.get("class") or ""):
                paragraph = self.paragraph("Footnote Text", container=paragraph.getparent())
                self.inline(child, paragraph, frozenset())
            else:
                self._inline_child(child, child.tag if isinstance(child.tag, str) else "", paragraph, frozenset(), None)
            self._text(paragraph, child.tail, frozenset())
        target.append(self.footnotes.reference(note_id))


def _has_inline_content(node) -> bool:
    """Text or inline elements of its own, beside its block children."""
    return bool((node.text or "").strip()) or any(child.tag in INLINE or (child.tail or "").strip() for child in node)
