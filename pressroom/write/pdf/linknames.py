"""The accessible name of a web link whose text is its own address (the annex, a note's
citation): what it is, then where it goes.

The pack is printed, so such a link keeps the address as its text: on paper it is what a reader
types. WCAG 2.2 success criterion 2.4.4 (Link Purpose, In Context) asks that a link's purpose
be told by its text together with its context — the entry naming the document. The link's
description (``/Contents``) carries that context: the entry's title (its emphasised words, as
the annex and the citation style set them), else the rest of the entry's text, then the address.
"""

from __future__ import annotations

from copy import deepcopy

from pressroom.model import label_text

BLOCK = ("ancestor::*[self::li or self::p or self::dd or self::td"
         " or contains(concat(' ', @class, ' '), ' footnote ')][1]")
LONGEST = 160  # characters of context in a name


def web_link_name(html_tree, uri: str) -> str:
    """``uri`` itself, or "<what it is>: <uri>" when the link's text is the address."""
    links = html_tree.xpath("//a[@href=$href]", href=uri) if uri.startswith(("http://", "https://")) else []
    if not links:
        return uri
    shown = " ".join(links[0].text_content().split()).rstrip("/")
    if shown not in (uri.rstrip("/"), uri.split("://", 1)[1].rstrip("/")):
        return uri  # the link has words of its own: they are its name
    block = links[0].xpath(BLOCK)
    if not block:
        return uri
    entry = deepcopy(block[0])
    for node in entry.xpath(".//a[@href=$href] | .//*[contains(concat(' ', @class, ' '), ' footnote ')]", href=uri):
        node.drop_tree()
    titles = entry.xpath(".//em | .//cite | .//i")
    context = label_text(titles[-1] if titles else entry).strip(" ,;:.–—")
    if len(context) > LONGEST:
        context = context[:LONGEST].rsplit(" ", 1)[0] + "…"
    return f"{context}: {uri}" if context else uri
