"""Rebuild what changed, no more: an edit to one .bib entry rebuilds only the documents that
cite it, an edit to one document's entry in pack.yaml only that document; and what was not
rebuilt is byte for byte what a forced rebuild writes (so skipping it was right)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from pressroom.build import build

DOCX_EN = {"locales": ["en"], "formats": ["docx"]}


def _bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "output" / "en").glob("*.docx"))}


def _citing(root: Path, key: str) -> set[str]:
    """The documents whose English fragments cite @key (read from the files, as a person would)."""
    found = set()
    for path in (root / "content" / "en").glob("*/*.md"):
        if re.search(rf"@{re.escape(key)}\b", path.read_text(encoding="utf-8")):
            found.add(path.parent.name)
    return found


def _skipped_are_unchanged(root: Path, rebuilt: set[str], before: dict[str, bytes]) -> None:
    build(root, force=True, **DOCX_EN)
    after = _bytes(root)
    for name, data in after.items():
        if name.removesuffix(".docx") not in rebuilt:
            assert data == before[name], f"{name} was not rebuilt but its output changes"


def test_editing_one_bib_entry_rebuilds_only_the_documents_citing_it(project: Path) -> None:
    build(project, **DOCX_EN)
    bib = project / "references.bib"
    text = bib.read_text(encoding="utf-8")
    assert "Report of the Special Rapporteur on the Right of Everyone" in text
    bib.write_text(text.replace("Report of the Special Rapporteur on the Right of Everyone",
                                "Report of the UN Special Rapporteur on the Right of Everyone", 1), encoding="utf-8")
    result = build(project, **DOCX_EN)
    rebuilt = {t.doc_id for t in result.built}
    assert rebuilt == _citing(project, "grover2010") == {"guidance"}
    with zipfile.ZipFile(project / "output" / "en" / "guidance.docx") as docx:
        notes = docx.read("word/footnotes.xml").decode()
    assert "Report of the UN Special Rapporteur" in notes
    _skipped_are_unchanged(project, rebuilt, _bytes(project))


def test_an_uncited_entry_or_a_comment_rebuilds_nothing(project: Path) -> None:
    build(project, **DOCX_EN)
    bib = project / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@comment{an editor's note}\n@misc{never-cited-2024,\n"
                   "  title = {Not cited},\n  year = {2024},\n}\n", encoding="utf-8")
    result = build(project, **DOCX_EN)
    assert result.built == []


def test_editing_one_documents_entry_in_pack_yaml_rebuilds_only_it(project: Path) -> None:
    build(project, **DOCX_EN)
    before = _bytes(project)
    pack = project / "content" / "pack.yaml"
    text = pack.read_text(encoding="utf-8")
    pack.write_text(text.replace("subtitle: Questions and answers", "subtitle: Questions and answers (2014)"),
                    encoding="utf-8")
    result = build(project, **DOCX_EN)
    assert {t.doc_id for t in result.built} == {"qa"}
    _skipped_are_unchanged(project, {"qa"}, before)
    pack.write_text(text.replace("reply_email: swc@amnesty.org.uk", "reply_email: consult@amnesty.org.uk"),
                    encoding="utf-8")
    assert len(build(project, **DOCX_EN).built) == 4  # a shared key: every document
