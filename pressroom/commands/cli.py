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


OPTIONS = {"verbose": False}  # set once per command: --verbose lists every warning of a group


def run(action: Callable[[], None], debug: bool = False, verbose: bool = False) -> None:
    OPTIONS["verbose"] = verbose
    try:
        action()
    except Exit:
        raise
    except ContentError as exc:
        _print_report(exc.report)
        raise Exit(failure_line(exc.report), code=exc.exit_code) from None
    except UsageError as exc:
        raise Exit(f"error: {exc}", code=exc.exit_code) from None
    except KeyboardInterrupt:
        raise Exit("interrupted — output/ holds only complete files", code=130) from None
    except Exception as exc:  # an internal failure: say so plainly, traceback only on request
        if debug:
            traceback.print_exc()
        raise Exit(f"internal error: {type(exc).__name__}: {exc} — run again with --debug and report it",
                   code=3) from None


def failure_line(report: Report) -> str:
    """The last line of a refused build: its errors, or (``--strict``, no errors) the warnings that failed it."""
    count = sum(1 for d in report.sorted() if d.level == "error")
    warned = sum(1 for d in report.sorted() if d.level == "warning")
    if count == 0 and warned:
        return f"failed: {warned} warning(s), errors under --strict — nothing was written"
    return f"failed: {count} error(s) — nothing was written"


def parse_error_message(message: str, tasks: list[str], root: Path) -> str:
    """invoke's parse errors in our words, with the valid choices (exit 2)."""
    import re
    from difflib import get_close_matches

    unknown = re.match(r"No idea what '(.*)' is!", message)
    if unknown:
        near = get_close_matches(unknown.group(1), tasks, n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(near)}? " if near else ""
        return f"error: no task or option {unknown.group(1)!r} — {hint}tasks: {', '.join(sorted(tasks))}"
    missing = re.match(r"'(.*)' did not receive required positional arguments: (.*)", message)
    if missing:
        task, names = missing.group(1), [n.strip(" '") for n in missing.group(2).split(",")]
        wanted = " and ".join(_choices(name, task, root) for name in names)
        return f"error: invoke {task} needs {wanted} — invoke {task} --help"
    return f"error: {message} — invoke --help TASK shows a task's options"


def _choices(name: str, task: str, root: Path) -> str:
    if name == "locale":
        try:
            pack = load_pack(root)
        except ContentError:
            return "a locale"
        known = [loc for loc in pack.locales if loc != pack.source_locale] if task.startswith("i18n.") else pack.locales
        return f"a locale: choose from {', '.join(known)}"
    if name == "directory":
        return "the folder of filled response forms"
    return f"a {name}"


def refuse_option_like(what: str, value: str) -> str:
    """A positional value that looks like an option was most likely meant as one."""
    if value.startswith("-"):
        raise UsageError(f"{value!r} is not a {what}: an option that invoke did not know — "
                         f"give the {what} first, or see --help")
    return value


def known_locale(root: Path, locale: str, translated: bool = False) -> str:
    """``locale`` if the pack has it (a translated one: not the source), else a usage error naming the choices."""
    from difflib import get_close_matches

    refuse_option_like("locale", locale)
    pack = load_pack(root)
    known = [loc for loc in pack.locales if not translated or loc != pack.source_locale]
    if locale not in known:
        near = get_close_matches(locale, known, n=2, cutoff=0.5)
        hint = f"did you mean {' or '.join(near)}? " if near else ""
        raise UsageError(f"unknown locale {locale!r} — {hint}choose from {', '.join(known)}")
    return locale


def translated_locale(root: Path, locale: str) -> str:
    return known_locale(root, locale, translated=True)


def _print_report(report: Report) -> None:
    """Errors, then warnings, many alike as one line (``--verbose``: each on its own)."""
    from pressroom.commands.display import grouped
    for line in grouped(report.sorted(), OPTIONS["verbose"]):
        print(line, file=sys.stderr)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build(root: Path, docs, locales, formats, *, editions=None, force: bool, check: bool, strict: bool,
          jobs: int | None) -> None:
    from pressroom.build import build as run_build

    if not check:
        print("WARNING: checks are off (--no-check): this draft may have broken notes, citations or links",
              file=sys.stderr)
    from pressroom.commands.display import BuildDisplay

    display = BuildDisplay()
    try:
        result = run_build(root, docs=docs, locales=locales, formats=formats, editions=editions, force=force,
                           check=check, strict=strict, jobs=jobs, progress=display)
    finally:
        display.close()
    print(f"{len(result.built)} built, {len(result.fresh)} up to date in {result.seconds:.1f} s", flush=True)
    _print_report(result.report)


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


def translations(root: Path, *, strict: bool, diff: str | None = None, mark: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    from pressroom.commands import translations as t

    pack = load_pack(root)
    if mark:
        print(f"{t.mark(pack, Path(mark)).relative_to(root)}: marked as translated from the current source")
        return
    if diff:
        t.translated_locale(pack, diff)
        print("\n".join(t.diff(pack, diff)) or f"{diff}: no translation is outdated")
        return
    states = t.status(pack)
    table = Table("locale", "paragraphs", "outdated", "fragments", "template strings", title="Translations")
    for state in states:
        done, outdated, total = state.paragraphs
        fragments = " · ".join(f"{len(state.of(k))} {k}" for k in t.STATES)
        table.add_row(state.locale, f"{done}/{total}", str(outdated), fragments,
                      f"{state.strings.translated}/{state.strings.total} ({state.strings.fuzzy} fuzzy)")
    Console(width=120).print(table)
    for state in states:
        done, outdated, total = state.paragraphs
        print(f"{state.locale}: {done}/{total} paragraphs translated, {outdated} outdated")
        for fragment in state.fragments:
            if fragment.state != "translated":
                print(f"content/{state.locale}/{fragment.name}: {fragment.state}, "
                      f"{fragment.translated} of {fragment.total} paragraphs translated")
        for name in state.extra:
            print(f"content/{state.locale}/{name}: extra (pack.yaml does not list it)")
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


def i18n_export(root: Path, locale: str, out: Path | None, fmt: str = "po") -> None:
    from pressroom.commands.translations import export, translated_locale, valid_format
    pack = load_pack(root)
    translated_locale(pack, locale)
    valid_format(fmt)
    out = out or root / "output" / "i18n" / locale
    written = export(pack, locale, out, fmt)
    print(f"wrote {len(written)} {fmt.upper()} files under {out}")


def i18n_import(root: Path, locale: str, directory: Path | None, fmt: str = "po") -> None:
    from pressroom.commands.translations import import_, translated_locale, valid_format
    pack = load_pack(root)
    translated_locale(pack, locale)
    valid_format(fmt)
    report = Report()
    written = import_(pack, locale, directory or root / "output" / "i18n" / locale, report, fmt)
    _print_report(report)
    if report.errors:
        raise ContentError(report)
    print(f"imported: {len(written)} file(s) changed in content/{locale}/ and templates/locales/{locale}/")


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
    _not_ignored(root, [directory, out, *([out.with_suffix(".xlsx")] if xlsx else [])], report)
    _print_report(report)
    flagged = sum(1 for r in responses if r.problems)
    tables = f"{out} and {out.with_suffix('.xlsx')}" if xlsx else str(out)
    print(f"{len(responses)} responses ({flagged} flagged) → {tables}; {len(report.errors)} file(s) not read")
    if report.errors:
        raise Exit(f"{len(report.errors)} file(s) could not be read — see above", code=1)


def _not_ignored(root: Path, paths: list[Path], report: Report) -> None:
    """Responses are personal data: a form folder or a table inside the project that git would
    take into a commit is a warning (nothing is said outside a git repository, or without git)."""
    import subprocess

    for path in paths:
        try:
            shown = path.resolve().relative_to(root.resolve())
        except ValueError:
            continue  # outside the project: not git's business
        try:
            done = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", "--", str(shown)],
                                  capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return
        if done.returncode == 1:  # 0: ignored; 128: not a repository
            report.warning(f"{shown}{'/' if path.is_dir() else ''}", None,
                           "holds personal data but is not ignored by git: a commit could publish it",
                           "keep responses in responses/ and name tables responses….csv/.xlsx (both ignored), "
                           "or move it out of the project (docs/responses.md)")


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
        # the print edition is not built by default (docs/printing.md): the package builds it
        _print_report(run_build(root, locales=[locale], formats=["pdf"], editions=["print"], progress=_progress).report)
    folder = run_package(root, load_pack(root), locale)
    print(f"packaged {folder.relative_to(root)}/ and {folder.name}.zip")
