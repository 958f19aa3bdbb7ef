"""Locales in → what each has, counted in paragraphs (translated, partial, outdated, missing);
the hand-off to CAT tools and back (PO or XLIFF: fragments, form labels, titles, template
strings); what changed in the source since a translation (--diff); and the fingerprint of a
translation brought up to date by hand (--mark).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from pressroom.commands import paragraphs, strings
from pressroom.commands.i18n import Coverage, coverage
from pressroom.commands.stores import FORMATS, header_for, read_store, write_store
from pressroom.diagnostics import Report, UsageError
from pressroom.model import Pack
from pressroom.read.fragments import fragment_path
from pressroom.read.translations import NEW, OUTDATED, counts, recorded_hash, source_hash, sources_path

TITLES, TEMPLATES = "titles", "templates"
STATES = ("translated", "partial", "outdated", "missing")


def translated_locale(pack: Pack, locale: str) -> str:
    """``locale`` if the pack is translated into it; a usage error naming the choices otherwise."""
    choices = [loc for loc in pack.locales if loc != pack.source_locale]
    if locale not in choices:
        what = "the source locale" if locale == pack.source_locale else "not a locale of the pack"
        raise UsageError(f"{locale!r} is {what} — give one of: {', '.join(choices)} (content/pack.yaml: locales)")
    return locale


def valid_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} — use one of: {', '.join(FORMATS)}")
    return fmt


@dataclass
class FragmentStatus:
    name: str  # doc/fragment
    state: str  # translated, partial, outdated, missing
    translated: int
    outdated: int
    total: int


@dataclass
class LocaleStatus:
    locale: str
    fragments: list[FragmentStatus] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    strings: Coverage | None = None  # the template strings

    def of(self, state: str) -> list[str]:
        return [f.name for f in self.fragments if f.state == state]

    @property
    def translated(self) -> list[str]:
        return self.of("translated")

    @property
    def missing(self) -> list[str]:
        return self.of("missing")

    @property
    def outdated(self) -> list[str]:
        return self.of("outdated")

    @property
    def paragraphs(self) -> tuple[int, int, int]:
        return tuple(sum(getattr(f, k) for f in self.fragments) for k in ("translated", "outdated", "total"))

    @property
    def complete(self) -> bool:
        return all(f.state == "translated" for f in self.fragments)


def fragment_status(pack, locale: str, doc_id: str, name: str) -> FragmentStatus:
    label = f"{doc_id}/{name}"
    target = fragment_path(pack, locale, doc_id, name)
    if name.endswith(".md"):
        fragment = paragraphs.load(pack, locale, doc_id, name)
        done, outdated, total = counts(fragment.pairs)
        changed = fragment.text is not None and recorded_hash(target) != source_hash(fragment.source)
    else:
        pairs, _, _ = strings.form_state(pack, locale, doc_id, name)
        wanted = pairs
        done = sum(1 for p in wanted if p.translated)
        outdated = sum(1 for p in wanted if p.state == OUTDATED)
        total = len(wanted)
        changed = outdated > 0
    if not target.is_file():
        state = "missing"
    elif changed or outdated:
        state = "outdated"
    elif done < total:
        state = "partial"
    else:
        state = "translated"
    return FragmentStatus(label, state, done, outdated, total)


def status(pack) -> list[LocaleStatus]:
    result = []
    for locale in pack.locales:
        if locale == pack.source_locale:
            continue
        state = LocaleStatus(locale)
        for doc in pack.documents.values():
            for name in doc.fragments:
                if fragment_path(pack, pack.source_locale, doc.id, name).is_file():
                    state.fragments.append(fragment_status(pack, locale, doc.id, name))
            folder = pack.root / "content" / locale / doc.id
            state.extra += [f"{doc.id}/{p.name}" for p in sorted(folder.glob("*")) if p.name not in doc.fragments]
        state.strings = coverage(pack.root, locale)
        result.append(state)
    return result


def diff(pack, locale: str) -> list[str]:
    """For each outdated fragment, the source paragraphs changed since its translation: old and new."""
    lines = []
    for doc in pack.documents.values():
        for name in doc.fragments:
            if not name.endswith(".md") or not fragment_path(pack, locale, doc.id, name).is_file():
                continue
            fragment = paragraphs.load(pack, locale, doc.id, name)
            changed = [p for p in fragment.pairs if p.state == OUTDATED or (p.state == NEW and p.translatable)]
            if not changed:
                continue
            lines.append(f"{fragment.target.relative_to(pack.root)}: {len(changed)} paragraph(s) of "
                         f"{fragment.source.relative_to(pack.root)} changed since translation")
            for p in changed:
                where = f"{fragment.source.relative_to(pack.root)}:{fragment.first_line + p.unit.start}"
                lines.append(f"  {where}: {'changed' if p.state == OUTDATED else 'new paragraph'}")
                if p.previous is not None:
                    lines.append(f"    ~ {changed_words(p.previous, p.unit.text)}")
                    lines.append(f"    - {p.previous}")
                elif p.state == OUTDATED:
                    lines.append("    - (the English it was translated from is not known)")
                lines.append(f"    + {p.unit.text}")
    return lines


def changed_words(old: str, new: str) -> str:
    """What changed, word by word: ``very → highly; + new words``."""
    a, b = old.split(), new.split()
    parts = []
    for op, a0, a1, b0, b1 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "replace":
            parts.append(f"{' '.join(a[a0:a1])} → {' '.join(b[b0:b1])}")
        elif op == "delete":
            parts.append(f"− {' '.join(a[a0:a1])}")
        elif op == "insert":
            parts.append(f"+ {' '.join(b[b0:b1])}")
    return "; ".join(parts) or "(spacing only)"


def mark(pack, path: Path) -> Path:
    """Record that a translation is up to date with its source: fingerprint and sources."""
    locale, doc_id, name = _translation_of(pack, path)
    if name.endswith(".md"):
        fragment = paragraphs.load(pack, locale, doc_id, name)
        text, sources = paragraphs.marked(fragment)
        writes = {fragment.target: text, sources_path(pack.root, locale, doc_id, name): sources}
    else:
        writes = strings.form_mark(pack, locale, doc_id, name)
    for target, content in writes.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return fragment_path(pack, locale, doc_id, name)


def _translation_of(pack, path: Path) -> tuple[str, str, str]:
    resolved = (path if path.is_absolute() else pack.root / path).resolve()
    try:
        locale, doc_id, name = resolved.relative_to((pack.root / "content").resolve()).parts
    except ValueError:
        raise UsageError(f"{path} is not a translated fragment (content/<locale>/<document>/<fragment>)") from None
    if locale not in pack.locales or locale == pack.source_locale:
        raise UsageError(f"{path}: {locale!r} is not a translated locale of the pack ({', '.join(pack.locales)})")
    if doc_id not in pack.documents or name not in pack.documents[doc_id].fragments:
        raise UsageError(f"{path}: not a fragment listed for {doc_id!r} in content/pack.yaml")
    if not resolved.is_file():
        raise UsageError(f"{path} does not exist: copy the English fragment there first")
    return locale, doc_id, name


# --- the hand-off -----------------------------------------------------------------------------


def handoff_files(pack, locale: str, out: Path, fmt: str) -> list[tuple[Path, str, list]]:
    """(file, original, entries) for every hand-off file of ``locale``."""
    suffix = FORMATS[fmt]
    files = []
    for doc in pack.documents.values():
        for name in doc.fragments:
            source = fragment_path(pack, pack.source_locale, doc.id, name)
            if not source.is_file():
                continue
            shown = f"content/{pack.source_locale}/{doc.id}/{name}"
            if name.endswith(".md"):
                entries = paragraphs.entries(paragraphs.load(pack, locale, doc.id, name))
            else:
                pairs, _, _ = strings.form_state(pack, locale, doc.id, name)
                entries = strings.named_entries(pairs, shown)
            files.append((out / doc.id / f"{Path(name).stem}{suffix}", shown, entries))
    pairs, _ = strings.titles_state(pack, locale)
    files.append((out / f"{TITLES}{suffix}", "content/pack.yaml", strings.named_entries(pairs, "content/pack.yaml")))
    if (pack.root / "templates" / "locales" / "messages.pot").is_file():
        pairs, _ = strings.template_state(pack.root, locale)
        files.append((out / f"{TEMPLATES}{suffix}", "templates/locales/messages.pot",
                      strings.named_entries(pairs, "templates/locales/messages.pot", context=False)))
    return files


def export(pack, locale: str, out: Path, fmt: str = "po") -> list[Path]:
    written = []
    for path, original, entries in handoff_files(pack, locale, out, fmt):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(write_store(entries, header_for(pack, locale, original), fmt))
        written.append(path)
    return written


def import_(pack, locale: str, folder: Path, report: Report, fmt: str = "po") -> list[Path]:
    """Every hand-off file of ``folder`` applied; nothing is written if anything is wrong."""
    suffix = FORMATS[fmt]
    files = sorted(folder.glob(f"*{suffix}")) + sorted(folder.glob(f"*/*{suffix}"))
    if not files:
        raise UsageError(f"no {fmt.upper()} files in {folder} — run invoke i18n.export {locale} first")
    writes: dict[Path, str | bytes] = {}
    for path in files:
        given = read_store(path.read_bytes(), fmt)
        writes.update(_apply_file(pack, locale, folder, path, given, report))
    if report.errors:
        return []
    for target, content in writes.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return [t for t in writes if ".sources" not in t.parts]


def _apply_file(pack, locale, folder, path, given, report) -> dict:
    where = str(path)
    if path.parent == folder:
        if path.stem == TITLES:
            return strings.titles_apply(pack, locale, given, where, report)
        if path.stem == TEMPLATES:
            return strings.template_apply(pack.root, locale, given, where, report)
        report.error(where, None, "not a file of the hand-off", "import only the files i18n.export wrote")
        return {}
    doc = pack.documents.get(path.parent.name)
    names = [n for n in (doc.fragments if doc else ()) if Path(n).stem == path.stem]
    if not names:
        report.error(where, None, f"no fragment {path.parent.name}/{path.stem} in the pack",
                     "export again from the current pack")
        return {}
    name = names[0]
    if not name.endswith(".md"):
        return strings.form_apply(pack, locale, doc.id, name, given, where, report)
    fragment = paragraphs.load(pack, locale, doc.id, name)
    outcome = paragraphs.apply(fragment, given, where, report)
    out = {}
    if outcome.text is not None:
        out[fragment.target] = outcome.text
    if outcome.made_from is not None:
        out[sources_path(pack.root, locale, doc.id, name)] = outcome.made_from
    return out
