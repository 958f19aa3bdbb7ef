"""Findings of one preflight run, collected per page so that one problem on 25 pages is one
diagnostic listing the pages; and lengths as pack.yaml writes them."""

from __future__ import annotations

import re
from collections import defaultdict

from pressroom.diagnostics import Report

UNITS_PT = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pc": 12.0, "px": 0.75, "q": 72 / 101.6}


class Pages:
    """Collects per-page problems, so that one problem on 25 pages is one diagnostic."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str, str], list[int]] = defaultdict(list)

    def add(self, page: int | None, message: str, hint: str = "", level: str = "error") -> None:
        pages = self.found[(level, message, hint)]
        if page is not None and page not in pages:
            pages.append(page)

    def emit(self, report: Report, shown: str) -> None:
        for (level, message, hint), pages in self.found.items():
            text = f"page {pages[0]}: {message}" if pages else message
            if len(pages) > 1:
                text += f" (also on page{'s' if len(pages) > 2 else ''} {page_list(pages[1:])})"
            (report.error if level == "error" else report.warning)(shown, None, text, hint)


def page_list(pages: list[int]) -> str:
    """[2, 3, 4, 7] → '2–4, 7'."""
    runs: list[list[int]] = []
    for page in sorted(pages):
        if runs and page == runs[-1][-1] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def length(value: str) -> float | None:
    """A CSS length ('3mm', '0.125in', '8.5pt') in points."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]+)\s*", value)
    if not match or match.group(2).lower() not in UNITS_PT:
        return None
    return float(match.group(1)) * UNITS_PT[match.group(2).lower()]
