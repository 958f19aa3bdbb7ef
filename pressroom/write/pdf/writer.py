"""Assembled HTML → PDF bytes, laid out by WeasyPrint with the templates' CSS.

The renderer reads only files inside the project: every fetch goes through
``ProjectFetcher``, which refuses the network and any path outside the project (WeasyPrint's
default fetcher would embed ``file:///etc/passwd`` or call any URL). An edition adds its own
page setup (bleed, crop marks) and stylesheet ``templates/edition-<name>.css`` if present.

A PDF/X edition is set for paper (``paper``: cross-document links as text with the page of
their target, unbreakable addresses and names), drawn in CMYK through its output profile
(``@color-profile device-cmyk``, the edition's stylesheet declaring the colours in CMYK), then
finished for the press (``prepress``: binding, slug and marks, the named output intent).
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import nullcontext
from pathlib import Path

from pressroom.write.pdf.subsetter import FALLBACK_WARNING, quick_library_lookup

with quick_library_lookup():
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

from pressroom.diagnostics import Report
from pressroom.model import TEMPLATES, Assembled, Edition, doc_link, output_name
from pressroom.write.pdf.booklet import pad_booklet
from pressroom.write.pdf.fetcher import ProjectFetcher
from pressroom.write.pdf.finishing import finish
from pressroom.write.pdf.fonts import fixed_font_dates  # fontTools stamps font subsets with the time
from pressroom.write.pdf.paper import for_paper
from pressroom.write.pdf.prepress import css_length, prepress
from pressroom.write.pdf.log import captured, report_warnings, stylesheet_sources
from pressroom.write.pdf.tagging import semantic_tags


def write_pdf(assembled: Assembled, edition: Edition, root: Path, first_edition: str,
              siblings: dict[str, Assembled] | None = None) -> tuple[bytes, Report]:
    """Render one edition of one document; returns the PDF and its problems: each URL the
    renderer was refused (an error), each thing WeasyPrint ignored (a warning at its line).
    ``siblings``: the documents this one links to (a PDF/X edition names the page of each target)."""
    fetcher = ProjectFetcher(root)
    press = edition.variant.startswith("pdf/x")
    profiles: dict = {}  # @color-profile rules of the edition's stylesheets, shared with the render
    fonts = FontConfiguration() if press else None  # and (PDF/X) the @font-face rules of its own
    styles = _edition_styles(edition, root, fetcher, profiles, fonts)
    html = assembled.html
    if press:
        html = paper_html(assembled, edition, root, siblings or {}, styles, profiles, fonts)
    html = _link_siblings(html, edition.name, first_edition)
    epoch = int(dt.datetime(assembled.doc.year, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    tagged = edition.variant.startswith("pdf/ua")
    with captured() as log, fixed_font_dates(epoch):
        document = HTML(string=html, base_url=str(root / TEMPLATES) + "/", url_fetcher=fetcher)
        with semantic_tags(document) if tagged else nullcontext():
            pdf = document.write_pdf(
                stylesheets=styles, color_profiles=profiles, font_config=fonts,
                pdf_variant=edition.pdf_variant, pdf_forms=edition.forms,
                pdf_identifier=f"{assembled.doc.id}-{assembled.locale}-{edition.name}".encode(),
                custom_metadata=True)
    report = _problems(assembled, root, fetcher, log.records)
    pdf = finish(pdf, (root / TEMPLATES).resolve().as_uri() + "/", assembled, tagged)
    if edition.booklet:
        doc = assembled.doc
        colophon = edition.colophon or f"{doc.title} · {doc.year}"
        with fixed_font_dates(epoch):
            pdf = pad_booklet(pdf, colophon, marks=None if press else edition.marks,
                              fonts=root / TEMPLATES / "fonts", cmyk=press)
    if press:
        pdf = prepress(pdf, bleed=css_length(edition.bleed or "0mm"), marks=edition.marks or "",
                       binding=assembled.doc.binding, back_cover=bool(assembled.tree.find_class("back-cover")),
                       condition=edition.output_condition,
                       identifier=f"{assembled.doc.id}-{assembled.locale}-{edition.name}")
    return pdf, report


def paper_html(assembled: Assembled, edition: Edition, root: Path, siblings: dict[str, Assembled],
               styles: list, profiles: dict, fonts) -> str:
    """The document set for paper, its links to ``siblings`` as text with their targets' pages,
    read from a layout of each sibling's own paper edition (its own links to others are given
    placeholder pages of the same width: a line may, rarely, break differently there)."""
    titles = {doc_id: sibling.doc.title for doc_id, sibling in siblings.items()}
    pages = {}
    for doc_id, sibling in siblings.items():
        html = for_paper(sibling, binding=sibling.doc.binding, names=edition.no_hyphenate,
                         pages=_placeholder_pages(sibling), titles={})
        with captured():  # what WeasyPrint says of the sibling is said when the sibling is rendered
            laid_out = HTML(string=html, base_url=str(root / TEMPLATES) + "/", url_fetcher=ProjectFetcher(root)).render(
                stylesheets=styles, color_profiles=profiles, font_config=fonts)
        pages[(doc_id, "")] = 1
        for number, page in enumerate(laid_out.pages, 1):
            for anchor in page.anchors:
                pages.setdefault((doc_id, anchor), number)
    return for_paper(assembled, binding=assembled.doc.binding, names=edition.no_hyphenate, pages=pages, titles=titles)


def _placeholder_pages(assembled: Assembled) -> dict:
    links = (doc_link(a.get("href")) for a in assembled.tree.iter("a"))
    return {(link.doc_id, link.anchor): 88 for link in links if link is not None}


def _problems(assembled: Assembled, root: Path, fetcher: ProjectFetcher, records: list) -> Report:
    report, template = Report(), f"templates/{assembled.doc.template}"
    for url in fetcher.refused:
        report.error(template, None, f"the PDF renderer refused to read {url}",
                     "templates may use only files inside the project")
    inline = [style.text or "" for style in assembled.tree.iter("style")]
    sources = stylesheet_sources(fetcher.read, root.resolve(), inline, assembled.doc.template)
    report_warnings([r for r in records if not r.getMessage().startswith(FALLBACK_WARNING)], sources, report,
                    template)  # the font subsetter's fallback: the build says so once (subsetter.NOTICE)
    return report


def _link_siblings(html: str, edition: str, first_edition: str) -> str:
    """``doc:qa#x`` → ``qa.pdf#x`` (the same edition of the sibling document)."""
    def sibling(match: re.Match) -> str:
        link = doc_link(match.group(1))
        if link is None:
            return match.group(0)
        return f'href="{output_name(link.doc_id, edition, first_edition, "pdf")}{link.fragment}"'
    return re.sub(r'href="(doc:[^"]*)"', sibling, html)


def _edition_styles(edition: Edition, root: Path, fetcher: ProjectFetcher, profiles: dict,
                    fonts=None) -> list[CSS]:
    """The edition's page setup from pack.yaml, then ``templates/edition-<name>.css``. A PDF/X
    edition draws its own marks (``prepress``: WeasyPrint's fall inside the bleed), and its
    output profile is the ``device-cmyk`` colour profile; ``--bleed`` is the bleed for the CSS."""
    press = edition.variant.startswith("pdf/x")
    page, rules = [], []
    if edition.bleed:
        page.append(f"bleed: {edition.bleed};")
        rules.append(f":root {{ --bleed: {edition.bleed}; }}")
    if edition.marks and not press:
        page.append(f"marks: {edition.marks};")
    if press and edition.output_profile:
        rules.append("@color-profile device-cmyk { components: cyan, magenta, yellow, black; "
                     f"src: url({edition.output_profile}); }}")
    base = str(root / TEMPLATES) + "/"
    css = (f"@page {{ {' '.join(page)} }}\n" if page else "") + "\n".join(rules)
    styles = [CSS(string=css, base_url=base, url_fetcher=fetcher, color_profiles=profiles)] if css else []
    if not edition.marks_untranslated:
        styles.append(CSS(string=".fallback-note { display: none !important; }"))
    extra = root / TEMPLATES / f"edition-{edition.name}.css"
    if extra.is_file():
        fetcher.read.append(extra.resolve())
        styles.append(CSS(filename=str(extra), url_fetcher=fetcher, color_profiles=profiles, font_config=fonts))
    return styles
