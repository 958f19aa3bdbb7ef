"""Assembled HTML → PDF bytes, laid out by WeasyPrint with the templates' CSS.

The renderer reads only files inside the project: every fetch goes through
``ProjectFetcher``, which refuses the network and any path outside the project (WeasyPrint's
default fetcher would embed ``file:///etc/passwd`` or call any URL). An edition adds its own
page setup (bleed, crop marks) and stylesheet ``templates/edition-<name>.css`` if present.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pikepdf
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from .assemble import TEMPLATES, Assembled
from .config import Edition, output_name
from .tagging import describe_links, name_fields, restructure, semantic_tags


class ProjectFetcher(URLFetcher):
    """Fetch ``file:`` URLs inside ``root``; refuse (and remember) everything else."""

    def __init__(self, root: Path):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.root = root.resolve()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if not url.startswith("file:") or not self._inside(url):
            self.refused.append(url)
            raise ValueError(f"refused to read {url}: only files inside the project are read")
        return super().fetch(url, headers)

    def _inside(self, url: str) -> bool:
        return Path(url2pathname(urlparse(url).path)).resolve().is_relative_to(self.root)


def write_pdf(assembled: Assembled, edition: Edition, root: Path, first_edition: str) -> tuple[bytes, list[str]]:
    """Render one edition of one document; returns the PDF and the URLs that were refused."""
    fetcher = ProjectFetcher(root)
    html = _link_siblings(assembled.html, edition.name, first_edition)
    document = HTML(string=html, base_url=str(root / TEMPLATES) + "/", url_fetcher=fetcher)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from .preflight import fixed_font_dates  # fontTools stamps font subsets with the time

    epoch = int(dt.datetime(assembled.doc.year, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    tagged = (edition.pdf_variant or "").startswith("pdf/ua")
    with fixed_font_dates(epoch), (semantic_tags(document) if tagged else nullcontext()):
        pdf = document.write_pdf(
            stylesheets=_edition_styles(edition, root, fetcher),
            pdf_variant=edition.pdf_variant, pdf_forms=edition.forms,
            pdf_identifier=f"{assembled.doc.id}-{assembled.locale}-{edition.name}".encode(),
            custom_metadata=True)
    pdf = _finish(pdf, (root / TEMPLATES).resolve().as_uri() + "/", assembled, tagged)
    if edition.booklet:
        from .preflight import pad_booklet

        doc = assembled.doc
        colophon = edition.colophon or f"{doc.title} · {doc.year}"
        with fixed_font_dates(epoch):
            pdf = pad_booklet(pdf, colophon, marks=edition.marks, fonts=root / TEMPLATES / "fonts")
    return pdf, fetcher.refused


def _finish(pdf: bytes, base: str, assembled: Assembled, tagged: bool) -> bytes:
    """What WeasyPrint 70 leaves to mend, in one pikepdf pass: links to sibling PDFs, radio
    buttons listed as fields of their own, field names, and (tagged) the structure tree."""
    import io

    document = pikepdf.open(io.BytesIO(pdf))
    _remote_links(document, base)
    _tidy_radio_groups(document)
    tree = assembled.tree
    name_fields(document, tree)
    describe_links(document, tree)
    if tagged:
        restructure(document)
    out = io.BytesIO()
    document.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _tidy_radio_groups(document) -> None:
    """WeasyPrint lists each radio button in /AcroForm /Fields and names it like its group
    (qpdf: "loop detected"; readers see a phantom "group.group"): keep only the groups."""
    form = document.Root.get("/AcroForm")
    if form is None:
        return
    fields = list(form.Fields)
    kids = [f for f in fields if "/Parent" in f]
    for kid in kids:
        if "/T" in kid:
            del kid["/T"]
    if kids:
        form.Fields = pikepdf.Array([f for f in fields if "/Parent" not in f])


def _remote_links(document, base: str) -> None:
    """Links to a sibling PDF come out of WeasyPrint as absolute file: URIs under the
    templates folder; make them GoToR actions (another file, a named destination). Their
    description, which held that URI, is rewritten by ``describe_links``."""
    for page in document.pages:
        for annotation in page.get("/Annots", []):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(base):
                filename, _, anchor = uri[len(base):].partition("#")
                annotation.A = pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.String(filename),
                                                  D=pikepdf.String(anchor) if anchor else pikepdf.Array([0, pikepdf.Name.Fit]),
                                                  NewWindow=False)


def _link_siblings(html: str, edition: str, first_edition: str) -> str:
    """``doc:qa#x`` → ``qa.pdf#x`` (the same edition of the sibling document)."""
    def sibling(match: re.Match) -> str:
        doc_id, anchor = match.group(1), match.group(2) or ""
        return f'href="{output_name(doc_id, edition, first_edition, "pdf")}{anchor}"'
    return re.sub(r'href="doc:([\w-]+)(#[^"]*)?"', sibling, html)


def _edition_styles(edition: Edition, root: Path, fetcher: ProjectFetcher) -> list[CSS]:
    page = []
    if edition.bleed:
        page.append(f"bleed: {edition.bleed};")
    if edition.marks:
        page.append(f"marks: {edition.marks};")
    styles = [CSS(string=f"@page {{ {' '.join(page)} }}")] if page else []
    extra = root / TEMPLATES / f"edition-{edition.name}.css"
    if extra.is_file():
        styles.append(CSS(filename=str(extra), url_fetcher=fetcher))
    return styles
