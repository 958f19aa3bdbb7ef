"""The assembled document → the parts of a web page.

What the print formats lay out by the page becomes what a browser needs: footnotes become
numbered notes at the end of the page with links both ways (DPUB-ARIA ``doc-noteref`` /
``doc-backlink``); ``doc:`` links become links to the sibling page; definition boxes become
``aside``; the form's fields become its questions (the fillable PDF and Word forms are the
downloads). Headings keep their ids, so ``doc:guidance#questions`` is ``guidance.html#questions``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from pressroom.model import doc_link

NOTE_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' footnote ')"


@dataclass(frozen=True)
class Note:
    number: int
    html: str  # the note's text, inline or paragraphs
    lang: str  # "" when the page's own language
    direction: str


@dataclass(frozen=True)
class Parts:
    lang: str  # the assembled document's language and direction
    direction: str
    title: str
    title_id: str  # the id of the document's own first heading when it is the page's title
    subtitle: str
    facts: str  # the cover's consultation facts (a dl's inner HTML), "" when none
    contents: str  # the table of contents (an ol), "" when none
    body: str
    references: str
    notes: tuple[Note, ...]
    external: frozenset[str]  # the http(s)/mailto links the document itself makes


def web_parts(tree, pages: dict[str, str], page_lang: str) -> Parts:
    """``pages``: document id → its page's file name in the same folder."""
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    lang, direction = root.get("lang", ""), root.get("dir", "ltr")
    external = frozenset(root.xpath('//a[starts-with(@href, "http") or starts-with(@href, "mailto:")]/@href'))
    for marker in root.xpath('//aside[@class="problem"] | //span[@class="footnote-unresolved"]'):
        _drop(marker)
    _strip_sources(root)
    _link_pages(root, pages)
    main = root.find(".//main")
    cover_title = root.xpath('//section[@class="cover"]//h1')
    title = _text(cover_title[0]) if cover_title else ""
    first = main[0] if len(main) else None
    if first is not None and first.tag == "div" and "fallback" in (first.get("class") or "") and len(first):
        first = first[0]  # an untranslated part: its own first heading
    title_id = ""
    if first is not None and first.tag == "h1" and _text(first) == title:
        title_id = first.get("id", "")
        _drop(first)  # the landing page's own heading is the page's title (and keeps its id)
    notes = _endnotes(main, root, page_lang)
    references = root.xpath('//section[@class="references"]')
    for part in [main, *references]:
        _demote_headings(part)
        _definition_boxes(part)
        _form_questions(part)
    subtitle = root.xpath('//section[@class="cover"]//p[@class="subtitle"]')
    facts = root.xpath('//section[@class="cover"]//dl[@class="cover-meta"]')
    contents = root.xpath('//nav[@class="contents"]/ol')
    if contents:
        _contents_languages(contents[0], main)
    return Parts(
        lang=lang, direction=direction, title=title, title_id=title_id,
        subtitle=_text(subtitle[0]) if subtitle else "",
        facts=_inner(facts[0]) if facts else "",
        contents=lxml_html.tostring(contents[0], encoding="unicode") if contents else "",
        body=_inner(main),
        references=_inner(references[0]) if references else "",
        notes=tuple(notes), external=external)


def _drop(element) -> None:
    parent = element.getparent()
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _strip_sources(root) -> None:
    """The source map is for the checks; writers drop it."""
    for element in root.xpath("//*[@data-src or @data-label or @data-cites or @data-cluster]"):
        for name in ("data-src", "data-label", "data-cites", "data-cluster"):
            element.attrib.pop(name, None)


def _link_pages(root, pages: dict[str, str]) -> None:
    for link in root.xpath('//a[starts-with(@href, "doc:")]'):
        target = doc_link(link.get("href"))
        if target is not None and target.doc_id in pages:
            link.set("href", pages[target.doc_id] + target.fragment)


def _endnotes(main, root, page_lang: str) -> list[Note]:
    """Each note call becomes ``<a role=doc-noteref>`` to a numbered note at the end, in the
    document's order (the order the PDF numbers them in); a note keeps the language of the part
    it comes from."""
    notes = []
    for number, span in enumerate(main.xpath(f".//span[{NOTE_CLASS}]"), start=1):
        lang, direction = _language_of(span, root)
        body = copy.deepcopy(span)
        for para in body.xpath('.//span[@class="note-para"]'):
            para.tag = "p"
            para.attrib.pop("class")
        inner = _inner(body).strip()
        if body.find("p") is None:
            inner = f"<p>{inner}</p>"
        same = lang == page_lang
        notes.append(Note(number, inner, "" if same else lang, "" if same else direction))
        call = lxml_html.Element("a", {"href": f"#note-{number}", "id": f"note-{number}-ref",
                                       "role": "doc-noteref", "class": "noteref"})
        sup = etree.SubElement(call, "sup")
        sup.text = str(number)
        call.tail = span.tail
        span.getparent().replace(span, call)
    return notes


def _language_of(element, root) -> tuple[str, str]:
    for ancestor in element.iterancestors():
        if ancestor.get("lang"):
            return ancestor.get("lang"), ancestor.get("dir", "ltr")
    return root.get("lang", ""), root.get("dir", "ltr")


def _demote_headings(part) -> None:
    """The page's title is its h1: the document's sections are h2 and below."""
    for heading in part.iter("h1", "h2", "h3", "h4", "h5"):
        heading.tag = f"h{int(heading.tag[1]) + 1}"


def _definition_boxes(part) -> None:
    for box in part.xpath('.//div[@class="definition"]'):
        box.tag = "aside"
        heading = box.xpath("./p[1]/strong[1]")
        if heading:
            box.set("aria-label", _text(heading[0]))


def _form_questions(part) -> None:
    """The form's fields, read as its questions: there is nothing to submit them to."""
    for form in part.xpath('.//form[contains(@class, "response-form")]'):
        form.tag = "div"
        for field in form.xpath('.//div[contains(@class, "field ")]'):
            label = field.xpath('.//label | .//p[@class="field-label"]')
            question = lxml_html.Element("p", {"class": "question"})
            if label:
                question.text = label[0].text
                question.extend(list(label[0]))
            options = field.xpath('.//span[@class="choice"]/label')
            help_text = field.xpath('.//p[@class="field-help"]')
            kind = field.get("class").split()[1]
            for child in list(field):
                field.remove(child)
            field.text = None
            field.set("class", f"question-block {kind}")
            field.attrib.pop("data-field", None)
            field.append(question)
            if options:
                choices = etree.SubElement(field, "ul", {"class": "options"})
                for option in options:
                    etree.SubElement(choices, "li").text = _text(option)
            for extra in help_text:
                extra.tail = None
                field.append(extra)


def _contents_languages(contents, main) -> None:
    """An entry names a heading of an untranslated part: it is in that part's language."""
    for link in contents.xpath(".//a[starts-with(@href, '#')]"):
        target = main.xpath(f'.//*[@id="{link.get("href")[1:]}"]')
        if target:
            lang = next((a.get("lang") for a in target[0].iterancestors() if a.get("lang")), None)
            if lang:
                link.set("lang", lang)
                link.set("dir", next(a.get("dir", "ltr") for a in target[0].iterancestors() if a.get("lang")))


def _text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def _inner(element) -> str:
    from html import escape
    return escape(element.text or "", quote=False) + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in element)
