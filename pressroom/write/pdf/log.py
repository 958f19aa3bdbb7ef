"""WeasyPrint's log during one render → diagnostics that name the stylesheet and its line.

WeasyPrint logs what it ignores (an unknown property, a value it cannot parse, a font that does
not load) and goes on: silenced, a typo in templates/pack.css would only show as a page that
looks wrong. Its messages give ``line:column`` but not which stylesheet; the stylesheet is found
among those the render read (the project fetcher's list, and the document's own ``<style>``) as
the one whose line holds what the message names.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pressroom.diagnostics import Report

POSITION = re.compile(r" at (\d+):(\d+)")
NAMED = re.compile(r"`([^`:]+)|%r|'([^']+)'")
HINT = "fix it in the stylesheet (WeasyPrint ignored it)"
INLINE = " <style>"


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def captured() -> Iterator[Captured]:
    """WeasyPrint's warnings and errors while the block runs, kept instead of printed."""
    logger = logging.getLogger("weasyprint")
    handler, propagate = Captured(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def report_warnings(records: list[logging.LogRecord], sources: dict[str, str], report: Report,
                    fallback: str) -> None:
    """Each record as a warning at ``path:line`` of the source (shown path → its text) it came from."""
    for record in records:
        message = record.getMessage()
        position = POSITION.search(message)
        line = int(position.group(1)) if position else None
        path, line = _source(message, line, sources, fallback)
        text = f"WeasyPrint: {POSITION.sub('', message).rstrip('.')}"
        if path.endswith(INLINE):  # the document's <style>: its lines are not the template's
            path, text, line = path.removesuffix(INLINE), f"{text} (line {line} of its <style>)", None
        report.warning(path, line, text, HINT)


def _source(message: str, line: int | None, sources: dict[str, str], fallback: str) -> tuple[str, int | None]:
    """The source whose ``line`` (or, with no line, any line) holds the name the message quotes."""
    quoted = [m.group(1) or m.group(2) for m in NAMED.finditer(message) if m.group(1) or m.group(2)]
    names = [q.strip().split("\n")[0].strip() for q in quoted if q.strip()]  # a quoted rule: its first line
    for path, text in sources.items():
        lines = text.split("\n")
        if line is not None:
            if 0 < line <= len(lines) and any(name.strip() in lines[line - 1] for name in names):
                return path, line
        else:
            found = next((n for n, text_line in enumerate(lines, 1) if any(name in text_line for name in names)), None)
            if names and found:
                return path, found
    return fallback, line


def stylesheet_sources(read: list[Path], root: Path, inline: list[str], template: str) -> dict[str, str]:
    """The stylesheets a render read, most recent first, then the template's own ``<style>``."""
    sources = {}
    for path in reversed(read):
        if path.suffix == ".css" and path.is_file():
            sources[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8", errors="replace")
    for text in inline:
        sources.setdefault(f"templates/{template}{INLINE}", text)
    return sources
