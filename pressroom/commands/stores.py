"""Entries ⇄ hand-off files for CAT tools: PO and XLIFF 1.2, through translate-toolkit's storage classes.

One entry per paragraph (or label, title, template string): the source text, the current
translation (empty if never translated), fuzzy when the source changed since, the previous
source text, where it comes from (a project path and line) and the tokens to keep.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FORMATS = {"po": ".po", "xliff": ".xlf"}
XLIFF_12 = "urn:oasis:names:tc:xliff:document:1.2"
NEEDS_WORK = {"new", "needs-translation", "needs-adaptation", "needs-l10n", "needs-review-translation",
              "needs-review-adaptation", "needs-review-l10n"}


@dataclass(frozen=True)
class Entry:
    key: str  # unique within its file: the XLIFF id; the PO msgctxt when the same text repeats
    source: str
    target: str = ""
    fuzzy: bool = False
    previous: str | None = None  # the source text the (fuzzy) target was made from
    location: str = ""  # content/en/qa/01-introduction.md:12
    note: str = ""
    context: bool = False  # the PO entry needs msgctxt (its source text repeats in the file)


@dataclass(frozen=True)
class Header:
    locale: str
    source_locale: str
    project: str
    plural_forms: str
    original: str  # the project file the entries come from


def header_for(pack, locale: str, original: str) -> Header:
    from babel.messages.plurals import get_plural
    plural = get_plural(locale)
    return Header(locale, pack.source_locale, pack.id, f"nplurals={plural.num_plurals}; plural={plural.plural_expr};",
                  original)


def write_store(entries: list[Entry], header: Header, fmt: str) -> bytes:
    return _write_po(entries, header) if fmt == "po" else _write_xliff(entries, header)


def read_store(data: bytes, fmt: str) -> list[Entry]:
    return _read_po(data) if fmt == "po" else _read_xliff(data)


def _write_po(entries: list[Entry], header: Header) -> bytes:
    from translate.storage import po

    store = po.pofile()
    for entry in entries:
        unit = store.addsourceunit(entry.source)
        if entry.context:
            unit.setcontext(entry.key)
        unit.target = entry.target
        if entry.location:
            unit.addlocation(entry.location)
        if entry.note:
            unit.addnote(entry.note, origin="developer")
        if entry.fuzzy and entry.target:
            unit.markfuzzy(True)
            if entry.previous is not None:
                unit.prev_source = entry.previous
    head = store.header() or store.init_headers()
    head.target = "".join(f"{k}: {v}\n" for k, v in (
        ("Project-Id-Version", header.project), ("Language", header.locale),
        ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"), ("Plural-Forms", header.plural_forms),
        ("X-Source-Language", header.source_locale), ("X-Source-File", header.original),
        ("X-Generator", "pressroom")))
    head.markfuzzy(False)
    head.removenotes()
    return bytes(store)


def _read_po(data: bytes) -> list[Entry]:
    from translate.storage import po

    store = po.pofile(data)
    out = []
    for unit in store.units:
        if unit.isheader() or unit.isobsolete():
            continue
        out.append(Entry(unit.getcontext() or "", str(unit.source), str(unit.target or ""), unit.isfuzzy(),
                         location=" ".join(unit.getlocations())))
    return out


def _xliff_class():
    from translate.storage import xliff

    class Unit12(xliff.xliffunit):
        namespace = XLIFF_12

    class Xliff12(xliff.xlifffile):
        """translate-toolkit writes XLIFF 1.1 by default; every CAT tool reads 1.2."""
        UnitClass = Unit12
        namespace = XLIFF_12
        XMLskeleton = f"""<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="{XLIFF_12}">
<file original="NoName" source-language="en" datatype="plaintext">
<body>
</body>
</file>
</xliff>"""
    return Xliff12


def _write_xliff(entries: list[Entry], header: Header) -> bytes:
    store = _xliff_class()(sourcelanguage=header.source_locale, targetlanguage=header.locale)
    store.setfilename(store.getfilenode("NoName"), header.original)
    for entry in entries:
        unit = store.UnitClass(entry.source)
        unit.setid(entry.key)
        store.addunit(unit)
        if entry.target:
            unit.target = entry.target
            unit.markapproved(not entry.fuzzy)
            unit.set_state_n(unit.S_NEEDS_REVIEW if entry.fuzzy else unit.S_TRANSLATED)
        if entry.location:
            unit.addlocation(entry.location)
        if entry.note:
            unit.addnote(entry.note, origin="developer")
        if entry.fuzzy and entry.previous is not None:
            unit.addnote(f"The English this translation was made from: {entry.previous}", origin="po-translator")
    return bytes(store)


def _read_xliff(data: bytes) -> list[Entry]:
    store = _xliff_class()(data)
    out = []
    for unit in store.units:
        node = unit.getlanguageNode(lang=None, index=1)
        state = node.get("state", "") if node is not None else ""
        fuzzy = state in NEEDS_WORK or (not state and unit.xmlelement.get("approved") == "no")
        key = unit.xmlelement.get("id", "")
        out.append(Entry(key, str(unit.source), str(unit.target or ""), fuzzy,
                         location=" ".join(unit.getlocations())))
    return out


def store_path(out: Path, doc_id: str, stem: str, fmt: str) -> Path:
    return out / doc_id / f"{stem}{FORMATS[fmt]}" if doc_id else out / f"{stem}{FORMATS[fmt]}"
