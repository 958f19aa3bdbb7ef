"""Markdown fragments to and from CAT tools, paragraph by paragraph.

Export: one entry per source paragraph, pre-filled with its current translation (fuzzy where
the English changed since). Import: only the paragraphs whose translation changed are
rewritten, in place; an empty or fuzzy entry changes nothing; the source text each paragraph
was translated from is kept in content/<locale>/.sources/ for the next export and for --diff.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pressroom.commands.stores import Entry
from pressroom.diagnostics import Report
from pressroom.read.fragments import decode, fragment_path, split_front_matter
from pressroom.read.translations import (CURRENT, OUTDATED, Pair, align, pair, source_hash, sources_path,
                                         texts)
from pressroom.read.units import Unit, markdown_units, rewrite, tokens

FINGERPRINT = re.compile(r"^translated-from:.*$", re.MULTILINE)


@dataclass
class Fragment:
    """One Markdown fragment of one document in one locale, with its source and pairing."""

    doc_id: str
    name: str
    source: Path
    target: Path
    body: str  # the source body
    first_line: int  # the source body's first line in its file
    text: str | None  # the whole translation file (None: not translated)
    made_from: str | None  # S, the English the translation was made from (None: unknown)
    pairs: list[Pair] = field(default_factory=list)

    @property
    def shown(self) -> str:
        return f"content/{self.source.parent.parent.name}/{self.doc_id}/{self.name}"

    def translation_body(self) -> tuple[str, str]:
        """(front matter with its fences, body) of the translation file."""
        text = self.text or ""
        meta, body, first = split_front_matter(text, str(self.target), Report())
        return text[: len(text) - len(body)], body


def load(pack, locale: str, doc_id: str, name: str) -> Fragment:
    source = fragment_path(pack, pack.source_locale, doc_id, name)
    target = fragment_path(pack, locale, doc_id, name)
    text = source.read_text(encoding="utf-8")
    _, body, first = split_front_matter(text, str(source), Report())
    translation = decode(target.read_bytes(), str(target), Report()) if target.is_file() else None
    fragment = Fragment(doc_id, name, source, target, body, first, translation, None)
    if translation is not None:
        fragment.made_from = _made_from(pack, fragment, locale)
        fragment.pairs = pair(body, fragment.translation_body()[1], fragment.made_from)
    else:
        fragment.pairs = pair(body, None, None)
    return fragment


def _made_from(pack, fragment: Fragment, locale: str) -> str | None:
    """S: the stored sources, else the source itself when the fingerprint says it is current,
    else the revision of the source in git whose fingerprint it is."""
    stored = sources_path(pack.root, locale, fragment.doc_id, fragment.name)
    if stored.is_file():
        return stored.read_text(encoding="utf-8")
    meta, _, _ = split_front_matter(fragment.text or "", str(fragment.target), Report())
    recorded = meta.get("translated-from")
    if recorded == source_hash(fragment.source):
        return fragment.body
    old = _git_revision(pack.root, fragment.source, recorded) if recorded else None
    return split_front_matter(old, str(fragment.source), Report())[1] if old else None


def _git_revision(root: Path, path: Path, digest: str) -> str | None:
    try:
        shown = str(path.relative_to(root))
        revisions = subprocess.run(["git", "-C", str(root), "log", "--format=%H", "--", shown],
                                   capture_output=True, text=True, timeout=20).stdout.split()
        for revision in revisions[:200]:
            blob = subprocess.run(["git", "-C", str(root), "show", f"{revision}:{shown}"],
                                  capture_output=True, timeout=20).stdout
            if hashlib.sha256(blob).hexdigest() == digest:
                return blob.decode("utf-8")
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return None
    return None


# --- export -----------------------------------------------------------------------------------


def entries(fragment: Fragment) -> list[Entry]:
    """One entry per paragraph that has words to translate."""
    wanted = [p for p in fragment.pairs if p.translatable]
    repeats = Counter(p.unit.text for p in wanted)
    out = []
    for number, p in enumerate(wanted, start=1):
        target = p.translation.text if p.translation is not None else ""
        if target in (p.unit.text, p.previous):  # the English left as it was: not a translation
            target = ""
        keep = " ".join(sorted(tokens(p.unit.text).elements()))
        out.append(Entry(key=unit_key(p.unit, number), source=p.unit.text, target=target,
                         fuzzy=p.state == OUTDATED, previous=p.previous,
                         location=f"{fragment.shown}:{fragment.first_line + p.unit.start}",
                         note=f"Keep as they are: {keep}" if keep else "",
                         context=repeats[p.unit.text] > 1))
    return out


def unit_key(unit: Unit, number: int) -> str:
    """A name for a paragraph, unique in its fragment: its note or heading id, else its number."""
    if unit.kind == "note":
        return f"note {unit.label} ({number})"
    return f"{unit.kind} {unit.label} ({number})" if unit.label else f"{unit.kind} ({number})"


# --- import -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    changed: int = 0  # paragraphs whose translation changed
    text: str | None = None  # the new translation file, when it changed
    made_from: str | None = None  # the new .sources file, when it changed


def apply(fragment: Fragment, given: list[Entry], where: str, report: Report) -> Outcome:
    """The entries of one hand-off file applied to one fragment; nothing changes unless a
    translation did. Problems are reported at ``where`` (the PO/XLIFF file)."""
    if fragment.text is None:  # never translated: start from the English, paragraph for paragraph
        fragment.text = f"---\ntranslated-from: {source_hash(fragment.source)}\n---\n{fragment.body}"
        fragment.made_from = fragment.body
        fragment.pairs = pair(fragment.body, fragment.body, fragment.body)
        created = True
    else:
        created = False
    wanted = _match(fragment, given, where, report)
    front, body = fragment.translation_body()
    replacements: dict[Unit, str] = {}
    inserts: list = []
    confirmed: set[int] = set()
    for index, entry in wanted.items():
        p = fragment.pairs[index]
        if Counter(tokens(entry.target)) != tokens(p.unit.text):
            lost = sorted((tokens(p.unit.text) - tokens(entry.target)).elements())
            added = sorted((tokens(entry.target) - tokens(p.unit.text)).elements())
            report.error(where, None, f"the translation of “{_short(p.unit.text)}” "
                         f"{'loses ' + ', '.join(lost) if lost else ''}{' and ' if lost and added else ''}"
                         f"{'adds ' + ', '.join(added) if added else ''}",
                         "keep every [^note], [@key], link target and {#id} of the source as it is")
            continue
        confirmed.add(index)
        new = " ".join(entry.target.split())
        if p.translation is not None:
            if new != p.translation.text:
                replacements[p.translation] = new
        else:
            inserts.append(_insertion(fragment, index, new))
    if report.errors:
        return Outcome()
    new_body = rewrite(body, replacements, inserts)
    sources = _sources_after(fragment, body, new_body, confirmed, inserts, report)
    current = all(p.state == CURRENT or i in confirmed for i, p in enumerate(fragment.pairs))
    new_front = _fingerprint(front, source_hash(fragment.source)) if current else front
    text = new_front + new_body
    changed = len(replacements) + len(inserts)
    same_sources = fragment.made_from is not None and texts(sources) == texts(fragment.made_from)
    return Outcome(changed, text if (text != fragment.text or created) and changed else None,
                   None if same_sources and not (created and changed) else sources)



def _match(fragment: Fragment, given: list[Entry], where: str, report: Report) -> dict[int, Entry]:
    """Entries with a translation to use (not empty, not fuzzy) → the pair they translate,
    found by their source text (and key, where the same text repeats)."""
    wanted = [(i, p) for i, p in enumerate(fragment.pairs) if p.translatable]
    by_text: dict[str, list[int]] = {}
    keys = {}
    for number, (i, p) in enumerate(wanted, start=1):
        by_text.setdefault(p.unit.text, []).append(i)
        keys[i] = unit_key(p.unit, number)
    out = {}
    for entry in given:
        if entry.fuzzy or not entry.target.strip():
            continue
        found = by_text.get(" ".join(entry.source.split()), [])
        if len(found) > 1:
            found = [i for i in found if keys[i] == entry.key or entry.key.endswith(keys[i])] or found[:1]
        if not found:
            report.warning(where, None, f"“{_short(entry.source)}” is no longer in {fragment.shown}: not imported",
                           "the English changed since the export: export again and translate the new text")
            continue
        out[found[0]] = entry
    return out


def _insertion(fragment: Fragment, index: int, text: str) -> tuple[int, bool, Unit, str]:
    """Where a paragraph the translation lacks goes: after the translation of the paragraph
    before it, laid out as the English paragraph is."""
    unit = fragment.pairs[index].unit
    for p in reversed(fragment.pairs[:index]):
        if p.translation is not None:
            return p.translation.end, False, unit, text
    following = [p.translation for p in fragment.pairs[index:] if p.translation is not None]
    _, body = fragment.translation_body()
    return (following[0].start, True, unit, text) if following else (len(body.split("\n")), False, unit, text)


def _sources_after(fragment: Fragment, body: str, new_body: str, confirmed: set[int], inserts: list,
                   report: Report) -> str:
    """S after the import: for each unit of the new translation, the English it translates."""
    old_units = markdown_units(body)
    made = markdown_units(fragment.made_from) if fragment.made_from is not None else []
    old_of = {j: i for i, j in align(made, old_units).items()}
    english = {j: made[old_of[j]].text for j in range(len(old_units)) if j in old_of}
    for i, p in enumerate(fragment.pairs):
        if p.translation is not None and (p.state == CURRENT or i in confirmed):
            english[old_units.index(p.translation)] = p.unit.text
    texts = [(u.start, 1, english.get(j, u.text)) for j, u in enumerate(old_units)]
    texts += [(at, 0, u.text) for at, _, u, _ in inserts]  # before the unit that starts there
    new_units = markdown_units(new_body)
    ordered = [t for _, _, t in sorted(texts, key=lambda t: (t[0], t[1]))]
    if len(ordered) != len(new_units):
        report.error(fragment.shown, None, "internal: the translation's paragraphs could not be paired after import",
                     "report it")
        return fragment.made_from or ""
    return rewrite(new_body, dict(zip(new_units, ordered)))


def _fingerprint(front: str, digest: str) -> str:
    if not front:
        return f"---\ntranslated-from: {digest}\n---\n"
    if FINGERPRINT.search(front):
        return FINGERPRINT.sub(f"translated-from: {digest}", front, count=1)
    return front.replace("---\n", f"---\ntranslated-from: {digest}\n", 1)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


def recorded(fragment: Fragment) -> str | None:
    """The fingerprint a translation carries (``translated-from``)."""
    meta, _, _ = split_front_matter(fragment.text or "", str(fragment.target), Report())
    return meta.get("translated-from")


def marked(fragment: Fragment) -> tuple[str, str]:
    """(translation with the current fingerprint, its sources): the translation declared up to
    date with the current source, paragraph for paragraph."""
    front, body = fragment.translation_body()
    units = markdown_units(body)
    made = markdown_units(fragment.made_from) if fragment.made_from is not None else []
    old_of = {j: i for i, j in align(made, units).items()}
    english = {u: made[old_of[j]].text for j, u in enumerate(units) if j in old_of}
    english.update({p.translation: p.unit.text for p in fragment.pairs if p.translation is not None})
    return _fingerprint(front, source_hash(fragment.source)) + body, rewrite(body, english)
