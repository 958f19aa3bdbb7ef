"""A tagged PDF in → findings out: what a screen reader would miss or read out of place (PDF/UA
markers, figures without alternative text, skipped heading levels, text outside the structure
tree, notes away from their calls, note calls that name no note, list items without one body,
content painted out of reading order, unnamed fields, undescribed links, annotations that do
not print)."""

from __future__ import annotations

import re
from typing import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name

from pressroom.inspect.preflight.findings import Pages
from pressroom.model import Edition
from pressroom.pdfobjects import content_of, object_key


def check_tagged(pdf: pikepdf.Pdf, edition: Edition, xmp: dict, numbers: dict, found: Pages) -> None:
    root = pdf.Root
    part = edition.variant.removeprefix("pdf/ua-")
    hint = f"render this edition with pdf_variant {edition.pdf_variant}"
    mark_info = root.get("/MarkInfo")
    if not (isinstance(mark_info, Dictionary) and bool(mark_info.get("/Marked", False))):
        found.add(None, f"{edition.pdf_variant}: not marked as tagged (/MarkInfo /Marked true)", hint)
    if str(xmp.get("{http://www.aiim.org/pdfua/ns/id/}part", "")) != part:
        found.add(None, f"{edition.pdf_variant}: no pdfuaid:part={part} in the XMP metadata", hint)
    viewer = root.get("/ViewerPreferences")
    if not (isinstance(viewer, Dictionary) and bool(viewer.get("/DisplayDocTitle", False))):
        found.add(None, f"{edition.pdf_variant}: the title is not shown (/ViewerPreferences /DisplayDocTitle)", hint)
    tree = root.get("/StructTreeRoot")
    if not isinstance(tree, Dictionary):
        found.add(None, f"{edition.pdf_variant}: no structure tree (/StructTreeRoot): the PDF is not tagged", hint)
        return
    roles = tree.get("/RoleMap") or Dictionary()
    previous: tuple[int, str] | None = None
    for element in iter_structure(tree):
        role = _role(element, roles)
        page = _element_page(element, numbers)
        described = str(element.get("/Alt", "")).strip() or str(element.get("/ActualText", "")).strip()
        if role == "Figure" and not described:
            found.add(page, "figure without alternative text (/Alt)",
                      "give the image a description: ![what it shows](file) in the fragment")
        level = int(role[1]) if re.fullmatch(r"H[1-6]", role) else None
        if level is None:
            continue
        if previous and level > previous[0] + 1:
            found.add(page, f"heading {role} follows {previous[1]}: H{previous[0] + 1} is skipped",
                      "use the next heading level (## under #, ### under ##)", level="warning")
        previous = (level, role)
    _check_reading_order(pdf, tree, roles, numbers, found)


def _check_reading_order(pdf: pikepdf.Pdf, tree: Dictionary, roles: Dictionary, numbers: dict,
                         found: Pages) -> None:
    """What a screen reader would miss or read out of place: text no structure element owns
    (and that is no artifact), a footnote not read right after its call or without the ID
    PDF/UA requires, a form field outside a Form element or without an accessible name, a link
    without a description."""
    owned: set[tuple] = set()
    widgets: set[tuple] = set()
    for element in iter_structure(tree):
        role = _role(element, roles)
        page = _element_page(element, numbers)
        if role == "Note":
            if not str(element.get("/ID", "")):
                found.add(page, "footnote (Note) without an ID", "PDF/UA needs one: rebuild with `invoke build --force`")
            if _read_before(element) != "Reference":
                found.add(page, "footnote not read right after its call (its Note does not follow a Reference)",
                          "rebuild with `invoke build --force`; report it if it stays")
        _check_list_item(element, role, roles, page, found)
        _check_reference(element, role, roles, page, found)
        for kind, key in _marked_kids(element):
            (owned if kind == "mcid" else widgets if role == "Form" else set()).add(key)
    order = reading_ranks(tree)
    for n, page in enumerate(pdf.pages, 1):
        painted: list[int] = []
        for mcid in _untagged(page, owned, painted):
            found.add(n, "text outside the structure tree: a screen reader skips it" if mcid is None
                      else "marked content that belongs to no structure element: a screen reader skips it",
                      "tag it (or mark it as an artifact when it is decoration)")
        _check_paint_order(painted, order.get(page.obj.objgen, {}), n, found)
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") == Name.Link and not str(annotation.get("/Contents", "")).strip():
                found.add(n, "link without a description (Contents): a screen reader cannot say where it goes",
                          "rebuild with `invoke build --force`")
            if annotation.get("/Subtype") != Name.Widget:
                continue
            field = annotation.get("/Parent", annotation)
            if not str(field.get("/TU", "")).strip():
                found.add(n, f"form field {str(field.get('/T', ''))!r} has no accessible name (TU)",
                          "give the field a label in form.yaml")
            if annotation.objgen not in widgets:
                found.add(n, f"form field {str(field.get('/T', ''))!r} is not in a Form structure element",
                          "rebuild with `invoke build --force`")


def _read_before(element: Dictionary) -> str:
    """The role of the sibling read just before ``element`` ("" for marked content or none)."""
    kids = element.get("/P", Dictionary()).get("/K")
    kids = list(kids) if isinstance(kids, Array) else []
    index = next((i for i, k in enumerate(kids) if isinstance(k, Dictionary) and k.objgen == element.objgen), 0)
    before = kids[index - 1] if index > 0 else None
    return str(before.get("/S", "/"))[1:] if isinstance(before, Dictionary) else ""


def _marked_kids(element: Dictionary) -> Iterator[tuple[str, tuple]]:
    """('mcid', (page, MCID)) and ('annotation', objgen) for what ``element`` owns directly."""
    page = element.get("/Pg")
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, Array) else [kids] if kids is not None else []):
        content = content_of(kid, page) if isinstance(kid, (int, Dictionary)) else None
        if content is not None and content.annotation is not None:
            yield "annotation", content.annotation.objgen
        elif content is not None and content.page is not None:
            yield "mcid", (content.page.objgen, content.mcid)


TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


def _untagged(page: pikepdf.Page, owned: set[tuple], painted: list[int]) -> Iterator[int | None]:
    """MCIDs on ``page`` that no element owns, and None for text shown outside marked content;
    ``painted`` gets the page's MCIDs in the order they are painted."""
    stack: list[str] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            mcid = operands[1].get("/MCID") if op == "BDC" and isinstance(operands[1], Dictionary) else None
            tag = "artifact" if operands[0] == Name.Artifact else "mcid" if mcid is not None else "other"
            stack.append(tag)
            if mcid is not None:
                painted.append(int(mcid))
            if mcid is not None and (page.obj.objgen, int(mcid)) not in owned:
                yield int(mcid)
        elif op == "EMC" and stack:
            stack.pop()
        elif op in TEXT_OPERATORS and not {"artifact", "mcid"} & set(stack):
            yield None


def _check_list_item(element: Dictionary, role: str, roles: Dictionary, page: int | None, found: Pages) -> None:
    """A list item is its label (Lbl) and one body (LBody): ISO 14289-1 7.6."""
    if role != "LI":
        return
    kids = [_role(k, roles) for k in _kid_elements(element)]
    if kids.count("LBody") != 1 or set(kids) - {"Lbl", "LBody"}:
        found.add(page, f"list item (LI) holds {' + '.join(kids) or 'nothing'}, not its label and one body (LBody)",
                  "rebuild with `invoke build --force`; report it if it stays")


def _check_reference(element: Dictionary, role: str, roles: Dictionary, page: int | None, found: Pages) -> None:
    """A Reference leads somewhere: a link (a contents entry), or the Note it calls, named by
    /Ref, with the ID and the label (Lbl) a reader matches it by."""
    if role != "Reference" or _has_link(element, roles):
        return
    targets = element.get("/Ref")
    notes = [t for t in (targets if isinstance(targets, Array) else []) if isinstance(t, Dictionary)
             and _role(t, roles) == "Note"]
    if not notes:
        found.add(page, "note call (Reference) that names no note (/Ref) and holds no link",
                  "rebuild with `invoke build --force`; report it if it stays")
    elif not str(notes[0].get("/ID", "")) or "Lbl" not in [_role(k, roles) for k in _kid_elements(notes[0])]:
        found.add(page, "the note a Reference names has no ID or no label (Lbl)",
                  "rebuild with `invoke build --force`; report it if it stays")


def _has_link(element: Dictionary, roles: Dictionary, depth: int = 0) -> bool:
    return any(_role(kid, roles) == "Link" or (depth < 16 and _has_link(kid, roles, depth + 1))
               for kid in _kid_elements(element))


def _kid_elements(element: Dictionary) -> list[Dictionary]:
    kids = element.get("/K")
    return [k for k in (kids if isinstance(kids, Array) else [kids]) if isinstance(k, Dictionary) and "/S" in k]


def reading_ranks(tree: Dictionary) -> dict[tuple, dict[int, int]]:
    """Page objgen → {MCID: its place in the reading order} (kids in their order, depth first)."""
    ranks: dict[tuple, dict[int, int]] = {}
    seen: set = set()

    def walk(element: Dictionary, page, depth: int) -> None:
        page = element.get("/Pg", page)
        kids = element.get("/K")
        for kid in (kids if isinstance(kids, Array) else [kids] if kids is not None else []):
            content = content_of(kid, page) if isinstance(kid, (int, Dictionary)) else None
            if content is not None and content.mcid is not None and content.page is not None:
                on_page = ranks.setdefault(content.page.objgen, {})
                on_page.setdefault(content.mcid, len(on_page))
            elif content is None and isinstance(kid, Dictionary) and object_key(kid) not in seen and depth < 256:
                seen.add(object_key(kid))
                walk(kid, page, depth + 1)
    walk(tree, None, 0)
    return ranks


def _check_paint_order(painted: list[int], ranks: dict[int, int], n: int, found: Pages) -> None:
    """Tagged content painted in reading order: what copy and paste, reflow and readers that
    follow the page (not the tags) read."""
    order = [ranks[m] for m in painted if m in ranks]
    if any(b < a for a, b in zip(order, order[1:])):
        found.add(n, "tagged content painted out of reading order: copy and paste, reflow and readers that "
                     "follow the page read another order than the tags",
                  "rebuild with `invoke build --force`; report it if it stays", level="warning")


def check_annotations(page: pikepdf.Page, n: int, found: Pages) -> None:
    """Every annotation prints as it shows (the Print flag) and none is hidden (every edition)."""
    for annotation in page.obj.get("/Annots", []):
        if annotation.get("/Subtype") == Name.Popup:
            continue
        flags = int(annotation.get("/F", 0))
        if not flags & 4 or flags & (1 | 2 | 32):  # Print; Invisible, Hidden, NoView
            kind = str(annotation.get("/Subtype", "/Annot"))[1:].lower()
            found.add(n, f"{kind} annotation without the Print flag or hidden (/F {flags}): paper and screen differ",
                      "rebuild with `invoke build --force`; report it if it stays")


def iter_structure(tree: Dictionary) -> Iterator[Dictionary]:
    """Structure elements in reading order (depth first), each once."""
    seen: set = set()

    def walk(node, depth: int) -> Iterator[Dictionary]:
        if depth > 256:
            return
        if isinstance(node, Array):
            for kid in node:
                yield from walk(kid, depth)
            return
        if not isinstance(node, Dictionary) or object_key(node) in seen:
            return
        seen.add(object_key(node))
        if "/S" in node and node.get("/Type", Name.StructElem) == Name.StructElem:
            yield node
        if "/K" in node and node.get("/Type") not in (Name.MCR, Name.OBJR):
            yield from walk(node["/K"], depth + 1)

    yield from walk(tree.get("/K"), 0)


def _role(element: Dictionary, roles: Dictionary) -> str:
    role, hops = str(element.get("/S", "/"))[1:], 0
    while f"/{role}" in roles and hops < 16:
        mapped = str(roles[f"/{role}"])[1:]
        if mapped == role:
            break
        role, hops = mapped, hops + 1
    return role


def _element_page(element: Dictionary, numbers: dict, depth: int = 0) -> int | None:
    page = element.get("/Pg")
    if isinstance(page, Dictionary) and page.objgen in numbers:
        return numbers[page.objgen]
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, Array) else [kids]):
        if isinstance(kid, Dictionary) and depth < 32:
            number = _element_page(kid, numbers, depth + 1)
            if number:
                return number
    return None
