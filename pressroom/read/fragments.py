"""Locate and read fragments → ``Fragment`` values (text + front matter + origin).

For each fragment a document lists, the locale's own file is used, or the source locale's
(a *fallback*, reported). Files are read as data: refused when they escape ``content/``,
are too large, or are not UTF-8 (the message names the byte); a BOM and CRLF line endings are
accepted and Unicode is normalised to NFC, so the output is the same whatever editor saved it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from pressroom.diagnostics import Report
from pressroom.model import BIDI_CONTROLS, INVISIBLE_HINT, PACK_FILE, SAFE_FILE, Document, Fragment, Pack, invisible
from pressroom.read.files import inside

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never wanted in text, refused by XML
BIDI = re.compile(f"[{BIDI_CONTROLS}]")  # text that displays otherwise than it reads (Trojan Source)
MAX_FRAGMENT_BYTES = 2 * 1024 * 1024  # the whole English pack is ~150 KB
FRONT_MATTER_KEYS = {"title", "source", "editorial", "translated-from"}
# A "---" line (after blank lines only) followed by "key:" lines and another "---".
SECOND_BLOCK = re.compile(r"\A(?:[ \t]*\n)*(---)[ \t]*\n(?:[\w-]+:.*\n(?:(?:[ \t]+.*|\s*)\n)*)+---[ \t]*$",
                          re.MULTILINE)


def fragment_path(pack: Pack, locale: str, doc_id: str, name: str) -> Path:
    return pack.root / "content" / locale / doc_id / name


def load_fragments(pack: Pack, doc: Document, locale: str, report: Report) -> list[Fragment]:
    """Every fragment of ``doc`` in ``locale`` (falling back to the source locale)."""
    fragments = []
    for name, listed_at in zip(doc.fragments, doc.fragment_lines or [doc.line] * len(doc.fragments)):
        if Path(name).name != name or name in ("", ".", ".."):
            report.error(str(PACK_FILE), listed_at, f"fragment {name!r} lies outside content/{locale}/{doc.id}/",
                         "list only file names of the document's folder")
            continue
        if not SAFE_FILE.match(name):
            hidden = invisible(name)
            report.error(str(PACK_FILE), listed_at, f"fragment name {name!r} " + (f"holds {hidden}" if hidden else
                         "is not a safe file name"), INVISIBLE_HINT if hidden else
                         "use letters, digits, '-' and '_', then the extension: 05-annex.md")
            continue
        chosen = _choose_file(pack, doc.id, name, locale)
        if chosen is None:
            report.error(str(PACK_FILE), listed_at, f"fragment {name!r} of {doc.id!r} not found",
                         f"create content/{pack.source_locale}/{doc.id}/{name} or remove it from the list")
            continue
        path, found_locale = chosen
        fragment = read_fragment(pack.root, path, report, doc_id=doc.id, name=name, locale=found_locale)
        if fragment is not None:
            fragments.append(replace(fragment, fallback=found_locale != locale))
    return fragments


def _choose_file(pack: Pack, doc_id: str, name: str, locale: str) -> tuple[Path, str] | None:
    for candidate in dict.fromkeys((locale, pack.source_locale)):
        path = fragment_path(pack, candidate, doc_id, name)
        if path.is_file():
            return path, candidate
    return None


def read_fragment(root: Path, path: Path, report: Report, *, doc_id: str = "", name: str = "",
                  locale: str = "") -> Fragment | None:
    """Read one fragment file safely; report and return None when it cannot be used."""
    shown = _shown(root, path)
    content_dir = (root / "content").resolve()
    if not inside(content_dir, path):
        report.error(shown, None, "fragment lies outside content/",
                     "list only files under content/ (no '..', absolute paths or links out)")
        return None
    size = path.stat().st_size
    if size > MAX_FRAGMENT_BYTES:
        report.error(shown, None, f"fragment is {size // 1024} KiB, over the {MAX_FRAGMENT_BYTES // 1024} KiB limit",
                     "split it into several fragments")
        return None
    text = decode(path.read_bytes(), shown, report)
    if text is None:
        return None
    if not text.strip():
        report.error(shown, 1, "fragment is empty", "write its text or remove it from pack.yaml")
        return None
    meta, body, first_line = split_front_matter(text, shown, report)
    return Fragment(doc_id=doc_id, name=name or path.name, locale=locale, shown=shown, text=body,
                    first_line=first_line, meta=meta)


def _shown(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def decode(data: bytes, shown: str, report: Report) -> str | None:
    """UTF-8 (with or without BOM) → NFC text with LF line endings."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + bom  # in the file as saved, BOM included
        line = data.count(b"\n", 0, offset) + 1
        report.error(shown, line, f"not UTF-8: byte 0x{data[offset]:02X} at offset {offset}",
                     "save the file as UTF-8 (it looks like Windows-1252 or Latin-1)")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    control = CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        report.error(shown, line, f"invisible control character U+{ord(control.group()):04X} "
                     f"at column {control.start() - text.rfind(chr(10), 0, control.start())}",
                     "delete it (retype the words around it)")
        return None
    if bidi_refused(text, shown, report):
        return None
    return unicodedata.normalize("NFC", text)


def bidi_refused(text: str, shown: str, report: Report) -> bool:
    """A bidirectional control in ``text`` (a file's text, LF line ends) is refused at its line."""
    bidi = BIDI.search(text)
    if bidi:
        line = text.count("\n", 0, bidi.start()) + 1
        report.error(shown, line, f"invisible bidirectional control character U+{ord(bidi.group()):04X} "
                     f"at column {bidi.start() - text.rfind(chr(10), 0, bidi.start())}: the text would show "
                     "otherwise than it reads", INVISIBLE_HINT)
    return bidi is not None


def split_front_matter(text: str, shown: str, report: Report) -> tuple[dict[str, Any], str, int]:
    """Split ``---`` YAML front matter from the body; validate its keys. A second block (a
    translation's fingerprint put above the copied English block) is an error: Markdown would
    print it, editorial notes and all."""
    meta, body, first_line = _split(text, shown, report)
    second = SECOND_BLOCK.match(body)
    if second:
        line = first_line + body.count("\n", 0, second.start(1))
        report.error(shown, line, "a second front matter block: it would be printed as text",
                     "keep one block, at the very top: move its keys there (a translation needs only "
                     "translated-from) and delete the rest")
    return meta, body, first_line


def _split(text: str, shown: str, report: Report) -> tuple[dict[str, Any], str, int]:
    if not text.startswith("---\n"):
        return {}, text, 1
    end = text.find("\n---\n", 3)
    if end == -1 and text.endswith("\n---"):
        end = len(text) - 4
    if end == -1:
        report.error(shown, 1, "front matter is not closed", "end it with a line holding only '---'")
        return {}, text, 1
    raw, body = text[4:end + 1], text[end + 5:]
    first_line = raw.count("\n") + 3
    try:
        meta = yaml.safe_load(raw) or {}
    except (yaml.YAMLError, ValueError, TypeError, AttributeError, RecursionError) as exc:
        # PyYAML raises plain Python errors for values it cannot construct (title: 2014-02-30)
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 2
        report.error(shown, line, f"front matter is not valid YAML: {getattr(exc, 'problem', None) or exc}",
                     "check the colons and quotes on this line; quote a value that looks like a date or number")
        return {}, body, first_line
    if not isinstance(meta, dict):
        report.error(shown, 2, "front matter must be 'key: value' lines", "see docs/editing-content.md")
        return {}, body, first_line
    for key in meta.keys() - FRONT_MATTER_KEYS:
        report.error(shown, _key_line(raw, key), f"unknown front matter key {key!r}",
                     f"use one of: {', '.join(sorted(FRONT_MATTER_KEYS))}")
    return meta, body, first_line


def _key_line(raw: str, key: str) -> int:
    for number, line in enumerate(raw.splitlines(), start=2):
        if line.startswith(f"{key}:"):
            return number
    return 1
