"""Commands for comms staff, translators and printers: ``invoke --list``.

Thin: parse options, call the pressroom package, print its diagnostics, exit with its code
(0 ok, 1 content errors, 2 usage errors, 3 internal failures).
"""

from __future__ import annotations

import sys
from pathlib import Path

from invoke import Collection, task

ROOT = Path(__file__).parent
# invoke turns bytecode caching off (so that no tasks.pyc lands here), which would leave the
# pressroom package compiled from source on every command: ~50 ms of a 0.3 s no-op. This file
# is loaded by then; the package gets Python's own setting back (-B or PYTHONDONTWRITEBYTECODE
# still win).
sys.dont_write_bytecode = bool(sys.flags.dont_write_bytecode)


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _run(action, debug: bool = False, verbose: bool = False) -> None:
    """Call ``action``; turn our errors into messages and exit codes, never a traceback."""
    from pressroom.commands.cli import run
    run(action, debug=debug, verbose=verbose)


def _commands_behave() -> None:
    """``invoke TASK --help`` shows TASK's help and does nothing else (invoke would take
    ``--help`` as the value of a positional argument still missing: ``i18n.export --help``
    exported into output/i18n/--help); an unknown task, or a missing argument, exits 2 and
    names the valid choices. Done by wrapping invoke's task parsing, which runs after this
    file is loaded."""
    from invoke.exceptions import Exit, ParseError
    from invoke.program import Program

    if getattr(Program.parse_tasks, "pressroom", False):
        return
    original = Program.parse_tasks

    def parse_tasks(self) -> None:
        asked = [t for t in self.core.unparsed if t in ("-h", "--help")]
        if asked:
            self.parser = self._make_parser()
            names = [t for t in self.core.unparsed if t in self.parser.contexts]
            if names:
                self.print_task_help(names[0])
                raise Exit(code=0)
        try:
            original(self)
        except ParseError as exc:
            from pressroom.commands.cli import parse_error_message
            raise Exit(parse_error_message(str(exc), list(self.parser.contexts), ROOT), code=2) from None

    parse_tasks.pressroom = True
    Program.parse_tasks = parse_tasks


_commands_behave()


@task(help={"doc": "documents, comma-separated (default: all)", "locale": "locales, comma-separated",
            "format": "pdf, docx, web (default: all three)", "edition": "PDF editions, e.g. print (default: all)",
            "force": "rebuild even what is up to date",
            "no_check": "skip the checks (drafts only: notes or links may be broken)",
            "strict": "treat warnings (untranslated fragments, unused entries) as errors",
            "jobs": "worker processes (default: one per core)", "debug": "show tracebacks",
            "verbose": "list every warning (not one line per kind and locale)"})
def build(c, doc=None, locale=None, format=None, edition=None, force=False, no_check=False, strict=False, jobs=0,
          debug=False, verbose=False):
    """Build the pack into output/<locale>/ and the web edition into output/web/ (only what changed)."""
    from pressroom.commands import cli
    _run(lambda: cli.build(ROOT, _split(doc), _split(locale), _split(format), editions=_split(edition), force=force,
                           check=not no_check, strict=strict, jobs=jobs or None), debug, verbose)


@task(help={"offline": "do not check external URLs over the network", "strict": "warnings fail too",
            "format": "text or json", "debug": "show tracebacks",
            "verbose": "list every warning (not one line per kind and locale)"})
def check(c, offline=False, strict=False, format="text", debug=False, verbose=False):
    """Check every document in every locale without writing outputs."""
    from pressroom.commands import cli
    _run(lambda: cli.check(ROOT, offline=offline, strict=strict, output_format=format), debug, verbose)


@task
def clean(c):
    """Remove output/ (waits for no build: refused while one is writing)."""
    from pressroom.build.output import clean as clean_output
    _run(lambda: clean_output(ROOT / "output"))
    print("removed output/")


@task(name="reference-docx", help={"force": "replace templates/reference.docx even if it was restyled",
                                   "debug": "show tracebacks"})
def reference_docx(c, force=False, debug=False):
    """Write templates/reference.docx with the pack's Word styles (then restyle it in Word)."""
    from pressroom.write.docx.styles import make_reference

    def action():
        wrote = make_reference(ROOT / "templates" / "reference.docx", force=force)
        print("wrote templates/reference.docx" if wrote else "templates/reference.docx already has the pack's styles")
    _run(action, debug)


@task(name="web-fonts", help={"debug": "show tracebacks"})
def web_fonts(c, debug=False):
    """Cut the web edition's WOFF2 fonts into templates/fonts/web/ (after updating a face in templates/fonts/)."""
    from pressroom.write.web.fonts import cut_all

    def action():
        for path in cut_all(ROOT / "templates" / "fonts"):
            print(f"wrote {path.relative_to(ROOT)}")
    _run(action, debug)


@task(help={"strict": "exit non-zero when any fragment is missing, partial or outdated",
            "diff": "LOCALE: for each outdated fragment, the source paragraphs changed since translation",
            "mark": "FILE: record that this translated fragment is up to date with its source"})
def translations(c, strict=False, diff=None, mark=None):
    """Per locale: paragraphs translated and outdated, fragments, template-string coverage."""
    from pressroom.commands import cli
    _run(lambda: cli.translations(ROOT, strict=strict, diff=diff, mark=mark))


@task(help={"debug": "show tracebacks"})
def extract(c, debug=False):
    """Collect the templates' strings into templates/locales/messages.pot."""
    from pressroom.commands import i18n

    def run() -> None:
        catalog = i18n.extract(ROOT)
        print(f"{len([m for m in catalog if m.id])} strings in templates/locales/messages.pot")
    _run(run, debug)


@task(help={"locale": "locales, comma-separated (default: every translated locale)"})
def update(c, locale=None):
    """Merge messages.pot into each locale's messages.po (changed strings become fuzzy)."""
    from pressroom.commands import cli
    _run(lambda: cli.i18n_update(ROOT, _split(locale)))


@task(name="compile")
def compile_(c):
    """Compile every messages.po to .mo (fuzzy entries left out)."""
    from pressroom.commands import cli
    _run(lambda: cli.i18n_compile(ROOT))


@task(help={"out": "where to write the files (default: output/i18n/LOCALE)", "format": "po (default) or xliff"})
def export(c, locale, out=None, format="po"):
    """Write LOCALE's hand-off for a CAT tool: every paragraph, label and title, pre-filled."""
    from pressroom.commands import cli
    _run(lambda: cli.i18n_export(ROOT, cli.translated_locale(ROOT, locale), Path(out) if out else None, format))


@task(name="import", help={"dir": "the folder of translated files (default: output/i18n/LOCALE)",
                           "format": "po (default) or xliff"})
def import_(c, locale, dir=None, format="po"):
    """Bring translated PO/XLIFF files back into content/LOCALE/: only what changed, checked."""
    from pressroom.commands import cli
    _run(lambda: cli.i18n_import(ROOT, cli.translated_locale(ROOT, locale), Path(dir) if dir else None, format))


@task(help={"port": "preview port on 127.0.0.1", "doc": "documents to rebuild", "locale": "locales to rebuild",
            "debug": "show tracebacks"})
def watch(c, port=8000, doc=None, locale=None, debug=False):
    """Rebuild on save and serve a live HTML preview on http://127.0.0.1:PORT/ (the web edition: /web/)."""
    from pressroom.commands.watch import watch as run_watch
    _run(lambda: run_watch(ROOT, int(port), print, docs=_split(doc), locales=_split(locale)), debug)


@task(help={"directory": "folder of filled response forms (PDF and Word)",
            "out": "CSV file to write (default: responses.csv in DIRECTORY; it holds personal data)",
            "xlsx": "also write the table as an Excel workbook beside the CSV"})
def collect(c, directory, out=None, xlsx=False):
    """Read every filled response form in DIRECTORY into one CSV: a row per response, a column per field."""
    from pressroom.commands import cli
    _run(lambda: cli.collect(ROOT, Path(cli.refuse_option_like("directory", directory)), Path(out) if out else None,
                             xlsx=xlsx))


@task(help={"locale": "locales, comma-separated (default: all)", "doc": "documents, comma-separated",
            "strict": "warnings (skipped heading levels, language) fail too", "debug": "show tracebacks"})
def preflight(c, locale=None, doc=None, strict=False, debug=False):
    """Check the built PDFs as a printer would: boxes, fonts, images, tagging, booklet pages."""
    from pressroom.commands import cli
    _run(lambda: cli.preflight(ROOT, _split(locale), _split(doc), strict=strict), debug)


@task(help={"no_build": "package output/ as it is, without building", "debug": "show tracebacks"})
def package(c, locale, no_build=False, debug=False):
    """Package one locale's print PDFs for the printer: output/print/<pack>-<locale>-<deadline>/ and a zip."""
    from pressroom.commands import cli
    _run(lambda: cli.package(ROOT, cli.known_locale(ROOT, locale), build_first=not no_build), debug)


@task(help={"runs": "interleaved rounds (the median of the rounds' ratios is shown, with their spread)",
            "markdown": "print the table as Markdown (for the README)",
            "hostile": "instead: time pathological 1 MiB fragments of every shape against a normal one"})
def bench(c, runs=5, markdown=False, hostile=False):
    """Measure builds against pandoc and WeasyPrint, no-op and one-edit rebuilds, scaling, memory, links."""
    import sys
    sys.path.insert(0, str(ROOT / "benchmarks"))
    if hostile:
        from hostile_bench import main as hostile_main
        hostile_main()
        return
    from bench import main
    _run(lambda: main(int(runs), markdown))


i18n = Collection("i18n", extract, update, compile_, export, import_)
ns = Collection(build, check, clean, reference_docx, web_fonts, translations, watch, collect, preflight, package, bench, i18n)
