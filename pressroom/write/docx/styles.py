"""The pack's Word styles, written into ``templates/reference.docx`` by ``invoke reference-docx``:
every look of the PDF that Word can hold — the cover's band, title and facts, headings that
open a new page, the contents, pull quotes, definition boxes, notes, the form — is a named
style there, so that restyling reference.docx in Word restyles every document. Styles an older
reference.docx lacks are added when a document is written; an edited style always wins.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from pressroom.diagnostics import UsageError
from pressroom.write.docx import ooxml, package

SERIF, SANS, ARABIC = "Noto Serif", "Noto Sans", "Noto Naskh Arabic"
ACCENT, INK, MUTED, TINT = "FFE600", "111111", "555555", "F3F1E6"
# Word takes a language with its region; the pack's Arabic is written for no one country.
WORD_LANGUAGES = {"ar": "ar-SA", "en": "en-GB", "fr": "fr-FR"}
MM = 56.7  # twentieths of a point in a millimetre

# id: (name, type p|c, based on, properties) — properties are WordprocessingML pPr/rPr children.
STYLES: dict[str, tuple[str, str, str | None, dict]] = {
    "Normal": ("Normal", "p", None, {"font": SERIF, "size": 10, "after": 2.6 * 2.835, "line": 1.45, "jc": "both"}),
    "Heading1": ("heading 1", "p", "Normal", {"font": SANS, "size": 19, "bold": True, "before": 0, "after": 17,
                                             "line": 1.15, "page_break": True, "keep_next": True, "outline": 0,
                                             "border_top": (ACCENT, 32, 14), "jc": "left"}),
    "Heading2": ("heading 2", "p", "Normal", {"font": SANS, "size": 12.5, "bold": True, "before": 22, "after": 7,
                                             "line": 1.15, "keep_next": True, "outline": 1, "jc": "left"}),
    "Heading3": ("heading 3", "p", "Normal", {"font": SANS, "size": 10.5, "bold": True, "before": 17, "after": 6,
                                             "line": 1.15, "keep_next": True, "outline": 2, "jc": "left"}),
    "Heading4": ("heading 4", "p", "Normal", {"font": SANS, "size": 10, "bold": True, "italic": True, "before": 12,
                                             "after": 4, "keep_next": True, "outline": 3, "jc": "left"}),
    "Title": ("Title", "p", "Normal", {"font": SANS, "size": 30, "bold": True, "before": 62, "after": 14,
                                      "line": 1.1, "indent": (24, 40), "jc": "left", "color": INK}),
    "Subtitle": ("Subtitle", "p", "Normal", {"font": SANS, "size": 15, "after": 0, "line": 1.3,
                                            "indent": (24, 60), "jc": "left", "color": "333333"}),
    "CoverBand": ("Cover Band", "p", "Normal", {"font": SANS, "size": 10, "bold": True, "caps": True,
                                               "exact": 22, "before": 0, "after": 0, "shading": ACCENT,
                                               "indent": (0, 0), "jc": "left", "spacing_chars": 20}),
    "CoverOrganisation": ("Cover Organisation", "p", "CoverBand", {"first_line": 24}),
    "CoverFactLabel": ("Cover Fact Label", "p", "Normal", {"font": SANS, "size": 7, "caps": True, "color": MUTED,
                                                           "before": 10, "after": 0, "indent": (24, 22),
                                                           "jc": "left", "keep_next": True}),
    "CoverFact": ("Cover Fact", "p", "Normal", {"font": SANS, "size": 9, "bold": True, "after": 0,
                                               "indent": (24, 22), "jc": "left"}),
    "CoverMeta": ("Cover Meta", "p", "Normal", {"font": SANS, "size": 9, "after": 2, "jc": "left"}),
    "TOCHeading": ("TOC Heading", "p", "Normal", {"font": SANS, "size": 20, "bold": True, "after": 22,
                                                  "jc": "left", "keep_next": True}),
    "TOC1": ("toc 1", "p", "Normal", {"font": SANS, "size": 10.5, "bold": True, "before": 11, "after": 2,
                                     "tab": True, "jc": "left", "border_top": ("CCCCCC", 4, 6)}),
    "TOC2": ("toc 2", "p", "Normal", {"font": SANS, "size": 9, "after": 2, "indent": (6, 0), "tab": True,
                                     "jc": "left"}),
    "TOC3": ("toc 3", "p", "Normal", {"font": SANS, "size": 9, "after": 2, "indent": (12, 0), "tab": True,
                                     "jc": "left"}),
    "Header": ("header", "p", "Normal", {"font": SANS, "size": 7.5, "caps": True, "color": MUTED, "after": 0,
                                        "border_bottom": (ACCENT, 20, 4), "jc": "left"}),
    "Footer": ("footer", "p", "Normal", {"font": SANS, "size": 8, "color": MUTED, "after": 0, "jc": "center"}),
    "FootnoteText": ("footnote text", "p", "Normal", {"font": SERIF, "size": 8, "after": 2, "line": 1.2}),
    "FootnoteReference": ("footnote reference", "c", None, {"superscript": True, "font": SANS, "bold": True}),
    "Hyperlink": ("Hyperlink", "c", None, {"underline": "B8A400"}),
    "PlaceholderText": ("Placeholder Text", "c", None, {"color": "808080"}),
    "Lead": ("Lead", "p", "Normal", {"font": SANS, "size": 12.5, "after": 8, "line": 1.4, "jc": "left"}),
    "Quote": ("Quote", "p", "Normal", {"italic": True, "indent": (8, 8)}),
    "IntenseQuote": ("Intense Quote", "p", "Normal", {"font": SANS, "size": 12.5, "italic": True, "before": 20,
                                                      "after": 3, "line": 1.4, "indent": (14, 0), "jc": "left",
                                                      "border_left": (ACCENT, 48, 12), "keep_next": True}),
    "Attribution": ("Attribution", "p", "Normal", {"font": SANS, "size": 8.5, "bold": True, "after": 20,
                                                  "indent": (14, 0), "jc": "left", "border_left": (ACCENT, 48, 12)}),
    "Definition": ("Definition", "p", "Normal", {"font": SANS, "size": 9, "after": 4, "shading": TINT,
                                                "border_left": (ACCENT, 24, 8), "indent": (5, 5), "jc": "left"}),
    "BackCover": ("Back Cover", "p", "Normal", {"font": SANS, "size": 10.5, "after": 6, "line": 1.5,
                                               "jc": "left"}),
    "Bibliography": ("Bibliography", "p", "Normal", {"size": 9, "after": 4, "indent": (6, 0), "hanging": 6,
                                                    "jc": "left"}),
    "ListBullet": ("List Bullet", "p", "Normal", {"numbering": (1, 0), "after": 4}),
    "ListBullet2": ("List Bullet 2", "p", "Normal", {"numbering": (1, 1), "after": 4}),
    "ListBullet3": ("List Bullet 3", "p", "Normal", {"numbering": (1, 2), "after": 4}),
    "ListNumber": ("List Number", "p", "Normal", {"numbering": (2, 0), "after": 4}),
    "ListNumber2": ("List Number 2", "p", "Normal", {"numbering": (2, 1), "after": 4}),
    "ListNumber3": ("List Number 3", "p", "Normal", {"numbering": (2, 2), "after": 4}),
    "FormLabel": ("Form Label", "p", "Normal", {"font": SANS, "size": 9.5, "bold": True, "before": 8, "after": 2,
                                               "keep_next": True, "jc": "left"}),
    "FormAnswer": ("Form Answer", "p", "Normal", {"font": SANS, "size": 10, "after": 6, "shading": TINT,
                                                 "jc": "left"}),
    "FormHelp": ("Form Help", "p", "Normal", {"font": SANS, "size": 8, "italic": True, "after": 6,
                                             "color": MUTED, "jc": "left"}),
}
# What documents name them by (python-docx looks styles up by name): the UI name for built-ins.
UI_NAMES = {"heading 1": "Heading 1", "heading 2": "Heading 2", "heading 3": "Heading 3", "heading 4": "Heading 4",
            "header": "Header", "footer": "Footer", "footnote text": "Footnote Text",
            "footnote reference": "Footnote Reference"}


def word_language(tag: str) -> str:
    return WORD_LANGUAGES.get(tag, tag)


def set_language(document, lang: str, rtl: bool) -> None:
    """The document's language in the styles' defaults: spelling, hyphenation, a screen reader's
    voice; ``w:bidi`` the language of right-to-left text (and paragraphs right to left)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    for old in run.findall(qn("w:lang")):
        run.remove(old)
    run.append(ooxml.element("w:lang", {"w:val": lang, "w:bidi": lang if rtl else "ar-SA"}))
    paragraph = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}")
    if rtl and paragraph is not None and paragraph.find(qn("w:bidi")) is None:
        paragraph.insert(0, ooxml.element("w:bidi"))


def ensure_styles(document) -> None:
    """Add the pack's styles that the reference document lacks (an older reference.docx)."""
    existing = {s.style_id for s in document.styles}
    root = document.styles.element
    for style_id, spec in STYLES.items():
        if style_id not in existing:
            root.append(style_element(style_id, *spec))


def style_element(style_id: str, name: str, kind: str, based: str | None, props: dict) -> etree._Element:
    style = ooxml.element("w:style", {"w:type": "paragraph" if kind == "p" else "character", "w:styleId": style_id},
                          ooxml.element("w:name", {"w:val": name}))
    if based:
        style.append(ooxml.element("w:basedOn", {"w:val": based}))
    if kind == "p" and style_id.startswith("Heading"):
        style.append(ooxml.element("w:next", {"w:val": "Normal"}))
    style.append(ooxml.element("w:qFormat"))
    if kind == "p":
        style.append(_paragraph_properties(props))
    style.append(_run_properties(props))
    return style


def _paragraph_properties(props: dict) -> etree._Element:
    p = ooxml.element("w:pPr")
    if props.get("keep_next"):
        p.append(ooxml.element("w:keepNext"))
    if props.get("page_break"):
        p.append(ooxml.element("w:pageBreakBefore"))
    if "numbering" in props:
        num_id, level = props["numbering"]
        p.append(ooxml.element("w:numPr", None, ooxml.element("w:ilvl", {"w:val": str(level)}),
                               ooxml.element("w:numId", {"w:val": str(num_id)})))
    borders = [(side, props[f"border_{side}"]) for side in ("top", "left", "bottom") if f"border_{side}" in props]
    if borders:
        p.append(ooxml.element("w:pBdr", None, *(ooxml.element(f"w:{side}", {
            "w:val": "single", "w:sz": str(size), "w:space": str(space), "w:color": color})
            for side, (color, size, space) in borders)))
    if "shading" in props:
        p.append(ooxml.element("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": props["shading"]}))
    if props.get("tab"):
        p.append(ooxml.element("w:tabs", None, ooxml.element("w:tab", {
            "w:val": "right", "w:leader": "dot", "w:pos": str(int((210 - 24 - 22) * MM))})))
    spacing = {}
    for key, attribute in (("before", "w:before"), ("after", "w:after")):
        if key in props:
            spacing[attribute] = str(int(props[key] * 20))
    if "line" in props:
        spacing.update({"w:line": str(int(props["line"] * 240)), "w:lineRule": "auto"})
    if "exact" in props:
        spacing.update({"w:line": str(int(props["exact"] * 20)), "w:lineRule": "exact"})
    if spacing:
        p.append(ooxml.element("w:spacing", spacing))
    if "indent" in props or "first_line" in props or "hanging" in props:
        left, right = props.get("indent", (0, 0))
        indent = {"w:left": str(int(left * MM)), "w:right": str(int(right * MM))}
        if "first_line" in props:
            indent["w:firstLine"] = str(int(props["first_line"] * MM))
        if "hanging" in props:
            indent["w:hanging"] = str(int(props["hanging"] * MM))
        p.append(ooxml.element("w:ind", indent))
    if "jc" in props:
        p.append(ooxml.element("w:jc", {"w:val": props["jc"]}))
    if "outline" in props:
        p.append(ooxml.element("w:outlineLvl", {"w:val": str(props["outline"])}))
    return p


def _run_properties(props: dict) -> etree._Element:
    r = ooxml.element("w:rPr")
    if "font" in props:
        complex_font = ARABIC if props["font"] in (SERIF, SANS) else props["font"]
        r.append(ooxml.element("w:rFonts", {"w:ascii": props["font"], "w:hAnsi": props["font"],
                                            "w:eastAsia": props["font"], "w:cs": complex_font}))
    for key, tags in (("bold", ("w:b", "w:bCs")), ("italic", ("w:i", "w:iCs")), ("caps", ("w:caps",))):
        if props.get(key):
            r.extend(ooxml.element(tag) for tag in tags)
    if "color" in props:
        r.append(ooxml.element("w:color", {"w:val": props["color"]}))
    if "spacing_chars" in props:
        r.append(ooxml.element("w:spacing", {"w:val": str(props["spacing_chars"])}))
    if "size" in props:
        half_points = str(int(round(props["size"] * 2)))
        r.extend([ooxml.element("w:sz", {"w:val": half_points}), ooxml.element("w:szCs", {"w:val": half_points})])
    if "underline" in props:
        r.append(ooxml.element("w:u", {"w:val": "single", "w:color": props["underline"]}))
    if props.get("superscript"):
        r.append(ooxml.element("w:vertAlign", {"w:val": "superscript"}))
    return r


# -- the reference document -------------------------------------------------------------------

BASICS = (  # what Word expects of every document, beside the pack's styles
    '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph '
    'Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>',
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:semiHidden/>'
    '<w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
    '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
    '</w:tblCellMar></w:tblPr></w:style>',
    '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/><w:semiHidden/>'
    '<w:unhideWhenUsed/></w:style>',
    '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/>'
    '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="left"/></w:pPr>'
    '<w:rPr><w:rFonts w:ascii="Noto Sans" w:hAnsi="Noto Sans" w:cs="Noto Naskh Arabic"/><w:sz w:val="17"/>'
    '<w:szCs w:val="17"/></w:rPr><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" '
    'w:color="BBBBBB"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="BBBBBB"/><w:insideH w:val="single" '
    'w:sz="4" w:space="0" w:color="BBBBBB"/></w:tblBorders></w:tblPr></w:style>',
)
BULLETS = ("\u2022", "\u2013", "\u2022")


def _numbering() -> bytes:
    """Bullets (numId 1) and numbers (numId 2), three levels each, linked to the List styles."""
    def level(index: int, bullet: bool) -> str:
        style = ("ListBullet" if bullet else "ListNumber") + (str(index + 1) if index else "")
        text = BULLETS[index] if bullet else "%" + str(index + 1) + "."
        kind = "bullet" if bullet else ("decimal", "lowerLetter", "lowerRoman")[index]
        left = int((6 + 6 * index) * MM)
        return (f'<w:lvl w:ilvl="{index}"><w:start w:val="1"/><w:numFmt w:val="{kind}"/>'
                f'<w:pStyle w:val="{style}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{left}" w:hanging="{int(5 * MM)}"/></w:pPr>'
                f'<w:rPr><w:rFonts w:ascii="{SANS}" w:hAnsi="{SANS}" w:cs="{SANS}"/></w:rPr></w:lvl>')
    abstract = "".join(
        f'<w:abstractNum w:abstractNumId="{n}"><w:multiLevelType w:val="multilevel"/>'
        + "".join(level(i, bullet) for i in range(3)) + "</w:abstractNum>" for n, bullet in ((0, True), (1, False)))
    nums = '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:numbering {nsdecls("w")}>{abstract}{nums}</w:numbering>'.encode()


def reference_bytes() -> bytes:
    """templates/reference.docx as ``invoke reference-docx`` writes it (same bytes every time)."""
    document = docx.Document()
    root = document.styles.element
    for style in root.findall(qn("w:style")):
        root.remove(style)
    defaults = root.find(qn("w:docDefaults"))
    run = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    for child in list(run):
        run.remove(child)
    run.extend([ooxml.element("w:rFonts", {"w:ascii": SERIF, "w:hAnsi": SERIF, "w:eastAsia": SERIF, "w:cs": ARABIC}),
                ooxml.element("w:sz", {"w:val": "20"}), ooxml.element("w:szCs", {"w:val": "20"}),
                ooxml.element("w:lang", {"w:val": "en-GB", "w:bidi": "ar-SA"})])
    for xml in BASICS:
        root.append(parse_xml(xml.replace("<w:style ", f"<w:style {nsdecls('w')} ", 1)))
    for style_id, spec in STYLES.items():
        element = style_element(style_id, *spec)
        if style_id == "Normal":
            element.set(qn("w:default"), "1")
        root.append(element)
    core = document.core_properties
    core.title, core.author, core.comments = "The pack's Word styles", "pressroom", ""
    core.created = core.modified = dt.datetime(2014, 1, 1)
    core.last_modified_by, core.revision = "", 1
    out = io.BytesIO()
    document.save(out)
    parts = package.read_parts(out.getvalue())
    parts["word/numbering.xml"] = _numbering()
    for name in ("word/theme/theme1.xml",):
        parts[name] = parts[name].replace(b'typeface="Calibri"', f'typeface="{SERIF}"'.encode()).replace(
            b'typeface="Cambria"', f'typeface="{SANS}"'.encode())
    return package.finish_reference(parts)


def make_reference(path: Path, force: bool = False) -> bool:
    """Write the reference document; refuse to replace one that differs (restyled in Word?)
    unless ``force``. Returns whether it wrote."""
    data = reference_bytes()
    if path.is_file() and path.read_bytes() != data and not force:
        raise UsageError(f"{path.parent.name}/{path.name} differs from the pack's styles (restyled in Word?): not replaced — "
                         "run `invoke reference-docx --force` to replace it and lose those changes")
    if path.is_file() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def font_of(document, style_id: str) -> str:
    """The Latin face a paragraph style gives its text (following basedOn), Noto Serif if none."""
    cache = document.__dict__.setdefault("_pack_fonts", {})
    if style_id not in cache:
        root, font, current, seen = document.styles.element, None, style_id, set()
        while current and current not in seen and font is None:
            seen.add(current)
            style = root.find(f"{qn('w:style')}[@{qn('w:styleId')}='{current}']")
            if style is None:
                break
            fonts = style.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
            font = fonts.get(qn("w:ascii")) if fonts is not None else None
            based = style.find(qn("w:basedOn"))
            current = based.get(qn("w:val")) if based is not None else None
        cache[style_id] = font or SERIF
    return cache[style_id]
