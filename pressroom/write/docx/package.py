"""The saved package made sound and finished: what python-docx's template leaves (thumbnail,
stale parts, a Mac Word app.xml, lastPrinted) goes, the fonts travel with the file, the
settings say what the document needs, and the zip is written with fixed dates.

Works on the package as a dict of part name → bytes, after python-docx has saved it.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from pressroom.write.docx import fonts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
RT_FONT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
APPLICATION = "pressroom"
# Parts of python-docx's default template that are no part of our documents.
LEFTOVERS = ("docProps/thumbnail.jpeg", "word/stylesWithEffects.xml", "customXml/item1.xml",
             "customXml/itemProps1.xml", "customXml/_rels/item1.xml.rels")
# CT_Settings (ECMA-376 Part 1, §17.15.1.78) is a sequence: Word refuses a file whose settings
# are out of order. The elements we add, with those they must follow.
SETTINGS_ORDER = ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                  "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                  "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
                  "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
                  "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop", "hideSpellingErrors",
                  "hideGrammaticalErrors", "activeWritingStyle", "proofState", "formsDesign", "attachedTemplate",
                  "linkStyles", "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge",
                  "revisionView", "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting",
                  "documentProtection", "autoFormatOverride", "styleLockTheme", "styleLockQFSet", "defaultTabStop",
                  "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps",
                  "showEnvelope", "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders",
                  "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
                  "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing", "displayHorizontalDrawingGridEvery",
                  "displayVerticalDrawingGridEvery", "doNotUseMarginsForDrawingGridOrigin",
                  "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin", "doNotShadeFormData",
                  "noPunctuationKerning", "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars",
                  "noLineBreaksAfter", "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema",
                  "saveInvalidXml", "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
                  "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
                  "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
                  "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                  "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
                  "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
                  "decimalSymbol", "listSeparator")


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass
class Finish:
    """What the writer knows that the package must say."""
    fonts_dir: Path
    lang: str  # the document's language tag as Word takes it (en-GB, fr-FR, ar-SA)
    rtl: bool
    forms: bool = False  # protect for filling in forms only
    contents: bool = False  # a TOC field to refresh on opening
    organisation: str = ""
    removed: list[str] = field(default_factory=list)


def finish(data: bytes, how: Finish) -> bytes:
    parts = read_parts(data)
    for name in LEFTOVERS:
        if name in parts:
            _remove_part(parts, name)
    used = _characters(parts)
    families = _families(parts, used)
    _embed_fonts(parts, how.fonts_dir, families, used)
    _settings(parts, how)
    _app_properties(parts, how, used)
    parts["docProps/core.xml"] = re.sub(rb"<cp:lastPrinted>[^<]*</cp:lastPrinted>", b"", parts["docProps/core.xml"])
    return _write(parts)


def finish_reference(parts: dict[str, bytes]) -> bytes:
    """The reference document: no leftovers, no application figures, no fonts (each document
    embeds those it uses)."""
    for name in LEFTOVERS:
        if name in parts:
            _remove_part(parts, name)
    settings = xml(parts["word/settings.xml"])
    for name in ("savePreviewPicture", "rsids", "attachedTemplate"):
        for node in settings.findall(w(name)):
            settings.remove(node)
    parts["word/settings.xml"] = serialise(settings)
    _app_properties(parts, Finish(Path("."), "en-GB", False), set())
    parts["docProps/core.xml"] = re.sub(rb"<cp:lastPrinted>[^<]*</cp:lastPrinted>", b"", parts["docProps/core.xml"])
    return _write(parts)


# -- the package -----------------------------------------------------------------------------


def read_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {info.filename: package.read(info.filename) for info in package.infolist()}


def _write(parts: dict[str, bytes]) -> bytes:
    """Fixed entry dates, [Content_Types].xml first: same input, same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(parts, key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, parts[name])
    return out.getvalue()


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def rels_name(part: str) -> str:
    folder, leaf = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{leaf}.rels")


def _remove_part(parts: dict[str, bytes], name: str) -> None:
    """The part, its own relationships, every relationship to it and its content type."""
    parts.pop(name, None)
    parts.pop(rels_name(name), None)
    for rels in [n for n in parts if n.endswith(".rels")]:
        root = xml(parts[rels])
        source = posixpath.dirname(posixpath.dirname(rels))
        for rel in list(root):
            target = rel.get("Target", "")
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(source, target))
            if rel.get("TargetMode") != "External" and resolved == name:
                root.remove(rel)
        parts[rels] = serialise(root)
    types = xml(parts["[Content_Types].xml"])
    for node in list(types):
        if node.get("PartName") == "/" + name:
            types.remove(node)
    parts["[Content_Types].xml"] = serialise(types)
    if name == "docProps/thumbnail.jpeg":  # no other jpeg: the default for the extension goes too
        types = xml(parts["[Content_Types].xml"])
        for node in list(types):
            if node.get("Extension") in ("jpeg", "jpg") and not any(n.endswith((".jpeg", ".jpg")) for n in parts):
                types.remove(node)
        parts["[Content_Types].xml"] = serialise(types)


def _characters(parts: dict[str, bytes]) -> set[int]:
    text = []
    for name, data in parts.items():
        if re.fullmatch(r"word/(document|footnotes|endnotes|header\d*|footer\d*|numbering)\.xml", name):
            root = xml(data)
            text += root.xpath("//w:t/text()", namespaces={"w": W})
            text += root.xpath("//w:lvlText/@w:val", namespaces={"w": W})
    return {ord(c) for c in "".join(text)} | set(range(0x30, 0x3A))  # and the digits fields show


def _families(parts: dict[str, bytes], used: set[int]) -> list[str]:
    """The font families the styles, numbering and runs name, in a stable order."""
    names: set[str] = set()
    for name in ("word/styles.xml", "word/document.xml", "word/numbering.xml", "word/footnotes.xml"):
        if name in parts:
            root = xml(parts[name])
            for attribute in ("ascii", "hAnsi", "cs", "eastAsia"):
                names.update(root.xpath(f"//w:rFonts/@w:{attribute}", namespaces={"w": W}))
            names.update(root.xpath("//w14:checkedState/@w14:font | //w14:uncheckedState/@w14:font",
                                    namespaces={"w14": "http://schemas.microsoft.com/office/word/2010/wordml"}))
    if not any(0x600 <= c < 0x700 for c in used):
        names = {n for n in names if "Arabic" not in n}  # named by the styles for every locale
    return sorted(names)


def _embed_fonts(parts: dict[str, bytes], directory: Path, families: list[str], used: set[int]) -> None:
    table = etree.Element(w("fonts"), nsmap={"w": W, "r": R})
    relationships = etree.Element(f"{{{PR}}}Relationships", nsmap={None: PR})
    for name in [n for n in parts if n.startswith("word/fonts/")]:
        del parts[name]
    embedded = fonts.embedded(directory, families, used)
    by_family: dict[str, list] = {}
    for face, data, key in embedded:
        by_family.setdefault(face.family, []).append((face, data, key))
    for number, family in enumerate(families):
        font = etree.SubElement(table, w("font"), {w("name"): family})
        etree.SubElement(font, w("charset"), {w("val"): "00"})
        etree.SubElement(font, w("family"), {w("val"): "swiss" if "Sans" in family else "roman"})
        etree.SubElement(font, w("pitch"), {w("val"): "variable"})
        for face, data, key in sorted(by_family.get(family, []), key=lambda e: EMBED_ORDER.index(e[0].kind)):
            index = len(relationships) + 1
            parts[f"word/fonts/font{index}.odttf"] = data
            etree.SubElement(relationships, f"{{{PR}}}Relationship",
                             {"Id": f"rId{index}", "Type": RT_FONT, "Target": f"fonts/font{index}.odttf"})
            etree.SubElement(font, w(f"embed{face.kind}"), {f"{{{R}}}id": f"rId{index}", w("fontKey"): key,
                                                             w("subsetted"): "1"})
    parts["word/fontTable.xml"] = serialise(table)
    if len(relationships):
        parts["word/_rels/fontTable.xml.rels"] = serialise(relationships)
        types = xml(parts["[Content_Types].xml"])
        if not types.xpath("ct:Default[@Extension='odttf']", namespaces={"ct": CT}):
            types.insert(0, etree.Element(f"{{{CT}}}Default", {"Extension": "odttf", "ContentType": fonts.CONTENT_TYPE}))
        parts["[Content_Types].xml"] = serialise(types)


EMBED_ORDER = ("Regular", "Bold", "Italic", "BoldItalic")  # CT_Font's sequence


def _settings(parts: dict[str, bytes], how: Finish) -> None:
    settings = xml(parts["word/settings.xml"])
    for name in ("savePreviewPicture", "rsids", "attachedTemplate", "documentProtection", "updateFields",
                 "embedTrueTypeFonts", "saveSubsetFonts", "themeFontLang"):
        for node in settings.findall(w(name)):
            settings.remove(node)
    put_setting(settings, etree.Element(w("embedTrueTypeFonts")))
    put_setting(settings, etree.Element(w("saveSubsetFonts")))
    if how.forms:  # no password: staff lift it with Review → Restrict Editing → Stop Protection
        put_setting(settings, etree.Element(w("documentProtection"), {w("edit"): "forms", w("enforcement"): "1"}))
    if how.contents:
        put_setting(settings, etree.Element(w("updateFields"), {w("val"): "true"}))
    language = {w("val"): how.lang, w("bidi"): how.lang if how.rtl else "ar-SA"}
    put_setting(settings, etree.Element(w("themeFontLang"), language))
    parts["word/settings.xml"] = serialise(settings)


def put_setting(settings: etree._Element, node: etree._Element) -> None:
    """Insert ``node`` where CT_Settings' sequence puts it (extension elements, w14:docId…, last)."""
    rank = SETTINGS_ORDER.index(etree.QName(node).localname)
    for child in settings:
        name = etree.QName(child).localname
        if name not in SETTINGS_ORDER or SETTINGS_ORDER.index(name) > rank:
            child.addprevious(node)
            return
    settings.append(node)


def _app_properties(parts: dict[str, bytes], how: Finish, used: set[int]) -> None:
    """docProps/app.xml: this program, and only figures that are true without laying out pages."""
    body = xml(parts["word/document.xml"]).find(w("body"))
    text = " ".join("".join(p.xpath(".//w:t/text()", namespaces={"w": W})) for p in body.iter(w("p")))
    words = len(text.split())
    paragraphs = sum(1 for p in body.iter(w("p")) if p.xpath(".//w:t", namespaces={"w": W}))
    root = etree.Element(f"{{{EP}}}Properties", nsmap={None: EP})
    for name, value in (("Application", APPLICATION), ("DocSecurity", "0"),
                        ("Words", str(words)), ("Characters", str(len(text.replace(" ", "")))),
                        ("Paragraphs", str(paragraphs)), ("Company", how.organisation),
                        ("CharactersWithSpaces", str(len(text)))):
        etree.SubElement(root, f"{{{EP}}}{name}").text = value
    parts["docProps/app.xml"] = serialise(root)
