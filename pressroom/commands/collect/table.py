"""Responses in → one table: a CSV file (UTF-8 with a BOM, so that Excel opens it right) or an
Excel workbook; one row per response: the file, each field in form order, its problems.

Answers are typed by the public: a cell that a spreadsheet would take for a formula (starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with ``'``, as OWASP's
CSV-injection guidance says, in the CSV and the workbook alike. Both are written through the
one atomic writer, inside the folder the user chose."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

from pressroom.build.output import write_atomic
from pressroom.commands.collect.answers import Response
from pressroom.read.form import Field


def _columns(fields: list[Field]) -> list[str]:
    names = [f.name for f in fields]
    clash = {"file", "problems"} & set(names)
    if clash:
        raise ValueError(f"form field(s) {', '.join(sorted(clash))} clash with the columns 'file' and 'problems'")
    return ["file", *names, "problems"]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: str) -> str:
    """A cell a spreadsheet would run as a formula, made text: ``'=HYPERLINK(…)``."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _rows(responses: list[Response], fields: list[Field]) -> Iterator[list[str]]:
    for response in responses:
        row = [response.source, *(response.values.get(f.name, "") for f in fields), "; ".join(response.problems)]
        yield [neutralised(value) for value in row]


def write_csv(responses: list[Response], fields: list[Field], path: Path) -> None:
    """One row per response: file, each field in form order, problems. UTF-8 with a BOM (Excel opens it right)."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(_columns(fields))
    writer.writerows(_rows(responses, fields))
    write_atomic(path, text.getvalue().encode("utf-8-sig"), inside=path.parent)


def write_xlsx(responses: list[Response], fields: list[Field], path: Path) -> None:
    """The same table as an Excel workbook (``invoke collect --xlsx``).

    Every cell is text: an answer starting with '=' stays an answer, never a formula.
    """
    from openpyxl import Workbook  # only when a workbook is asked for
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

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
    data = io.BytesIO()
    book.save(data)
    write_atomic(path, data.getvalue(), inside=path.parent)
