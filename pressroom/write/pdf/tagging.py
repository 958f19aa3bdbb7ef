"""The screen PDF's structure tree, made to say what the HTML says and read in the right order.

WeasyPrint 70 tags a PDF/UA document page by page and by HTML tag name alone: a paragraph that
runs over a page break becomes two paragraphs, a footnote is an anonymous block at the foot of
its page, a pull quote or a definition box is a ``NonStruct``, a table-of-contents entry is
three nested links, and the running header and page numbers are tagged content that no
structure element owns. Two steps mend it:

1. ``semantic_tags()`` wraps WeasyPrint's tree builder while it runs: every structure element
   gets the role its HTML element means (``role_of``) and a private key naming that element.
2. ``restructure()`` then rebuilds the tree with pikepdf from those keys: pieces of one element
   split by pages are joined, each footnote (``Note``, with the ``ID`` PDF/UA requires, its
   number as ``Lbl``) is read right after its call (``Reference``, which names it by ``/Ref``),
   wrappers and meaningless text spans are dissolved, every list item gets one ``LBody``, an
   element holds text or elements (not both), content no element owns becomes an artifact
   (pagination or layout), and each page paints its tagged content in this order (paintorder).

``name_fields`` and ``describe_links`` give form fields and links the names a reader announces.

The private key never leaves this module: ``restructure`` writes a fresh tree without it.
"""

from __future__ import annotations

import itertools
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import pikepdf
import pydyf
from pikepdf import Array, Dictionary, Name, String

from pressroom.model import DocLink, doc_link, label_text
from pressroom.pdfobjects import Content, content_of
from pressroom.write.pdf.linknames import web_link_name
from pressroom.write.pdf.paintorder import paint_in_tree_order

KEY = "PressroomKey"  # on WeasyPrint's pydyf dictionaries, during the render only
UNWRAP = "_Unwrap"  # a role meaning "replace me by my kids"
DECORATION = "_Decoration"  # a role meaning "not content: make me an artifact"
ROLE_MAP = {"Aside": "Div"}  # our own roles, for PDF 1.7 readers (PDF 2.0 has Aside)
INLINE = {"em", "strong", "i", "b", "small", "sup", "sub", "cite", "abbr", "mark", "u", "s"}


def role_of(box, parents: dict) -> str | None:
    """The structure role an HTML element means, where WeasyPrint's tag-name guess is wrong."""
    tag, element = box.element_tag, box.element
    classes = set((element.get("class") or "").split())
    parent = parents.get(element)
    parent_tag = parent.tag if parent is not None else ""
    if tag == "span::footnote-call":
        return "Reference"
    if "footnote" in classes and tag == "span":
        return "Note"
    if tag == "span::footnote-marker":
        return "Lbl"  # the note's number: what a reader matches with its Reference
    if "note-para" in classes:
        return "P"
    if tag == "figure::before" or box.is_leader:
        return DECORATION  # the pull quote's large quotation mark; the dots of a contents line
    if tag == "figure" and "pullquote" in classes:
        return "BlockQuote"  # a quotation with its attribution as Caption
    if tag == "blockquote" and "pullquote" in (parent.get("class") or "").split():
        return UNWRAP
    if tag == "div" and "definition" in classes:
        return "Aside"
    if tag == "nav":
        return "Div"
    if tag == "ol" and parent_tag == "nav":
        return "TOC"
    if tag == "li" and getattr(parents.get(parent), "tag", "") == "nav":
        return "TOCI"
    if tag == "div" and parent_tag == "dl":
        return "LI"
    if tag == "dt":
        return "Lbl"
    if tag == "dd":
        return "LBody"
    if tag in ("label", "form"):
        return "Div" if tag == "form" else "P"
    if tag in ("input", "textarea", "select"):
        return UNWRAP  # WeasyPrint puts the field's Form element inside
    if tag in INLINE:
        return "Span"
    if tag == "code":
        return "Code"
    if tag == "q":
        return "Quote"
    return None


@contextmanager
def semantic_tags(html) -> Iterator[None]:
    """While WeasyPrint tags ``html`` (a weasyprint.HTML): give each structure element its role
    and key."""
    from weasyprint.pdf import tags

    original = tags._build_box_tree
    parents = {child: parent for parent in html.etree_element.iter() for child in parent}
    keys: dict[int, int] = {}
    built: dict[int, int] = {}  # id(box) → the key of the element already made for it

    def build(box, parent, pdf, page_number, nums, annotations, marked):
        for element in original(box, parent, pdf, page_number, nums, annotations, marked):
            source = getattr(box, "_box", box)  # an absolutely positioned box's placeholder
            if KEY not in element and source.element is not None and source.element_tag not in ("html", "body"):
                _annotate(element, source, keys, built, parents)
            yield element

    tags._build_box_tree = build
    try:
        yield
    finally:
        tags._build_box_tree = original


def _annotate(element, box, keys: dict[int, int], built: dict[int, int], parents: dict) -> None:
    key = keys.setdefault(id(box.element), len(keys) + 1)
    if built.get(id(box)) == key and str(element["S"]) == "/LI":
        element["S"] = f"/{UNWRAP}"  # WeasyPrint's own list item around a dt, dd or bare li
    else:
        role = role_of(box, parents)
        if role:
            element["S"] = f"/{role}"
        lang = box.element.get("lang")
        if lang:
            element["Lang"] = pydyf.String(lang)
    element[KEY] = key
    built[id(box)] = key


# --- the rebuilt tree -------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    role: str
    key: int | None
    attributes: dict = field(default_factory=dict)  # /Alt, /Lang, /A, /T, /ActualText…
    kids: list = field(default_factory=list)  # Node | Content


MARKED = re.compile(rb"/\w+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
ITEMS_ONLY = {"L", "TOC", "Table", "TR"}  # containers whose own marked content is only spacing
KEPT = ("/Alt", "/ActualText", "/Lang", "/A", "/T", "/E")


def restructure(pdf: pikepdf.Pdf) -> None:
    """Rebuild the structure tree from WeasyPrint's (see the module docstring)."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return
    document = _read(tree.K[0] if isinstance(tree.K, Array) else tree.K, None)
    in_tree = _owned(document)
    document.kids = _tidy(_move_notes(document.kids))
    _merge(document)
    _list_bodies(document)
    _unmix(document)
    _write(pdf, tree, document)
    _artifacts(pdf, _owned(document), in_tree)
    paint_in_tree_order(pdf, _tree_order(document))


def _read(element: Dictionary, page: Dictionary | None) -> Node:
    page = element.get("/Pg", page)
    key = element.get(f"/{KEY}")
    node = Node(str(element.S)[1:], int(key) if key is not None else None,
                {k: element[k] for k in KEPT if k in element})
    kids = element.get("/K", Array())
    for kid in (kids if isinstance(kids, Array) else [kids]):
        node.kids.append(content_of(kid, page) or _read(kid, page))
    return node


def _move_notes(kids: list) -> list:
    """Each Note (joined, if a page break split it) right after its Reference."""
    notes: dict[int, Node] = {}
    for node in _walk(kids):
        if node.role == "Note":
            if node.key in notes:
                notes[node.key].kids += node.kids
            else:
                notes[node.key] = Node("Note", node.key, node.attributes, list(node.kids))
    placed: set[int] = set()

    def rebuild(items: list) -> list:
        out = []
        for item in items:
            if isinstance(item, Node) and item.role == "Note" and item.key in notes:
                continue
            if isinstance(item, Node):
                item.kids = rebuild(item.kids)
            out.append(item)
            if isinstance(item, Node) and item.role == "Reference" and item.key in notes and item.key not in placed:
                out.append(notes[item.key])
                placed.add(item.key)
        return out

    moved = rebuild(kids)
    # a note whose call was not found stays where WeasyPrint put it: at the end
    return moved + [note for key, note in notes.items() if key not in placed]


def _tidy(items: list, parent: Node | None = None) -> list:
    """Dissolve wrappers, plain text spans and anonymous pieces of the parent's own element."""
    out = []
    for item in items:
        if isinstance(item, Content):
            out.append(item)
            continue
        item.kids = _tidy(item.kids, item)
        anonymous = item.key is None and item.role in ("Span", "NonStruct") and not item.attributes
        same = parent is not None and item.key is not None and item.key == parent.key \
            and (item.role == parent.role or parent.role == "TOCI")
        if item.role == DECORATION:  # not read; a link annotation in it stays with the parent
            out.extend(k for k in item.kids if isinstance(k, Content) and k.annotation is not None)
            continue
        if item.role == UNWRAP or anonymous or same:
            out.extend(item.kids)
        elif item.kids:
            out.append(Node("Reference", None, kids=[item]) if item.role == "Link" and parent
                       and parent.role == "TOCI" else item)  # a contents entry refers to its section
    if parent is not None and parent.role in ITEMS_ONLY:  # its own content is the blank between items
        out = [item for item in out if isinstance(item, Node)]
    return out


def _merge(node: Node) -> None:
    """Join neighbours made from one HTML element (the pieces of a page break)."""
    merged: list = []
    for item in node.kids:
        last = merged[-1] if merged else None
        if isinstance(item, Node) and isinstance(last, Node) and item.key is not None \
                and (item.key, item.role) == (last.key, last.role):
            last.kids += item.kids
        else:
            merged.append(item)
    node.kids = merged
    for item in merged:
        if isinstance(item, Node):
            _merge(item)


def _list_bodies(node: Node) -> None:
    """Every list item is its label then one body (ISO 14289-1 7.6). WeasyPrint writes ``LBody``
    only where an item's text is an anonymous block, so the paragraphs of a loose list's items
    stood straight under ``LI``."""
    for item in _walk([node]):
        if item.role != "LI":
            continue
        labels = [k for k in item.kids if isinstance(k, Node) and k.role == "Lbl"]
        rest = [k for k in item.kids if not any(k is label for label in labels)]
        if not rest or len(rest) == 1 and isinstance(rest[0], Node) and rest[0].role == "LBody":
            continue
        body = Node("LBody", None)
        for kid in rest:
            body.kids += kid.kids if isinstance(kid, Node) and kid.role == "LBody" else [kid]
        item.kids = labels + [body]


def _unmix(node: Node) -> None:
    """An element holds text or elements, not both: the words beside a Reference, a Note or a
    link go into Spans, so that every walk of the tree — kids in order, or an element's own text
    before its children's, as some checkers read it — gives the one order the page is painted in."""
    for item in _walk([node]):
        if not any(isinstance(k, Node) for k in item.kids):
            continue
        kids, run = [], []
        for kid in item.kids + [None]:
            if isinstance(kid, Content) and kid.mcid is not None:
                run.append(kid)
                continue
            if run:
                kids.append(Node("Span", None, kids=run))
                run = []
            if kid is not None:
                kids.append(kid)
        item.kids = kids


def _walk(items: list) -> Iterator[Node]:
    for item in items:
        if isinstance(item, Node):
            yield item
            yield from _walk(item.kids)


def _write(pdf: pikepdf.Pdf, tree: Dictionary, document: Node) -> None:
    """A fresh tree, parent tree and ID tree from ``document``."""
    pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
    parents: dict[int, dict[int, Dictionary]] = {i: {} for i in pages.values()}
    annotations: dict[int, Dictionary] = {}
    ids: list[tuple[str, Dictionary]] = []
    calls: dict[int, Dictionary] = {}  # a note's key → its Reference (the footnote call)
    counter = itertools.count(1)

    def make(node: Node, parent: Dictionary) -> Dictionary:
        element = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name(f"/{node.role}"), P=parent,
                                               **{k[1:]: v for k, v in node.attributes.items()}))
        first = _first_page(node)
        if first is not None:
            element.Pg = first
        if node.role == "Note":
            element.ID = String(f"note-{next(counter)}")
            ids.append((str(element.ID), element))
            if node.key in calls:  # the call names its note (/Ref: PDF 2.0; PDF 1.7 readers skip it)
                calls[node.key].Ref = Array([element])
        elif node.role == "Reference" and node.key is not None:
            calls[node.key] = element
        kids = Array()
        for kid in node.kids:
            if isinstance(kid, Node):
                kids.append(make(kid, element))
            elif kid.annotation is not None:
                kids.append(Dictionary(Type=Name.OBJR, Obj=kid.annotation, Pg=kid.page))
                annotations[int(kid.annotation.get("/StructParent", -1))] = element
            else:
                same_page = first is not None and kid.page.objgen == first.objgen
                kids.append(kid.mcid if same_page else Dictionary(Type=Name.MCR, Pg=kid.page, MCID=kid.mcid))
                parents[pages[kid.page.objgen]][kid.mcid] = element
        element.K = kids
        return element

    root = make(document, tree)
    tree.K = Array([root])
    nums = Array()
    for index, owners in parents.items():
        size = max(owners, default=-1) + 1
        nums.extend([index, Array([owners.get(mcid) for mcid in range(size)])])
    for number in sorted(n for n in annotations if n >= 0):
        nums.extend([number, annotations[number]])
    tree.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    tree.ParentTreeNextKey = max([len(pages)] + [n + 1 for n in annotations])
    if ids:
        tree.IDTree = Dictionary(Names=Array([x for name, el in sorted(ids) for x in (String(name), el)]))
    if any(node.role in ROLE_MAP for node in _walk([document])):
        tree.RoleMap = Dictionary({f"/{k}": Name(f"/{v}") for k, v in ROLE_MAP.items()})


def _first_page(node: Node) -> Dictionary | None:
    for kid in node.kids:
        page = kid.page if isinstance(kid, Content) else _first_page(kid)
        if page is not None:
            return page
    return None


def _tree_order(document: Node) -> dict[tuple, dict[int, int]]:
    """Page objgen → {MCID: its place in the reading order}."""
    order: dict[tuple, dict[int, int]] = {}

    def walk(node: Node) -> None:
        for kid in node.kids:
            if isinstance(kid, Node):
                walk(kid)
            elif kid.mcid is not None:
                ranks = order.setdefault(kid.page.objgen, {})
                ranks.setdefault(kid.mcid, len(ranks))
    walk(document)
    return order


def _owned(document: Node) -> dict[tuple, set[int]]:
    owned: dict[tuple, set[int]] = {}
    for node in _walk([document]):
        for kid in node.kids:
            if isinstance(kid, Content) and kid.mcid is not None:
                owned.setdefault(kid.page.objgen, set()).add(kid.mcid)
    return owned


def _artifacts(pdf: pikepdf.Pdf, owned: dict[tuple, set[int]], in_tree: dict[tuple, set[int]]) -> None:
    """Marked content that no element owns becomes an artifact: layout when WeasyPrint's tree had
    it (decoration, spacing), pagination when it had not (the running header, the page numbers).
    A pattern on WeasyPrint's own ``/Tag <</MCID n>> BDC`` is ten times faster than parsing the
    content streams, and only those operators change."""
    for page in pdf.pages:
        mine, decorative = owned.get(page.objgen, set()), in_tree.get(page.objgen, set())

        def artifact(match: re.Match) -> bytes:
            mcid = int(match.group(1))
            if mcid in mine:
                return match.group(0)
            return b"/Artifact <</Type /Layout>> BDC" if mcid in decorative else b"/Artifact <</Type /Pagination>> BDC"
        page.contents_coalesce()
        content = page.Contents.read_bytes()
        marked = MARKED.sub(artifact, content)
        if marked != content:
            page.Contents = pdf.make_stream(marked)


def name_fields(pdf: pikepdf.Pdf, html_tree) -> None:
    """Each field's accessible name (TU) is its label as written, and a required field says so.
    (WeasyPrint takes the laid-out text: line breaks lost, hyphens kept, the asterisk read.)"""
    labels = field_labels(html_tree)
    form = pdf.Root.get("/AcroForm")
    for item in (form.Fields if form is not None else []):
        name = str(item.get("/T", ""))
        if name in labels:
            label, required = labels[name]
            item.TU = String(label)
            if required:
                item.Ff = int(item.get("/Ff", 0)) | 2  # the Required flag


def describe_links(pdf: pikepdf.Pdf, html_tree) -> None:
    """Every link's description (``Contents``, which PDF/UA requires) says where it goes: the
    text of the heading or note it points to, the text of a link to a sibling document, the
    address of a web link (after what it is, when the address is its text: ``web_link_name``).
    WeasyPrint writes the bare anchor name ("guidance-notes")."""
    for page in pdf.pages:
        for annotation in page.get("/Annots", []):
            if annotation.get("/Subtype") != Name.Link:
                continue
            action = annotation.get("/A", Dictionary())
            if "/Dest" in annotation:
                target = html_tree.xpath("//*[@id=$id]", id=str(annotation.Dest))
                text = label_text(target[0]) if target else ""
            elif action.get("/S") == Name.GoToR:
                link = DocLink(str(action.F).split(".")[0], str(action.D) if isinstance(action.D, String) else "")
                source = [a for a in html_tree.xpath("//a[@href]") if doc_link(a.get("href")) == link]
                text = label_text(source[0]) if source else str(action.F)
            else:
                text = web_link_name(html_tree, str(action.get("/URI", annotation.get("/Contents", ""))))
            if text:
                annotation.Contents = String(text)


def field_labels(tree) -> dict[str, tuple[str, bool]]:
    """From the assembled HTML: each field's label, and whether the field is required."""
    labels = {}
    for box in tree.xpath("//div[@data-field]"):
        label = box.xpath('.//*[contains(concat(" ", @class, " "), " field-label ")] | .//label')
        if label:
            labels[box.get("data-field")] = (label_text(label[0]), "required" in box.get("class", "").split())
    return labels
