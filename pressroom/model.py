"""The values every stage hands on: a pack and its documents, fragments, assembled documents,
build targets — and the two readings that every writer and check must agree on: where a
``doc:`` link goes, and a label as a reader hears it.

Imports no stage: reading, assembling, checks, writers, inspection, build and commands all
import this module, and it imports none of them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACK_FILE = Path("content") / "pack.yaml"
TEMPLATES = Path("templates")
TITLES = "titles.yaml"  # per locale: document titles and subtitles
OUTPUT = Path("output")
FORMATS = ("pdf", "docx", "web")
BINDINGS = ("saddle-stitch", "perfect-bound", "loose")
LANDING = "web"  # the web edition's front page: content/<locale>/web/, declared under web.landing


@dataclass(frozen=True)
class Edition:
    name: str
    pdf_variant: str | None = None
    forms: bool = False  # live form fields (screen) or ruled lines to write on (print)
    bleed: str | None = None
    marks: str | None = None
    booklet: bool = False  # pad to a multiple of 4 pages for saddle stitching
    colophon: str = ""  # booklets: the text on the last page (default: organisation, title, year)
    # PDF/X: the output intent (a CMYK ICC profile under templates/, the registered printing
    # condition it characterizes, its total ink limit in %) and names never to hyphenate
    output_profile: str | None = None
    output_condition: str = ""
    ink_limit: int = 300
    no_hyphenate: tuple[str, ...] = ()
    default: bool = True  # built by `invoke build` without --edition (docs/printing.md: why print is not)
    mark_untranslated: bool | None = None  # label parts taken from the source (default: screen editions)

    @property
    def marks_untranslated(self) -> bool:
        """Show the "English original — not yet translated" labels: by default in editions for
        the screen (no bleed), not in those for the press."""
        return self.mark_untranslated if self.mark_untranslated is not None else not self.bleed

    @property
    def variant(self) -> str:
        """The PDF variant in lower case ("" for plain PDF): ``pdf/ua-1``, ``pdf/x-4``…"""
        return (self.pdf_variant or "").lower()


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    subtitle: str
    year: int
    reference: str
    template: str
    fragments: tuple[str, ...]
    line: int  # where the document is declared in pack.yaml
    fragment_lines: tuple[int, ...] = ()  # where each fragment is listed
    contents: bool = True  # print a table of contents
    references: bool = False  # print a bibliography of the cited works
    binding: str = "loose"  # print: saddle-stitch (pages × 4), perfect-bound (even) or loose (as is)


@dataclass(frozen=True)
class Pack:
    root: Path
    id: str
    title: str
    organisation: str
    source_locale: str
    locales: tuple[str, ...]
    deadline: dt.date
    reply_email: str
    bibliography: Path
    citation_style: str
    editions: tuple[Edition, ...]
    documents: dict[str, Document]
    link_ignore: tuple[str, ...] = ()
    landing: Document | None = None  # the web edition's front page (web only: no PDF or Word)

    @property
    def path(self) -> Path:
        return self.root / PACK_FILE

    def document(self, doc_id: str) -> Document:
        if self.landing is not None and doc_id == self.landing.id:
            return self.landing
        return self.documents[doc_id]


@dataclass(frozen=True)
class Fragment:
    doc_id: str
    name: str  # as listed in pack.yaml
    locale: str  # the locale whose file was read
    shown: str  # project-relative path, used in every message
    text: str  # the body after the front matter: NFC, LF line endings
    first_line: int  # line number (in the file) of the body's first line
    meta: dict[str, Any] = field(default_factory=dict)
    fallback: bool = False  # the requested locale has no such file (or, outdated, one that cannot be used)
    outdated: bool = False  # the translation no longer fits its changed source: the source is used

    @property
    def kind(self) -> str:
        return "form" if self.name.endswith((".yaml", ".yml")) else "markdown"


@dataclass(frozen=True)
class Assembled:
    """One document in one locale, ready for the checks and the writers."""

    doc: Document
    locale: str
    html: str
    fragments: tuple[Fragment, ...]

    @property
    def tree(self):
        from lxml import html as lxml_html

        return lxml_html.document_fromstring(self.html)


@dataclass(frozen=True)
class Target:
    """One file of output/: a document in a locale, a format and (PDF) an edition; or a file of
    the web edition (``site``): a page, a download beside the pages, or a shared asset (no
    document, no locale)."""

    doc_id: str
    locale: str
    format: str  # pdf, docx, web (a page), asset (output/web/assets/)
    edition: str  # the PDF edition; "" for DOCX
    name: str  # file name inside output/<locale>/ (output/web/<locale>/ when ``site``)
    site: bool = False

    @property
    def key(self) -> str:
        return "/".join(part for part in ("web" if self.site else "", self.locale, self.name) if part)


def output_name(doc_id: str, edition: str, first_edition: str, extension: str) -> str:
    """``guidance.pdf`` for the first edition, ``guidance.print.pdf`` for the others."""
    suffix = "" if edition == first_edition else f".{edition}"
    return f"{doc_id}{suffix}.{extension}"


# -- links between the pack's documents ------------------------------------------------------

DOC_SCHEME = "doc:"
DOC_LINK = re.compile(r"doc:([\w-]+)(?:#(.*))?\Z", re.DOTALL)


@dataclass(frozen=True)
class DocLink:
    """``doc:qa#consent`` → document ``qa``, anchor ``consent`` ("" for the document's top)."""

    doc_id: str
    anchor: str = ""

    @property
    def fragment(self) -> str:
        """``#consent``, or "" when the link is to the document itself."""
        return f"#{self.anchor}" if self.anchor else ""


def doc_link(href: str | None) -> DocLink | None:
    """The one reading of a ``doc:`` link, for every check and writer; None for any other href."""
    match = DOC_LINK.match(href or "")
    return DocLink(match.group(1), match.group(2) or "") if match else None


# -- what a reader hears ---------------------------------------------------------------------


def heard(text: str) -> str:
    """Text as a reader hears it: NFC, soft hyphens gone, runs of white space one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).replace("\u00ad", "")).strip()


def label_text(element) -> str:
    """A form label (or any element) as a reader hears it, without a field's required mark:
    the PDF field's accessible name, the Word control's alias and the collected column agree."""
    if element is None:
        return ""
    parts = [element.text or ""]
    for child in element:
        if "required-mark" not in (child.get("class") or ""):
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return heard("".join(parts))
