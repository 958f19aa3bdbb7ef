"""Links reach something: ``#id`` in the same document, ``doc:other#id`` in the sibling of the
same locale, and external URLs are well formed (the network part is ``invoke check``'s); an
e-mail address is a link, not text."""

import re

from lxml import etree

from pressroom.checks.registry import Context, check, where
from pressroom.checks.urls import url_problem
from pressroom.diagnostics import Near, with_suggestion
from pressroom.model import DOC_SCHEME, DocLink, doc_link

# Linear: an address starts where a run of its characters starts (the look-behind), so a long run
# without '@' is scanned once, not once from each of its characters (1 MiB of 'x' took hours).
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@check("anchors")
def anchors(ctx: Context) -> None:
    ids = {key: set(tree.xpath("//@id")) for key, tree in ctx.items}
    near = {key: Near(names, "#") for key, names in ids.items()}
    for (doc_id, locale), tree in ctx.items:
        _duplicate_ids(ctx, tree)
        for link in tree.xpath('//a[@href]'):
            href = link.get("href")
            if href.startswith("#"):
                if href[1:] not in ids[(doc_id, locale)]:
                    _fail(ctx, link, f"link to #{href[1:]} reaches no heading of this document",
                          near[(doc_id, locale)].hint("give the heading {#" + href[1:] + "} or fix the link", href[1:]))
            elif href.startswith(DOC_SCHEME):
                _cross_document(ctx, link, doc_link(href), locale, ids, near)


def _cross_document(ctx: Context, link, target: DocLink | None, locale: str, ids: dict, near: dict) -> None:
    if target is None:
        _fail(ctx, link, f"link to {link.get('href')!r} names no document", "write doc:document-id or doc:document-id#heading-id")
        return
    other, anchor = target.doc_id, target.anchor
    if other not in ctx.pack.documents:
        _fail(ctx, link, f"link to unknown document {other!r}",
              with_suggestion(f"use one of: {', '.join(ctx.pack.documents)}", other, ctx.pack.documents, "doc:"))
    elif anchor and (other, locale) in ids and anchor not in ids[(other, locale)]:
        near = near.setdefault((other, locale, DOC_SCHEME), Near(ids[(other, locale)], f"doc:{other}#"))
        _fail(ctx, link, f"link to {other}#{anchor}: {other!r} has no heading #{anchor}",
              near.hint(f"give a heading of {other!r} the id {{#{anchor}}} or fix the link", anchor))


def _duplicate_ids(ctx: Context, tree) -> None:
    seen: dict[str, object] = {}
    for node in tree.xpath("//main//*[@id]"):
        name = node.get("id")
        if name in seen:
            first_path, first_line = where(seen[name])
            _fail(ctx, node, f"heading id #{name} is used twice in this document (first at {first_path}:{first_line})",
                  "give each heading its own id")
        seen[name] = node


@check("urls")
def urls(ctx: Context) -> None:
    for _, tree in ctx.items:
        for link in tree.xpath('//a[starts-with(@href, "http")]'):
            problem = url_problem(link.get("href"))
            if problem:
                _fail(ctx, link, f"malformed URL {link.get('href')!r}: {problem}", "correct the address")


@check("addresses")
def addresses(ctx: Context) -> None:
    """An e-mail address is a link (mailto:) in every format, not text a reader cannot follow."""
    for _, tree in ctx.items:
        for text, owner in _visible_texts(tree):
            for address in EMAIL.findall(text) if "@" in text else ():
                path, line = where(owner)
                ctx.report.warning(path, line, f"e-mail address {address} is text, not a link",
                                   f"write it as <{address}>: it becomes a mailto: link in the PDF and in Word")


UNSEEN = frozenset({"a", "style", "script"})  # text a reader does not take for a bare address


def _visible_texts(tree):
    """(text, the element it belongs to) for every text of <body> outside links, styles and scripts,
    in one walk: libxml2's ``//text()[not(ancestor::a)]`` merges node sets in quadratic time (a
    fragment of 8,000 short paragraphs took seconds)."""
    for body in tree.iter("body"):
        hidden = 0
        for event, element in etree.iterwalk(body, events=("start", "end", "comment", "pi")):
            unseen = element.tag in UNSEEN
            if event == "start":
                hidden += unseen
                if not hidden and element.text:
                    yield element.text, element
                continue
            hidden -= unseen and event == "end"
            if not hidden and element.tail and element is not body:
                yield element.tail, element.getparent()


def _fail(ctx: Context, node, message: str, hint: str) -> None:
    path, line = where(node)
    ctx.report.error(path, line, message, hint)
