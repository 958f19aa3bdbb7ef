"""Template strings through gettext: extract → messages.pot, update → <locale>.po, compile → .mo,
and coverage counted from the catalogues (``pybabel compile --statistics`` counts fuzzy
entries as translated; a translator needs to know they are not)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from pressroom.read.locales import CATALOGUES

METHODS = [("**.j2", "jinja2.ext:babel_extract")]
OPTIONS = {"**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}


@dataclass(frozen=True)
class Coverage:
    locale: str
    total: int
    translated: int
    fuzzy: int

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


def template_path(root: Path) -> Path:
    return root / CATALOGUES / "messages.pot"


def po_path(root: Path, locale: str) -> Path:
    return root / CATALOGUES / locale / "LC_MESSAGES" / "messages.po"


def extract(root: Path) -> Catalog:
    """Collect every translatable string of the templates into messages.pot."""
    catalog = Catalog(project="pressroom", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(root / "templates"), METHODS, options_map=OPTIONS):
        catalog.add(message, None, [(f"templates/{filename}", lineno)], auto_comments=comments, context=context)
    previous = _read(template_path(root))
    if previous is not None and _messages(previous) == _messages(catalog):
        # nothing changed: keep the date, which every .po copies, so that a re-run moves no byte
        catalog.creation_date = previous.creation_date
    _write(template_path(root), catalog, write_po)
    return catalog


def _read(path: Path) -> Catalog | None:
    if not path.is_file():
        return None
    with open(path, "rb") as handle:
        return read_po(handle)


def _messages(catalog: Catalog) -> list[tuple]:
    return [(m.id, m.context, tuple(m.locations), tuple(m.auto_comments), tuple(sorted(m.flags))) for m in catalog]


def unextracted(root: Path, report) -> None:
    """A string a template asks gettext for that messages.pot lacks: no locale can translate it
    (a new string not yet extracted, or a slip in the template's words), at its template line."""
    from pressroom.diagnostics import with_suggestion
    from pressroom.read.locales import template_strings

    known = template_strings(root)
    if known is None:
        return
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(root / "templates"), METHODS, options_map=OPTIONS):
        text = message if isinstance(message, str) else message[0]
        if text not in known:
            report.warning(f"templates/{filename}", lineno, f"template string {text!r} is not in "
                           "templates/locales/messages.pot: no locale translates it",
                           with_suggestion("fix the template's words, or, if the string is new, invoke i18n.extract "
                                           "then invoke i18n.update", repr(text), [repr(k) for k in known]))


def update(root: Path, locales: list[str]) -> None:
    """Bring each locale's .po up to date with messages.pot (changed strings become fuzzy)."""
    with open(template_path(root), "rb") as handle:
        template = read_po(handle)
    for locale in locales:
        path = po_path(root, locale)
        if path.exists():
            with open(path, "rb") as handle:
                catalog = read_po(handle, locale=locale)
        else:
            catalog = Catalog(locale=locale, charset="utf-8")
        catalog.update(template)
        _write(path, catalog, write_po, ignore_obsolete=True)


def compile_catalogues(root: Path, locales: list[str]) -> None:
    """.po → .mo, leaving fuzzy entries out (they fall back to English until reviewed)."""
    for locale in locales:
        path = po_path(root, locale)
        if path.exists():
            with open(path, "rb") as handle:
                catalog = read_po(handle, locale=locale)
            _write(path.with_suffix(".mo"), catalog, write_mo, use_fuzzy=False)


def coverage(root: Path, locale: str) -> Coverage:
    path = po_path(root, locale)
    if not path.exists():
        with open(template_path(root), "rb") as handle:
            return Coverage(locale, len([m for m in read_po(handle) if m.id]), 0, 0)
    with open(path, "rb") as handle:
        messages = [m for m in read_po(handle, locale=locale) if m.id]
    fuzzy = sum(1 for m in messages if m.fuzzy)
    translated = sum(1 for m in messages if m.string and not m.fuzzy)
    return Coverage(locale, len(messages), translated, fuzzy)


def _write(path: Path, catalog: Catalog, writer, **options) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        writer(handle, catalog, **options)
