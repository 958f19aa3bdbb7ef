"""What a build shows a person: a live progress display while it works, then a summary, the
errors, and the warnings with many alike grouped into one line.

On a terminal the display updates in place (rich): what is being rendered, how many files of
how many, the time so far. Without one (CI, a pipe, a log) it prints one line per finished
file and nothing else, so a log reads as a list of what was written.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from typing import TextIO

from pressroom.diagnostics import ERROR, Diagnostic

# Kinds of warning that come in numbers: (what one is called, what to do about them all).
GROUPS = {
    "fallback": ("{n} fragments fall back to {language}",
                 "translate them (invoke translations lists them; invoke i18n.export {locale})"),
    "untranslated-document": ("{n} documents are the untranslated {language} ones ({names})",
                              "invoke i18n.export {locale} (docs/translating.md)"),
}


def _locale_of(path: str) -> str:
    parts = path.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "content" else ""


def _language(code: str) -> str:
    try:
        from babel import Locale
        return Locale.parse(code.replace("-", "_")).get_display_name("en").split(" (")[0]
    except Exception:  # an unknown code: show the code
        return code


def grouped(diagnostics: list[Diagnostic], verbose: bool = False, source_locale: str = "en") -> list[str]:
    """Errors first, each on its line; then warnings, those of a grouped kind as one line per
    (kind, locale) with their count, unless ``verbose`` or there is only one."""
    errors = [str(d) for d in diagnostics if d.level == ERROR]
    warnings = [d for d in diagnostics if d.level != ERROR]
    buckets: dict[tuple[str, str], list[Diagnostic]] = defaultdict(list)
    lines: list[str] = []
    for diagnostic in warnings:
        if diagnostic.kind in GROUPS and not verbose:
            buckets[(diagnostic.kind, _locale_of(diagnostic.path))].append(diagnostic)
        else:
            lines.append(str(diagnostic))
    for (kind, locale), items in sorted(buckets.items(), key=lambda item: (item[0][1], item[0][0])):
        if len(items) == 1:
            lines.append(str(items[0]))
            continue
        what, todo = GROUPS[kind]
        names = ", ".join(d.path.rstrip("/").split("/")[-1] for d in items)
        fields = {"n": len(items), "language": _language(source_locale), "locale": locale, "names": names}
        lines.append(f"{locale}: warning: {what.format(**fields)} — {todo.format(**fields)}; --verbose lists each")
    return errors + lines


class BuildDisplay:
    """The ``progress`` of a build: called with phase messages; told the plan (``planned``) and
    each finished file (``finished``)."""

    def __init__(self, stream: TextIO | None = None, live: bool | None = None):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.started = time.perf_counter()
        self.total, self.done, self.pending = 0, 0, []
        self.doing = "reading the pack"
        self._live = None

    def __call__(self, message: str) -> None:  # a plain progress message (what older callers send)
        self.phase(message)

    def phase(self, message: str) -> None:
        self.doing = message
        self._start()
        self._refresh()

    def planned(self, keys: list[str]) -> None:
        self.total, self.pending = len(keys), list(keys)
        self._start()

    def _start(self) -> None:
        if self.live and self._live is None:
            from rich.console import Console
            from rich.live import Live
            self._live = Live(console=Console(file=self.stream), refresh_per_second=4, transient=True,
                              get_renderable=self._render)
            self._live.start()

    def finished(self, keys: list[str], seconds: float) -> None:
        for number, key in enumerate(keys):
            self.done += 1
            if key in self.pending:
                self.pending.remove(key)
            if not self.live:
                how = f"{seconds:.1f} s" if number == 0 else f"same as output/{keys[0]}"
                print(f"[{self.done}/{self.total}] built output/{key} ({how})", file=self.stream, flush=True)
        self.doing = "rendering"
        self._refresh()

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def _refresh(self) -> None:
        if self._live is not None:
            self._live.refresh()

    def _render(self):
        from rich.text import Text
        elapsed = time.perf_counter() - self.started
        now = ", ".join(self.pending[:3]) + (" …" if len(self.pending) > 3 else "")
        return Text(f"⠿ {self.doing}: {self.done} of {self.total} files, {elapsed:.0f} s"
                    + (f" — rendering {now}" if now and self.doing == "rendering" else ""))
