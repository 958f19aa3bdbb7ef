"""The web edition in the build: its targets, its freshness, its pages.

output/web/<locale>/ holds a page per document (``index.html`` for the landing document) and,
beside the pages, copies of the same locale's PDFs and Word files (the downloads: the same
bytes as output/<locale>/, rendered once); output/web/assets/ holds the stylesheet and the
WOFF2 fonts, shared by every locale. A page names each download's size, so its freshness
includes the downloads' own input hashes, and pages are written after the files they describe
are rendered.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pressroom.model import TEMPLATES, Pack, Target, output_name

ASSET = "asset"  # the format of output/web/assets/ files


def page_name(pack: Pack, doc_id: str) -> str:
    return "index.html" if pack.landing is not None and doc_id == pack.landing.id else f"{doc_id}.html"


def plan_web(pack: Pack, docs: list[str], locales: list[str], whole: bool) -> list[Target]:
    """The pages of ``docs`` in ``locales`` (and the landing page when the whole pack is built),
    the downloads those pages offer, and the shared assets."""
    from pressroom.write.web.fonts import FONTS
    from pressroom.write.web.assets import STYLESHEET_NAME

    listed = list(pack.documents) if whole else docs
    targets = []
    for locale in locales:
        pages = ([pack.landing.id] if pack.landing is not None and whole else []) + docs
        targets += [Target(doc_id, locale, "web", "", page_name(pack, doc_id), site=True) for doc_id in pages]
        for doc_id in listed:
            targets += downloads_of(pack, doc_id, locale)
    if whole:
        targets.append(Target("", "", "web", "", "index.html", site=True))  # the choice of languages
    targets.append(Target("", "", ASSET, "", f"assets/{STYLESHEET_NAME}", site=True))
    targets += [Target("", "", ASSET, "", f"assets/fonts/{name}.woff2", site=True) for name in FONTS]
    return targets


def site_files(pack: Pack) -> set[str]:
    """The keys of every file the whole site has, every locale's: what a page may link to."""
    return {t.key for t in plan_web(pack, list(pack.documents), list(pack.locales), True)}


def downloads_of(pack: Pack, doc_id: str, locale: str) -> list[Target]:
    """What a page offers: the PDF of each edition a plain build makes (the print edition is the
    printer's, delivered by ``invoke package``, and would double the PDF work of every build) and
    the Word file."""
    first = pack.editions[0].name
    return [*(Target(doc_id, locale, "pdf", e.name, output_name(doc_id, e.name, first, "pdf"), site=True)
              for e in pack.editions if e.default),
            Target(doc_id, locale, "docx", "", f"{doc_id}.docx", site=True)]


def page_hashes(pack: Pack, targets: list[Target], hashes: dict[str, str], hash_of) -> None:
    """A page names the size of its downloads (the landing page: of every document's): their
    input hashes, which decide their bytes, are part of the page's own."""
    for target in targets:
        if target.format != "web" or not target.locale:
            continue
        digest = hashlib.sha256(hashes[target.key].encode())
        for doc_id in _listed(pack, target):
            for download in downloads_of(pack, doc_id, target.locale):
                digest.update((hashes[download.key] if download.key in hashes else hash_of(download)).encode())
        hashes[target.key] = digest.hexdigest()


def _listed(pack: Pack, target: Target) -> list[str]:
    """The documents whose downloads a page offers: its own, or (the landing page) all."""
    return list(pack.documents) if pack.landing is not None and target.doc_id == pack.landing.id else [target.doc_id]


def asset_source(root: Path, target: Target) -> Path:
    """What an asset is made from: the vendored cut of a face (templates/fonts/web/), or the
    stylesheet; either is copied as it is."""
    from pressroom.write.web.fonts import WEB
    from pressroom.write.web.assets import STYLESHEET

    if target.name.endswith(".woff2"):
        return root / TEMPLATES / "fonts" / WEB / Path(target.name).name
    return root / STYLESHEET


def render_asset(root: Path, target: Target) -> bytes:
    from pressroom.read.files import read_project_bytes

    return read_project_bytes(root, asset_source(root, target))


def render_pages(pack: Pack, targets: list[Target], documents: dict, size_of,
                 done=lambda group, seconds: None) -> list[tuple[list[Target], bytes]]:
    """Each stale page rendered (in this process: a page takes ~50 ms). ``size_of(target)``: the
    byte size of a download, rendered in this build or written earlier; ``done(group, seconds)``
    is told of each page rendered (the progress display counts pages as it counts files)."""
    import time
    from pressroom.write.web.writer import Page, write_front_door, write_page

    languages = _languages(pack)
    by_code = {language.code: language for language in languages}
    names = {doc_id: page_name(pack, doc_id) for doc_id in [*([pack.landing.id] if pack.landing else []), *pack.documents]}
    rendered = []
    for target in targets:
        started = time.perf_counter()
        if not target.locale:
            source = by_code[pack.source_locale]
            rendered.append(([target], write_front_door(languages, source, pack.organisation, pack.title,
                                                        _translations(pack, source.code), pack.root)))
            done([target], time.perf_counter() - started)
            continue
        language = by_code[target.locale]
        listed = _listed(pack, target)
        entries = tuple(_entry(pack, documents, doc_id, language, by_code, size_of if doc_id in listed else None)
                        for doc_id in pack.documents)
        own = next((e.downloads for e in entries if e.doc_id == target.doc_id), ())
        source = documents[(target.doc_id, pack.source_locale)]
        page = Page(documents[(target.doc_id, target.locale)], target.name, language, languages, names, own,
                    entries, pack.organisation, source.doc.title, by_code[pack.source_locale],
                    _translations(pack, target.locale), pack.root)
        rendered.append(([target], write_page(page)))
        done([target], time.perf_counter() - started)
    return rendered


def _entry(pack: Pack, documents: dict, doc_id: str, language, by_code: dict, size_of):
    """A document as a page lists it (with its downloads when ``size_of`` is given)."""
    from pressroom.write.web.writer import Download, Entry

    assembled = documents[(doc_id, language.code)]
    source = documents[(doc_id, pack.source_locale)].doc
    untranslated = language.code != pack.source_locale and assembled.doc.title == source.title
    fillable = any(name.endswith(".yaml") for name in pack.document(doc_id).fragments)
    editions = {e.name: e for e in pack.editions}
    downloads = tuple(Download(t.name, t.format, t.edition, size_of(t),
                               fillable=fillable and (t.format == "docx" or editions[t.edition].forms))
                      for t in downloads_of(pack, doc_id, language.code)) if size_of else ()
    lang = by_code[pack.source_locale] if untranslated else None
    return Entry(doc_id, page_name(pack, doc_id), assembled.doc.title, assembled.doc.subtitle, downloads,
                 lang.bcp47 if lang else "", lang.direction if lang else "")


def _languages(pack: Pack) -> tuple:
    import babel

    from pressroom.read.locales import Locale
    from pressroom.write.web.writer import Language

    def native(code: str) -> str:
        own = babel.Locale.parse(code, sep="-")  # pt-BR: Babel's default separator is '_'
        name = own.get_display_name(own) or code
        return name[:1].upper() + name[1:]
    return tuple(Language(code, Locale(code).bcp47, Locale(code).direction, native(code)) for code in pack.locales)


def _translations(pack: Pack, locale: str):
    from pressroom.read.locales import Locale

    return Locale(locale).translations(pack.root)
