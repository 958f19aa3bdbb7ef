"""A filled screen-edition PDF in → field name → value (see the package docstring for how
fields are found again)."""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path
from typing import Iterable, Iterator

from pressroom.commands.collect.answers import YES, FormError, choice_value, cleaned
from pressroom.read.form import Field


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
    return read_pdf_answers(path, fields)[0]


def read_pdf_answers(path: Path, fields: list[Field]) -> tuple[dict[str, str], list[str]]:
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
        text = cleaned(str(raw))
        return choice_value(field, text) if field.type == "choice" else text
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
    return choice_value(field, cleaned(state)) if field.type == "choice" else cleaned(state)
