"""Targets, freshness, parallel rendering and atomic writes: the pack in → files in output/.

A target is one (document, locale, format, edition). Its inputs are hashed (fragments after
fallback, templates, CSS, fonts, bibliography, catalogues, pack.yaml, the engine's own code);
a target whose hash is unchanged and whose file exists is not rebuilt. Documents are assembled
and checked once, then every stale target is rendered in a process pool and written atomically
(temp file + rename), so output/ only ever holds complete files.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import checks
from .assemble import Assembled, assemble
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
        hashes = {t.key: input_hash(pack, t) for t in targets}
        stale = [t for t in targets if force or state.get(t.key) != hashes[t.key] or not (out / t.key).is_file()]
        result = Result(Report(), fresh=[t for t in targets if t not in stale])
        if not stale:
            result.seconds = time.perf_counter() - started
            return result
        # every document of an affected locale, so that links between documents can be checked
        bib, documents = assemble_all(pack, {t.locale for t in stale}, result.report)
        if check:
            checks.run(pack, documents, result.report, bibliography=bib)
        if result.report.failed(strict) or None in documents.values():
            raise ContentError(result.report)
        # all in memory first: a problem found while rendering or verifying leaves output/ untouched
        rendered = list(render(pack, stale, documents, jobs, progress, result.report))
        if check:
            from .verify import verify_outputs
            verify_outputs(documents, rendered, result.report)
        if result.report.errors:
            raise ContentError(result.report)
        for target, data in rendered:
            write_atomic(out / target.key, data)
            state[target.key] = hashes[target.key]
            result.built.append(target)
        _write_state(out, state)
    result.seconds = time.perf_counter() - started
    return result


def assemble_all(pack: Pack, locales: set[str], report: Report) -> tuple[Bibliography, dict]:
    """Read the bibliography once, then assemble every document of ``locales``."""
    bib = load_bibliography(pack.bibliography, str(pack.bibliography.relative_to(pack.root)), report)
    documents = {(doc_id, locale): assemble(pack, pack.document(doc_id), locale, bib, report)
                 for locale in sorted(locales) for doc_id in pack.documents}
    return bib, documents


def render(pack: Pack, targets: list[Target], documents: dict, jobs: int | None,
           progress: Progress, report: Report) -> Iterator[tuple[Target, bytes]]:
    """Render targets, in a process pool when there are several; results come in order."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(targets)))
    work = [(pack, t, documents[(t.doc_id, t.locale)]) for t in targets]
    if jobs == 1:
        outcomes = map(_render_one, work)
        yield from _collect(zip(targets, outcomes), progress, report)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from _collect(zip(targets, pool.map(_render_one, work)), progress, report)


def _collect(outcomes, progress: Progress, report: Report) -> Iterator[tuple[Target, bytes]]:
    for target, (data, problems, seconds) in outcomes:
        report.extend(problems)
        if data is not None:
            progress(f"built output/{target.key} ({seconds:.1f} s)")
            yield target, data


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


def input_hash(pack: Pack, target: Target) -> str:
    """A digest of everything the target is made from."""
    digest = hashlib.sha256(f"{target}".encode())
    doc = pack.document(target.doc_id)
    files = [pack.path, pack.bibliography]
    for name in doc.fragments:
        files += [fragment_path(pack, target.locale, doc.id, name), fragment_path(pack, pack.source_locale, doc.id, name)]
    files += sorted((pack.root / "templates").rglob("*"))
    files += sorted(ENGINE.rglob("*.py"))
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(pack.root) if path.is_relative_to(pack.root) else path.name).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
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
