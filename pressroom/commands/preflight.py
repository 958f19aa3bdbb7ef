"""``invoke preflight``: every PDF of the selection, as the build names them, checked as a
printer (and a screen reader) would — the checks themselves are inspection's (inspect/preflight/)."""

from __future__ import annotations

from pathlib import Path

from pressroom.build.plan import plan
from pressroom.diagnostics import Report
from pressroom.inspect.preflight import check_pdf
from pressroom.model import OUTPUT, TEMPLATES, Pack


def preflight(root: Path, pack: Pack, locales: list[str] | None = None, *,
              docs: list[str] | None = None) -> Report:
    """Check every PDF of the selection under ``root/output/<locale>/``; the report lists problems."""
    report = Report()
    editions = {e.name: e for e in pack.editions}
    targets = plan(pack, docs, locales, ["pdf"])
    for locale in dict.fromkeys(t.locale for t in targets):
        if not (root / OUTPUT / locale).is_dir():
            report.error(f"{OUTPUT.as_posix()}/{locale}/", None, "nothing is built for this locale",
                         f"run `invoke build --locale {locale}` first")
    for target in targets:
        path = root / OUTPUT / target.key
        shown = (OUTPUT / target.key).as_posix()
        if not path.is_file():
            if (root / OUTPUT / target.locale).is_dir():
                report.error(shown, None, "this PDF is not built",
                             f"run `invoke build --locale {target.locale}` first")
            continue
        check_pdf(path, editions[target.edition], report, shown=shown, locale=target.locale,
                  binding=pack.document(target.doc_id).binding, fonts=root / TEMPLATES / "fonts")
    return report


