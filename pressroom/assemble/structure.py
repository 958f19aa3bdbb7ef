"""The joined fragments' tree in → the same tree with a publication's structure: pull quotes
with attribution, unique heading ids, the table of contents' entries.
"""

from __future__ import annotations

import re
from html import escape

from lxml import html as lxml_html


def mark_pullquotes(body) -> None:
    """A block quote whose last paragraph starts with an em dash is a pull quote with attribution."""
    for quote in body.iter("blockquote"):
        paragraphs = quote.findall("p")
        last = paragraphs[-1] if paragraphs else None
        if last is None or len(paragraphs) < 2 or not (last.text or "").lstrip().startswith("—"):
            continue
        figure = lxml_html.Element("figure", {"class": "pullquote"})
        if quote.get("data-src"):
            figure.set("data-src", quote.get("data-src"))
        quote.addprevious(figure)
        figure.append(quote)
        caption = lxml_html.Element("figcaption")
        caption.text = (last.text or "").lstrip().lstrip("—").lstrip()
        caption.extend(list(last))
        quote.remove(last)
        figure.append(caption)


def unique_heading_ids(body) -> None:
    """Automatic heading ids that collide get -1, -2 … (explicit duplicates are a check's error)."""
    seen = {h.get("id") for h in body.xpath("//*[@id][not(@data-auto-id)]")}
    tried: dict[str, int] = {}  # base → the last number given: every lower one is taken (linear, not quadratic)
    for heading in body.xpath("//*[@data-auto-id]"):
        base = candidate = heading.get("id")
        number = tried.get(base, 0)
        candidate = f"{base}-{number}" if number else base
        while candidate in seen:
            number += 1
            candidate = f"{base}-{number}"
        tried[base] = number
        heading.set("id", candidate)
        seen.add(candidate)
        del heading.attrib["data-auto-id"]


def contents(body) -> list[dict]:
    """Entries for the table of contents: the top two heading levels."""
    return [{"level": int(h.tag[1]), "id": h.get("id"), "text": heading_text(h)}
            for h in body.iter("h1", "h2") if h.get("id")]


def heading_text(heading) -> str:
    """A heading's words, without the text of a note it calls."""
    words = heading.xpath(".//text()[not(ancestor::span[contains(concat(' ', @class, ' '), ' footnote ')])]")
    return re.sub(r"\s+", " ", "".join(words)).strip()


def inner_html(element) -> str:
    return escape(element.text or "", quote=False) + "".join(lxml_html.tostring(child, encoding="unicode") for child in element)
