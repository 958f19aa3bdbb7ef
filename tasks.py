"""Commands for comms staff, translators and printers: ``invoke --list``.

Thin: parse options, call the pressroom package, print its diagnostics, exit with its code
(0 ok, 1 content errors, 2 usage errors, 3 internal failures).
"""

from __future__ import annotations

import sys
from pathlib import Path

from invoke import task
from invoke.exceptions import Exit

ROOT = Path(__file__).parent


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _run(action, debug: bool = False):
    """Call ``action``; turn our errors into messages and exit codes, never a traceback."""
    from pressroom.cli import run
    return run(action, debug=debug)


@task(help={"doc": "documents, comma-separated (default: all)", "locale": "locales, comma-separated",
            "format": "pdf, docx (default: both)", "force": "rebuild even what is up to date",
            "no_check": "skip the checks (drafts only: the pack may have broken notes or links)",
            "strict": "treat warnings (untranslated fragments, unused entries) as errors",
            "jobs": "worker processes (default: one per core)", "debug": "show tracebacks"})
def build(c, doc=None, locale=None, format=None, force=False, no_check=False, strict=False, jobs=0, debug=False):
    """Build the pack into output/<locale>/ (only what changed)."""
    from pressroom import cli
    _run(lambda: cli.build(ROOT, _split(doc), _split(locale), _split(format), force=force,
                           check=not no_check, strict=strict, jobs=jobs or None), debug)


@task(help={"offline": "do not check external URLs over the network", "strict": "warnings fail too",
            "format": "text or json", "debug": "show tracebacks"})
def check(c, offline=False, strict=False, format="text", debug=False):
    """Check every document in every locale without writing outputs."""
    from pressroom import cli
    _run(lambda: cli.check(ROOT, offline=offline, strict=strict, output_format=format), debug)


@task
def clean(c):
    """Remove output/."""
    import shutil
    shutil.rmtree(ROOT / "output", ignore_errors=True)
    print("removed output/")


@task(name="reference-docx")
def reference_docx(c):
    """Write templates/reference.docx with the pack's Word styles (then restyle it in Word)."""
    from pressroom.word import make_reference
    make_reference(ROOT / "templates" / "reference.docx")
    print("wrote templates/reference.docx")
