"""Targets, freshness, parallel rendering and atomic writes: the pack in → files in output/.

A target is one (document, locale, format, edition). Its inputs are hashed (fragments after
fallback, templates, CSS, fonts, bibliography, catalogues, pack.yaml, the engine's own code);
a target whose hash is unchanged and whose file exists is not rebuilt. Documents are assembled
and checked once; a document with nothing of its own in a locale is the source locale's. Each
distinct (document, format, edition) among the stale targets is rendered once, in a process
pool, and its bytes written atomically (temp file + rename) to every target made from it, so
output/ only ever holds complete files.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pressroom.build.output import (build_lock, built_from, check_destinations, read_state, remove_stale_temp_files,
                                    write_atomic, write_state)
from pressroom.build.plan import NO_LANDING, NO_LANDING_HINT, input_hash, plan, share
from pressroom.build.render import Progress, announce, import_renderers, long_lived_frozen, render_groups, tell
from pressroom.diagnostics import ContentError, Report
from pressroom.build.web import page_hashes, render_pages, site_files
from pressroom.model import OUTPUT, PACK_FILE, WORD_STYLES, Pack, Target
from pressroom.read.bibliography import Bibliography, Cache, load_bibliography
from pressroom.read.pack import load_pack
from pressroom.write.pdf.subsetter import FONTTOOLS, NOTICE, font_subsetter
from pressroom.read.unlisted import report_unlisted

__all__ = ["Result", "assemble_all", "build", "build_lock"]

CACHE = ".cache"  # in output/: what is slow to compute again (the parsed .bib)


@dataclass
class Result:
    report: Report
    built: list[Target] = field(default_factory=list)
    fresh: list[Target] = field(default_factory=list)
    seconds: float = 0.0


def build(root: Path, *, docs: list[str] | None = None, locales: list[str] | None = None,
          formats: list[str] | None = None, editions: list[str] | None = None, force: bool = False, check: bool = True,
          strict: bool = False, jobs: int | None = None, progress: Progress = lambda message: None) -> Result:
    """Build the selected targets; raise ContentError (writing nothing) when a check fails."""
    started = time.perf_counter()
    pack, out = load_pack(root), root / OUTPUT
    targets = plan(pack, docs, locales, formats, editions)  # a usage error before anything is touched
    with build_lock(out):
        fresh = _freshness(pack, targets, out, force)
        result = Result(Report(), fresh=[t for t in fresh.targets if t not in fresh.stale])
        unlisted = Report()
        report_unlisted(pack, locales or pack.locales, unlisted)  # in every build, even a no-op one
        if pack.landing is None and not formats:  # the web edition left out: said, not silent
            unlisted.warning(PACK_FILE, None, NO_LANDING, NO_LANDING_HINT)
        if any(t.format == "pdf" for t in fresh.stale) and font_subsetter() == FONTTOOLS:
            progress(NOTICE)  # once a build, then on: the PDFs are right, only slower to make
        if not fresh.stale:
            result.report.extend(unlisted)
            _validate_unused_bibliography(pack, out, fresh, result.report, strict)
        if fresh.stale:
            tell(progress, "phase", f"assembling {len(fresh.stale)} of {len(fresh.targets)} files")
            cache = Cache(out / CACHE)
            try:
                bib, documents = assemble_all(pack, _locales(pack, fresh.stale), result.report,
                                              meanwhile=lambda: import_renderers(fresh.stale), cache=cache)
                tell(progress, "phase", "checking")
                _reference_docx(pack, fresh.stale, result.report)
                _check(pack, documents, bib, result.report, check, strict)
            except ContentError as failed:  # the unlisted files are said in a failed build too
                failed.report.extend(unlisted)
                raise
            result.report.extend(unlisted)  # judged with the renderers' warnings (--strict), after rendering
            rendered = _render_verified(pack, fresh.stale, documents, jobs, progress, result.report, check, strict)
            _write(out, rendered, fresh, result, cache)
    result.seconds = time.perf_counter() - started
    return result


def _locales(pack: Pack, stale: list[Target]) -> set[str]:
    """The locales to assemble: the stale targets', and the source locale's when a web page is
    stale (a page marks a title that is still the source's)."""
    locales = {t.locale for t in stale if t.locale}
    return locales | ({pack.source_locale} if any(t.format == "web" for t in stale) else set())


@dataclass
class Freshness:
    targets: list[Target]
    stale: list[Target]  # forced, missing, or made from inputs that changed since
    hashes: dict[str, str]  # target key → hash of its inputs now
    state: dict[str, dict]  # target key → what it was last built from (build.output.read_state)
    bibliography: str = ""  # the .bib's path under the root


def _freshness(pack: Pack, targets: list[Target], out: Path, force: bool) -> Freshness:
    remove_stale_temp_files(out)
    state = read_state(out)
    digests: dict[Path, bytes] = {}
    hashes = {t.key: input_hash(pack, t, digests) for t in targets}
    page_hashes(pack, targets, hashes, lambda t: input_hash(pack, t, digests))
    stale = [t for t in targets if force or built_from(state, t.key) != hashes[t.key] or not (out / t.key).is_file()]
    return Freshness(targets, stale, hashes, state, str(pack.bibliography.relative_to(pack.root)))


BIB_STATE = ".bibliography"  # the state's record of the .bib file as last validated


def _validate_unused_bibliography(pack: Pack, out: Path, fresh: Freshness, report: Report, strict: bool) -> None:
    """Nothing to rebuild, yet the .bib may have changed in entries no target cites: it is read
    and validated all the same (a broken or duplicate entry is an error in any build), and the
    build fails on the unlisted files' warnings under ``strict``."""
    digest = hashlib.sha256(pack.bibliography.read_bytes()).hexdigest() if pack.bibliography.is_file() else ""
    if fresh.state.get(BIB_STATE) != digest:
        load_bibliography(pack.bibliography, str(pack.bibliography.relative_to(pack.root)), report)
        if not report.errors:
            fresh.state[BIB_STATE] = digest
            write_state(out, fresh.state)
    if report.failed(strict):
        raise ContentError(report)


def _reference_docx(pack: Pack, stale: list[Target], report: Report) -> None:
    """The Word files take their styles from templates/reference.docx: a missing or damaged one
    (saved as .doc, or in another format) is said, not an internal error of every Word file."""
    import zipfile

    if not any(t.format == "docx" for t in stale):
        return
    path, shown = pack.root / WORD_STYLES, WORD_STYLES.as_posix()
    if not path.is_file():
        report.error(shown, None, "the Word files' styles are missing: there is no such file",
                     "run invoke reference-docx to write the pack's own styles, or save your restyled copy there "
                     "from Word as Word Document (.docx) (docs/restyling-word.md)")
        return
    try:
        with zipfile.ZipFile(path) as package:
            package.getinfo("word/styles.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        report.error(shown, None, "is not a Word document (.docx), or is damaged",
                     "save it again from Word as Word Document (.docx), or run invoke reference-docx --force to "
                     "replace it with the pack's own styles (docs/restyling-word.md)")


def _check(pack: Pack, documents: dict, bib: Bibliography, report: Report, check: bool, strict: bool) -> None:
    """Every check over every assembled document (links between documents included)."""
    from pressroom import checks  # here, not at the top: a build with nothing to do imports neither

    if check:
        checks.run(pack, documents, report, bibliography=bib)
    if report.failed(strict) or None in documents.values():
        raise ContentError(report)


def _write(out: Path, rendered: list[tuple[list[Target], bytes]], fresh: Freshness, result: Result,
           cache: Cache) -> None:
    """Each rendering's bytes to every target made from it, what was parsed for the next build
    (the .bib), then the record of what was built."""
    check_destinations([out / t.key for group, _ in rendered for t in group] + [*cache.pending, out / ".state.json"], out)
    for group, data in rendered:
        for target in group:
            write_atomic(out / target.key, data)
            fresh.state[target.key] = {"inputs": fresh.hashes[target.key],
                                       **({"subsetter": font_subsetter()} if target.format == "pdf" else {})}
            result.built.append(target)
    for path, data in cache.pending.items():
        write_atomic(path, data)
    bib = out.parent / fresh.bibliography if fresh.bibliography else None
    if bib is not None and bib.is_file():
        fresh.state[BIB_STATE] = hashlib.sha256(bib.read_bytes()).hexdigest()
    write_state(out, fresh.state)


def _render_verified(pack: Pack, stale: list[Target], documents: dict, jobs: int | None, progress: Progress,
                     report: Report, check: bool, strict: bool) -> list[tuple[list[Target], bytes]]:
    """Every stale target rendered and verified, all in memory first: a problem found while
    rendering or verifying (or, ``strict``, a renderer's warning) raises ContentError and leaves
    output/ untouched."""
    from pressroom.inspect.verify import verify_outputs, verify_site

    pages = [t for t in stale if t.format == "web"]  # after the files whose sizes they name
    tell(progress, "planned", [t.key for t in stale])
    tell(progress, "phase", "rendering")
    with long_lived_frozen():
        rendered = list(render_groups(pack, share([t for t in stale if t not in pages], documents), documents, jobs,
                                      progress, report))
    if report.errors:  # a download failed to render: its page cannot name its size
        raise ContentError(report)
    sizes = {t.key: len(data) for group, data in rendered for t in group}
    out = pack.root / OUTPUT
    rendered += render_pages(pack, pages, documents, lambda t: sizes.get(t.key) or (out / t.key).stat().st_size,
                             lambda group, seconds: announce(progress, group, seconds))
    if check:
        tell(progress, "phase", "verifying links")
        verify_outputs(documents, [(group[0], data) for group, data in rendered], report)
        verify_site(out, {t.key: data for group, data in rendered for t in group if t.site}, site_files(pack),
                    {t.key: documents[(t.doc_id, t.locale)] for t in pages if t.doc_id}, report)
    if report.failed(strict):
        raise ContentError(report)
    return rendered


def assemble_all(pack: Pack, locales: set[str], report: Report, meanwhile: Callable[[], None] = lambda: None,
                 cache: Cache | None = None) -> tuple[Bibliography, dict]:
    """Read the bibliography once, then assemble every document of ``locales``, with one pandoc
    run for all their citations (``meanwhile`` runs while pandoc works). A document with nothing
    of its own in a locale is the source locale's: assembled once, the same object under both keys.
    ``cache``: where the parsed .bib and pandoc's formatted citations are kept between builds
    (output/.cache/)."""
    from pressroom.assemble import draft, finish, format_drafts, is_source_copy
    from pressroom.assemble.citations import style_path

    bib = load_bibliography(pack.bibliography, str(pack.bibliography.relative_to(pack.root)), report, cache)
    every = [*pack.documents.values(), *([pack.landing] if pack.landing else [])]
    origin = {(doc.id, locale): (doc.id, pack.source_locale if is_source_copy(pack, doc, locale) else locale)
              for locale in sorted(locales) for doc in every}
    drafts = {key: draft(pack, pack.document(key[0]), key[1], bib, report) for key in dict.fromkeys(origin.values())}
    style = style_path(pack.root, pack.citation_style)
    if not style.is_file() and any(d.job for d in drafts.values()):  # reported, not an internal error
        report.error(PACK_FILE.as_posix(), None, f"citation style {pack.citation_style!r}: no such style "
                     f"({style.relative_to(pack.root)})", "save the style under templates/csl/, or fix its name")
        raise ContentError(report)
    formatted = format_drafts(pack, bib, list(drafts.values()), cache)
    meanwhile()
    assembled = {key: finish(pack, d, f, report) for (key, d), f in zip(drafts.items(), formatted())}
    return bib, {key: assembled[source] for key, source in origin.items()}


