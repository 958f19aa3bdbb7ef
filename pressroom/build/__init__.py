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

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pressroom import checks
from pressroom.assemble import draft, finish, format_drafts, is_source_copy
from pressroom.build.output import (build_lock, check_destinations, read_state, remove_stale_temp_files, write_atomic,
                                    write_state)
from pressroom.build.plan import input_hash, plan, share
from pressroom.build.render import Progress, import_renderers, long_lived_frozen, render_groups
from pressroom.diagnostics import ContentError, Report
from pressroom.inspect.verify import verify_outputs
from pressroom.model import OUTPUT, Pack, Target
from pressroom.read.bibliography import Bibliography, load_bibliography
from pressroom.read.pack import load_pack

__all__ = ["Result", "assemble_all", "build", "build_lock"]


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
    with build_lock(out):
        fresh = _freshness(pack, plan(pack, docs, locales, formats, editions), out, force)
        result = Result(Report(), fresh=[t for t in fresh.targets if t not in fresh.stale])
        if fresh.stale:
            bib, documents = assemble_all(pack, {t.locale for t in fresh.stale}, result.report,
                                          meanwhile=lambda: import_renderers(fresh.stale))
            _check(pack, documents, bib, result.report, check, strict)
            rendered = _render_verified(pack, fresh.stale, documents, jobs, progress, result.report, check, strict)
            _write(out, rendered, fresh, result)
    result.seconds = time.perf_counter() - started
    return result


@dataclass
class Freshness:
    targets: list[Target]
    stale: list[Target]  # forced, missing, or made from inputs that changed since
    hashes: dict[str, str]  # target key → hash of its inputs now
    state: dict[str, str]  # target key → hash of the inputs it was last built from


def _freshness(pack: Pack, targets: list[Target], out: Path, force: bool) -> Freshness:
    remove_stale_temp_files(out)
    state = read_state(out)
    digests: dict[Path, bytes] = {}
    hashes = {t.key: input_hash(pack, t, digests) for t in targets}
    stale = [t for t in targets if force or state.get(t.key) != hashes[t.key] or not (out / t.key).is_file()]
    return Freshness(targets, stale, hashes, state)


def _check(pack: Pack, documents: dict, bib: Bibliography, report: Report, check: bool, strict: bool) -> None:
    """Every check over every assembled document (links between documents included)."""
    if check:
        checks.run(pack, documents, report, bibliography=bib)
    if report.failed(strict) or None in documents.values():
        raise ContentError(report)


def _write(out: Path, rendered: list[tuple[list[Target], bytes]], fresh: Freshness, result: Result) -> None:
    """Each rendering's bytes to every target made from it, then the record of what was built;
    every destination is checked first, so that a folder in a file's place writes nothing."""
    check_destinations([out / t.key for group, _ in rendered for t in group] + [out / ".state.json"], out)
    for group, data in rendered:
        for target in group:
            write_atomic(out / target.key, data)
            fresh.state[target.key] = fresh.hashes[target.key]
            result.built.append(target)
    write_state(out, fresh.state)


def _render_verified(pack: Pack, stale: list[Target], documents: dict, jobs: int | None, progress: Progress,
                     report: Report, check: bool, strict: bool) -> list[tuple[list[Target], bytes]]:
    """Every stale target rendered and verified, all in memory first: a problem found while
    rendering or verifying (or, ``strict``, a renderer's warning) raises ContentError and leaves
    output/ untouched."""
    with long_lived_frozen():
        rendered = list(render_groups(pack, share(stale, documents), documents, jobs, progress, report))
    if check:
        verify_outputs(documents, [(group[0], data) for group, data in rendered], report)
    if report.failed(strict):
        raise ContentError(report)
    return rendered


def assemble_all(pack: Pack, locales: set[str], report: Report,
                 meanwhile: Callable[[], None] = lambda: None) -> tuple[Bibliography, dict]:
    """Read the bibliography once, then assemble every document of ``locales``, with one pandoc
    run for all their citations (``meanwhile`` runs while pandoc works). A document with nothing
    of its own in a locale is the source locale's: assembled once, the same object under both keys."""
    bib = load_bibliography(pack.bibliography, str(pack.bibliography.relative_to(pack.root)), report)
    origin = {(doc_id, locale): (doc_id, pack.source_locale if is_source_copy(pack, doc, locale) else locale)
              for locale in sorted(locales) for doc_id, doc in pack.documents.items()}
    drafts = {key: draft(pack, pack.document(key[0]), key[1], bib, report) for key in dict.fromkeys(origin.values())}
    formatted = format_drafts(pack, bib, list(drafts.values()))
    meanwhile()
    assembled = {key: finish(pack, d, f, report) for (key, d), f in zip(drafts.items(), formatted())}
    return bib, {key: assembled[source] for key, source in origin.items()}


