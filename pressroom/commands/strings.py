"""Named strings to and from CAT tools: the labels of form.yaml, the titles of titles.yaml and
the template strings of messages.po — with the guarantees of the fragments: pre-filled
export, fuzzy where the English changed, and an import that changes only what changed.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import yaml

from pressroom.commands.stores import Entry
from pressroom.diagnostics import Report, with_suggestion
from pressroom.read import yamlunits
from pressroom.read.translations import CURRENT, NEW, OUTDATED, SOURCES
from pressroom.read.units import has_words, tokens


@dataclass(frozen=True)
class Named:
    name: str
    source: str
    translation: str | None
    state: str
    previous: str | None = None
    line: int | None = None  # in the source file

    @property
    def translated(self) -> bool:
        if not has_words(self.source):
            return True
        return self.state == CURRENT and self.translation is not None and self.translation != self.source


def pair_named(source: dict[str, str], translation: dict[str, str] | None,
               made_from: dict[str, str] | None, lines: dict[str, int] | None = None) -> list[Named]:
    out = []
    for name, text in source.items():
        done = (translation or {}).get(name)
        old = text if made_from is None else made_from.get(name)
        line = (lines or {}).get(name)
        if done is None:
            out.append(Named(name, text, None, NEW, line=line))
        elif old == text:
            out.append(Named(name, text, done, CURRENT, line=line))
        else:
            out.append(Named(name, text, done, OUTDATED, old, line=line))
    return out


def named_entries(pairs: list[Named], location: str, context: bool = True) -> list[Entry]:
    out = []
    for p in pairs:
        target = p.translation if p.translation not in (None, p.source, p.previous) else ""
        keep = " ".join(sorted(tokens(p.source).elements()))
        where = f"{location}:{p.line}" if p.line else location
        out.append(Entry(p.name, p.source, target or "", p.state == OUTDATED, p.previous, where,
                         f"Keep as they are: {keep}" if keep else "", context=context))
    return out


def wanted(pairs: list[Named], given: list[Entry], where: str, report: Report) -> dict[str, str]:
    """name → new translation, for the entries that change something (not empty, not fuzzy)."""
    by_name = {p.name: p for p in pairs}
    out = {}
    for entry in given:
        p = by_name.get(entry.key) or by_name.get(entry.source)
        if p is None and entry.target.strip() and not entry.fuzzy:
            report.warning(where, None, f"“{_short(entry.key or entry.source)}” is no string of the English now: "
                           "not imported", with_suggestion("keep each entry's source (msgid) as exported; if the "
                                                           "English changed, export again and translate the new text",
                                                           f"“{_short(entry.source)}”",
                                                           {f"“{_short(n.source)}”" for n in pairs}))
            continue
        if entry.fuzzy or not entry.target.strip() or p is None:
            continue
        if " ".join(entry.source.split()) != p.source:
            report.warning(where, None, f"“{entry.key}” changed in the English since the export: not imported",
                           "export again and translate the new text")
            continue
        if tokens(entry.target) != tokens(p.source) or _braces(entry.target) != _braces(p.source):
            report.error(where, None, f"the translation of “{entry.key}” changes its notes, keys, links or {{names}}",
                         "keep them as in the source")
            continue
        new = " ".join(entry.target.split())
        if new != p.translation or p.state != CURRENT:
            out[p.name] = new
    return out


def _short(text: str) -> str:
    """A string as a message quotes it: its first 60 characters."""
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:59] + "…"


def _braces(text: str) -> list[str]:
    import re
    return sorted(re.findall(r"\{\w+\}|%\(\w+\)[sd]", text))


# --- form.yaml --------------------------------------------------------------------------------


def form_state(pack, locale: str, doc_id: str, name: str):
    """(pairs, English text, translation text or None, stored made-from) of a form.yaml."""
    source = pack.root / "content" / pack.source_locale / doc_id / name
    target = pack.root / "content" / locale / doc_id / name
    english = source.read_text(encoding="utf-8")
    text = target.read_text(encoding="utf-8-sig") if target.is_file() else None
    made_from = _stored(pack, locale, f"{doc_id}/{name}")
    if text is not None and made_from is None:
        recorded = (yaml.safe_load(text) or {}).get("translated-from")
        made_from = None if recorded != hashlib.sha256(source.read_bytes()).hexdigest() else \
            yamlunits.values(yamlunits.form_strings(english))
        if made_from is None:
            made_from = {}  # made from an English we no longer have: every string to review
    translation = yamlunits.values(yamlunits.form_strings(text)) if text is not None else None
    nodes = yamlunits.form_strings(english)
    pairs = pair_named(yamlunits.values(nodes), translation, made_from,
                       {n: node.start_mark.line + 1 for n, node in nodes.items()})
    return pairs, english, text


def form_apply(pack, locale: str, doc_id: str, name: str, given: list[Entry], where: str,
               report: Report) -> dict[Path, str]:
    """The files an import writes for a form.yaml (none when nothing changed)."""
    pairs, english, text = form_state(pack, locale, doc_id, name)
    changes = wanted(pairs, given, where, report)
    if not changes or report.errors:
        return {}
    digest = hashlib.sha256(english.encode("utf-8")).hexdigest()
    base = text if text is not None else f"translated-from: {digest}\n" + english
    nodes = yamlunits.form_strings(base)
    missing = [n for n in changes if n not in nodes]
    for n in missing:
        report.error(where, None, f"“{n}” is not in content/{locale}/{doc_id}/{name}",
                     "add the key there by hand (copy it from the English form.yaml), then import again")
    if missing:
        return {}
    new = yamlunits.replace(base, {nodes[n]: value for n, value in changes.items()})
    made = made_from_after(pairs, changes)
    if all(made.get(p.name) == p.source for p in pairs):
        new = _fingerprint_yaml(new, digest)
    return {pack.root / "content" / locale / doc_id / name: new,
            _stored_path(pack, locale, f"{doc_id}/{name}"): yaml.safe_dump(made, allow_unicode=True, sort_keys=False)}


def made_from_after(pairs: list[Named], changes: dict[str, str]) -> dict[str, str]:
    """For each translated string after an import, the English it was made from."""
    return {p.name: p.source if p.state == CURRENT or p.name in changes else (p.previous or "")
            for p in pairs if p.translation is not None or p.name in changes}


def form_mark(pack, locale: str, doc_id: str, name: str) -> dict[Path, str]:
    """A form.yaml declared up to date with its source: its fingerprint, and the English of
    every translated string as what it was made from."""
    source = pack.root / "content" / pack.source_locale / doc_id / name
    target = pack.root / "content" / locale / doc_id / name
    text = _fingerprint_yaml(target.read_text(encoding="utf-8-sig"), hashlib.sha256(source.read_bytes()).hexdigest())
    translated = yamlunits.values(yamlunits.form_strings(text))
    english = yamlunits.values(yamlunits.form_strings(source.read_text(encoding="utf-8")))
    made = {n: v for n, v in english.items() if n in translated}
    return {target: text,
            _stored_path(pack, locale, f"{doc_id}/{name}"): yaml.safe_dump(made, allow_unicode=True, sort_keys=False)}


def _fingerprint_yaml(text: str, digest: str) -> str:
    import re
    line = re.compile(r"^translated-from:.*$", re.MULTILINE)
    return line.sub(f"translated-from: {digest}", text, count=1) if line.search(text) else \
        f"translated-from: {digest}\n" + text


def _stored_path(pack, locale: str, name: str) -> Path:
    return pack.root / "content" / locale / SOURCES / name


def _stored(pack, locale: str, name: str) -> dict[str, str] | None:
    path = _stored_path(pack, locale, name)
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None


# --- titles.yaml ------------------------------------------------------------------------------


def titles_state(pack, locale: str):
    source = {}
    for doc in pack.documents.values():
        source[f"{doc.id} title"] = doc.title
        if doc.subtitle:
            source[f"{doc.id} subtitle"] = doc.subtitle
    path = pack.root / "content" / locale / "titles.yaml"
    text = path.read_text(encoding="utf-8-sig") if path.is_file() else None
    translation = yamlunits.values(yamlunits.titles_strings(text)) if text is not None else None
    return pair_named(source, translation, _stored(pack, locale, "titles.yaml")), text


def titles_apply(pack, locale: str, given: list[Entry], where: str, report: Report) -> dict[Path, str]:
    pairs, text = titles_state(pack, locale)
    changes = wanted(pairs, given, where, report)
    if not changes or report.errors:
        return {}
    base = text if text is not None else f"# Titles and subtitles of the documents in {locale} (covers and running heads).\n"
    nodes = yamlunits.titles_strings(base)
    new = yamlunits.replace(base, {nodes[n]: v for n, v in changes.items() if n in nodes})
    extra: dict[str, dict[str, str]] = {}
    for n, v in changes.items():
        if n not in nodes:
            doc_id, part = n.rsplit(" ", 1)
            extra.setdefault(doc_id, {})[part] = v
    if extra:
        missing_docs = {d for d in extra if f"{d} title" not in nodes and f"{d} subtitle" not in nodes}
        if missing_docs != set(extra):
            report.error(where, None, "a subtitle for a document whose title is translated by hand in titles.yaml",
                         f"add it there by hand: content/{locale}/titles.yaml")
            return {}
        new = new.rstrip("\n") + "\n" + yamlunits.titles_text(extra)
    made = made_from_after(pairs, changes)
    return {pack.root / "content" / locale / "titles.yaml": new,
            _stored_path(pack, locale, "titles.yaml"): yaml.safe_dump(made, allow_unicode=True, sort_keys=False)}


# --- template strings -------------------------------------------------------------------------


def template_state(root: Path, locale: str):
    from babel.messages.pofile import read_po

    from pressroom.commands.i18n import po_path, template_path
    with open(template_path(root), "rb") as handle:
        template = read_po(handle)
    path = po_path(root, locale)
    catalog = None
    if path.is_file():
        with open(path, "rb") as handle:
            catalog = read_po(handle, locale=locale)
    pairs = []
    for message in template:
        if not message.id or not isinstance(message.id, str):
            continue
        known = catalog.get(message.id) if catalog is not None else None
        if known is None or not known.string:
            pairs.append(Named(message.id, message.id, None, NEW))
        elif known.fuzzy:
            previous = known.previous_id[0] if known.previous_id else None
            pairs.append(Named(message.id, message.id, known.string, OUTDATED, previous))
        else:
            pairs.append(Named(message.id, message.id, known.string, CURRENT))
    return pairs, catalog


def template_apply(root: Path, locale: str, given: list[Entry], where: str, report: Report) -> dict[Path, bytes]:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from pressroom.commands.i18n import po_path
    pairs, catalog = template_state(root, locale)
    changes = wanted(pairs, given, where, report)
    if not changes or report.errors:
        return {}
    catalog = catalog or Catalog(locale=locale, charset="utf-8")
    for msgid, value in changes.items():
        message = catalog.get(msgid)
        if message is None:
            catalog.add(msgid, value)
        else:
            message.string = value
            message.flags.discard("fuzzy")
            message.previous_id = []
    out = io.BytesIO()
    write_po(out, catalog, ignore_obsolete=True)
    return {po_path(root, locale): out.getvalue()}
