"""The assembled HTML as it is set for paper (the PDF/X edition), before WeasyPrint lays it out.

What a page of paper needs that a screen does not, done on the tree (the assembled document
itself is shared by every writer and stays as it is):

- a link to another document of the pack becomes text a reader can follow: its words, then the
  document's title and the page of its target in that document's print edition
  ("the questions (Global policy consultation on sex work, page 7)"), in the document's language
  (the template gives the pattern: ``<body data-see-page>``);
- a URL or e-mail address is never hyphenated and breaks only after ``/`` (or before ``?``, ``&``,
  ``#``; a long run also before ``-``, ``_``, ``.``, ``%``) — never after a hyphen of its own,
  which a reader would take for a hyphenation — and never leaves a piece of fewer than
  ``MIN_PIECE`` characters on a line;
- index numbers ("AMR 13/4042/2016") never break; acronyms ("UNAIDS", "NGOs") and the proper
  names the edition lists (``no_hyphenate`` in pack.yaml) are never hyphenated (class
  ``no-hyphenate``, which content may also use);
- the document's binding is on ``<body data-binding>`` (the print stylesheet opens the text on a
  right-hand page in bound documents);
- a multi-line answer box (``textarea``) becomes ruled lines to write on.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from pressroom.model import Assembled, doc_link

MIN_PIECE = 4  # characters: no line starts or ends with a shorter piece of a URL
LONG = 24  # characters: a run of a URL between slashes this long may also break before a hyphen
LINE_PITCH_MM = 10  # ruled lines of an answer box
URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)\S+$|^[^\s@/]+@[^\s@/]+\.[a-z]{2,}$", re.IGNORECASE)
INDEX_NUMBER = r"\b[A-Z]{2,4} \d{1,3}/\d{3,5}/\d{4}\b"
ACRONYM = r"\b[A-Z][A-Z0-9&]+s?\b"
TEXT_ADDRESS = r"\b(?:https?://|www\.)[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"’”]|[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b"
SKIP = {"head", "script", "style", "title"}

# anchor → page in each sibling's print edition: {(doc_id, anchor): page}; anchor "" is page 1
Pages = dict[tuple[str, str], int]


def for_paper(assembled: Assembled, *, binding: str, names: tuple[str, ...] = (), pages: Pages | None = None,
              titles: dict[str, str] | None = None) -> str:
    """The assembled HTML set for paper (see the module's description)."""
    root = lxml_html.document_fromstring(assembled.html)
    body = root.find("body")
    body.set("data-binding", binding)
    pattern = body.get("data-see-page") or "{title}, page {page}"
    for link in list(body.iter("a")):
        target = doc_link(link.get("href"))
        if target is not None:
            _as_reference(link, target, pattern, pages or {}, titles or {})
        elif _is_address(link):
            _breakable_address(link)
    _unhyphenated(body, names)
    for box in list(body.iter("textarea")):
        _ruled_lines(box)
    return lxml_html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


def _as_reference(link, target, pattern: str, pages: Pages, titles: dict[str, str]) -> None:
    """``<a href="doc:guidance#questions">the questions</a>`` → ``<span class="cross-reference">the
    questions (Title, page 7)</span>``; the document's title alone when it has no page to name."""
    title = titles.get(target.doc_id, target.doc_id)
    page = pages.get((target.doc_id, target.anchor)) if target.anchor else None
    where = pattern.replace("{title}", title).replace("{page}", str(page)) if page else title
    link.tag = "span"
    for attribute in ("href", "title", "target"):
        link.attrib.pop(attribute, None)
    link.set("class", "cross-reference")
    see = etree.SubElement(link, "span")
    see.set("class", "cross-reference-target")
    see.text = f" ({where})"


def _is_address(link) -> bool:
    text = link.text_content().strip()
    return len(link) == 0 and bool(URL.match(text))


def url_pieces(text: str) -> list[str]:
    """A URL cut where a line may break: after each '/' (after '//' as one), before '?', '&' and '#',
    and in a run longer than ``LONG`` characters also before '-', '_', '.' and '%' (so that the
    hyphen of a URL starts a line, never ends one); no piece shorter than ``MIN_PIECE``."""
    pieces = []
    for run in re.split(r"(?<=/)(?!/)|(?=[?&#])", text):
        if len(run) > LONG:
            pieces += [p for p in re.split(r"(?=[-_.%])", run) if p]
        elif run:
            pieces.append(run)
    merged: list[str] = []
    for piece in pieces:  # a short piece joins its neighbour: no stranded "en/" or "-2"
        if merged and (len(piece) < MIN_PIECE or len(merged[-1]) < MIN_PIECE):
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged or [text]


def _breakable_address(link) -> None:
    """Each piece unbreakable (no break after a hyphen of the URL's own), a ``<wbr>`` between."""
    pieces = url_pieces(link.text or "")
    link.text = None
    for number, piece in enumerate(pieces):
        if number:
            etree.SubElement(link, "wbr")
        etree.SubElement(link, "span", {"class": "address-piece"}).text = piece
    link.set("class", " ".join(filter(None, [link.get("class"), "address"])))


def _unhyphenated(body, names: tuple[str, ...]) -> None:
    """In running text: URLs and e-mail addresses → breakable addresses (as links whose text is
    one); index numbers, acronyms and listed names → ``<span class="no-hyphenate">`` (index
    numbers also ``index-number``: they never break at all)."""
    listed = [re.escape(n) for n in sorted(set(names), key=len, reverse=True) if n.strip()]
    pattern = re.compile("|".join([f"(?P<address>{TEXT_ADDRESS})", f"(?P<index>{INDEX_NUMBER})"] + listed + [ACRONYM]))
    for element in list(body.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.text and not _kept(element) and pattern.search(element.text):
            _wrap(element, "text", pattern)
        if element.tail and element is not body and not _kept(element.getparent()) and pattern.search(element.tail):
            _wrap(element, "tail", pattern)


def _kept(element) -> bool:
    """Inside an address or an element already kept whole."""
    while element is not None:
        classes = (element.get("class") or "").split()
        if "address" in classes or "no-hyphenate" in classes or element.tag in SKIP:
            return True
        element = element.getparent()
    return False


def _span(match: re.Match):
    span = etree.Element("span")
    if match.group("address"):
        span.text = match.group(0)
        _breakable_address(span)
    else:
        span.set("class", "no-hyphenate index-number" if match.group("index") else "no-hyphenate")
        span.text = match.group(0)
    return span


def _wrap(element, where: str, pattern: re.Pattern) -> None:
    """``element.text`` or ``.tail`` with each match of ``pattern`` put in its own span."""
    text = getattr(element, where)
    spans, position, first = [], 0, ""
    for match in pattern.finditer(text):
        if spans:
            spans[-1].tail = text[position:match.start()]
        else:
            first = text[:match.start()]
        spans.append(_span(match))
        position = match.end()
    spans[-1].tail = text[position:]
    setattr(element, where, first)
    if where == "text":
        for offset, span in enumerate(spans):
            element.insert(offset, span)
    else:
        parent = element.getparent()
        index = parent.index(element)
        for offset, span in enumerate(spans, 1):
            parent.insert(index + offset, span)


def _ruled_lines(box) -> None:
    """A textarea (``rows`` lines) → a block of as many ruled lines to write on."""
    match = re.search(r"height:\s*([0-9.]+)mm", box.get("style") or "")
    rows = int(box.get("rows") or 0)
    height = float(match.group(1)) if match else rows * LINE_PITCH_MM
    lines = etree.Element("div")
    lines.set("class", "write-on")
    for _ in range(max(1, round(height / LINE_PITCH_MM))):
        etree.SubElement(lines, "div").set("class", "write-on-line")
    lines.tail = box.tail
    box.getparent().replace(box, lines)

