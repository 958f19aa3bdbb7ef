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
from docx.oxml.ns import qn
from lxml import etree

from pressroom.model import TEMPLATES, WORD_STYLES, Assembled, doc_link, label_text
from pressroom.read.files import read_project_bytes
from pressroom.write.docx import contents, fonts, layout, ooxml, package
from pressroom.write.docx.styles import ARABIC as ARABIC_FACE
from pressroom.write.docx.styles import ensure_styles, font_of, set_language, word_language

FONTS = TEMPLATES / "fonts"
BLOCK_STYLES = {"definition": "Definition", "lead": "Lead", "back-cover": "Back Cover"}
SKIPPED = {"aside", "script", "style", "head"}
INLINE = {"a", "abbr", "b", "br", "cite", "code", "em", "i", "q", "small", "span", "strong", "sub", "sup"}

def write_docx(assembled: Assembled, root: Path) -> bytes:
    return WordWriter(assembled, root).write()


class WordWriter:
    def __init__(self, assembled: Assembled, root: Path):
        self.assembled = assembled
        self.tree = assembled.tree
        self.root = root
        self.document = docx.Document(io.BytesIO(read_project_bytes(root, root / WORD_STYLES)))  # the one door
        ensure_styles(self.document)
        self.body = self.document.element.body
        self.end = self.body.find(qn("w:sectPr"))
        self.footnotes = ooxml.Footnotes(self.document.part)
        self.rtl = self.document_rtl = self.tree.get("dir") == "rtl"
        self.lang = word_language(self.tree.get("lang", "en"))
        self.part_lang: str | None = None  # inside an element in another language than the document's
        self.link_part = self.document.part  # the part links are written in: its rels hold their targets
        self.has_contents = self.has_form = False
        self.style_ids: dict[str, str] | None = None
        self.arabic_coverage: frozenset[int] | None = None
        self.bookmark_ids = itertools.count(1)
        self.control_ids = itertools.count(1)

    # -- the document ------------------------------------------------------------------

    def write(self) -> bytes:
        for child in list(self.body):
            if child.tag != qn("w:sectPr"):
                self.body.remove(child)
        set_language(self.document, self.lang, self.rtl)
        layout.page_setup(self.document.sections[0], self.tree.findtext(".//title") or "",
                          self._meta("page-label") or "Page {page} of {pages}", self.rtl)
        for child in self.tree.find("body"):
            self.block(child, None)
        if self.has_contents:
            contents.fill_pages(self.body, self.footnotes.root, self.document.styles)
        self._properties()
        out = io.BytesIO()
        self.document.save(out)
        return package.finish(out.getvalue(), package.Finish(
            self.root / FONTS, self.lang, self.rtl, forms=self.has_form, contents=self.has_contents,
            organisation=self._meta("author")))

    def _meta(self, name: str) -> str:
        found = self.tree.xpath(f'//meta[@name="{name}"]/@content')
        return found[0] if found else ""

    def _properties(self) -> None:
        core = self.document.core_properties
        when = dt.datetime.strptime(self._meta("dcterms.created"), "%Y-%m-%dT%H:%M:%SZ")
        core.title = self.tree.findtext(".//title") or ""
        core.subject = self._meta("description")
        core.author = self._meta("author")
        core.language = self.lang
        core.created = core.modified = when
        core.last_modified_by = core.comments = core.keywords = core.category = ""
        core.revision = 1

    # -- blocks ------------------------------------------------------------------------

    def style_id(self, name: str) -> str:
        """A style's id from its name as Word shows it ("Heading 1", "Footnote Text", "toc 1")."""
        if self.style_ids is None:
            self.style_ids = {s.name.lower(): s.style_id for s in self.document.styles if s.name}
        return self.style_ids.get(name.lower(), name.replace(" ", ""))

    def paragraph(self, style: str | None, container=None) -> etree._Element:
        properties = ooxml.element("w:pPr")
        if style:
            properties.append(ooxml.element("w:pStyle", {"w:val": self.style_id(style)}))
        if self.rtl:
            properties.append(ooxml.element("w:bidi"))
        elif self.document_rtl:  # a part left to right in a right-to-left document (its defaults)
            properties.append(ooxml.element("w:bidi", {"w:val": "0"}))
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
        """Band with the organisation, title, subtitle, the consultation's facts; its own section."""
        organisation = node.find(".//p[@class='organisation']")
        if organisation is not None:
            layout.band(self.paragraph, " ".join(organisation.itertext()).strip(),
                        lambda: self._run_properties(frozenset()))
        for child in node.iter("h1", "p"):
            classes = (child.get("class") or "").split()
            if "title" in classes or "subtitle" in classes:
                self.inline_paragraph(child, "Title" if "title" in classes else "Subtitle")
        for item in node.iter("div"):
            if item.find("dt") is not None:
                self.inline_paragraph(item.find("dt"), "Cover Fact Label")
                self.inline_paragraph(item.find("dd"), "Cover Fact")
        self.end.addprevious(layout.cover_section_break(self.rtl))

    def _contents(self, node) -> None:
        """The TOC field, its result already the entries with their estimated pages."""
        title = node.find(".//h2")
        if title is not None:
            self.inline_paragraph(title, "TOC Heading")
        last = None
        for item in node.iter("li"):
            link = item.find("a")
            level = 1 if "level-1" in (item.get("class") or "") else 2
            if link is None or not (link.get("href") or "").startswith("#"):
                continue
            anchor = ooxml.bookmark_name(link.get("href")[1:])
            last, target = contents.entry(level, anchor, last is None, self.style_id(f"toc {level}"))
            if self.rtl:
                last.find(qn("w:pPr")).append(ooxml.element("w:bidi"))
            self.end.addprevious(last)
            self.inline(link, target, frozenset())
            contents.close_entry(target, anchor)
        if last is not None:
            contents.close_field(last)
            self.has_contents = True

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
        """A form field → its label, a content control tagged with the field name, its help.
        A checkbox is a control of its own at the start of its label's paragraph."""
        name = node.get("data-field")
        self.has_form = True
        if node.xpath(".//input[@type='checkbox']"):
            label = node.find(".//label")
            paragraph = self.paragraph("Form Answer")
            paragraph.append(ooxml.checkbox_control(name, label_text(label), next(self.control_ids)))
            self._text(paragraph, "\u00a0 ", frozenset())
            self.inline(label, paragraph, frozenset())
        else:
            label_node = node.xpath(".//*[contains(@class, 'field-label')]")[0]
            self.inline_paragraph(label_node, "Form Label")
            options = tuple((choice.find("input").get("value"), label_text(choice.find("label")))
                            for choice in node.xpath(".//span[@class='choice']"))
            hint = (self._meta("placeholder-choice") or ooxml.CHOICE_PLACEHOLDER) if options else (
                self._meta("placeholder-text") or ooxml.TEXT_PLACEHOLDER)
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
        if not text:
            return
        text = text.replace("\u2066", "\u200e").replace("\u2069", "\u200e")  # isolates: marks Word knows
        for segment, foreign in self._segments(re.sub(r"\s+", " ", text)):
            properties = self._run_properties(formats, style)
            if foreign:  # what the Arabic face lacks (Latin, ?, quotes) from the Latin face, not DejaVu
                font = self.latin_font(target)
                properties.insert(1 if style else 0, ooxml.element("w:rFonts", {"w:cs": font}))
            target.append(ooxml.text_run(segment, properties))

    def _segments(self, text: str) -> list[tuple[str, bool]]:
        """Right-to-left text cut where the complex-script face has the characters and where not."""
        if not self.rtl:
            return [(text, False)]
        if self.arabic_coverage is None:
            self.arabic_coverage = fonts.coverage(self.root / FONTS, ARABIC_FACE) | {0x20}
        out: list[tuple[str, bool]] = []
        for char in text:
            foreign = ord(char) not in self.arabic_coverage
            if out and (out[-1][1] == foreign or char == " "):
                out[-1] = (out[-1][0] + char, out[-1][1])
            else:
                out.append((char, foreign))
        return out

    def latin_font(self, target) -> str:
        """The Latin face of the paragraph ``target`` is in: Noto Sans for headings and the
        like, Noto Serif for running text."""
        paragraph = target if target.tag == qn("w:p") else next(target.iterancestors(qn("w:p")), None)
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") if paragraph is not None else None
        return font_of(self.document, style.get(qn("w:val")) if style is not None else "Normal")

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
            link = ooxml.hyperlink(self.link_part, *self._link_target(child.get("href")))
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

    def _link_target(self, href: str) -> tuple[str, str]:
        """(target, anchor in that target): "#bookmark"; a sibling "guidance.docx" and its bookmark."""
        if href.startswith("#"):
            return "#" + ooxml.bookmark_name(href[1:]), ""
        link = doc_link(href)
        if link is not None:
            return f"{link.doc_id}.docx", ooxml.bookmark_name(link.anchor) if link.anchor else ""
        return href, ""

    def _footnote(self, span, target) -> None:
        self.link_part = self.footnotes.part  # a link in a note is related from the footnotes part
        try:
            self._note(span, target)
        finally:
            self.link_part = self.document.part

    def _note(self, span, target) -> None:
        note_id, paragraph = self.footnotes.add()
        if self.rtl or self.document_rtl:
            paragraph.find(qn("w:pPr")).append(ooxml.element("w:bidi", None if self.rtl else {"w:val": "0"}))
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
