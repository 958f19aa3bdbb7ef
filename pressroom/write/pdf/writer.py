"""Assembled HTML → PDF bytes, laid out by WeasyPrint with the templates' CSS.

The renderer reads only files inside the project: every fetch goes through
``ProjectFetcher``, which refuses the network and any path outside the project (WeasyPrint's
default fetcher would embed ``file:///etc/passwd`` or call any URL). An edition adds its own
page setup (bleed, crop marks) and stylesheet ``templates/edition-<name>.css`` if present.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import nullcontext
from pathlib import Path

from pressroom.write.pdf.subsetter import FALLBACK_WARNING, quick_library_lookup

with quick_library_lookup():
    from weasyprint import CSS, HTML

from pressroom.diagnostics import Report
from pressroom.model import TEMPLATES, Assembled, Edition, doc_link, output_name
from pressroom.write.pdf.booklet import pad_booklet
from pressroom.write.pdf.fetcher import ProjectFetcher
from pressroom.write.pdf.finishing import finish
from pressroom.write.pdf.fonts import fixed_font_dates  # fontTools stamps font subsets with the time
from pressroom.write.pdf.log import captured, report_warnings, stylesheet_sources
from pressroom.write.pdf.tagging import semantic_tags


def write_pdf(assembled: Assembled, edition: Edition, root: Path, first_edition: str) -> tuple[bytes, Report]:
    """Render one edition of one document; returns the PDF and its problems: each URL the
    renderer was refused (an error), each thing WeasyPrint ignored (a warning at its line)."""
    fetcher = ProjectFetcher(root)
    html = _link_siblings(assembled.html, edition.name, first_edition)
    epoch = int(dt.datetime(assembled.doc.year, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    tagged = edition.variant.startswith("pdf/ua")
    with captured() as log, fixed_font_dates(epoch):
        document = HTML(string=html, base_url=str(root / TEMPLATES) + "/", url_fetcher=fetcher)
        with semantic_tags(document) if tagged else nullcontext():
            pdf = document.write_pdf(
                stylesheets=_edition_styles(edition, root, fetcher),
                pdf_variant=edition.pdf_variant, pdf_forms=edition.forms,
                pdf_identifier=f"{assembled.doc.id}-{assembled.locale}-{edition.name}".encode(),
                custom_metadata=True)
    report = _problems(assembled, root, fetcher, log.records)
    pdf = finish(pdf, (root / TEMPLATES).resolve().as_uri() + "/", assembled, tagged)
    if edition.booklet:
        doc = assembled.doc
        colophon = edition.colophon or f"{doc.title} · {doc.year}"
        with fixed_font_dates(epoch):
            pdf = pad_booklet(pdf, colophon, marks=edition.marks, fonts=root / TEMPLATES / "fonts")
    return pdf, report


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


def _edition_styles(edition: Edition, root: Path, fetcher: ProjectFetcher) -> list[CSS]:
    page = []
    if edition.bleed:
        page.append(f"bleed: {edition.bleed};")
    if edition.marks:
        page.append(f"marks: {edition.marks};")
    styles = [CSS(string=f"@page {{ {' '.join(page)} }}")] if page else []
    extra = root / TEMPLATES / f"edition-{edition.name}.css"
    if extra.is_file():
        fetcher.read.append(extra.resolve())
        styles.append(CSS(filename=str(extra), url_fetcher=fetcher))
    return styles
