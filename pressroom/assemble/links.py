"""Every link of the assembled document passes the one allow-list (``model.link_problem``) where
it entered it: a fragment's links are checked as the fragment is read (read/markdown.py), a
bibliography's url and doi as the .bib is read; here, what pandoc's citeproc made of them (a
citation or a bibliography entry can become a link) and what the template added. A refused link
is reported at its source and loses its target, so that even a draft shows no such address.
"""

from __future__ import annotations

from lxml import html as lxml_html

from pressroom.diagnostics import Report
from pressroom.model import LINK_HINT, invisible, link_problem, spoofed
from pressroom.read.bibliography import Bibliography

LINKING = ("a", "area")


def citation_links(body, bib: Bibliography, report: Report) -> None:
    """Links inside formatted citations: reported at the .bib entry they come from (by its url),
    else at the fragment line of the citation."""
    for span in body.xpath('//span[contains(concat(" ", @class, " "), " citation ")]'):
        keys = (span.get("data-cites") or "").split()
        for link in span.iter(*LINKING):
            _refuse(link, report, lambda href: _entry_source(bib, keys, href, span.get("data-src")))


def reference_links(references: str, bib: Bibliography, report: Report) -> str:
    """Links of the bibliography's HTML, reported at their .bib entry; the HTML with them removed."""
    if "<a" not in references:
        return references
    tree = lxml_html.fragment_fromstring(references, create_parent="div")
    keys = list(bib.entries)
    for link in tree.iter(*LINKING):
        _refuse(link, report, lambda href: _entry_source(bib, keys, href, None))
    return (tree.text or "") + "".join(lxml_html.tostring(child, encoding="unicode") for child in tree)


def template_links(tree, template: str, report: Report) -> None:
    """Links the template itself wrote (not a fragment's, not a citation's): at the template."""
    for link in tree.iter(*LINKING):
        if link.get("data-src") is None and not link.xpath('ancestor::*[@data-src or @id="references" or '
                                                           'contains(@class, "references")]'):
            _refuse(link, report, lambda href: (f"templates/{template}", None))


def _refuse(link, report: Report, source) -> bool:
    href = link.get("href")
    if href is None:
        return False
    text = link.text_content()
    problem = link_problem(href)
    if problem is None and invisible(text):
        problem = f"link text {text!r} holds the invisible character {invisible(text)}"
    elif problem is None and spoofed(text, href):
        problem = f"link text {text!r} shows an address other than its target {href!r}"
    if problem is None:
        return False
    path, line = source(href)
    report.error(path, line, problem, LINK_HINT)
    link.set("href", "#")
    return True


def _entry_source(bib: Bibliography, keys: list[str], href: str, fallback: str | None) -> tuple[str, int | None]:
    for key in keys:
        entry = bib.entries.get(key)
        if entry is not None and (entry.url == href or (entry.url and href in entry.url) or len(keys) == 1):
            return bib.shown, entry.line
    if fallback and ":" in fallback:
        path, line = fallback.rsplit(":", 1)
        return path, int(line) if line.isdigit() else None
    return bib.shown, None
