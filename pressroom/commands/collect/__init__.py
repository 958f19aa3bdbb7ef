"""Filled response forms (screen PDF, Word) → one row per response → CSV (and, asked, an Excel workbook).

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

import re
from dataclasses import replace
from pathlib import Path

from pressroom.commands.collect.answers import FormError, Response
from pressroom.commands.collect.docx import placeholders, read_docx, read_docx_answers
from pressroom.commands.collect.pdf import read_pdf, read_pdf_answers
from pressroom.diagnostics import ContentError, Diagnostic, Report
from pressroom.read.form import Field, read_form
from pressroom.read.fragments import read_fragment
from pressroom.read.pack import load_pack

FORM_DOC = "response-form"
FORM_FILE = "form.yaml"
SUFFIXES = (".pdf", ".docx")
MAX_FILE_BYTES = 100 * 1024 * 1024

__all__ = ["FormError", "Response", "all_fields", "collect", "form_fields", "read_docx", "read_pdf"]


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
    shown_placeholders = placeholders(root, list(load_pack(root).locales))
    if not directory.is_dir():
        report.error(str(directory), None, "no such folder", "give the folder holding the returned forms")
        return [], report.sorted()
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        shown = str(path)
        if path.name.lower().startswith("responses") and path.suffix.lower() in (".csv", ".xlsx"):
            continue  # the table a previous collect wrote here
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
            read = read_pdf_answers(path, fields) if suffix == ".pdf" else read_docx_answers(
                path, fields, labels, shown_placeholders)
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
