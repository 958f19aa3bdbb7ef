"""Diagnostics as data: every problem of a run is collected, then printed together.

Each one names the file and line it comes from, says what is wrong and what to do:
``content/en/guidance/02-process.md:14: footnote [^4] has no definition — add "[^4]: …"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int | None
    message: str
    hint: str = ""
    level: str = ERROR
    kind: str = ""  # what sort of problem, for grouping many alike into one line ("fallback", "unlisted")

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        tail = f" — {self.hint}" if self.hint else ""
        prefix = "warning: " if self.level == WARNING else ""
        return f"{where}: {prefix}{self.message}{tail}"


@dataclass
class Report:
    """A growing list of diagnostics, shared by the stages of one run."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, line: int | None, message: str, hint: str = "", kind: str = "") -> None:
        self.items.append(Diagnostic(str(path), line, message, hint, ERROR, kind))

    def warning(self, path: str, line: int | None, message: str, hint: str = "", kind: str = "") -> None:
        self.items.append(Diagnostic(str(path), line, message, hint, WARNING, kind))

    def extend(self, other: "Report | list[Diagnostic]") -> None:
        self.items.extend(other.items if isinstance(other, Report) else other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == WARNING]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def sorted(self) -> list[Diagnostic]:
        """Unique diagnostics, errors first, then by file and line."""
        unique = dict.fromkeys(self.items)
        return sorted(unique, key=lambda d: (d.level != ERROR, d.path, d.line or 0, d.message))


def did_you_mean(name: str, known, prefix: str = "") -> str:
    """'did you mean @grover2010?' for the nearest of ``known`` names, or '' when none is near."""
    from difflib import get_close_matches

    close = get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f"did you mean {' or '.join(prefix + c for c in close)}?" if close else ""


def with_suggestion(hint: str, name: str, known, prefix: str = "") -> str:
    """``hint`` led by the nearest names, when there are any."""
    near = did_you_mean(name, known, prefix)
    return f"{near} {hint}" if near else hint


class Near:
    """``with_suggestion`` for many names against one set of known names: each name is looked up
    once, and at most ``limit`` names are (difflib compares a name with every known one: thousands
    of broken keys against thousands of ids would cost minutes, for hints nobody reads that far)."""

    def __init__(self, known, prefix: str = "", limit: int = 100):
        self.known, self.prefix, self.limit = known, prefix, limit
        self.found: dict[str, str] = {}

    def hint(self, hint: str, name: str) -> str:
        if name not in self.found:
            self.found[name] = did_you_mean(name, self.known, self.prefix) if len(self.found) < self.limit else ""
        near = self.found[name]
        return f"{near} {hint}" if near else hint


class ContentError(Exception):
    """The input is wrong: the report says where. Exit code 1."""

    exit_code = 1

    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} error(s)")
        self.report = report


class UsageError(Exception):
    """The command was called wrongly (unknown document, locale, format). Exit code 2."""

    exit_code = 2
