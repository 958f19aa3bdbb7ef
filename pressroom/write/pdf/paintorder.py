"""Each page paints its tagged content in the order of the structure tree.

WeasyPrint paints a page box by box: the footnotes at the foot of the page after the text,
the bullets of a list after its items. The structure tree reads each note right after its
call and each bullet before its item, so a reader that follows the content stream (copy and
paste, reflow, Preview, Chrome) got another order than one that follows the tags.

``paint_in_tree_order`` rewrites such a page's content stream as self-contained pieces, each
``q <the graphics state it was painted in> <its operators> Q``: first what is not tagged
content (backgrounds, rules, artifacts) in the order WeasyPrint painted it, then each
top-level marked-content sequence of tagged content in tree order. A piece's graphics state is
replayed from what was in effect where it was painted — transformations, clipping paths and
ExtGStates in their order, colours and line and text parameters by their last value — so every
glyph lands where it was, in the same colour. A page this cannot replay exactly (marked content
inside a text object or across q/Q, an ExtGState that sets more than transparency) is left as
WeasyPrint wrote it, and preflight (inspect/preflight/reading.py) warns about its order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Dictionary, Name, Operator

KEYED = {"w", "J", "j", "M", "d", "ri", "i", "Tc", "Tw", "Tz", "TL", "Tf", "Tr", "Ts"}
COLOUR = {"g": "fill", "rg": "fill", "k": "fill", "sc": "fill", "scn": "fill",
          "G": "stroke", "RG": "stroke", "K": "stroke", "SC": "stroke", "SCN": "stroke"}
PATH = {"m", "l", "c", "v", "y", "h", "re", "W", "W*"}
PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"}
SHOWN = {"Do", "sh", "INLINE IMAGE", "MP", "DP"}
TRANSPARENCY = {"/Type", "/CA", "/ca", "/SMask", "/BM", "/AIS", "/TK", "/SA", "/OP", "/op", "/OPM"}
LAST = 1 << 30
MARKED = re.compile(rb"/\w+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")  # WeasyPrint's own tagged content


class Unsafe(Exception):
    """The page's stream cannot be replayed piece by piece: it is left as it is."""


@dataclass
class State:
    placed: list = field(default_factory=list)  # cm, clipping paths, gs: in their order
    keyed: dict = field(default_factory=dict)  # colours, line and text parameters: last value

    def copy(self) -> "State":
        return State(list(self.placed), dict(self.keyed))

    def replay(self) -> list:
        return self.placed + [op for ops in self.keyed.values() for op in ops]


@dataclass
class Piece:
    state: list  # the operators that set up its graphics state
    ops: list = field(default_factory=list)
    mcids: list = field(default_factory=list)  # the tagged content it paints


def paint_in_tree_order(pdf: pikepdf.Pdf, order: dict[tuple, dict[int, int]]) -> None:
    """Rewrite each page whose tagged content is painted out of tree order; ``order`` maps a
    page's objgen to {MCID: rank in the structure tree}."""
    for page in pdf.pages:
        ranks = order.get(page.objgen)
        if not ranks or _in_order([ranks.get(int(m), LAST) for m in MARKED.findall(_content(page))]):
            continue  # most pages: a look at the bytes is enough
        try:
            pieces = Reader(page).read(pikepdf.parse_content_stream(page))
        except Unsafe:
            continue
        rank = {id(p): min((ranks.get(m, LAST) for m in p.mcids), default=None) for p in pieces}
        tagged = [p for p in pieces if rank[id(p)] is not None and rank[id(p)] < LAST]
        if _in_order([rank[id(p)] for p in tagged]):
            continue
        rest = [p for p in pieces if p not in tagged]
        tagged.sort(key=lambda p: rank[id(p)])
        ops = [op for p in rest + tagged for op in [([], Operator("q")), *p.state, *p.ops, ([], Operator("Q"))]]
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops))


def _in_order(ranks: list[int]) -> bool:
    return all(a <= b for a, b in zip(ranks, ranks[1:]))


def _content(page: pikepdf.Page) -> bytes:
    page.contents_coalesce()
    return page.Contents.read_bytes()


class Reader:
    """Reads a content stream into pieces, tracking the graphics state (see the module doc)."""

    def __init__(self, page: pikepdf.Page):
        self.page = page
        self.state, self.stack = State(), []
        self.pieces: list[Piece] = []
        self.current: Piece | None = None  # the marked-content sequence, or untagged text, being read
        self.depth = self.start = 0
        self.in_text = False
        self.path: list = []
        self.transparency: set[str] = set()  # ExtGStates seen to set only transparency

    def read(self, instructions) -> list[Piece]:
        for instruction in instructions:
            self.feed(instruction, str(instruction.operator))
        if self.depth or self.in_text or self.current is not None:
            raise Unsafe("marked content or a text object is not closed")
        return self.pieces

    def feed(self, instruction, op: str) -> None:
        if op in ("BDC", "BMC"):
            self.begin_marked(instruction, op)
        elif op == "EMC":
            self.end_marked(instruction)
        elif self.current is not None:
            self.current.ops.append(instruction)
            self.change(instruction, op)
            if op == "ET" and self.depth == 0:
                self.pieces.append(self.current)
                self.current = None
        elif op == "BT":
            self.current = Piece(self.state.replay(), [instruction])
            self.change(instruction, op)
        elif op in PAINT and op != "n" or op in SHOWN:
            self.pieces.append(Piece(self.state.replay(), self.path + [instruction]))
            self.change(instruction, op)
        else:
            self.change(instruction, op)

    def begin_marked(self, instruction, op: str) -> None:
        if self.in_text:
            raise Unsafe("marked content inside a text object")
        if self.depth == 0:
            self.current, self.start = Piece(self.state.replay()), len(self.stack)
        self.depth += 1
        self.current.ops.append(instruction)
        mcid = self.mcid(instruction.operands) if op == "BDC" else None
        if mcid is not None:
            self.current.mcids.append(mcid)

    def end_marked(self, instruction) -> None:
        if self.depth == 0:
            raise Unsafe("EMC without BDC")
        self.depth -= 1
        self.current.ops.append(instruction)
        if self.depth == 0:
            if len(self.stack) != self.start or self.in_text:
                raise Unsafe("marked content not nested with q/Q or a text object")
            self.pieces.append(self.current)
            self.current = None

    def mcid(self, operands) -> int | None:
        properties = operands[1] if len(operands) > 1 else None
        if isinstance(properties, Name):
            properties = self.page.Resources.get("/Properties", Dictionary()).get(properties)
        value = properties.get("/MCID") if isinstance(properties, Dictionary) else None
        return int(value) if value is not None else None

    def change(self, instruction, op: str) -> None:
        """What ``instruction`` does to the graphics state."""
        state = self.state
        if op == "q":
            self.stack.append(state.copy())
        elif op == "Q":
            if not self.stack:
                raise Unsafe("Q without q")
            self.state = self.stack.pop()
        elif op in ("BT", "ET"):
            self.in_text = op == "BT"
        elif op in PATH:
            self.path.append(instruction)
        elif op in PAINT:
            if any(str(i.operator) in ("W", "W*") for i in self.path):
                state.placed += self.path + [([], Operator("n"))]
            self.path = []
        elif op == "cm":
            state.placed.append(instruction)
        elif op == "gs":
            self.check_gs(instruction.operands[0])
            state.placed.append(instruction)
        elif op in ("cs", "CS"):
            kind = "fill" if op == "cs" else "stroke"
            state.keyed.pop(kind, None)
            state.keyed.pop(f"{kind} space", None)
            state.keyed[f"{kind} space"] = [instruction]
        elif op in COLOUR:
            kind = COLOUR[op]
            if op.lower() in ("g", "rg", "k"):
                state.keyed.pop(f"{kind} space", None)
            state.keyed.pop(kind, None)
            state.keyed[kind] = [instruction]
        elif op in KEYED:
            state.keyed[op] = [instruction]

    def check_gs(self, name) -> None:
        if str(name) in self.transparency:
            return
        states = self.page.Resources.get("/ExtGState", Dictionary())
        gs = states.get(name) if isinstance(name, Name) else None
        if not isinstance(gs, Dictionary) or set(gs.keys()) - TRANSPARENCY:
            raise Unsafe(f"ExtGState {name} sets more than transparency")
        self.transparency.add(str(name))
