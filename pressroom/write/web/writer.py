"""The web edition's pages: an assembled document and what its page links to → HTML bytes.

The page around the document (masthead, language switcher, downloads, notes) is the Jinja
template templates/web/page.html.j2, whose strings are translated like every template's; the
document itself is the assembled tree, reshaped for a browser by ``transform``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from pressroom.model import Assembled
from pressroom.write.web.assets import ASSETS
from pressroom.write.web.transform import Note, Parts, web_parts

TEMPLATE = "web/page.html.j2"
FRONT_DOOR = "web/languages.html.j2"
CSP = ("default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; "
       "base-uri 'none'; form-action 'none'")


@dataclass(frozen=True)
class Language:
    code: str  # as in pack.yaml: the folder's name
    bcp47: str
    direction: str
    name: str  # in its own language: "Français"


@dataclass(frozen=True)
class Download:
    name: str  # a file beside the page: guidance.pdf, guidance.print.pdf, guidance.docx
    format: str  # pdf, docx
    edition: str  # the PDF edition; "" for Word
    size: int  # bytes
    fillable: bool = False  # a form: PDF fields or Word content controls to fill in


@dataclass(frozen=True)
class Entry:
    """A document as the landing page lists it."""
    doc_id: str
    page: str
    title: str
    subtitle: str
    downloads: tuple[Download, ...]
    lang: str = ""  # its title's language, when not the page's (an untranslated title)
    direction: str = ""


@dataclass(frozen=True)
class Page:
    """One page: a document in a locale, and what its chrome links to."""
    assembled: Assembled
    name: str  # index.html, guidance.html
    language: Language  # the page's (its folder's) language
    languages: tuple[Language, ...]  # every locale of the pack, for the switcher
    pages: dict[str, str]  # document id → page name, for doc: links
    downloads: tuple[Download, ...]
    entries: tuple[Entry, ...] = ()  # the landing page's list of documents
    organisation: str = ""
    source_title: str = ""  # the title in the source language: an untranslated title is marked so
    source_language: Language | None = None
    translations: object = None  # gettext translations of the page's language
    root: Path = field(default=Path("."))  # the project, for templates/


def write_page(page: Page) -> bytes:
    """The page's HTML bytes (the same page, the same bytes)."""
    parts = web_parts(page.assembled.tree, page.pages, page.language.bcp47)
    title_lang = ""
    if page.source_language and page.language.code != page.source_language.code and parts.title == page.source_title:
        title_lang = page.source_language.bcp47
    env = _environment(page.root, page.translations, page.language.code)
    html = env.get_template(TEMPLATE).render(
        page=page, parts=parts, doc=page.assembled.doc, csp=Markup(CSP), assets=f"../{ASSETS}",
        title_lang=title_lang, body_lang=parts.lang if parts.lang != page.language.bcp47 else "",
        source=page.source_language)
    return html.encode("utf-8")


def write_front_door(languages: tuple[Language, ...], source: Language, organisation: str, title: str,
                     translations, root: Path) -> bytes:
    """output/web/index.html: a choice of the site's languages, each named in itself."""
    html = _environment(root, translations, source.code).get_template(FRONT_DOOR).render(
        languages=languages, source=source, organisation=organisation, title=title, csp=Markup(CSP), assets=ASSETS)
    return html.encode("utf-8")


def _environment(root: Path, translations, locale: str):
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(root / "templates")), autoescape=True,
                             undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.i18n"],
                             trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations, newstyle=True)
    env.filters["size"] = lambda size: _size(size, locale)
    return env


def _size(size: int, locale: str) -> str:
    """412 KB, 1.2 MB, in the page's language (babel's short units: « 412 ko »)."""
    from babel.units import format_unit

    if size >= 1_000_000:
        return format_unit(round(size / 1_000_000, 1), "digital-megabyte", length="short", locale=locale)
    return format_unit(max(1, round(size / 1000)), "digital-kilobyte", length="short", locale=locale)


