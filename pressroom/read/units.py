"""A Markdown fragment body → its translation units: one per paragraph, heading, list item, note paragraph,
quote paragraph or table, each with its line range in the body and what around its text is
structure (``- ``, ``> ``, ``[^3]: ``, ``## ``, `` {#id}``) — kept byte for byte on import.

Only the text of a unit is ever replaced; every other line of a fragment is left as it is.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from dataclasses import dataclass

from markdown_it.token import Token

from pressroom.read.markdown import HEADING_ATTRS, MD

# What must survive translation: note labels, citation keys, link targets, heading ids.
TOKENS = re.compile(r"\[\^[^\]\s]+\]|(?<![\w.])@[\w][\w:.#$%&\-+?<>~/]*[\w]|\]\([^)\s]+\)|\{#[^}\s]+\}")
PREFIX = re.compile(r"^[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(?:\[\^[^\]\s]+\]:[ \t]*)?(?:#{1,6}[ \t]+)?$")
# A line that would start a new block if a re-wrapped paragraph began a line with it.
BLOCK_START = re.compile(r"^(?:[-*+>#|]|\d{1,9}[.)]|\[\^[^\]\s]+\]:|:::|```|~~~|=+\s*$)")
WORDS = re.compile(r"[^\W\d_]{2,}")
URL = re.compile(r"\]\([^)]*\)|<[^>\s]+>|https?://\S+|\S+@\S+\.\w+")


@dataclass(frozen=True)
class Unit:
    kind: str  # h1…h6, p, li, quote, note, table
    label: str  # the note label, or the heading's explicit id ("" if none)
    start: int  # first line (0-based, in the body)
    prefixes: tuple[str, ...]  # structure before the text, one per line
    lines: tuple[str, ...]  # the text, one piece per line
    suffix: str = ""  # structure after the text on its last line (a heading's {#id})

    @property
    def end(self) -> int:
        return self.start + len(self.lines)

    @property
    def text(self) -> str:
        """The text as a translator sees it: one line, single spaces."""
        return " ".join(" ".join(line.split()) for line in self.lines if line.strip())

    @property
    def signature(self) -> tuple:
        """What a unit and its translation share: its kind, label and tokens."""
        return self.kind, self.label, tuple(sorted(tokens(self.text)))

    def raw(self) -> list[str]:
        out = [p + t for p, t in zip(self.prefixes, self.lines)]
        out[-1] += self.suffix
        return out


def tokens(text: str) -> Counter:
    return Counter(TOKENS.findall(text))


def has_words(text: str) -> bool:
    """Something to translate: words outside note calls, citations and link targets."""
    return bool(WORDS.search(URL.sub(" ", TOKENS.sub(" ", text))))


def markdown_units(body: str) -> list[Unit]:
    """The translation units of a fragment body (front matter removed), in line order."""
    lines = body.split("\n")
    units, stack, skip_until = [], [], -1
    for index, token in enumerate(tokens_of(body)):
        if token.nesting == 1 and token.type != "inline":
            stack.append(token)
        elif token.nesting == -1 and stack:
            stack.pop()
        if token.type == "table_open" and token.map:
            start, end = token.map
            units.append(Unit("table", "", start, ("",) * (end - start), tuple(lines[start:end])))
            skip_until = end
        elif token.type == "inline" and token.map and token.map[0] >= skip_until:
            unit = _unit(token, stack, lines)
            if unit is not None:
                units.append(unit)
    return sorted(units, key=lambda u: u.start)


def tokens_of(body: str) -> list[Token]:
    return MD.parse(body, {})


def _kind(stack: list[Token]) -> tuple[str, str]:
    kinds = [t.type for t in stack]
    if "footnote_open" in kinds:
        return "note", stack[kinds.index("footnote_open")].meta.get("label", "")
    parent = stack[-1] if stack else None
    if parent is not None and parent.type == "heading_open":
        return parent.tag, ""
    if "list_item_open" in kinds:
        return "li", ""
    if "blockquote_open" in kinds:
        return "quote", ""
    return "p", ""


def _unit(inline: Token, stack: list[Token], lines: list[str]) -> Unit | None:
    kind, label = _kind(stack)
    start, end = inline.map
    raw = lines[start:end]
    content = inline.content.split("\n")
    suffix = ""
    if kind.startswith("h") and kind != "h" and (match := HEADING_ATTRS.search(content[-1])):
        label, content[-1] = match.group(1), content[-1][: match.start()]
    if len(content) != len(raw):
        return _opaque(kind, label, start, raw)
    prefixes, texts = [], []
    for number, (line, piece) in enumerate(zip(raw, content)):
        piece = piece.strip()
        at = line.find(piece) if piece else len(line)
        rest = line[at + len(piece):]
        if at < 0 or not PREFIX.match(line[:at]):
            return _opaque(kind, label, start, raw)
        if number == len(raw) - 1:
            suffix = rest
        elif rest.strip():
            return _opaque(kind, label, start, raw)
        else:
            piece += rest  # trailing spaces of a line (a hard break) belong to the text
        prefixes.append(line[:at])
        texts.append(piece)
    if suffix.strip() and not HEADING_ATTRS.fullmatch(suffix) and not re.fullmatch(r"\s*#*\s*", suffix):
        return _opaque(kind, label, start, raw)
    return Unit(kind, label, start, tuple(prefixes), tuple(texts), suffix)


def _opaque(kind: str, label: str, start: int, raw: list[str]) -> Unit:
    """A unit whose structure could not be told from its text: its lines are its text."""
    return Unit(kind, label, start, ("",) * len(raw), tuple(raw))


def rewrite(body: str, replacements: dict[Unit, str], inserts: list[tuple[int, bool, Unit, str]] = ()) -> str:
    """``body`` with the text of each unit replaced, and new units (laid out as the given unit)
    inserted as paragraphs of their own before a line; every other line is kept as it is."""
    lines = body.split("\n")
    edits = [(u.start, u.end, _layout(u, text)) for u, text in replacements.items()]
    edits += [(at, at, [*_layout(u, text), ""] if before else ["", *_layout(u, text)])
              for at, before, u, text in inserts]
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        lines[start:end] = new
    return "\n".join(lines)


def _layout(unit: Unit, text: str) -> list[str]:
    """New text laid out as the unit was: same prefixes, one line or wrapped to its width."""
    text = " ".join(text.split())
    first = unit.prefixes[0]
    follow = unit.prefixes[1] if len(unit.prefixes) > 1 else _continuation(first)
    if len(unit.lines) == 1 or not text:
        pieces = [text]
    else:
        width = max(len(p + t) for p, t in zip(unit.prefixes, unit.lines))
        pieces = _wrap(text, max(width - len(follow), 40))
    out = [(first if i == 0 else follow) + piece for i, piece in enumerate(pieces)]
    out[-1] += unit.suffix
    return out


def _continuation(first: str) -> str:
    quote = re.match(r"^[ \t>]*", first).group()
    return quote + " " * (len(first) - len(quote)) if ">" not in first else quote


def _wrap(text: str, width: int) -> list[str]:
    """Wrap at spaces; never begin a line with something Markdown would read as a new block."""
    pieces = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    out: list[str] = []
    for piece in pieces:
        if out and BLOCK_START.match(piece):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return out or [""]
