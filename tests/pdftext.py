"""Reading a tagged PDF as a screen reader does: the text of each structure element, in the
order of the structure tree (pdfminer decodes the marked content; pikepdf walks the tree)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pikepdf
from pdfminer.pdfdevice import PDFDevice
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import resolve1
from pikepdf import Array, Dictionary, Name


class _MarkedText(PDFDevice):
    """Collects the text shown inside each marked-content sequence, by (page, MCID)."""

    def __init__(self, resources: PDFResourceManager):
        super().__init__(resources)
        self.stack: list[tuple[str, int | None]] = []
        self.texts: dict = {}
        self.page = -1

    def begin_page(self, page, ctm) -> None:
        self.page += 1

    def begin_tag(self, tag, props=None) -> None:
        props = resolve1(props) if props is not None else None
        self.stack.append((tag.name, props.get("MCID") if isinstance(props, dict) else None))

    def end_tag(self) -> None:
        if self.stack:
            self.stack.pop()

    def render_string(self, textstate, seq, ncs, graphicstate) -> None:
        font = textstate.font
        text = "".join(font.to_unichr(cid) for item in seq if isinstance(item, bytes) for cid in font.decode(item))
        owner = next(((tag, mcid) for tag, mcid in reversed(self.stack) if mcid is not None or tag == "Artifact"), None)
        key = "untagged" if owner is None else "artifact" if owner[1] is None else (self.page, owner[1])
        self.texts[key] = self.texts.get(key, "") + text


def marked_texts(data: bytes) -> dict:
    """{(page index, MCID): text, "artifact": text, "untagged": text}."""
    resources = PDFResourceManager()
    device = _MarkedText(resources)
    interpreter = PDFPageInterpreter(resources, device)
    for page in PDFPage.get_pages(io.BytesIO(data)):
        interpreter.process_page(page)
    return device.texts


@dataclass
class Element:
    role: str
    entries: dict
    pages: set = field(default_factory=set)
    kids: list = field(default_factory=list)  # Element | str (text of marked content)

    @property
    def text(self) -> str:
        return "".join(k if isinstance(k, str) else k.text for k in self.kids)

    @property
    def all_pages(self) -> set:
        return self.pages.union(*(k.all_pages for k in self.kids if isinstance(k, Element)))

    def walk(self):
        yield self
        for kid in self.kids:
            if isinstance(kid, Element):
                yield from kid.walk()

    def find(self, role: str) -> list["Element"]:
        return [e for e in self.walk() if e.role == role]


def structure(data: bytes) -> tuple[Element, dict, pikepdf.Pdf]:
    """The structure tree with each element's text; the marked texts; the open PDF."""
    texts = marked_texts(data)
    pdf = pikepdf.open(io.BytesIO(data))
    pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
    tree = pdf.Root.StructTreeRoot
    roles = {str(k)[1:]: str(v)[1:] for k, v in tree.get("/RoleMap", {}).items()}

    def read(node: Dictionary, page) -> Element:
        page = node.get("/Pg", page)
        element = Element(str(node.S)[1:], {k: str(node[k]) for k in ("/ID", "/Lang", "/Alt", "/T") if k in node})
        kids = node.get("/K", Array())
        for kid in (kids if isinstance(kids, Array) else [kids]):
            if isinstance(kid, int):
                element.kids.append(texts.get((pages[page.objgen], int(kid)), ""))
                element.pages.add(pages[page.objgen])
            elif kid.get("/Type") == Name.MCR:
                element.kids.append(texts.get((pages[kid.Pg.objgen], int(kid.MCID)), ""))
                element.pages.add(pages[kid.Pg.objgen])
            elif kid.get("/Type") != Name.OBJR:
                element.kids.append(read(kid, page))
        return element

    root = Element("StructTreeRoot", {"RoleMap": roles},
                   kids=[read(k, None) for k in (tree.K if isinstance(tree.K, Array) else [tree.K])])
    return root, texts, pdf
