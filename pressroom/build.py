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

import fcntl
import gc
import hashlib
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import checks
from .assemble import TITLES, Assembled, draft, finish, format_drafts, is_source_copy
from .bibliography import Bibliography, load_bibliography
from .config import FORMATS, Pack, load_pack, output_name
from .content import fragment_path
from .diagnostics import ContentError, Report, UsageError

OUTPUT = Path("output")
STATE_FILE = ".state.json"
ENGINE = Path(__file__).parent


@dataclass(frozen=True)
class Target:
    doc_id: str
    locale: str
    format: str
    edition: str  # the PDF edition; "" for DOCX
    name: str  # file name inside output/<locale>/

    @property
    def key(self) -> str:
        return f"{self.locale}/{self.name}"


@dataclass
class Result:
    report: Report
    built: list[Target] = field(default_factory=list)
    fresh: list[Target] = field(default_factory=list)
    seconds: float = 0.0


Progress = Callable[[str], None]


def plan(pack: Pack, docs: list[str] | None, locales: list[str] | None, formats: list[str] | None,
         editions: list[str] | None = None) -> list[Target]:
    """Every target of the selection; an unknown name is a usage error."""
    docs = _choose(docs, list(pack.documents), "document")
    locales = _choose(locales, list(pack.locales), "locale")
    formats = _choose(formats, list(FORMATS), "format")
    chosen = _choose(editions, [e.name for e in pack.editions], "edition")
    first = pack.editions[0].name
    targets = []
    for doc_id in docs:
        for locale in locales:
            if "pdf" in formats:
                targets += [Target(doc_id, locale, "pdf", e.name, output_name(doc_id, e.name, first, "pdf"))
                            for e in pack.editions if e.name in chosen]
            if "docx" in formats:
                targets.append(Target(doc_id, locale, "docx", "", f"{doc_id}.docx"))
    return targets


def _choose(chosen: list[str] | None, known: list[str], what: str) -> list[str]:
    for name in chosen or []:
        if name not in known:
            raise UsageError(f"unknown {what} {name!r}: choose from {', '.join(known)}")
    return list(chosen) if chosen else known


def build(root: Path, *, docs: list[str] | None = None, locales: list[str] | None = None,
          formats: list[str] | None = None, editions: list[str] | None = None, force: bool = False, check: bool = True,
          strict: bool = False, jobs: int | None = None, progress: Progress = lambda message: None) -> Result:
    """Build the selected targets; raise ContentError (writing nothing) when a check fails."""
    started = time.perf_counter()
    pack = load_pack(root)
    targets = plan(pack, docs, locales, formats, editions)
    out = root / OUTPUT
    with build_lock(out):
        _remove_stale_temp_files(out)
        state = _read_state(out)
        digests: dict[Path, bytes] = {}
        hashes = {t.key: input_hash(pack, t, digests) for t in targets}
        stale = [t for t in targets if force or state.get(t.key) != hashes[t.key] or not (out / t.key).is_file()]
        result = Result(Report(), fresh=[t for t in targets if t not in stale])
        if not stale:
            result.seconds = time.perf_counter() - started
            return result
        # every document of an affected locale, so that links between documents can be checked
        bib, documents = assemble_all(pack, {t.locale for t in stale}, result.report,
                                      meanwhile=lambda: _import_renderers(stale))
        if check:
            checks.run(pack, documents, result.report, bibliography=bib)
        if result.report.failed(strict) or None in documents.values():
            raise ContentError(result.report)
        rendered = _render_verified(pack, stale, documents, jobs, progress, result.report, check)
        for group, data in rendered:
            for target in group:
                write_atomic(out / target.key, data)
                state[target.key] = hashes[target.key]
                result.built.append(target)
        _write_state(out, state)
    result.seconds = time.perf_counter() - started
    return result


def _render_verified(pack: Pack, stale: list[Target], documents: dict, jobs: int | None, progress: Progress,
                     report: Report, check: bool) -> list[tuple[list[Target], bytes]]:
    """Every stale target rendered and verified, all in memory first: a problem found while
    rendering or verifying raises ContentError and leaves output/ untouched."""
    with long_lived_frozen():
        rendered = list(render(pack, share(stale, documents), documents, jobs, progress, report))
    if check:
        from .verify import verify_outputs
        verify_outputs(documents, [(group[0], data) for group, data in rendered], report)
    if report.errors:
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


def _import_renderers(targets: list[Target]) -> None:
    """WeasyPrint takes ~0.7 s to import: done while pandoc formats the citations, and before a
    process pool forks its workers, which then inherit it instead of each importing it again."""
    if any(t.format == "pdf" for t in targets):
        from . import pdf  # noqa: F401
    if any(t.format == "docx" for t in targets):
        from . import word  # noqa: F401


def share(targets: list[Target], documents: dict) -> list[list[Target]]:
    """Targets grouped by what they are made from (the same assembled document, format and
    edition): each group is rendered once and its bytes written to every target of it."""
    groups: dict[tuple, list[Target]] = {}
    for target in targets:
        made_from = (id(documents[(target.doc_id, target.locale)]), target.format, target.edition)
        groups.setdefault(made_from, []).append(target)
    return list(groups.values())


def render(pack: Pack, groups: list[list[Target]], documents: dict, jobs: int | None,
           progress: Progress, report: Report) -> Iterator[tuple[list[Target], bytes]]:
    """Render each group once, in a process pool when there are several (the longest first, so
    that the workers finish together rather than one rendering the last big PDF alone)."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(groups)))
    if jobs > 1:
        groups = sorted(groups, key=lambda g: _expected_cost(g[0], documents), reverse=True)
    work = [(pack, g[0], documents[(g[0].doc_id, g[0].locale)]) for g in groups]
    if jobs == 1:
        yield from _collect(zip(groups, map(_render_with_room, work)), progress, report)
        return
    from concurrent.futures import ProcessPoolExecutor  # imports multiprocessing: only when needed

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from _collect(zip(groups, pool.map(_render_with_room, work)), progress, report)


def _expected_cost(target: Target, documents: dict) -> tuple[bool, int]:
    return target.format == "pdf", len(documents[(target.doc_id, target.locale)].html)


def _collect(outcomes, progress: Progress, report: Report) -> Iterator[tuple[list[Target], bytes]]:
    for group, (data, problems, seconds) in outcomes:
        report.extend(problems)
        if data is not None:
            also = f", also written as {', '.join(f'output/{t.key}' for t in group[1:])}" if group[1:] else ""
            progress(f"built output/{group[0].key} ({seconds:.1f} s){also}")
            yield group, data


def _call(function: Callable, argument):
    return function(argument)


# CPython 3.11 keeps Python frames in 16 KiB chunks of memory and unmaps a chunk as soon as the
# frame at its base returns: WeasyPrint's recursion, going up and down across a chunk's edge,
# then maps and unmaps memory 10,000 to 75,000 times a build (0.2-0.6 s of system time), and how
# often depends only on how deep the call stack was when rendering began. A call made through
# this frame, which reserves 33,000 unused slots, gets a chunk of 512 KiB that holds the render's
# frames (strace, English serial build: 74,500 such maps before, 1,300 after).
_call_with_room = type(_call)(_call.__code__.replace(co_stacksize=_call.__code__.co_stacksize + 33_000),
                              globals(), "_call_with_room")


def _render_with_room(job: tuple[Pack, Target, Assembled]) -> tuple[bytes | None, Report, float]:
    return _call_with_room(_render_one, job)


def _render_one(job: tuple[Pack, Target, Assembled]) -> tuple[bytes | None, Report, float]:
    """In a worker: one target → its bytes and any problem (reported, never raised)."""
    pack, target, assembled = job
    started, report = time.perf_counter(), Report()
    if target.format == "docx":
        from .word import write_docx
        return write_docx(assembled, pack.root), report, time.perf_counter() - started
    from .pdf import write_pdf
    edition = next(e for e in pack.editions if e.name == target.edition)
    data, refused = write_pdf(assembled, edition, pack.root, pack.editions[0].name)
    for url in refused:
        report.error(f"templates/{assembled.doc.template}", None, f"the PDF renderer refused to read {url}",
                     "templates may use only files inside the project")
    return (None if refused else data), report, time.perf_counter() - started


def input_hash(pack: Pack, target: Target, digests: dict[Path, bytes] | None = None) -> str:
    """A digest of everything the target is made from. ``digests``: each file's own digest, kept
    for one build only, so that the templates, fonts and engine code, inputs of every target,
    are read once rather than once per target (40 targets: 40 × 4 MiB of fonts)."""
    digests = {} if digests is None else digests
    digest = hashlib.sha256(f"{target}".encode())
    doc = pack.document(target.doc_id)
    files = [pack.path, pack.bibliography, pack.root / "content" / target.locale / TITLES]
    for name in doc.fragments:
        files += [fragment_path(pack, target.locale, doc.id, name), fragment_path(pack, pack.source_locale, doc.id, name)]
    files += sorted((pack.root / "templates").rglob("*"))
    files += sorted(ENGINE.rglob("*.py"))
    for path in files:
        if path.is_file():
            if path not in digests:
                digests[path] = hashlib.sha256(path.read_bytes()).digest()
            digest.update(str(path.relative_to(pack.root) if path.is_relative_to(pack.root) else path.name).encode())
            digest.update(digests[path])
    return digest.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp file beside the target, then rename over it: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def _remove_stale_temp_files(out: Path) -> None:
    for temp in out.rglob(".*.tmp-*"):
        temp.unlink(missing_ok=True)


@contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """One build at a time writes to output/."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError("another build is writing to output/ — wait for it to finish") from None
        yield


def _read_state(out: Path) -> dict[str, str]:
    try:
        return json.loads((out / STATE_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return {}


def _write_state(out: Path, state: dict[str, str]) -> None:
    write_atomic(out / STATE_FILE, json.dumps(state, indent=1, sort_keys=True).encode())
