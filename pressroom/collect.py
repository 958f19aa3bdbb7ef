"""Filled response forms (screen PDF, Word) → one row per response → CSV (and XLSX if openpyxl is there).

The form is read back by the field names of ``form.yaml`` — the same identifiers in every
locale, so English and translated responses share columns. Each file of the responses folder
is either collected or reported: a file that is not a response (a text file, a corrupt DOCX,
a PDF without our form fields, the print edition) is an error naming it, never skipped.

How fields are found again:

* PDF (screen edition): AcroForm fields named after the field (``pypdf.get_fields``). Radio
  groups as WeasyPrint 70 writes them (kids that carry their own ``/T`` and are listed in
  ``/Fields`` too, on-states ``/0``, ``/1`` indexing ``/Opt``) and as other tools fill them (value on
  the parent, on the kid, or only in a widget's ``/AS``). A checkbox is ticked when its value is any
  on-state (``/Yes``, ``/On``, ``/on``, the export value). A checkbox WeasyPrint left unnamed is
  matched by position to the form's one unanswered checkbox field.
* DOCX: block content controls, by ``w:tag`` (the field name); when LibreOffice re-saved the
  file and dropped the tags, by ``w:alias`` (the label, in any locale of the pack, with or
  without the required mark); failing both, by position in document order. LibreOffice's other
  changes are undone where they can be: the placeholder text left as content (``w:showingPlcHdr``
  dropped) counts as empty, a checkbox wrapped in another control is read inside it, a
  multi-line answer whose paragraphs were pushed out of the control is joined back. Line breaks
  LibreOffice moved out of a control cannot be put back: the response gets a problem saying so.

Values keep their text: only surrounding whitespace is stripped (internal newlines stay; a PDF's
CR line ends become LF). Checkboxes give ``yes`` or ``''``; choices give the option's ``value``
(a respondent's option label in any locale, or the value itself, is accepted).
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator

from lxml import etree

from . import ooxml
from .config import load_pack
from .content import read_fragment
from .diagnostics import ContentError, Diagnostic, Report
from .form import Field, read_form

FORM_DOC = "response-form"
FORM_FILE = "form.yaml"
SUFFIXES = (".pdf", ".docx")
YES = "yes"
# Word's default prompt, which word.py writes as the placeholder of every text control.
TEXT_PLACEHOLDERS = (ooxml.TEXT_PLACEHOLDER, ooxml.CHOICE_PLACEHOLDER)  # what an untouched control shows
ANSWER_STYLES = ("FormAnswer",)  # the paragraph style of every answer paragraph word.py writes
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_XML_BYTES = 64 * 1024 * 1024

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
CHECKED_GLYPHS = {"\u2612", "\u2611", "\u2713", "\u2714", "\u2717", "\u2718"}  # ☒ ☑ ✓ ✔ ✗ ✘


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


SDT, SDT_PR, SDT_CONTENT, P, R = _w("sdt"), _w("sdtPr"), _w("sdtContent"), _w("p"), _w("r")
T, BR, CR, TAB, NB_HYPHEN, DEL = _w("t"), _w("br"), _w("cr"), _w("tab"), _w("noBreakHyphen"), _w("del")
VAL = _w("val")


@dataclass(frozen=True)
class Response:
    source: str  # file name
    values: dict[str, str]  # field name → value ('' if empty); checkbox → 'yes' or ''
    problems: tuple[str, ...]  # e.g. "required field 'full_name' is empty"


class FormError(ValueError):
    """The file cannot be read as a response: the message says why, the hint what to do."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


# -- the form -------------------------------------------------------------------------------


def form_path(root: Path, locale: str) -> Path:
    return root / "content" / locale / FORM_DOC / FORM_FILE


def form_fields(root: Path, locale: str = "en") -> list[Field]:
    """The fields of ``content/<locale>/response-form/form.yaml`` in form order; ContentError if invalid."""
    report = Report()
    path = form_path(root, locale)
    if not path.is_file():
        report.error(str(path.relative_to(root)), None, f"no response form for locale {locale!r}",
                     f"create {FORM_FILE} (translate the source locale's)")
        raise ContentError(report)
    fragment = read_fragment(root, path, report, doc_id=FORM_DOC, name=FORM_FILE, locale=locale)
    sections = read_form(fragment, report) if fragment is not None else []
    if report.errors:
        raise ContentError(report)
    return [field for section in sections for field in section.fields]


def form_locales(root: Path) -> list[str]:
    """The pack's locales (source first), then any other content/<locale>/ holding a form."""
    pack = load_pack(root)
    locales = [pack.source_locale, *pack.locales]
    locales += sorted(p.parent.parent.name for p in (root / "content").glob(f"*/{FORM_DOC}/{FORM_FILE}"))
    return [code for code in dict.fromkeys(locales) if form_path(root, code).is_file()]


def all_fields(root: Path, report: Report | None = None) -> tuple[list[Field], dict[str, str]]:
    """The columns (the source form's fields, in form order) and every locale's label → field name.

    A choice field's options gain the other locales' labels (same values), so that a label typed
    in any language is recognised. A field name found only in a translated form is appended (and
    warned about) rather than lost.
    """
    report = report if report is not None else Report()
    locales = form_locales(root)
    if not locales:
        report.error(str(form_path(root, "en").relative_to(root)), None, "no response form",
                     f"write content/<locale>/{FORM_DOC}/{FORM_FILE}")
        raise ContentError(report)
    fields = form_fields(root, locales[0])
    columns = {f.name: f for f in fields}
    labels: dict[str, str] = {}
    for locale in locales:
        try:
            localised = fields if locale == locales[0] else form_fields(root, locale)
        except ContentError as exc:  # a translation in progress must not stop the collection
            for item in exc.report.errors:
                report.warning(item.path, item.line, item.message, item.hint)
            report.warning(str(form_path(root, locale).relative_to(root)), None,
                           f"the {locale!r} form has errors: its labels are not recognised in Word responses",
                           "fix the errors above")
            continue
        for field in localised:
            labels.setdefault(field.label, field.name)
            if field.name not in columns:
                report.warning(str(form_path(root, locale).relative_to(root)), None,
                               f"field {field.name!r} is not in the {locales[0]!r} form",
                               "field names must be the same in every locale: copy them from the source form")
                columns[field.name] = field
            known = columns[field.name]
            extra = tuple(o for o in field.options if o not in known.options)
            if extra:
                columns[field.name] = replace(known, options=known.options + extra)
    return list(columns.values()), labels


def _key(text: str) -> str:
    """A label or value, compared loosely: NFC, spaces collapsed, required mark dropped, case folded."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return text.removesuffix("*").rstrip().casefold()


def _choice(field: Field, text: str) -> str:
    """A choice answer → the option's value (from its value or its label in any locale)."""
    key = _key(text)
    if not key:
        return ""
    for option in field.options:
        if key in (_key(option.value), _key(option.label)):
            return option.value
    return text


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


# -- PDF ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs a warning per duplicated radio kid of a WeasyPrint form: not the reader's business."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def read_pdf(path: Path, fields: list[Field]) -> dict[str, str]:
    """Field name → value of a filled screen-edition PDF; FormError if it holds none of our fields."""
    return _read_pdf(path, fields)[0]


def _read_pdf(path: Path, fields: list[Field]) -> tuple[dict[str, str], list[str]]:
    from pypdf.errors import PyPdfError

    by_name = {f.name: f for f in fields}
    try:
        with _quiet_pypdf():
            reader = _open_pdf(path)
            found = reader.get_fields() or {}
            widgets = _widget_states(reader)
    except FormError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise FormError(f"not a readable PDF ({type(exc).__name__}: {exc})",
                        "ask the respondent to send the file again") from None

    values: dict[str, str] = {}
    unnamed_boxes = []
    for qualified, data in found.items():
        name = _pdf_name(qualified, data, by_name)
        if name is None:
            if data.get("/FT") == "/Btn" and not str(data.get("/T") or "").strip():
                unnamed_boxes.append((qualified, data))
            continue
        value = _pdf_value(by_name[name], data, widgets.get(qualified, ()))
        if value or name not in values:
            values[name] = value
    if unnamed_boxes:  # a checkbox WeasyPrint left nameless: the one checkbox field still unseen
        missing = [f for f in fields if f.type == "checkbox" and f.name not in values]
        if len(missing) == len(unnamed_boxes):
            for field, (qualified, data) in zip(missing, unnamed_boxes):
                values[field.name] = _pdf_value(field, data, widgets.get(qualified, ()))
    if not values:
        raise FormError("this PDF has no fields of the response form",
                        "it may be the print edition, or a form printed to PDF or flattened: "
                        "ask for the filled screen PDF or the Word form")
    notes = [f"field {f.name!r} is not in this file (filled on another version of the form?)"
             for f in fields if f.name not in values]
    return {f.name: values.get(f.name, "") for f in fields}, notes


def _open_pdf(path: Path):
    """A PdfReader, decrypted when only an owner password protects the file (pikepdf does AES)."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    try:  # pypdf tries the empty password itself; AES needs the cryptography package it may lack
        reader = PdfReader(path)
        if not reader.is_encrypted or reader.decrypt(""):
            return reader
    except DependencyError:
        pass
    import pikepdf

    try:
        with pikepdf.open(path, password="") as pdf:
            clear = io.BytesIO()
            pdf.save(clear)
    except pikepdf.PasswordError:
        raise FormError("the PDF is password-protected", "ask the respondent for a copy without a password") from None
    except pikepdf.PdfError as exc:
        raise FormError(f"not a readable PDF ({exc})", "ask the respondent to send the file again") from None
    return PdfReader(clear)


def _pdf_name(qualified: str, data, by_name: dict[str, Field]) -> str | None:
    partial = str(data.get("/T") or "")
    for candidate in (qualified, partial, qualified.rsplit(".", 1)[-1], qualified.split(".", 1)[0]):
        if candidate in by_name:
            return candidate
    return None


def _widget_states(reader) -> dict[str, list[str]]:
    """Qualified field name → the appearance states (/AS) of its widgets, for buttons."""
    states: dict[str, list[str]] = {}
    for page in reader.pages:
        for ref in page.get("/Annots") or ():
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Widget" or "/AS" not in annot:
                continue
            parts, node, seen = [], annot, set()
            while node is not None and id(node) not in seen and len(seen) < 32:
                seen.add(id(node))
                if node.get("/T") is not None:
                    parts.append(str(node["/T"]))
                parent = node.get("/Parent")
                node = parent.get_object() if parent is not None else None
            states.setdefault(".".join(reversed(parts)), []).append(str(annot["/AS"]))
    return states


def _inherited(data, key: str):
    node, depth = data, 0
    while node is not None and depth < 32:
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node, depth = (parent.get_object() if parent is not None else None), depth + 1
    return None


def _pdf_value(field: Field, data, widget_states: Iterable[str]) -> str:
    raw = data.get("/V")
    if data.get("/FT") != "/Btn":
        if raw is None:
            return ""
        text = _clean(str(raw))
        return _choice(field, text) if field.type == "choice" else text
    # a button: the value is a state name; fall back on the widgets' appearance states
    states = [str(raw)] if raw is not None else []
    for kid in data.get("/Kids") or ():
        kid = kid.get_object()
        states += [str(kid[k]) for k in ("/V", "/AS") if k in kid]
    states += list(widget_states)
    on = next((s for s in states if s and s not in ("/Off", "Off")), "")
    if field.type == "checkbox":
        return YES if on else ""
    state = on[1:] if on.startswith("/") else on
    options = _inherited(data, "/Opt")
    if options is not None and state.isdigit() and int(state) < len(options):
        chosen = options[int(state)]
        state = str(chosen[0] if isinstance(chosen, list) else chosen)
    return _choice(field, _clean(state)) if field.type == "choice" else _clean(state)


# -- DOCX ---------------------------------------------------------------------------------------


@dataclass
class _Control:
    element: etree._Element
    name: str | None
    checkbox: bool
    identified: bool  # by tag or alias (not inherited, not by position)


def read_docx(path: Path, fields: list[Field], labels: dict[str, str]) -> dict[str, str]:
    """Field name → value of a filled Word form; ``labels``: label (any locale) → field name."""
    return _read_docx(path, fields, labels)[0]


def _read_docx(path: Path, fields: list[Field], labels: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    body = _docx_body(path)
    by_name = {f.name: f for f in fields}
    by_label = {_key(label): name for label, name in labels.items()}
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
        value, note = _docx_value(field, control)
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
        key = _key(alias.get(VAL))
        if key in by_label:
            return by_label[key]
        if len(alias.get(VAL)) >= 250:  # word.py cuts aliases at 255 characters
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
        if inner and not checkbox and not _own_text(sdt).strip():
            # a wrapper LibreOffice put around another control: pass its name down
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


def _docx_value(field: Field, control: _Control) -> tuple[str, str | None]:
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
    if value in TEXT_PLACEHOLDERS:
        return "", note
    return (_choice(field, value) if field.type == "choice" else value), note


# -- collecting ---------------------------------------------------------------------------------


def collect(root: Path, directory: Path) -> tuple[list[Response], list[Diagnostic]]:
    """Every response in ``directory`` (sorted by name) and a diagnostic for every file that is not one."""
    report = Report()
    try:
        fields, labels = all_fields(root, report)
    except ContentError as exc:
        report.extend(exc.report)
        return [], report.sorted()
    responses = []
    if not directory.is_dir():
        report.error(str(directory), None, "no such folder", "give the folder holding the returned forms")
        return [], report.sorted()
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        shown = str(path)
        if path.is_dir():
            report.warning(shown, None, "folder not read", "put responses at the top level of the folder")
            continue
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            report.error(shown, None, "not a response form (only .pdf and .docx files are read)",
                         "remove it from the folder, or save it as PDF or Word if it is a response")
            continue
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise FormError(f"file is {size // 2**20} MiB: too large for a response form")
            read = _read_pdf(path, fields) if suffix == ".pdf" else _read_docx(path, fields, labels)
        except FormError as exc:
            report.error(shown, None, str(exc), exc.hint)
            continue
        except OSError as exc:
            report.error(shown, None, f"cannot be read: {exc.strerror or exc}", "check the file's permissions")
            continue
        except Exception as exc:  # a malformed file must not stop the batch: report it and go on
            report.error(shown, None, f"could not be read ({type(exc).__name__}: {exc})",
                         "open it to check it is a filled response form; resend it if it is damaged")
            continue
        values, notes = read
        responses.append(Response(path.name, values, tuple(notes + check_values(fields, values))))
    return responses, report.sorted()


def check_values(fields: list[Field], values: dict[str, str]) -> list[str]:
    """The problems of one response's values: required fields unanswered, unknown choices, odd emails."""
    problems = []
    for field in fields:
        value = values.get(field.name, "")
        if field.required and not value:
            what = "is not ticked" if field.type == "checkbox" else "is empty"
            problems.append(f"required field {field.name!r} {what}")
        elif value and field.type == "choice" and value not in {o.value for o in field.options}:
            choices = ", ".join(dict.fromkeys(o.value for o in field.options))
            problems.append(f"field {field.name!r}: {value!r} is not one of {choices}")
        elif value and field.type == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            problems.append(f"field {field.name!r}: {value!r} does not look like an email address")
    return problems


def _columns(fields: list[Field]) -> list[str]:
    names = [f.name for f in fields]
    clash = {"file", "problems"} & set(names)
    if clash:
        raise ValueError(f"form field(s) {', '.join(sorted(clash))} clash with the columns 'file' and 'problems'")
    return ["file", *names, "problems"]


def _rows(responses: list[Response], fields: list[Field]) -> Iterator[list[str]]:
    for response in responses:
        yield [response.source, *(response.values.get(f.name, "") for f in fields), "; ".join(response.problems)]


def write_csv(responses: list[Response], fields: list[Field], path: Path) -> None:
    """One row per response: file, each field in form order, problems. UTF-8 with a BOM (Excel opens it right)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(_columns(fields))
        writer.writerows(_rows(responses, fields))


def write_xlsx(responses: list[Response], fields: list[Field], path: Path) -> bool:
    """The same table as an Excel workbook, if openpyxl is installed; returns whether it was written.

    Every cell is text: an answer starting with '=' stays an answer, never a formula.
    """
    try:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Alignment, Font
    except ImportError:
        return False
    book = Workbook()
    sheet = book.active
    sheet.title = "Responses"
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_number, row in enumerate([_columns(fields), *_rows(responses, fields)], start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell.data_type = "s"
            cell.alignment = wrap
            if row_number == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    book.save(path)
    return True
