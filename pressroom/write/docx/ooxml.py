"""The WordprocessingML that python-docx has no API for: footnotes, hyperlinks, bookmarks,
fields, content controls, and a reproducible package.

Each function builds or attaches plain OOXML elements (ECMA-376 part 1, §17); the Word writer
decides where they go.
"""

from __future__ import annotations

import io
import re
import zipfile

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
# What an empty content control shows (Word's own wording, translated by the templates' catalogues);
# response collection reads them as empty.
TEXT_PLACEHOLDER = "Click or tap here to enter text."
CHOICE_PLACEHOLDER = "Choose an item."
BALLOT_FONT = "Noto Sans Symbols2"  # has ☐ and ☒; embedded with the document like the other faces


def element(tag: str, attrs: dict[str, str] | None = None, *children) -> etree._Element:
    """``element("w:r", {"w:id": "1"}, child…)`` with namespaced names."""
    node = etree.Element(qn(tag), nsmap=None)
    for key, value in (attrs or {}).items():
        node.set(qn(key), str(value))
    for child in children:
        node.append(child)
    return node


def text_run(text: str, properties: etree._Element | None = None) -> etree._Element:
    run = element("w:r")
    if properties is not None:
        run.append(properties)
    t = element("w:t")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(t)
    return run


def style_run_properties(style_id: str) -> etree._Element:
    return element("w:rPr", None, element("w:rStyle", {"w:val": style_id}))


class Footnotes:
    """The ``word/footnotes.xml`` part: separator notes -1/0, then one note per call."""

    def __init__(self, document_part):
        self.root = parse_xml(
            f"<w:footnotes {nsdecls('w', 'r')}>"
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
            'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
            'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
            "</w:footnotes>")
        self.next_id = 1
        self.document_part = document_part
        self._drop_existing_part()
        self.part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, self.root, document_part.package)
        document_part.relate_to(self.part, RT.FOOTNOTES)

    def _drop_existing_part(self) -> None:
        for rel_id, rel in list(self.document_part.rels.items()):
            if rel.reltype == RT.FOOTNOTES:
                self.document_part.drop_rel(rel_id)

    def add(self) -> tuple[int, etree._Element]:
        """A new note: returns its id and its first paragraph (holding the note's number)."""
        note_id = self.next_id
        self.next_id += 1
        paragraph = element("w:p", None, element("w:pPr", None, element("w:pStyle", {"w:val": "FootnoteText"})))
        mark = element("w:r", None, style_run_properties("FootnoteReference"), element("w:footnoteRef"))
        paragraph.append(mark)
        paragraph.append(text_run(" "))
        self.root.append(element("w:footnote", {"w:id": str(note_id)}, paragraph))
        return note_id, paragraph

    @staticmethod
    def reference(note_id: int) -> etree._Element:
        """The run in the body that calls note ``note_id``."""
        return element("w:r", None, style_run_properties("FootnoteReference"),
                       element("w:footnoteReference", {"w:id": str(note_id)}))


def hyperlink(part, target: str, anchor: str = "") -> etree._Element:
    """``w:hyperlink``: to a bookmark (``#name``) or through an external relationship of
    ``part`` (the part the link is written in: document, footnotes…), with ``anchor`` a
    bookmark in that other file (Word's own form for "guidance.docx#questions")."""
    if target.startswith("#"):
        return element("w:hyperlink", {"w:anchor": target[1:], "w:history": "1"})
    rel_id = part.relate_to(target, RT.HYPERLINK, is_external=True)
    attributes = {"r:id": rel_id, **({"w:anchor": anchor} if anchor else {}), "w:history": "1"}
    return element("w:hyperlink", attributes)


def bookmark_name(anchor: str) -> str:
    """Word bookmark names: a letter first, letters/digits/underscores, at most 40 characters."""
    name = re.sub(r"\W", "_", anchor)
    if not name[:1].isalpha():
        name = "b_" + name
    return name[:40]


def bookmark(paragraph: etree._Element, name: str, bookmark_id: int) -> None:
    """Wrap the paragraph's content in a bookmark."""
    start = element("w:bookmarkStart", {"w:id": str(bookmark_id), "w:name": name})
    properties = paragraph.find(qn("w:pPr"))
    paragraph.insert(1 if properties is not None else 0, start)
    paragraph.append(element("w:bookmarkEnd", {"w:id": str(bookmark_id)}))


def field(instruction: str, placeholder: str = "1", properties=None) -> list[etree._Element]:
    """A complex field (PAGE, NUMPAGES…): begin, instruction, separate, cached result, end;
    ``properties`` (a function giving a fresh w:rPr) for each of its runs."""
    return [*field_start(instruction, properties=properties), text_run(placeholder, _fresh(properties)),
            _field_char("end", properties)]


def field_start(instruction: str, dirty: bool = False, properties=None) -> list[etree._Element]:
    """Begin (``dirty``: to be updated on opening), instruction, separate."""
    begin = _field_char("begin", properties)
    if dirty:
        begin.find(qn("w:fldChar")).set(qn("w:dirty"), "true")
    instr = element("w:r", None, *_present(_fresh(properties), element("w:instrText")))
    instr[-1].text = f" {instruction} "
    instr[-1].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return [begin, instr, _field_char("separate", properties)]


def _fresh(properties):
    return properties() if properties else None


def _field_char(kind: str, properties=None) -> etree._Element:
    return element("w:r", None, *_present(_fresh(properties), element("w:fldChar", {"w:fldCharType": kind})))


def _present(*nodes):
    """The nodes that are not None (an empty lxml element is false: never filter on truth)."""
    return [node for node in nodes if node is not None]


def content_control(tag: str, alias: str, control_id: int, placeholder: str, *,
                    multiline: bool = False, options: tuple[tuple[str, str], ...] = ()) -> etree._Element:
    """A block-level ``w:sdt`` holding one paragraph: a text box or a drop-down list of
    ``options`` (value, label), showing ``placeholder`` in the Placeholder Text style. Locked
    (``sdtLocked``): its answer can be typed, the control itself not deleted."""
    properties = _control_properties(tag, alias, control_id)
    properties.append(element("w:showingPlcHdr"))
    if options:
        properties.append(element("w:dropDownList", None, *(
            element("w:listItem", {"w:displayText": label, "w:value": value}) for value, label in options)))
    else:
        properties.append(element("w:text", {"w:multiLine": "1"} if multiline else None))
    paragraph = element("w:p", None, element("w:pPr", None, element("w:pStyle", {"w:val": "FormAnswer"})))
    paragraph.append(text_run(placeholder, style_run_properties("PlaceholderText")))
    return element("w:sdt", None, properties, element("w:sdtContent", None, paragraph))


def checkbox_control(tag: str, alias: str, control_id: int) -> etree._Element:
    """An inline ``w:sdt`` checkbox holding only its box (☐/☒): the label is the paragraph's
    text beside it, outside the control, so ticking the box can never touch the label."""
    properties = _control_properties(tag, alias, control_id)
    box = etree.SubElement(properties, f"{{{W14}}}checkbox", nsmap={"w14": W14})
    etree.SubElement(box, f"{{{W14}}}checked").set(f"{{{W14}}}val", "0")
    for state, code in (("checkedState", "2612"), ("uncheckedState", "2610")):
        etree.SubElement(box, f"{{{W14}}}{state}").attrib.update(
            {f"{{{W14}}}val": code, f"{{{W14}}}font": BALLOT_FONT})
    run_properties = element("w:rPr", None, element("w:rFonts", {
        "w:ascii": BALLOT_FONT, "w:hAnsi": BALLOT_FONT, "w:cs": BALLOT_FONT}))
    return element("w:sdt", None, properties, element("w:sdtContent", None, text_run("\u2610", run_properties)))


def _control_properties(tag: str, alias: str, control_id: int) -> etree._Element:
    return element("w:sdtPr", None,
                   element("w:alias", {"w:val": alias[:255]}),
                   element("w:tag", {"w:val": tag}),
                   element("w:id", {"w:val": str(control_id)}),
                   element("w:lock", {"w:val": "sdtLocked"}))


def reproducible_zip(data: bytes, drop: tuple[str, ...] = ()) -> bytes:
    """Rewrite a package with fixed entry dates (and without ``drop``): same input, same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            blob = source.read(info.filename)
            for name in drop:  # and every reference to a dropped part
                blob = _drop_references(info.filename, blob, name)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, blob)
    return out.getvalue()


def _drop_references(filename: str, blob: bytes, dropped: str) -> bytes:
    if not filename.endswith((".rels", "[Content_Types].xml")):
        return blob
    tree = etree.fromstring(blob)
    leaf = dropped.rsplit("/", 1)[-1]
    for node in list(tree):
        target = node.get("Target", "") or node.get("PartName", "")
        if target.endswith(leaf):
            tree.remove(node)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)
