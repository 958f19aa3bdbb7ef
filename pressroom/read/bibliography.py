"""references.bib in → validated entries (``Bibliography``) out.

Parsing and validation use bibtexparser 2, so every problem names its .bib line: parse
errors, duplicate keys and fields, and undefined ``@string`` macros (which bibtexparser would
otherwise keep as literal text). Formatting the citations is assembling's (assemble/citations.py).

Reading is linear in the file: one parse without LaTeX decoding (decoding is most of the cost,
and only cited entries are printed: ``Bibliography.decoded``), line numbers by bisection over
the line starts, found once; pandoc is given only the cited entries (``Bibliography.subset``).
The parsed result is kept on disk (``Cache``) under the file's SHA-256 and the loader's version,
so a build after a fragment edit does not parse an unchanged .bib again. Measured with
shared/testdata/real-world.bib (1,658 entries): 11 s before, 0.2 s parsed, 0.03 s from the cache.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from pressroom.diagnostics import Report
from pressroom.read.files import inside
from pressroom.read.fragments import bidi_refused
from pressroom.model import LINK_HINT, link_problem

CACHE_FORMAT = 1  # bump when what is cached changes shape or meaning
REFERRING_FIELDS = ("crossref", "xdata", "xref")  # an entry taking fields from other entries


@dataclass(frozen=True)
class Entry:
    key: str
    line: int  # 1-based line in the .bib file
    type: str
    url: str | None = None
    span: tuple[int, int] = (0, 0)  # where its block is in the file's text
    refers: tuple[str, ...] = ()  # the entries it takes fields from (crossref, xdata, xref)


@dataclass(frozen=True)
class Bibliography:
    path: Path
    shown: str
    entries: dict[str, Entry] = field(default_factory=dict)
    usable: bool = True  # False when the file has blocks that did not parse: not given to pandoc
    text: str = ""  # the file as read
    macros: tuple[tuple[int, int], ...] = ()  # where its @string and @preamble blocks are

    def subset(self, keys: Iterable[str]) -> str:
        """The file cut down to the entries of ``keys`` and those they take fields from, with every
        @string and @preamble, in file order: what pandoc reads, so that its work follows what is
        cited, not the size of the file."""
        wanted: dict[str, Entry] = {}
        todo = list(keys)
        while todo:
            entry = self.entries.get(todo.pop())
            if entry is not None and entry.key not in wanted:
                wanted[entry.key] = entry
                todo += entry.refers
        spans = sorted([*self.macros, *(entry.span for entry in wanted.values())])
        return "".join(self.text[start:end] + "\n\n" for start, end in spans)

    def decoded(self, keys: Iterable[str]) -> dict[str, dict[str, object] | str]:
        """The fields of the entries of ``keys`` with their LaTeX decoded — or, for an entry whose
        LaTeX cannot be decoded, why. Only these entries are decoded (3.5 s for all of real-world.bib)."""
        import bibtexparser
        from bibtexparser.middlewares import LatexDecodingMiddleware, MonthIntMiddleware

        keys = [key for key in dict.fromkeys(keys) if key in self.entries]
        if not keys:
            return {}
        library = bibtexparser.parse_string(self.subset(keys), append_middleware=[
            LatexDecodingMiddleware(keep_braced_groups=True), MonthIntMiddleware(True)])
        found: dict[str, dict[str, object] | str] = {}
        for block in library.blocks:
            key = getattr(block, "key", None) or getattr(getattr(block, "block", None), "key", None)
            if key in self.entries and key not in found:
                found[key] = ({item.key: item.value for item in block.fields} if hasattr(block, "fields")
                              else f"its LaTeX cannot be decoded: {_failure_message(block).split(': ', 1)[-1]}")
        return {key: found[key] for key in keys if key in found}


@dataclass(frozen=True)
class Cache:
    """A folder where what is slow to compute again is kept between builds, a JSON file per name
    holding the key it was made under. Nothing is written here: ``put`` keeps the bytes in
    ``pending`` for the caller (the build), which writes them with its atomic writer once it has
    succeeded, so that a failed build leaves output/ untouched."""

    folder: Path
    pending: dict[Path, bytes] = field(default_factory=dict)

    def get(self, name: str, key: str):
        path = self.folder / name
        if not inside(self.folder.parent, path):  # a link out of output/: never read (and never written)
            return None
        try:
            held = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        return held.get("value") if isinstance(held, dict) and held.get("key") == key else None

    def put(self, name: str, key: str, value) -> None:
        self.pending[self.folder / name] = json.dumps({"key": key, "value": value}, separators=(",", ":")).encode()


def load_bibliography(path: Path, shown: str, report: Report, cache: Cache | None = None) -> Bibliography:
    """Parse a .bib file (or take it from ``cache``); report every failed block and unusable
    value with its line."""
    if not path.is_file():
        report.error(shown, None, "bibliography not found", "create it or fix pack.bibliography")
        return Bibliography(path, shown, usable=False)
    data = path.read_bytes()
    # as text mode reads it (universal newlines): lines are counted as editors count them
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    name, key = re.sub(r"[^\w.-]", "_", shown) + ".json", f"{hashlib.sha256(data).hexdigest()} {_loader_version()}"
    parsed = cache.get(name, key) if cache is not None else None
    if parsed is None:
        parsed = _parse(text)
        if cache is not None:
            cache.put(name, key, parsed)
    for line, message, hint in parsed["problems"]:
        report.error(shown, line, message, hint)
    if bidi_refused(text, shown, report):  # a title that shows otherwise than it reads (Trojan Source)
        return Bibliography(path, shown, usable=False)
    entries = {key: Entry(key, line, kind, url, (start, end), tuple(refers))
               for key, line, kind, url, start, end, refers in parsed["entries"]}
    return Bibliography(path, shown, entries, parsed["usable"], text, tuple(tuple(span) for span in parsed["macros"]))


@lru_cache(maxsize=1)
def _loader_version() -> str:
    """What a cached parse depends on besides the file: this code and bibtexparser's."""
    import bibtexparser

    own = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"{CACHE_FORMAT}/{own}/bibtexparser-{bibtexparser.__version__}"


def _parse(text: str) -> dict:
    """The file → entries [key, line, type, url, start, end, refers], @string/@preamble spans and
    problems [line, message, hint], as JSON-ready lists."""
    import bibtexparser
    from bibtexparser import model
    from bibtexparser.middlewares import MonthIntMiddleware

    logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # its 0-based lines; ours are reported
    library = bibtexparser.parse_string(text, append_middleware=[MonthIntMiddleware(True)])
    lines = _Lines(text)
    defined = {string.key.lower() for string in library.strings}
    failures, bare, entries, macros = [], [], [], []
    for block in library.blocks:
        if not isinstance(block, (model.ParsingFailedBlock, model.Entry, model.String, model.Preamble)):
            continue  # comments
        start = lines.locate(block)
        line = lines.line(start) if start is not None else block.start_line + 1
        end = start + len(block.raw.strip()) if start is not None else 0
        if isinstance(block, model.ParsingFailedBlock):
            failures.append([line, _failure_message(block, text), _failure_hint(block)])
        elif isinstance(block, model.Entry):
            for item in block.fields:
                if item.enclosing == "no-enclosing" and isinstance(item.value, str):
                    bare += _bare_value_problems(block, item, line + _field_offset(block.raw, item.key), defined)
            entries.append([block.key, line, block.entry_type, _raw_url(block.raw), start or 0, end, _refers(block)])
            bare += _link_problems(block, line)
        elif start is not None:
            macros.append([start, end])
    return {"entries": entries, "macros": macros, "problems": failures + bare, "usable": not failures}


class _Lines:
    """Offsets → 1-based lines of a text, by bisection over its line starts (found once); and
    where each block is, searched forward from the block before it."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0, *(match.end() for match in re.finditer("\n", text))]
        self.cursor = 0

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def locate(self, block) -> int | None:
        """A block's offset, found by its raw text from the line bibtexparser gives (2.1 miscounts
        lines after a value line that ends in a backslash, a LaTeX line break; its count only
        ever falls short) or from the end of the block before, whichever is later. Blocks come in
        file order, so each search starts near its block: linear over the whole file."""
        raw = (getattr(block, "raw", "") or "").strip()
        if not raw:
            return None
        line0 = min(max(block.start_line or 0, 0), len(self.starts) - 1)
        found = self.text.find(raw, max(self.cursor, self.starts[line0]))
        if found < 0:
            return None
        self.cursor = found + len(raw)
        return found


def _field_offset(raw: str, key: str) -> int:
    match = re.search(rf"^[ \t]*{re.escape(key)}\s*=", raw or "", flags=re.IGNORECASE | re.MULTILINE)
    return raw.count("\n", 0, match.start()) if match else 0


def _bare_value_problems(entry, item, line: int, macros: set[str]) -> list[list]:
    """An unbraced value is a number, a defined @string, or a concatenation of those and literals."""
    value = item.value.strip()
    if "\n" in value or "=" in value:
        return [[line, f"{entry.key}: {item.key} runs into the next field", "add the missing comma after this field's value"]]
    return [[line, f"{entry.key}: {item.key} uses undefined macro {part!r}",
             f"define it with @string{{{part} = {{…}}}} or put the value in braces"]
            for part in (p.strip() for p in value.split("#"))
            if part and not part.isdigit() and part[0] not in "{\"" and part.lower() not in macros]


def _refers(entry) -> list[str]:
    return [key.strip() for item in entry.fields if item.key.lower() in REFERRING_FIELDS
            for key in str(item.value).split(",") if key.strip()]


def _link_problems(entry, line: int) -> list[list]:
    """A url or doi becomes a link in the bibliography: it passes the one allow-list, at its line."""
    problems = []
    for key in ("url", "doi"):
        value = entry.fields_dict.get(key)
        if value is None or not isinstance(value.value, str):
            continue
        text = (_raw_url(entry.raw) if key == "url" else None) or value.value.strip()
        if key == "doi":  # as reference managers export it: doi:10.…, https://doi.org/10.…
            text = re.sub(r"\A(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", text, flags=re.IGNORECASE)
        target = text if key == "url" else f"https://doi.org/{text}"
        problem = link_problem(target)
        if key == "doi" and not problem and not re.match(r"10\.\d{4,9}/\S+\Z", text):
            problem = f"doi {text!r} is not a DOI (10.NNNN/…)"
        if problem:
            problems.append([line + _field_offset(entry.raw, key), f"{entry.key}: {key}: {problem}",
                             LINK_HINT if key == "url" else "write the DOI alone: 10.1234/abc"])
    return problems


def _raw_url(raw: str) -> str | None:
    """The url as written: LaTeX decoding would turn its '&' into a space."""
    match = re.search(r"\burl\s*=\s*[{\"]([^}\"]+)[}\"]", raw or "", flags=re.IGNORECASE)
    return match.group(1).strip() if match else None


def _failure_hint(block) -> str:
    if type(block).__name__ == "DuplicateBlockKeyBlock":
        return "rename one of the two entries (and the citations meant for it), or remove the copy"
    return "fix the entry's syntax"


def _failure_message(block, text: str = "") -> str:
    name = type(block).__name__
    if name == "DuplicateBlockKeyBlock":
        previous = getattr(block, "previous_block", None)
        start = _Lines(text).locate(previous) if previous is not None and text else None
        first = f" (first at line {_Lines(text).line(start)})" if start is not None else ""
        return f"duplicate entry key {block.key!r}{first}"
    if name == "DuplicateFieldKeyBlock":
        return f"entry has a field twice: {str(block.error).split(':', 1)[-1].split('.')[0].strip()}"
    reason = getattr(getattr(block, "error", None), "abort_reason", "") or str(getattr(block, "error", ""))
    lines = reason.strip().splitlines()
    return f"cannot parse this entry: {lines[-1].strip() if lines else 'syntax error'}"
