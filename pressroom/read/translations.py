"""A translated fragment in → what it records of its source: the fingerprint of the source text
it was translated from (``translated-from``), the tokens that must survive translation, and
which of its paragraphs translates which paragraph of the current source.

When the source changes, its hash no longer matches the recorded one and the translation is
outdated; a translation that lost or gained a note label, citation key, link target or heading
id no longer fits its source.

Paragraphs are paired through the English each translation was made from (S, kept in
content/<locale>/.sources/, laid out as the translation T is: one unit of S per unit of T),
never by position alone. With the current English E:
- an E unit whose text is that of an S unit is *current* (translated by the T unit of that S unit);
- an E unit that replaced an S unit (the sequences differ there) is *outdated*; the old text is
  kept as ``previous`` (what a PO file calls the previous msgid);
- any other E unit is *new* (never translated).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import yaml

from pressroom.diagnostics import Report
from pressroom.read.fragments import split_front_matter
from pressroom.read.units import TOKENS, Unit, has_words, markdown_units, rewrite

CURRENT, OUTDATED, NEW = "current", "outdated", "new"
SOURCES = ".sources"  # content/<locale>/.sources/<doc>/<fragment>: the English each translation was made from



def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded_hash(path: Path) -> str | None:
    """The ``translated-from`` hash a translated fragment carries."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix in (".yaml", ".yml"):
        data = yaml.safe_load(text)
        return data.get("translated-from") if isinstance(data, dict) else None
    meta, _, _ = split_front_matter(text.replace("\r\n", "\n"), str(path), Report())
    return meta.get("translated-from")


def token_differences(source_text: str, translated_text: str) -> tuple[list[str], list[str]]:
    """Tokens the translation lost, and tokens it added (each as often as it differs)."""
    source, translated = Counter(TOKENS.findall(source_text)), Counter(TOKENS.findall(translated_text))
    return sorted((source - translated).elements()), sorted((translated - source).elements())


def sources_path(root: Path, locale: str, doc_id: str, name: str) -> Path:
    return root / "content" / locale / SOURCES / doc_id / name


def is_unusable(source: Path, translation: Path) -> bool:
    """The source changed since the translation and its notes, citations, links or ids no longer
    match: the translation cannot be printed as it is (the build uses the source instead)."""
    if recorded_hash(translation) == source_hash(source):
        return False  # claims to be current: a token it lost is the translator's error, reported as such
    lost, added = token_differences(body_of(source), body_of(translation))
    return bool(lost or added)


def body_of(path: Path) -> str:
    """A fragment without its front matter (a form.yaml as it is)."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    return split_front_matter(text, str(path), Report())[1] if path.suffix == ".md" else text


@dataclass(frozen=True)
class Pair:
    unit: Unit  # in the current source
    translation: Unit | None  # the unit of the translation that translates it
    state: str  # current, outdated, new
    previous: str | None = None  # outdated: the source text the translation was made from

    @property
    def translatable(self) -> bool:
        return has_words(self.unit.text)

    @property
    def translated(self) -> bool:
        """Current, and really translated (not the source text left as it was)."""
        if not self.translatable:
            return True
        return self.state == CURRENT and self.translation is not None and self.translation.text != self.unit.text


def pair(source: str, translation: str | None, made_from: str | None) -> list[Pair]:
    """Pair the units of the current ``source`` body with those of ``translation``, through
    ``made_from`` (the source the translation was made from; None: unknown)."""
    now = markdown_units(source)
    if translation is None:
        return [Pair(u, None, NEW) for u in now]
    done = markdown_units(translation)
    if made_from is None:  # nothing says what it was made from: pair by shape, all to review
        matched = align(now, done)
        return [Pair(u, done[matched[i]], OUTDATED) if i in matched else Pair(u, None, NEW)
                for i, u in enumerate(now)]
    old = markdown_units(made_from)
    old_to_done = align(old, done)
    pairs: list[Pair] = []
    matcher = SequenceMatcher(None, [u.text for u in old], [u.text for u in now], autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        for k in range(b1 - b0):
            i, j = b0 + k, a0 + k
            t = done[old_to_done[j]] if j < a1 and j in old_to_done else None
            if t is None or t.kind != now[i].kind:
                pairs.append(Pair(now[i], None, NEW))
            elif op == "equal":
                pairs.append(Pair(now[i], t, CURRENT))
            else:
                pairs.append(Pair(now[i], t, OUTDATED, old[j].text))
    return pairs


def align(a: list[Unit], b: list[Unit]) -> dict[int, int]:
    """Units of two parallel texts paired by shape (kind, note label or id, tokens); where the
    shapes differ, the units of a changed stretch are paired in order."""
    if len(a) == len(b) and all(x.kind == y.kind for x, y in zip(a, b)):
        return {i: i for i in range(len(a))}
    matcher = SequenceMatcher(None, [u.signature for u in a], [u.signature for u in b], autojunk=False)
    out = {}
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op in ("equal", "replace"):
            for k in range(min(a1 - a0, b1 - b0)):
                if a[a0 + k].kind == b[b0 + k].kind:
                    out[a0 + k] = b0 + k
    return out


def counts(pairs: list[Pair]) -> tuple[int, int, int]:
    """(translated, outdated, total) paragraphs: what a translator still has to do."""
    wanted = [p for p in pairs if p.translatable]
    return (sum(1 for p in wanted if p.translated), sum(1 for p in wanted if p.state == OUTDATED), len(wanted))


def texts(body: str) -> list[str]:
    return [u.text for u in markdown_units(body)]


def laid_out_as(translation: str, english: dict[Unit, str]) -> str:
    """S for a translation: its own layout, each unit's text the English it translates."""
    return rewrite(translation, english)
