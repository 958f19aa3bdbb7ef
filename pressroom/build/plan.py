"""The pack and a selection in → targets, and each target's input hash (freshness).

A target is one (document, locale, format, edition). Its inputs are hashed (fragments after
fallback, templates, CSS, fonts, bibliography, catalogues, pack.yaml, the engine's own code):
a target whose hash is unchanged and whose file exists is not rebuilt.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pressroom.diagnostics import UsageError
from pressroom.model import FORMATS, TITLES, Pack, Target, output_name
from pressroom.read.fragments import fragment_path
from pressroom.write.pdf.subsetter import font_subsetter

ENGINE = Path(__file__).resolve().parent.parent
SHARED = Path("<the inputs of every target>")  # its key among ``digests``


def plan(pack: Pack, docs: list[str] | None, locales: list[str] | None, formats: list[str] | None,
         editions: list[str] | None = None) -> list[Target]:
    """Every target of the selection; an unknown name is a usage error. No editions named: the
    pack's default ones (``default: false`` keeps an edition out, e.g. print)."""
    docs = _choose(docs, list(pack.documents), "document")
    locales = _choose(locales, list(pack.locales), "locale")
    formats = _choose(formats, list(FORMATS), "format")
    chosen = _choose(editions, [e.name for e in pack.editions], "edition", [e.name for e in pack.editions if e.default])
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


def _paper_links(pack: Pack, target: Target) -> list[str]:
    """The documents a PDF/X edition's document links to: it prints the page of each link's
    target, so their fragments are its inputs too."""
    edition = next((e for e in pack.editions if e.name == target.edition), None)
    if edition is None or not edition.variant.startswith("pdf/x"):
        return []
    doc, found = pack.document(target.doc_id), {}
    for name in doc.fragments:
        for locale in dict.fromkeys((target.locale, pack.source_locale)):
            path = fragment_path(pack, locale, doc.id, name)
            if path.is_file():
                found.update(dict.fromkeys(re.findall(r"doc:([\w-]+)", path.read_text(encoding="utf-8", errors="replace"))))
    return [d for d in found if d in pack.documents and d != doc.id]


def _choose(chosen: list[str] | None, known: list[str], what: str, default: list[str] | None = None) -> list[str]:
    for name in chosen or []:
        if name not in known:
            raise UsageError(f"unknown {what} {name!r}: choose from {', '.join(known)}")
    return list(chosen) if chosen else known if default is None else default


def build_command(pack: Pack, target: Target) -> str:
    """The command that builds ``target``: ``invoke build --locale fr`` (and ``--edition print`` for
    an edition not built by default)."""
    edition = next((e for e in pack.editions if e.name == target.edition), None)
    extra = f" --edition {edition.name}" if edition is not None and not edition.default else ""
    return f"invoke build --locale {target.locale}{extra}"


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
    are read and walked once rather than once per target (160 targets at 20 locales)."""
    digests = {} if digests is None else digests
    if SHARED not in digests:
        digests[SHARED] = _digest_files(pack, [pack.path, pack.bibliography, *sorted((pack.root / "templates").rglob("*")),
                                               *sorted(ENGINE.rglob("*.py"))], digests)
    digest = hashlib.sha256(f"{target}".encode())
    if target.format == "pdf":  # HarfBuzz and fontTools subset fonts into different bytes
        digest.update(f"font subsetter: {font_subsetter()}".encode())
    doc = pack.document(target.doc_id)
    files = [pack.root / "content" / target.locale / TITLES]
    for linked in [doc.id] + _paper_links(pack, target):
        for name in pack.document(linked).fragments:
            files += [fragment_path(pack, target.locale, linked, name), fragment_path(pack, pack.source_locale, linked, name)]
    digest.update(_digest_files(pack, files, digests))
    digest.update(digests[SHARED])
    return digest.hexdigest()


def _digest_files(pack: Pack, files: list[Path], digests: dict[Path, bytes]) -> bytes:
    """One digest of ``files`` (names and contents; missing files left out)."""
    digest = hashlib.sha256()
    for path in files:
        if path not in digests:
            digests[path] = hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b""
        if digests[path]:
            digest.update(str(path.relative_to(pack.root) if path.is_relative_to(pack.root) else path.name).encode())
            digest.update(digests[path])
    return digest.digest()
