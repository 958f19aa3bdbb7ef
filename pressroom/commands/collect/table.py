"""Responses in → one table: a CSV file (UTF-8 with a BOM, so that Excel opens it right) or an
Excel workbook; one row per response: the file, each field in form order, its problems."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

from pressroom.commands.collect.answers import Response
from pressroom.read.form import Field


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
    book.save(path)
