"""The pack and a selection in → targets, and each target's input hash (freshness).

A target is one (document, locale, format, edition). Its inputs are hashed (fragments after
fallback, templates, CSS, fonts, bibliography, catalogues, pack.yaml, the engine's own code):
a target whose hash is unchanged and whose file exists is not rebuilt.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pressroom.diagnostics import UsageError
from pressroom.model import FORMATS, TITLES, Pack, Target, output_name
from pressroom.read.files import inside
from pressroom.read.fragments import fragment_path

ENGINE = Path(__file__).resolve().parent.parent


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


def share(targets: list[Target], documents: dict) -> list[list[Target]]:
    """Targets grouped by what they are made from (the same assembled document, format and
    edition): each group is rendered once and its bytes written to every target of it."""
    groups: dict[tuple, list[Target]] = {}
    for target in targets:
        made_from = (id(documents[(target.doc_id, target.locale)]), target.format, target.edition)
        groups.setdefault(made_from, []).append(target)
    return list(groups.values())


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
        if path.is_file() and (path.is_relative_to(ENGINE) or inside(pack.root, path)):  # no file out of the project
            if path not in digests:
                digests[path] = hashlib.sha256(path.read_bytes()).digest()
            digest.update(str(path.relative_to(pack.root) if path.is_relative_to(pack.root) else path.name).encode())
            digest.update(digests[path])
    return digest.hexdigest()
