"""What each locale has: translated, missing (falls back to the source), outdated (the source
changed since it was translated), and the hand-off of fragments to CAT tools as PO files.

A translated fragment records the SHA-256 of the source fragment it was translated from
(``translated-from`` in its front matter, or a top-level key of a form.yaml); when the source
changes, the hash no longer matches and the fragment is reported outdated.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pressroom.build.output import destination
from pressroom.commands.i18n import Coverage, coverage
from pressroom.diagnostics import Report
from pressroom.model import Pack
from pressroom.read.fragments import fragment_path, split_front_matter
from pressroom.read.translations import recorded_hash, source_hash, token_differences


@dataclass
class LocaleStatus:
    locale: str
    translated: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    outdated: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    strings: Coverage | None = None

    @property
    def complete(self) -> bool:
        return not (self.missing or self.outdated)


def status(pack: Pack) -> list[LocaleStatus]:
    result = []
    for locale in pack.locales:
        if locale == pack.source_locale:
            continue
        state = LocaleStatus(locale, strings=coverage(pack.root, locale))
        for doc in pack.documents.values():
            for name in doc.fragments:
                source = fragment_path(pack, pack.source_locale, doc.id, name)
                translated = fragment_path(pack, locale, doc.id, name)
                label = f"{doc.id}/{name}"
                if not translated.is_file():
                    state.missing.append(label)
                elif source.is_file() and recorded_hash(translated) != source_hash(source):
                    state.outdated.append(label)
                else:
                    state.translated.append(label)
            listed = set(doc.fragments)
            folder = pack.root / "content" / locale / doc.id
            state.extra += [f"{doc.id}/{p.name}" for p in sorted(folder.glob("*")) if p.name not in listed]
        result.append(state)
    return result


def export(pack: Pack, locale: str, out: Path) -> list[Path]:
    """Write one PO file per source fragment (Markdown only) for CAT tools."""
    written = []
    for doc in pack.documents.values():
        for name in doc.fragments:
            source = fragment_path(pack, pack.source_locale, doc.id, name)
            if source.suffix != ".md" or not source.is_file():
                continue
            target = destination(out / doc.id / f"{source.stem}.po", out)  # never outside the folder named
            target.parent.mkdir(parents=True, exist_ok=True)
            with _body_file(source) as body:
                _run("md2po", "--progress=none", "-i", body, "-o", str(target))
            written.append(target)
    return written


def import_(pack: Pack, locale: str, directory: Path, report: Report) -> list[Path]:
    """PO files back into content/<locale>/, each stamped with its source hash and checked."""
    written = []
    for po in sorted(directory.glob("*/*.po")):
        doc_id, name = po.parent.name, f"{po.stem}.md"
        source = fragment_path(pack, pack.source_locale, doc_id, name)
        if not source.is_file():
            report.error(str(po), None, f"no source fragment content/{pack.source_locale}/{doc_id}/{name}",
                         "export again from the current pack")
            continue
        target = fragment_path(pack, locale, doc_id, name)
        with _body_file(source) as body, tempfile.TemporaryDirectory() as tmp:
            result = Path(tmp) / name
            _run("po2md", "--progress=none", "-t", body, "-i", str(po), "-o", str(result))
            text = result.read_text(encoding="utf-8")
        lost, added = token_differences(_body(source), text)
        if lost or added:
            report.error(str(po), None, f"translation changes {', '.join(lost + added)}",
                         "keep every [^note], @key, link target and {#id} of the source as it is")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"---\ntranslated-from: {source_hash(source)}\n---\n{text}", encoding="utf-8")
        written.append(target)
    return written


def _body(path: Path) -> str:
    _, body, _ = split_front_matter(path.read_text(encoding="utf-8"), str(path), Report())
    return body


@contextmanager
def _body_file(source: Path) -> Iterator[str]:
    """The fragment without its front matter, in a temp file (md2po would translate the YAML)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / source.name
        path.write_text(_body(source), encoding="utf-8")
        yield str(path)


def _run(tool: str, *args: str) -> None:
    executable = Path(sys.executable).parent / tool
    subprocess.run([str(executable), *args], check=True, capture_output=True, text=True)
