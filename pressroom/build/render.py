"""Stale targets in → their bytes, each distinct (document, format, edition) rendered once, in
a process pool when there are several; the renderers are imported only when a target needs them."""

from __future__ import annotations

import gc
import os
import re
import sys
import time
import types
from contextlib import contextmanager
from functools import lru_cache
from typing import Callable, Iterator

from pressroom.diagnostics import Report
from pressroom.model import Assembled, Pack, Target

Progress = Callable[[str], None]


def tell(progress: Progress, event: str, *args) -> None:
    """Give a progress display that wants it more than messages: ``phase(text)``, ``planned(keys)``,
    ``finished(keys, seconds)`` (a plain callable gets only the one-line messages)."""
    method = getattr(progress, event, None)
    if method is not None:
        method(*args)


@contextmanager
def long_lived_frozen() -> Iterator[None]:
    """What is alive before rendering (modules, assembled documents) lives until it ends: kept out
    of the cyclic collector's scans (gc.freeze), which otherwise walk those ~90,000 objects again
    at each full collection WeasyPrint's allocations set off (measured: about a tenth of the
    render time). Workers forked meanwhile inherit it; unfrozen after, for long runs (watch)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def import_renderers(targets: list[Target]) -> None:
    """WeasyPrint takes ~0.7 s to import: done while pandoc formats the citations, and before a
    process pool forks its workers, which then inherit it instead of each importing it again."""
    if any(t.format == "pdf" for t in targets):
        import pressroom.write.pdf.writer  # noqa: F401
    if any(t.format == "docx" for t in targets):
        import pressroom.write.docx.writer  # noqa: F401


def render_groups(pack: Pack, groups: list[list[Target]], documents: dict, jobs: int | None,
                  progress: Progress, report: Report) -> Iterator[tuple[list[Target], bytes]]:
    """Render each group once, in a process pool when there are several (the longest first, so
    that the workers finish together rather than one rendering the last big PDF alone)."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(groups)))
    if jobs > 1:
        groups = sorted(groups, key=lambda g: _expected_cost(g[0], documents), reverse=True)
    work = [(pack, g[0], documents.get((g[0].doc_id, g[0].locale)), _linked(pack, g[0], documents)) for g in groups]
    if jobs == 1:
        yield from _collect(zip(groups, map(_render_with_room, work)), progress, report)
        return
    from concurrent.futures import ProcessPoolExecutor  # imports multiprocessing: only when needed

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from _collect(zip(groups, pool.map(_render_with_room, work)), progress, report)


def _linked(pack: Pack, target: Target, documents: dict) -> dict[str, Assembled]:
    """The documents of the same locale that a PDF/X edition's document links to: it names the
    page of each link's target, read from a layout of theirs."""
    edition = next((e for e in pack.editions if e.name == target.edition), None)
    if edition is None or not edition.variant.startswith("pdf/x"):
        return {}
    html = documents[(target.doc_id, target.locale)].html
    linked = dict.fromkeys(re.findall(r'href="doc:([\w-]+)', html))
    return {d: documents[(d, target.locale)] for d in linked if (d, target.locale) in documents and d != target.doc_id}


def _expected_cost(target: Target, documents: dict) -> tuple[bool, int]:
    document = documents.get((target.doc_id, target.locale))  # none for a web asset (a font: ~1 s)
    return target.format in ("pdf", "asset"), len(document.html) if document else 100_000


def _collect(outcomes, progress: Progress, report: Report) -> Iterator[tuple[list[Target], bytes]]:
    for group, (data, problems, seconds) in outcomes:
        report.extend(problems)
        if data is not None:
            announce(progress, group, seconds)
            yield group, data


def announce(progress: Progress, group: list[Target], seconds: float) -> None:
    """One rendered group (a file and its copies) told to the progress display."""
    if hasattr(progress, "finished"):
        progress.finished([t.key for t in group], seconds)
    else:
        also = f", also written as {', '.join(f'output/{t.key}' for t in group[1:])}" if group[1:] else ""
        progress(f"built output/{group[0].key} ({seconds:.1f} s){also}")


def _call(function: Callable, argument):
    return function(argument)


# CPython 3.11 keeps Python frames in 16 KiB chunks of memory and unmaps a chunk as soon as the
# frame at its base returns: WeasyPrint's recursion, going up and down across a chunk's edge,
# then maps and unmaps memory 10,000 to 75,000 times a build (0.2-0.6 s of system time), and how
# often depends only on how deep the call stack was when rendering began. A call made through
# a frame that reserves 33,000 unused slots gets a chunk of 512 KiB that holds the render's
# frames (strace, English serial build: 74,500 such maps before, 1,300 after).
ROOM = 33_000


@lru_cache(maxsize=1)
def _caller() -> Callable:
    """``_call`` with a frame that reserves ``ROOM`` slots, made on first use (not at import);
    a plain ``_call`` where that trick does not apply (not CPython, or ``code.replace`` refuses)."""
    if sys.implementation.name != "cpython":
        return _call
    try:
        code = _call.__code__.replace(co_stacksize=_call.__code__.co_stacksize + ROOM)
    except (ValueError, TypeError):
        return _call
    return types.FunctionType(code, globals(), "_call_with_room")


def _render_with_room(job: tuple[Pack, Target, Assembled, dict]) -> tuple[bytes | None, Report, float]:
    return _caller()(_render_one, job)


def _render_one(job: tuple[Pack, Target, Assembled, dict]) -> tuple[bytes | None, Report, float]:
    """In a worker: one target → its bytes and any problem (reported, never raised)."""
    pack, target, assembled, siblings = job
    started, report = time.perf_counter(), Report()
    if target.format == "asset":
        from pressroom.build.web import render_asset
        return render_asset(pack.root, target), report, time.perf_counter() - started
    if target.format == "docx":
        from pressroom.write.docx.writer import write_docx
        return write_docx(assembled, pack.root), report, time.perf_counter() - started
    from pressroom.write.pdf.writer import write_pdf
    edition = next(e for e in pack.editions if e.name == target.edition)
    data, problems = write_pdf(assembled, edition, pack.root, pack.editions[0].name, siblings)
    report.extend(problems)
    return (None if problems.errors else data), report, time.perf_counter() - started
