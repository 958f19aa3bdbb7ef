"""The pack and a selection in → targets, and each target's input hash (freshness).

A target is one (document, locale, format, edition), or a file of the web edition (its pages,
downloads and assets: ``pressroom.build.web``). Its inputs are hashed (fragments after
fallback, templates, CSS, fonts, bibliography, catalogues, pack.yaml, the engine's own code):
a target whose hash is unchanged and whose file exists is not rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import yaml

from pressroom.build.web import ASSET, asset_source, plan_web
from pressroom.diagnostics import UsageError
from pressroom.model import FORMATS, TITLES, WORD_STYLES, Pack, Target, output_name
from pressroom.read.files import inside
from pressroom.read.fragments import fragment_path
from pressroom.write.pdf.subsetter import font_subsetter

ENGINE = Path(__file__).resolve().parent.parent
SHARED = Path("<the inputs of every target>")  # its key among ``digests``
NO_LANDING = "no web edition: pack.yaml has no web.landing, the page the web edition opens with"
NO_LANDING_HINT = ("add a web: section with a landing: document (title, year, template, fragments) as this pack's "
                   "pack.yaml has it (docs/new-consultation.md)")


def plan(pack: Pack, docs: list[str] | None, locales: list[str] | None, formats: list[str] | None,
         editions: list[str] | None = None) -> list[Target]:
    """Every target of the selection; an unknown name is a usage error. No editions named: the
    pack's default ones (``default: false`` keeps an edition out, e.g. print)."""
    docs = _choose(docs, list(pack.documents), "document")
    locales = _choose(locales, list(pack.locales), "locale")
    if formats and "web" in formats and pack.landing is None:
        raise UsageError(NO_LANDING + " — " + NO_LANDING_HINT)
    formats = _choose(formats, [f for f in FORMATS if f != "web" or pack.landing is not None], "format")
    chosen = _choose(editions, [e.name for e in pack.editions], "edition", [e.name for e in pack.editions if e.default])
    first = pack.editions[0].name
    targets = []
    whole = len(docs) == len(pack.documents)
    for doc_id in docs:
        for locale in locales:
            if "pdf" in formats:
                targets += [Target(doc_id, locale, "pdf", e.name, output_name(doc_id, e.name, first, "pdf"))
                            for e in pack.editions if e.name in chosen]
            if "docx" in formats:
                targets.append(Target(doc_id, locale, "docx", "", f"{doc_id}.docx"))
    if "web" in formats:
        targets += plan_web(pack, docs, locales, whole)
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
            if path.is_file() and inside(pack.root, path):
                found.update(dict.fromkeys(re.findall(r"doc:([\w-]+)", path.read_text(encoding="utf-8", errors="replace"))))
    return [d for d in found if d in pack.documents and d != doc.id]


def _choose(chosen: list[str] | None, known: list[str], what: str, default: list[str] | None = None) -> list[str]:
    from difflib import get_close_matches

    for name in chosen or []:
        if name not in known:
            near = get_close_matches(name, known, n=2, cutoff=0.5)
            hint = f"did you mean {' or '.join(near)}? " if near else ""
            raise UsageError(f"unknown {what} {name!r}: {hint}choose from {', '.join(known)}")
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
        if target.format == ASSET:  # made from files alone: the stylesheet, a font
            groups.setdefault((target.key,), []).append(target)
            continue
        made_from = (id(documents[(target.doc_id, target.locale)]), target.format, target.edition)
        groups.setdefault(made_from, []).append(target)
    return list(groups.values())


def input_hash(pack: Pack, target: Target, digests: dict | None = None) -> str:
    """A digest of everything the target is made from. ``digests``: each file's own digest, kept
    for one build only, so that the templates, fonts and engine code, inputs of every target,
    are read and walked once rather than once per target (160 targets at 20 locales).

    Of pack.yaml and the bibliography only the parts the target depends on are hashed: the
    pack's shared keys, its document's entry and the other documents' ids; the .bib entries
    its fragments cite (and the file's @string macros). Editing one entry rebuilds only the
    documents that cite it; editing one document's entry rebuilds only that document."""
    digests = {} if digests is None else digests
    if SHARED not in digests:
        # pack.yaml and the .bib: only the parts the target depends on (below)
        templates = [p for p in sorted((pack.root / "templates").rglob("*")) if p != pack.root / WORD_STYLES]
        digests[SHARED] = _digest_files(pack, [*templates, *sorted(ENGINE.rglob("*.py"))], digests)
    digest = hashlib.sha256(f"{target}".encode())
    if target.format == ASSET:  # a font or the stylesheet: its own vendored file, copied
        digest.update(_digest_files(pack, [asset_source(pack.root, target)], digests))
        return digest.hexdigest()
    if target.format == "pdf":  # HarfBuzz and fontTools subset fonts into different bytes
        digest.update(f"font subsetter: {font_subsetter()}".encode())
    else:  # the Word files' styles, and the web pages that name their sizes (a PDF never reads them)
        digest.update(_digest_files(pack, [pack.root / WORD_STYLES], digests))
    doc = pack.document(target.doc_id) if target.doc_id else None  # the web edition's front door has none
    linked = tuple([doc.id] + _paper_links(pack, target)) if doc else ()
    digest.update(_content_part(pack, target.locale, linked, digests))
    digest.update(digests[SHARED])
    digest.update(_pack_part(pack, doc.id if doc else "", digests))
    return digest.hexdigest()


def _content_part(pack: Pack, locale: str, linked: tuple[str, ...], digests: dict) -> bytes:
    """The locale's titles, the fragments of the ``linked`` documents (the locale's and the
    source's) and the .bib entries they cite; once per build for each document and locale,
    which its PDF, Word file and page share."""
    if ("content", locale, linked) not in digests:
        fragments = []
        for doc_id in linked:
            for name in pack.document(doc_id).fragments:
                fragments += [fragment_path(pack, locale, doc_id, name), fragment_path(pack, pack.source_locale, doc_id, name)]
        files = [pack.root / "content" / locale / TITLES, *fragments]
        part = _digest_files(pack, files, digests)
        digests[("content", locale, linked)] = part + _cited_part(pack, [p for p in fragments if digests[p]], digests)
    return digests[("content", locale, linked)]


def _digest_files(pack: Pack, files: list[Path], digests: dict) -> bytes:
    """One digest of ``files`` (names and contents; missing files left out)."""
    digest = hashlib.sha256()
    for path in files:
        if path not in digests:  # a file linked out of the project is never read
            readable = path.is_file() and (path.is_relative_to(ENGINE) or inside(pack.root, path))
            digests[path] = hashlib.sha256(path.read_bytes()).digest() if readable else b""
        if digests[path]:
            digest.update(str(path.relative_to(pack.root) if path.is_relative_to(pack.root) else path.name).encode())
            digest.update(digests[path])
    return digest.digest()


def _pack_part(pack: Pack, doc_id: str, digests: dict) -> bytes:
    """pack.yaml as far as one document is concerned (read once per build)."""
    if ("pack.yaml",) not in digests:
        digests[("pack.yaml",)] = yaml.load(pack.path.read_text(encoding="utf-8"),  # libyaml where there is one
                                            Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    tree = digests[("pack.yaml",)]
    documents = tree.get("documents") or {}
    # of the other documents, only which exist (a link to one is checked): no template shows their entries
    part = {"pack": tree.get("pack"), "document": documents.get(doc_id), "documents": sorted(documents),
            "other_keys": {k: v for k, v in tree.items() if k not in ("pack", "documents")}}
    return json.dumps(part, sort_keys=True, default=str).encode()


def _cited_part(pack: Pack, fragments: list[Path], digests: dict) -> bytes:
    """The raw text of every .bib entry the fragments cite, and the file's other blocks."""
    if ("bib",) not in digests:
        digests[("bib",)] = bib_blocks(pack.bibliography)
    blocks = digests[("bib",)]
    keys: set[str] = set()
    for path in fragments:
        cited = _cited_keys(path, digests)
        keys.update(blocks if cited is None else cited)  # "nocite": every entry may be listed
    chosen = [(key, blocks[key]) for key in sorted(keys) if key in blocks]
    return json.dumps([str(pack.bibliography), blocks.get("", ""), chosen]).encode()


def _cited_keys(path: Path, digests: dict) -> frozenset[str] | None:
    """The keys one fragment cites (None: it may list every entry), found once per build: a
    fragment is an input of every format and edition of its document, and of its translations'."""
    if ("cited", path) not in digests:
        text = path.read_text(encoding="utf-8", errors="replace")
        digests[("cited", path)] = None if "nocite" in text else frozenset(a or b for a, b in CITED.findall(text))
    return digests[("cited", path)]


CITED = re.compile(r"(?<![\w.])-?@([\w][\w:.#$%&\-+?<>~/]*[\w])|-?@(\w)")
BLOCK = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s]*)", re.MULTILINE)


def bib_blocks(path: Path) -> dict[str, str]:
    """A .bib file's entries as written, by key; under "" the @string and @preamble blocks (which
    any entry may use). @comment blocks change nothing and are left out."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return {"": "missing"}
    starts = list(BLOCK.finditer(text))
    blocks: dict[str, str] = {"": ""}
    for match, following in zip(starts, [*starts[1:], None]):
        raw = text[match.start():following.start() if following else len(text)]
        kind = match.group(1).lower()
        if kind == "comment":
            continue
        key = "" if kind in ("string", "preamble") else match.group(2)
        blocks[key] = blocks.get(key, "") + raw
    return blocks
