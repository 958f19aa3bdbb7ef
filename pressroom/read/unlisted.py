"""What lies in content/ that pack.yaml never mentions: nothing is left out silently.

A fragment file in a document's folder that the document does not list, and a folder that
is no document of the pack, are warnings in every build (errors under ``--strict``), with
advice that fits who made them: in the source locale the file is new and wants listing; in a
translation it is most often misnamed and wants the source fragment's name. Editors' temp
and swap files (``.x.swp``, ``x~``, ``.#x``, ``4913``) are not content and are passed over.
"""

from __future__ import annotations

from pathlib import Path

from pressroom.diagnostics import Report, did_you_mean
from pressroom.model import TITLES, Pack

KIND = "unlisted"


def is_editor_temp(name: str) -> bool:
    """Files editors write beside the one being saved: vim's swap and probe files, backups, locks."""
    return (name.startswith(".") or name.endswith(("~", ".swp", ".swo", ".swx", ".tmp", ".bak"))
            or name == "4913" or name.startswith("#"))


def report_unlisted(pack: Pack, locales, report: Report) -> None:
    """Warn about every file and folder under content/<locale>/ that pack.yaml does not mention."""
    ids = {*pack.documents, *([pack.landing.id] if pack.landing is not None else [])}  # the web's page too
    for locale in sorted(locales):
        folder = pack.root / "content" / locale
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if is_editor_temp(path.name) or path.name == TITLES:
                continue
            if path.is_dir() and path.name not in ids:
                _unknown_folder(pack, locale, path, report)
            elif path.is_dir():
                _unlisted_files(pack, locale, path, report)


def _shown(pack: Pack, path: Path) -> str:
    return str(path.relative_to(pack.root)) + ("/" if path.is_dir() else "")


def _unknown_folder(pack: Pack, locale: str, path: Path, report: Report) -> None:
    near = did_you_mean(path.name, pack.documents)
    if locale == pack.source_locale:
        hint = ("add it under documents: in content/pack.yaml with its title, template and fragments "
                "(docs/adding-a-document.md), or remove the folder")
    else:
        hint = "rename the folder to the id of the document it translates: " + ", ".join(pack.documents)
    report.warning(_shown(pack, path), None, f"folder not part of the pack: pack.yaml has no document {path.name!r}",
                   f"{near + ' ' if near else ''}{hint}", kind=KIND)


def _unlisted_files(pack: Pack, locale: str, folder: Path, report: Report) -> None:
    doc = pack.document(folder.name)
    for path in sorted(folder.iterdir()):
        if path.name in doc.fragments or is_editor_temp(path.name):
            continue
        if locale == pack.source_locale:
            where = "web.landing" if doc is pack.landing else f"documents.{doc.id}"
            hint = f"list it in pack.yaml under {where}.fragments, or remove it"
        else:
            near = did_you_mean(path.name, [n for n in doc.fragments if not (folder / n).exists()])
            hint = f"rename it to a source fragment's name{' (' + near + ')' if near else ''}"
        report.warning(_shown(pack, path), None, f"not part of {doc.id!r}: pack.yaml does not list it", hint,
                       kind=KIND)
