"""``invoke preflight``: every PDF of the selection, as the build names them, checked as a
printer (and a screen reader) would — the checks themselves are inspection's (inspect/preflight/)."""

from __future__ import annotations

from pathlib import Path

from pressroom.build.plan import build_command, plan
from pressroom.diagnostics import Report
from pressroom.inspect.preflight import check_pdf
from pressroom.model import OUTPUT, TEMPLATES, Pack


def preflight(root: Path, pack: Pack, locales: list[str] | None = None, *,
              docs: list[str] | None = None) -> Report:
    """Check every PDF of the selection under ``root/output/<locale>/``, of every edition; the
    report lists problems. An edition not built by default (print) that is not built is a warning."""
    report = Report()
    editions = {e.name: e for e in pack.editions}
    targets = plan(pack, docs, locales, ["pdf"], list(editions))
    for locale in dict.fromkeys(t.locale for t in targets):
        if not (root / OUTPUT / locale).is_dir():
            report.error(f"{OUTPUT.as_posix()}/{locale}/", None, "nothing is built for this locale",
                         f"run `invoke build --locale {locale}` first")
    for target in targets:
        path = root / OUTPUT / target.key
        shown = (OUTPUT / target.key).as_posix()
        if not path.is_file():
            if not (root / OUTPUT / target.locale).is_dir():
                continue
            if editions[target.edition].default:
                report.error(shown, None, "this PDF is not built", f"run `{build_command(pack, target)}` first")
            else:
                report.warning(shown, None, f"not checked: the {target.edition} edition is not built by default",
                               f"run `{build_command(pack, target)}` to check it")
            continue
        check_pdf(path, editions[target.edition], report, shown=shown, locale=target.locale,
                  binding=pack.document(target.doc_id).binding, fonts=root / TEMPLATES / "fonts")
    return report


