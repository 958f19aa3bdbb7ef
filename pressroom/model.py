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
WORD_STYLES = TEMPLATES / "reference.docx"  # the Word files' styles (templates/reference.docx)
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


# -- names, invisible characters, links: the readings every reader and writer agree on -------

# A name that becomes part of a file path (a document id, an edition, a form field): letters,
# digits, '-' and '_', starting with a letter or digit. Never '.', '/', a space or a control.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
SAFE_NAME_HINT = "use only letters, digits, '-' and '_' (e.g. guidance, print, full_name)"
# A name Windows keeps for a device (``con.docx`` opens the console there): never a file's name.
RESERVED_NAME = re.compile(r"(?i)(con|prn|aux|nul|com[0-9]|lpt[0-9])\Z")
# A file a pack.yaml list names inside its folder (a fragment): a safe name with extensions.
SAFE_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}(\.[A-Za-z0-9][A-Za-z0-9_-]{0,15}){0,3}\Z")

# Text that displays otherwise than it reads (Trojan Source, CVE-2021-42574): bidirectional
# embeddings, overrides and isolates, and characters that take no width.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
INVISIBLE = re.compile(f"[{BIDI_CONTROLS}{ZERO_WIDTH}]")
INVISIBLE_HINT = ("delete it (retype the words around it): even right-to-left text needs no control "
                  "characters, see docs/editing-content.md")


def invisible(text: str | None) -> str | None:
    """``U+202E (a bidirectional control)`` for the first invisible character of ``text``, or None."""
    match = INVISIBLE.search(text or "")
    if match is None:
        return None
    kind = "a bidirectional control" if match.group() in BIDI_CONTROLS else "a zero-width character"
    return f"U+{ord(match.group()):04X} ({kind})"


# The one allow-list of link targets, for every link of every output, wherever it comes from.
LINK_SCHEMES = ("https://", "http://", "mailto:", DOC_SCHEME, "#")
LINK_HINT = "link to https://…, mailto:…, #heading-id or doc:document#heading-id"
_AUTHORITY = re.compile(r"(?:https?)://([^/?#]*)", re.IGNORECASE)  # a '\\' stays in it: browsers read it as "/"


def link_problem(url: str | None) -> str | None:
    """Why ``url`` may not be a link target in any output, or None when it may."""
    from urllib.parse import unquote

    url = url or ""
    hidden = invisible(url) or invisible(unquote(url)) or invisible(_unpunycoded(url))  # as markdown-it encodes
    if hidden:
        return f"link target {url!r} holds the invisible character {hidden}"
    if any(c.isspace() or ord(c) < 32 for c in url):
        return f"link target {url!r} holds a space or a control character"
    if not url.lower().startswith(LINK_SCHEMES) or (url.startswith(DOC_SCHEME) and doc_link(url) is None):
        return f"link target {url!r} is not allowed"
    authority = _AUTHORITY.match(url)
    if authority is not None and ("@" in authority.group(1) or not authority.group(1)):
        return (f"link target {url!r} carries a user name or password, or hides its host" if authority.group(1)
                else f"link target {url!r} has no host")
    if url.lower().startswith("mailto:") and ("//" in url or url.count("@") > 1):
        return f"link target {url!r} is not a plain email address"
    return None


def _unpunycoded(url: str) -> str:
    """The host's ``xn--`` labels decoded (markdown-it punycodes a host with non-ASCII in it)."""
    authority = _AUTHORITY.match(url)
    labels = []
    for label in (authority.group(1) if authority else "").split("."):
        try:
            labels.append(label[4:].encode("ascii").decode("punycode") if label.lower().startswith("xn--") else label)
        except (UnicodeError, ValueError):
            labels.append(label)
    return ".".join(labels)


_EMAIL_TEXT = re.compile(r"[^\s@:/]+@[^\s@:/]*[^\s@:/.]\Z")  # text that reads as an e-mail address (with a '.' after '@')
_URL_TEXT = re.compile(r"(?:[a-z][a-z0-9+.-]*:(?://)?|www\.)\S+\Z", re.IGNORECASE)


def spoofed(text: str, url: str) -> bool:
    """A link whose visible text is itself a URL (or address) other than its target."""
    shown = heard(text)
    if not _URL_TEXT.match(shown) and not (_EMAIL_TEXT.match(shown) and "." in shown.partition("@")[2]):
        return False

    def bare(value: str) -> str:
        value = value.strip().rstrip("/").lower()
        value = re.sub(r"\A(?:https?://|mailto:)", "", value)
        return value[4:] if value.startswith("www.") else value
    return bare(shown) != bare(url)
