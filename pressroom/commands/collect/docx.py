"""A filled Word form in → field name → value (see the package docstring for how controls are
found again, also after LibreOffice re-saved the file)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from pressroom.commands.collect.answers import YES, FormError, answer_key, choice_value
from pressroom.read.form import Field
from pressroom.write.docx import ooxml

# Word's default prompt, which the Word writer puts as the placeholder of every text control.
TEXT_PLACEHOLDERS = (ooxml.TEXT_PLACEHOLDER, ooxml.CHOICE_PLACEHOLDER)  # what an untouched control shows
ANSWER_STYLES = ("FormAnswer",)  # the paragraph style of every answer paragraph the Word writer writes
MAX_XML_BYTES = 64 * 1024 * 1024

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
CHECKED_GLYPHS = {"\u2612", "\u2611", "\u2713", "\u2714", "\u2717", "\u2718"}  # ☒ ☑ ✓ ✔ ✗ ✘


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


SDT, SDT_PR, SDT_CONTENT, P, R = _w("sdt"), _w("sdtPr"), _w("sdtContent"), _w("p"), _w("r")
T, BR, CR, TAB, NB_HYPHEN = _w("t"), _w("br"), _w("cr"), _w("tab"), _w("noBreakHyphen")
VAL = _w("val")



@dataclass
class _Control:
    element: etree._Element
    name: str | None
    checkbox: bool
    identified: bool  # by tag or alias (not inherited, not by position)


def read_docx(path: Path, fields: list[Field], labels: dict[str, str],
              placeholders: frozenset[str] = frozenset(TEXT_PLACEHOLDERS)) -> dict[str, str]:
    """Field name → value of a filled Word form; ``labels``: label (any locale) → field name;
    ``placeholders``: what an untouched control shows, in every locale of the pack."""
    return read_docx_answers(path, fields, labels, placeholders)[0]


def placeholders(root: Path, locales: list[str]) -> frozenset[str]:
    """The controls' placeholder texts as the Word writer puts them, in each locale (LibreOffice
    keeps the text of an untouched control as if typed, without its Placeholder Text style)."""
    from pressroom.read.locales import Locale

    found = set(TEXT_PLACEHOLDERS)
    for code in locales:
        translations = Locale(code).translations(root)
        found.update(translations.gettext(text) for text in TEXT_PLACEHOLDERS)
    return frozenset(found)


def read_docx_answers(path: Path, fields: list[Field], labels: dict[str, str],
                      placeholders: frozenset[str] = frozenset(TEXT_PLACEHOLDERS)) -> tuple[dict[str, str], list[str]]:
    body = _docx_body(path)
    by_name = {f.name: f for f in fields}
    by_label = {answer_key(label): name for label, name in labels.items()}
    controls = _controls(body, by_name, by_label)
    if not any(c.identified for c in controls) and not _by_position(controls, fields, force=True):
        raise FormError("this Word file has no content controls of the response form",
                        "ask the respondent to fill in the Word form sent with the pack")
    _by_position(controls, fields)
    values: dict[str, str] = {}
    notes: list[str] = []
    for control in controls:
        if control.name is None:
            continue
        field = by_name[control.name]
        value, note = _docx_value(field, control, placeholders)
        if note:
            notes.append(note)
        if control.name in values and values[control.name] and value and value != values[control.name]:
            notes.append(f"field {control.name!r} appears twice in this file: the first answer is kept")
        elif value or control.name not in values:
            values[control.name] = value
    notes += [f"field {f.name!r} is not in this file (filled on another version of the form?)"
              for f in fields if f.name not in values]
    return {f.name: values.get(f.name, "") for f in fields}, notes


def _docx_body(path: Path) -> etree._Element:
    try:
        with zipfile.ZipFile(path) as package:
            name = _main_part(package)
            info = package.getinfo(name)
            if info.file_size > MAX_XML_BYTES:
                raise FormError(f"{name} is {info.file_size // 2**20} MiB: too large for a response form")
            data = package.read(name)
    except FormError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        hint = ("this is Word's lock file for a document open somewhere: delete it" if path.name.startswith("~$")
                else "ask the respondent to save it again as a Word document (.docx) and resend it")
        raise FormError(f"not a readable Word file ({type(exc).__name__}: {exc})", hint) from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FormError(f"the Word file's text is damaged ({exc})", "ask the respondent to resend it") from None
    body = root.find(_w("body"))
    if body is None:
        raise FormError("not a Word document (no document body)", "send the .docx form itself")
    return body


def _main_part(package: zipfile.ZipFile) -> str:
    """The main document part named by _rels/.rels (word/document.xml in Word and LibreOffice)."""
    try:
        rels = etree.fromstring(package.read("_rels/.rels"), etree.XMLParser(resolve_entities=False, no_network=True))
        for rel in rels.iter(f"{{{REL}}}Relationship"):
            if rel.get("Type") == OFFICE_DOCUMENT:
                return posixpath.normpath(rel.get("Target", "").lstrip("/"))
    except (KeyError, etree.XMLSyntaxError):
        pass
    return "word/document.xml"


def _identity(sdt: etree._Element, by_name: dict[str, Field], by_label: dict[str, str]) -> str | None:
    properties = sdt.find(SDT_PR)
    if properties is None:
        return None
    tag = properties.find(_w("tag"))
    if tag is not None and tag.get(VAL) in by_name:
        return tag.get(VAL)
    alias = properties.find(_w("alias"))
    if alias is not None and alias.get(VAL):
        key = answer_key(alias.get(VAL))
        if key in by_label:
            return by_label[key]
        if len(alias.get(VAL)) >= 250:  # the Word writer cuts aliases at 255 characters
            matches = {n for label, n in by_label.items() if label.startswith(key)}
            if len(matches) == 1:
                return matches.pop()
    return None


def _is_checkbox(sdt: etree._Element) -> bool:
    properties = sdt.find(SDT_PR)
    return properties is not None and properties.find(f"{{{W14}}}checkbox") is not None


def _controls(body: etree._Element, by_name: dict[str, Field], by_label: dict[str, str]) -> list[_Control]:
    """The content controls in document order; a pure wrapper hands its name to the control inside."""
    controls: list[_Control] = []
    handed: dict[etree._Element, str] = {}  # inner control → name from its wrapper
    for sdt in body.iter(SDT):
        name = _identity(sdt, by_name, by_label)
        checkbox = _is_checkbox(sdt)
        inner = [d for d in sdt.iter(SDT) if d is not sdt]
        if inner and not checkbox and (not _own_text(sdt).strip() or _labels_a_checkbox(name, inner, by_name)):
            # a wrapper LibreOffice put around another control (around a checkbox's whole
            # paragraph, label and all): pass its name down
            if name is not None:
                target = next((d for d in inner if _identity(d, by_name, by_label) is None and d not in handed
                               and _is_checkbox(d) == (by_name[name].type == "checkbox")), None)
                if target is not None:
                    handed[target] = name
            continue
        identified = name is not None
        if name is None and sdt in handed:
            name, identified = handed[sdt], True
        if name is not None and (by_name[name].type == "checkbox") != checkbox:
            name, identified = None, False  # a checkbox named like a text field, or the reverse
        controls.append(_Control(sdt, name, checkbox, identified))
    return controls


def _is_placeholder(value: str, placeholders: frozenset[str]) -> bool:
    """The untouched prompt, also as LibreOffice re-saves it in a right-to-left form: its full
    stop moved to the front, or the control split in two that repeat it."""
    squashed = _squash(value)
    marks = sorted({_squash(p) for p in placeholders} - {""}, key=len, reverse=True)
    return bool(squashed) and re.fullmatch(f"(?:{'|'.join(map(re.escape, marks))})+", squashed) is not None


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def _labels_a_checkbox(name: str | None, inner: list[etree._Element], by_name: dict[str, Field]) -> bool:
    return name is not None and by_name[name].type == "checkbox" and any(_is_checkbox(d) for d in inner)


def _by_position(controls: list[_Control], fields: list[Field], force: bool = False) -> bool:
    """Name the unnamed controls by document order among the fields not yet found (same count, same kinds)."""
    if force:
        unnamed, free = controls, fields
    else:
        taken = {c.name for c in controls if c.name}
        unnamed = [c for c in controls if c.name is None]
        free = [f for f in fields if f.name not in taken]
    if not unnamed or len(unnamed) != len(free):
        return False
    if any(c.checkbox != (f.type == "checkbox") for c, f in zip(unnamed, free)):
        return False
    if not force:
        for control, field in zip(unnamed, free):
            control.name = field.name
    return True


def _own(sdt: etree._Element, node: etree._Element) -> bool:
    """Whether ``node`` belongs to ``sdt`` itself rather than to a control nested in it."""
    for ancestor in node.iterancestors(SDT):
        return ancestor is sdt
    return False


def _own_text(sdt: etree._Element) -> str:
    content = sdt.find(SDT_CONTENT)
    return _text(content, lambda node: _own(sdt, node)) if content is not None else ""


def _text(container: etree._Element, keep=lambda node: True) -> str:
    """Paragraphs joined by newlines; runs' text, breaks as newlines, tabs; deleted text left out."""
    paragraphs: list[str] = []
    current: list[str] | None = None
    for node in container.iter(P, T, BR, CR, TAB, NB_HYPHEN):
        if not keep(node):
            continue
        if node.tag == P:
            if current is not None:
                paragraphs.append("".join(current))
            current = []
            continue
        if node.getparent() is None or node.getparent().tag != R:
            continue  # tab stops in paragraph properties, not text
        if current is None:
            current = []
        if node.tag == T:
            current.append(node.text or "")
        elif node.tag in (BR, CR):
            current.append("\n")
        elif node.tag == TAB:
            current.append("\t")
        else:
            current.append("-")
    if current is not None:
        paragraphs.append("".join(current))
    return "\n".join(paragraphs)


def _style(paragraph: etree._Element) -> str | None:
    style = paragraph.find(f"{_w('pPr')}/{_w('pStyle')}")
    return style.get(VAL) if style is not None else None


def _docx_value(field: Field, control: _Control, placeholders: frozenset[str]) -> tuple[str, str | None]:
    sdt = control.element
    properties = sdt.find(SDT_PR)
    text = _own_text(sdt)
    if field.type == "checkbox":
        checked = properties.find(f"{{{W14}}}checkbox/{{{W14}}}checked") if properties is not None else None
        if checked is not None:  # LibreOffice writes the attribute as w:val instead of w14:val
            flag = checked.get(f"{{{W14}}}val", checked.get(VAL, "1"))
            return (YES if flag.lower() in ("1", "true", "on") else ""), None
        return (YES if CHECKED_GLYPHS & set(text) else ""), None
    if properties is not None and properties.find(_w("showingPlcHdr")) is not None:
        return "", None
    note = None
    paragraph = sdt.getparent()
    if paragraph is not None and paragraph.tag == P and field.type == "textarea":
        # LibreOffice made the block control inline: the answer's other paragraphs follow it,
        # and line breaks inside it are moved in front of it (lost)
        before = []
        for sibling in paragraph:
            if sibling is sdt:
                break
            before.append(sibling)
        if any(node.tag in (BR, CR) for sibling in before for node in sibling.iter(BR, CR)):
            note = (f"field {field.name!r}: line breaks were lost when this file was re-saved "
                    "(by LibreOffice?): its lines are run together")
        following = paragraph.getnext()
        while (following is not None and following.tag == P and _style(following) in ANSWER_STYLES
               and following.find(f".//{SDT}") is None):
            text += "\n" + _text(following)
            following = following.getnext()
    value = text.strip()
    if _is_placeholder(value, placeholders):
        return "", note
    return (choice_value(field, value) if field.type == "choice" else value), note
