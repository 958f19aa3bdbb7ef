"""Commands for comms staff, translators and printers: ``invoke --list``.

Thin: parse options, call the pressroom package, print its diagnostics, exit with its code
(0 ok, 1 content errors, 2 usage errors, 3 internal failures).
"""

from __future__ import annotations

from pathlib import Path

from invoke import Collection, task

ROOT = Path(__file__).parent


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _run(action, debug: bool = False) -> None:
    """Call ``action``; turn our errors into messages and exit codes, never a traceback."""
    from pressroom.commands.cli import run
    run(action, debug=debug)


@task(help={"doc": "documents, comma-separated (default: all)", "locale": "locales, comma-separated",
            "format": "pdf, docx (default: both)", "edition": "PDF editions, e.g. print (default: all)",
            "force": "rebuild even what is up to date",
            "no_check": "skip the checks (drafts only: notes or links may be broken)",
            "strict": "treat warnings (untranslated fragments, unused entries) as errors",
            "jobs": "worker processes (default: one per core)", "debug": "show tracebacks"})
def build(c, doc=None, locale=None, format=None, edition=None, force=False, no_check=False, strict=False, jobs=0,
          debug=False):
    """Build the pack into output/<locale>/ (only what changed)."""
    from pressroom.commands import cli
    _run(lambda: cli.build(ROOT, _split(doc), _split(locale), _split(format), editions=_split(edition), force=force,
                           check=not no_check, strict=strict, jobs=jobs or None), debug)


@task(help={"offline": "do not check external URLs over the network", "strict": "warnings fail too",
            "format": "text or json", "debug": "show tracebacks"})
def check(c, offline=False, strict=False, format="text", debug=False):
    """Check every document in every locale without writing outputs."""
    from pressroom.commands import cli
    _run(lambda: cli.check(ROOT, offline=offline, strict=strict, output_format=format), debug)


@task
def clean(c):
    """Remove output/ (waits for no build: refused while one is writing)."""
    from pressroom.build.output import clean as clean_output
    _run(lambda: clean_output(ROOT / "output"))
    print("removed output/")


@task(name="reference-docx")
def reference_docx(c):
    """Write templates/reference.docx with the pack's Word styles (then restyle it in Word)."""
    from pressroom.write.docx.styles import make_reference
    make_reference(ROOT / "templates" / "reference.docx")
    print("wrote templates/reference.docx")


@task(help={"strict": "exit non-zero when any fragment is missing or outdated"})
def translations(c, strict=False):
    """Per locale: translated, missing, outdated fragments and template-string coverage."""
    from pressroom.commands import cli
    _run(lambda: cli.translations(ROOT, strict=strict))


@task
def extract(c):
    """Collect the templates' strings into templates/locales/messages.pot."""
    from pressroom.commands import i18n
    catalog = i18n.extract(ROOT)
    print(f"{len([m for m in catalog if m.id])} strings in templates/locales/messages.pot")


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


@task(help={"out": "where to write the PO files (default: output/i18n/LOCALE)"})
def export(c, locale, out=None):
    """Write the source fragments as PO files for a translator's CAT tool."""
    from pressroom.commands import cli
    _run(lambda: cli.i18n_export(ROOT, locale, Path(out) if out else None))


@task(name="import", help={"dir": "the folder of translated PO files (default: output/i18n/LOCALE)"})
def import_(c, locale, dir=None):
    """Bring translated PO files back into content/LOCALE/, checking notes, keys and links survive."""
    from pressroom.commands import cli
    _run(lambda: cli.i18n_import(ROOT, locale, Path(dir) if dir else None))


@task(help={"port": "preview port on 127.0.0.1", "doc": "documents to rebuild", "locale": "locales to rebuild"})
def watch(c, port=8000, doc=None, locale=None):
    """Rebuild on save and serve a live HTML preview on http://127.0.0.1:PORT/."""
    from pressroom.commands.watch import watch as run_watch
    run_watch(ROOT, int(port), print, docs=_split(doc), locales=_split(locale))


@task(help={"directory": "folder of filled response forms (PDF and Word)",
            "out": "CSV file to write (default: responses.csv in DIRECTORY; it holds personal data)",
            "xlsx": "also write the table as an Excel workbook beside the CSV"})
def collect(c, directory, out=None, xlsx=False):
    """Read every filled response form in DIRECTORY into one CSV: a row per response, a column per field."""
    from pressroom.commands import cli
    _run(lambda: cli.collect(ROOT, Path(directory), Path(out) if out else None, xlsx=xlsx))


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
    _run(lambda: cli.package(ROOT, locale, build_first=not no_build), debug)


@task(help={"runs": "runs per figure (the median is shown)",
            "hostile": "instead: time pathological 1 MiB fragments of every shape against a normal one"})
def bench(c, runs=3, hostile=False):
    """Measure builds against pandoc and WeasyPrint, no-op and one-edit rebuilds, memory, links."""
    import sys
    sys.path.insert(0, str(ROOT / "benchmarks"))
    if hostile:
        from hostile_bench import main as hostile_main
        hostile_main()
        return
    from bench import main
    main(int(runs))


i18n = Collection("i18n", extract, update, compile_, export, import_)
ns = Collection(build, check, clean, reference_docx, translations, watch, collect, preflight, package, bench, i18n)
