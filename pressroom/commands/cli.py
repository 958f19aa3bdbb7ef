"""What the commands print and how they exit: diagnostics first, then a one-line summary.

Each command imports the stages it runs when it runs (WeasyPrint, python-docx, pandoc's wrapper,
httpx are heavy), so that ``invoke --list`` and a no-op rebuild stay instant."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Callable

from invoke.exceptions import Exit

from pressroom.diagnostics import ContentError, Report, UsageError
from pressroom.read.pack import load_pack

TABLE = "responses.csv"  # collect's default table, written in the folder of the forms it reads


def run(action: Callable[[], None], debug: bool = False) -> None:
    try:
        action()
    except Exit:
        raise
    except ContentError as exc:
        _print_report(exc.report)
        count = sum(1 for d in exc.report.sorted() if d.level == "error")
        raise Exit(f"failed: {count} error(s) — nothing was written", code=exc.exit_code) from None
    except UsageError as exc:
        raise Exit(f"error: {exc}", code=exc.exit_code) from None
    except KeyboardInterrupt:
        raise Exit("interrupted — output/ holds only complete files", code=130) from None
    except Exception as exc:  # an internal failure: say so plainly, traceback only on request
        if debug:
            traceback.print_exc()
        raise Exit(f"internal error: {type(exc).__name__}: {exc} — run again with --debug and report it",
                   code=3) from None


def _print_report(report: Report) -> None:
    for diagnostic in report.sorted():
        print(diagnostic, file=sys.stderr)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build(root: Path, docs, locales, formats, *, editions=None, force: bool, check: bool, strict: bool,
          jobs: int | None) -> None:
    from pressroom.build import build as run_build

    if not check:
        print("WARNING: checks are off (--no-check): this draft may have broken notes, citations or links",
              file=sys.stderr)
    result = run_build(root, docs=docs, locales=locales, formats=formats, editions=editions, force=force, check=check,
                       strict=strict, jobs=jobs, progress=_progress)
    _print_report(result.report)
    print(f"{len(result.built)} built, {len(result.fresh)} up to date in {result.seconds:.1f} s")


def _print_link_table(rows: list) -> None:
    from rich.console import Console
    from rich.table import Table

    outcomes = ("ok", "redirected", "broken", "timeout", "unknown")
    table = Table("document", "locale", *outcomes, title="External links")
    for (doc_id, locale), counts in rows:
        table.add_row(doc_id, locale, *(str(counts.get(k, 0)) for k in outcomes))
    Console(stderr=True).print(table)


def check(root: Path, *, offline: bool, strict: bool, output_format: str) -> None:
    from pressroom.commands.check import check_pack

    rows: list = []
    report = check_pack(root, offline=offline, summary=lambda key, counts: rows.append((key, counts)))
    if output_format == "json":
        import json
        print(json.dumps([d.__dict__ for d in report.sorted()], indent=1))
    else:
        if rows:
            _print_link_table(rows)
        _print_report(report)
    summary = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    if report.failed(strict):
        raise Exit(f"check failed: {summary}", code=1)
    print(f"checked: {summary}")


def translations(root: Path, *, strict: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    from pressroom.commands.translations import status

    states = status(load_pack(root))
    table = Table("locale", "translated", "missing", "outdated", "template strings", title="Translations")
    for state in states:
        strings = state.strings
        table.add_row(state.locale, str(len(state.translated)), str(len(state.missing)), str(len(state.outdated)),
                      f"{strings.translated}/{strings.total} ({strings.fuzzy} fuzzy)")
    Console().print(table)
    for state in states:
        for kind in ("missing", "outdated", "extra"):
            for name in getattr(state, kind):
                print(f"content/{state.locale}/{name}: {kind}")
    if strict and not all(s.complete for s in states):
        raise Exit("translations incomplete (--strict)", code=1)


def _translated_locales(root: Path) -> list[str]:
    pack = load_pack(root)
    return [locale for locale in pack.locales if locale != pack.source_locale]


def _pack_locale(root: Path, locale: str) -> str:
    """A locale named on the command line becomes a folder name: it must be one of the pack's."""
    known = load_pack(root).locales
    if locale not in known:
        raise UsageError(f"unknown locale {locale!r}: choose from {', '.join(known)}")
    return locale


def i18n_update(root: Path, locales: list[str] | None) -> None:
    from pressroom.commands import i18n
    i18n.update(root, [_pack_locale(root, code) for code in locales] if locales else _translated_locales(root))


def i18n_compile(root: Path) -> None:
    from pressroom.commands import i18n
    i18n.compile_catalogues(root, _translated_locales(root))


def i18n_export(root: Path, locale: str, out: Path | None) -> None:
    from pressroom.commands.translations import export
    out = out or root / "output" / "i18n" / _pack_locale(root, locale)
    written = export(load_pack(root), locale, out)
    print(f"wrote {len(written)} PO files under {out}")


def i18n_import(root: Path, locale: str, directory: Path | None) -> None:
    from pressroom.commands.translations import import_
    _pack_locale(root, locale)
    report = Report()
    written = import_(load_pack(root), locale, directory or root / "output" / "i18n" / locale, report)
    if report.errors:
        raise ContentError(report)
    print(f"imported {len(written)} fragments into content/{locale}/")


def collect(root: Path, directory: Path, out: Path | None = None, *, xlsx: bool = False) -> None:
    from pressroom.commands.collect import all_fields
    from pressroom.commands.collect import collect as read_all
    from pressroom.commands.collect.table import write_csv, write_xlsx

    if not directory.is_dir():
        raise UsageError(f"{directory} is not a folder of filled forms")
    out = out or directory / TABLE  # responses are personal data: beside the forms, never the project root
    if out.is_dir():
        raise UsageError(f"--out {out} is a folder: name the CSV file to write")
    responses, problems = read_all(root, directory)
    fields, _ = all_fields(root)
    write_csv(responses, fields, out)
    if xlsx:
        write_xlsx(responses, fields, out.with_suffix(".xlsx"))
    report = Report(list(problems))
    _print_report(report)
    flagged = sum(1 for r in responses if r.problems)
    tables = f"{out} and {out.with_suffix('.xlsx')}" if xlsx else str(out)
    print(f"{len(responses)} responses ({flagged} flagged) → {tables}; {len(report.errors)} file(s) not read")
    if report.errors:
        raise Exit(f"{len(report.errors)} file(s) could not be read — see above", code=1)


def preflight(root: Path, locales, docs, *, strict: bool) -> None:
    from pressroom.commands.preflight import preflight as run_preflight

    report = run_preflight(root, load_pack(root), locales, docs=docs)
    _print_report(report)
    summary = f"preflight: {len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    if report.failed(strict):
        raise Exit(summary, code=1)
    print(summary)


def package(root: Path, locale: str, *, build_first: bool) -> None:
    from pressroom.commands.package import package as run_package

    if build_first:  # incremental: only stale PDFs are rebuilt
        from pressroom.build import build as run_build
        _print_report(run_build(root, locales=[locale], formats=["pdf"], progress=_progress).report)
    folder = run_package(root, load_pack(root), locale)
    print(f"packaged {folder.relative_to(root)}/ and {folder.name}.zip")
