"""Hostile input, second round: names are not paths, one door for every read, one allow-list for
every link, translations are data, invisible text is refused — a catalogue in the style of
test_bad_input.py (one row a break: the exception, the diagnostic at exactly ``path:line`` with
a hint, output/ byte-identical, no temp file), then the cases a row cannot say: the output
folder's surprises, no request to a local server, linear time, collect's table, the preview.
"""

from __future__ import annotations

import os
import shutil
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import invoke, snapshot
from test_bad_input import (GERMAN, PACK, SELECTION, VIOLENCE, Case, append, assert_reported, bait, good,  # noqa: F401
                            line_of, list_fragment, prebuilt, replace)  # good, prebuilt: the catalogue's fixtures
from test_hostile import CountingServer
from pressroom.build import build
from pressroom.build.output import OutsideOutput, build_lock, clean, write_atomic
from pressroom.diagnostics import ContentError, UsageError

FORM = "content/en/response-form/form.yaml"
FRENCH = {**SELECTION, "locales": ["fr"]}
FORM_DOC = {**SELECTION, "docs": ["response-form"]}  # a selection the form is an input of
PO_FR = "templates/locales/fr/LC_MESSAGES/messages.po"
DEPENDENT_CSL = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0" default-locale="en-US">
  <info>
    <title>A dependent style</title>
    <id>http://www.zotero.org/styles/dependent</id>
    <link href="{parent}" rel="independent-parent"/>
    <updated>2024-01-01T00:00:00+00:00</updated>
  </info>
</style>
"""


def _symlink(root: Path, relative: str, target: Path) -> None:
    link = root / relative
    link.unlink(missing_ok=True)
    link.symlink_to(target)


def _pack_key(old: str, new: str):
    return lambda r: replace(r, PACK, old, new)


def _another_document(name: str):
    """pack.yaml with a one-fragment document called ``name`` listed before the Q&A."""
    return _pack_key("  qa:\n", f"  {name}:\n    title: x\n    year: 2014\n    template: document.html.j2\n"
                                 "    binding: loose\n    fragments: [01-introduction.md]\n  qa:\n")


QA_TEMPLATE = ("    template: document.html.j2\n    binding: loose\n    fragments:\n      - 01-introduction.md\n"
               "      - 02-the-proposed-policy.md")


def _qa_template(name: str):
    """The Q&A's template named ``name`` in pack.yaml (the lines around it keep it the Q&A's)."""
    return _pack_key(QA_TEMPLATE, QA_TEMPLATE.replace("document.html.j2", name, 1))


def _dependent_style(root: Path, parent: str = "http://127.0.0.1:9/styles/chicago") -> None:
    (root / "templates" / "csl" / "dependent.csl").write_text(DEPENDENT_CSL.format(parent=parent), encoding="utf-8")
    replace(root, PACK, "citation_style: chicago-notes-bibliography", "citation_style: dependent")


def _bib_entry(field: str):
    def breaks(root: Path) -> None:
        append(root, "references.bib", f"@misc{{hostile-entry,\n  title = {{A hostile entry}},\n  {field},\n}}\n")
    return breaks


def _titles_de(text: str):
    """A new locale, de, whose titles.yaml holds ``text``."""
    def breaks(root: Path) -> None:
        replace(root, PACK, "  locales: [", "  locales: [de, ")
        (root / "content" / "de").mkdir()
        (root / "content" / "de" / "titles.yaml").write_text(text, encoding="utf-8")
    return breaks


def _text_line(root: Path, relative: str, number: int) -> int:
    """The file line of the ``number``-th line of text (not blank) after the front matter."""
    lines = (root / relative).read_text(encoding="utf-8").split("\n")
    start = lines.index("---", 1) + 1 if lines[0] == "---" else 0
    text = [n for n, line in enumerate(lines[start:], start=start + 1) if line.strip()]
    return text[number - 1]


def _po(old: str, new: str):
    return lambda r: replace(r, PO_FR, old, new)


CATALOGUE = [
    # names are not paths
    Case("document-id-path", _another_document("../../escape"),
         "is not a safe name", PACK, lambda r: line_of(r, PACK, "../../escape"),
         doc="Name documents with letters, digits, '-' and '_' only: the name becomes the file's name."),
    Case("edition-name-path", _pack_key("    print:\n", "    ../../../tmp/evil:\n      bleed: 3mm\n    print:\n"),
         "is not a safe name", PACK, lambda r: line_of(r, PACK, "../../../tmp/evil"),
         doc="Name editions with letters, digits, '-' and '_' only."),
    Case("locale-code-path", _pack_key("  locales: [", "  locales: [../../tmp, "),
         "not a BCP 47 language code", PACK, lambda r: line_of(r, PACK, "../../tmp"),
         doc="A locale is a language code (en, fr, ar, pt-BR): it names the folders content/<code>/."),
    Case("pack-id-path", _pack_key("  id: aiuk-sex-work-consultation", "  id: ../../printer"),
         "is not a safe name", PACK, lambda r: line_of(r, PACK, "../../printer"),
         doc="The pack id names the printer's package: letters, digits, '-' and '_'."),
    Case("fragment-name-invisible", lambda r: list_fragment(r, "05-annex\u200b.md"),
         "holds U+200B (a zero-width character)", PACK, lambda r: line_of(r, PACK, "05-annex"),
         doc="Retype the name: it holds a character that shows as nothing."),
    # one door for every read
    Case("template-absolute", _qa_template("/etc/passwd"),
         "is an absolute path", PACK, lambda r: line_of(r, PACK, "template: /etc/passwd"),
         doc="Name a template of templates/ by its file name."),
    Case("template-dot-dot", _qa_template("../../outside.html.j2"),
         "goes up out of its folder ('..')", PACK, lambda r: line_of(r, PACK, "../../outside.html.j2"),
         doc="As above: no '..' in a file name of pack.yaml."),
    Case("template-symlink-out",
         lambda r: _symlink(r, "templates/document.html.j2", bait(r.parent / "outside" / "document.html.j2")),
         "is a link that leads outside the project", PACK, lambda r: line_of(r, PACK, "template: document.html.j2"),
         doc="Replace the link by a real file: links out of the project are never followed."),
    Case("bibliography-absolute", lambda r: replace(r, PACK, "bibliography: references.bib",
                                                    f"bibliography: {bait(r.parent / 'outside.bib')}"),
         "is an absolute path", PACK, lambda r: line_of(r, PACK, "bibliography:"),
         doc="Keep the .bib in the project and name it relative to it."),
    Case("bibliography-symlink-out", lambda r: _symlink(r, "references.bib", bait(r.parent / "outside" / "x.bib")),
         "is a link that leads outside the project", PACK, lambda r: line_of(r, PACK, "bibliography:"),
         doc="As above."),
    Case("csl-dot-dot", _pack_key("citation_style: chicago-notes-bibliography", "citation_style: ../../../style.csl"),
         "goes up out of its folder ('..')", PACK, lambda r: line_of(r, PACK, "citation_style:"),
         doc="Keep the CSL style under templates/csl/."),
    Case("csl-dependent-url-parent", _dependent_style,
         "is a dependent style whose parent is a URL", PACK, lambda r: line_of(r, PACK, "citation_style:"),
         doc="Download the independent parent style once, save it under templates/csl/ and name it instead."),
    Case("titles-symlink-out",
         lambda r: (replace(r, PACK, "  locales: [", "  locales: [de, "), (r / "content" / "de").mkdir(),
                    _symlink(r, "content/de/titles.yaml", bait(r.parent / "outside" / "titles.yaml"))),
         "is a link that leads outside the project", "content/de/titles.yaml", None, selection=GERMAN,
         doc="Replace the link by the file itself."),
    Case("catalogue-symlink-out", lambda r: _symlink(r, PO_FR, bait(r.parent / "outside" / "messages.po")),
         "the catalogue is a link that leads outside the project", PO_FR, None, selection=FRENCH,
         doc="Replace the link by the .po file itself."),
    # invisible text
    Case("bidi-override", lambda r: append(r, VIOLENCE, "## Access \u202egranted\u202c for all\n\nText.\n"),
         "invisible bidirectional control character U+202E", VIOLENCE, lambda r: line_of(r, VIOLENCE, "## Access"),
         doc="Delete the control character: right-to-left text needs none (docs/editing-content.md)."),
    Case("zero-width-heading", lambda r: append(r, VIOLENCE, "## Zero\u200bwidth heading\n\nText.\n"),
         "heading holds the invisible character U+200B", VIOLENCE, lambda r: line_of(r, VIOLENCE, "## Zero"),
         doc="Retype the heading."),
    Case("zero-width-link-text", lambda r: append(r, VIOLENCE, "See [pay\u200bpal](https://www.amnesty.org/).\n"),
         "link text", VIOLENCE, lambda r: line_of(r, VIOLENCE, "See [pay"),
         doc="Retype the link's words."),
    Case("zero-width-url", lambda r: append(r, VIOLENCE, "See [the site](https://amn\u200besty.org/).\n"),
         "holds the invisible character U+200B", VIOLENCE, lambda r: line_of(r, VIOLENCE, "See [the site]"),
         doc="Retype the address."),
    # one allow-list for every link
    Case("link-credentials", lambda r: append(r, VIOLENCE, "See [it](https://user:secret@www.amnesty.org/).\n"),
         "carries a user name or password, or hides its host", VIOLENCE,
         lambda r: line_of(r, VIOLENCE, "user:secret"), doc="Link to the address without a user name or password."),
    Case("link-host-at-host", lambda r: append(r, VIOLENCE, "See [it](https://www.amnesty.org@evil.example/).\n"),
         "carries a user name or password, or hides its host", VIOLENCE,
         lambda r: line_of(r, VIOLENCE, "evil.example"), doc="As above: the host is what follows the '@'."),
    Case("link-spoofed", lambda r: append(r, VIOLENCE, "See [https://www.amnesty.org/](https://evil.example/).\n"),
         "shows an address other than its target", VIOLENCE, lambda r: line_of(r, VIOLENCE, "evil.example"),
         doc="Show the address the link goes to, or words that are not an address."),
    Case("bib-url-javascript", _bib_entry("url = {javascript:alert(1)}"),
         "hostile-entry: url: link target 'javascript:alert(1)' is not allowed", "references.bib",
         lambda r: line_of(r, "references.bib", "javascript:alert(1)"),
         doc="A url field must be an https:// or http:// address."),
    Case("bib-url-file", _bib_entry("url = {file:///etc/passwd}"),
         "hostile-entry: url: link target 'file:///etc/passwd' is not allowed", "references.bib",
         lambda r: line_of(r, "references.bib", "file:///etc/passwd"), doc="As above."),
    Case("bib-doi-not-a-doi", _bib_entry("doi = {javascript:alert(1)}"),
         "is not a DOI", "references.bib", lambda r: line_of(r, "references.bib", "doi = {javascript"),
         doc="Write the DOI alone (10.1234/abc): the bibliography makes the link."),
    Case("template-link", lambda r: replace(r, "templates/document.html.j2", '{% extends "base.html.j2" %}\n',
                                            '{% extends "base.html.j2" %}\n{% block back %}'
                                            '<a href="file:///etc/passwd">x</a>{% endblock %}\n'),
         "link target 'file:///etc/passwd' is not allowed", "templates/document.html.j2", None,
         doc="A template links only to https://, http://, mailto:, doc: and #anchors."),
    # translations are data
    Case("po-placeholder-lost", _po('msgstr "Page {page} sur {pages}"', 'msgstr "Page {page}"'),
         "has placeholders ['page'] where the msgid has ['page', 'pages']", PO_FR,
         lambda r: line_of(r, PO_FR, 'msgstr "Page {page}"'), selection=FRENCH,
         doc="Keep every {name} and %(name)s of the English string in its translation."),
    Case("po-address", _po('msgstr "Sommaire"', 'msgstr "Sommaire javascript:alert(1)"'),
         "holds the address 'javascript:alert(1)', which no link may have", PO_FR, lambda r: line_of(r, PO_FR, "javascript:alert"),
         selection=FRENCH, doc="A translation holds words only, never an address."),
    # form field names
    Case("field-name-dot", lambda r: replace(r, FORM, "name: full_name", "name: full.name"),
         "holds a '.'", FORM, lambda r: line_of(r, FORM, "name: full.name"), selection=FORM_DOC,
         doc="A field name is letters, digits, '-' and '_' (it is the PDF field's name)."),
    Case("field-name-case-twin", lambda r: replace(r, FORM, "name: email", "name: Full_Name"),
         "differs from field 'full_name' only in case", FORM, lambda r: line_of(r, FORM, "name: Full_Name"), selection=FORM_DOC,
         doc="Give each field a name of its own, whatever the case."),
    Case("field-name-collect-column", lambda r: replace(r, FORM, "name: email", "name: problems"),
         "is a column collect adds", FORM, lambda r: line_of(r, FORM, "name: problems"), selection=FORM_DOC,
         doc="file and problems are the columns collect adds: name the field otherwise."),
    Case("field-name-path", lambda r: replace(r, FORM, "name: email", "name: ../../email"),
         "is not a safe name", FORM, lambda r: line_of(r, FORM, "name: ../../email"), selection=FORM_DOC, doc="As above."),
    # third round: what the red team still got through
    Case("document-id-device-name", _another_document("con"),
         "is a device name on Windows", PACK, lambda r: line_of(r, PACK, "  con:"),
         doc="con, prn, aux, nul, com1-9 and lpt1-9 cannot name a file on Windows: choose another name."),
    Case("edition-case-twin", _pack_key("    print:\n", "    Screen:\n      bleed: 3mm\n    print:\n"),
         "only in case", PACK, lambda r: line_of(r, PACK, "    Screen:"),
         doc="Give each document and edition a name of its own, whatever the case: on Windows and macOS "
             "qa.Screen.pdf and qa.screen.pdf are one file."),
    Case("pack-yaml-symlink-out", lambda r: (bait(r.parent / "outside" / "pack.yaml"),
                                             _symlink(r, PACK, r.parent / "outside" / "pack.yaml")),
         "the pack file 'content/pack.yaml' is a link that leads outside the project", PACK, None,
         doc="Replace the link by the pack file itself."),
    Case("reference-docx-symlink-out",
         lambda r: _symlink(r, "templates/reference.docx", bait(r.parent / "outside" / "reference.docx")),
         "the Word reference document 'templates/reference.docx' is a link that leads outside the project",
         "templates/reference.docx", None, doc="Replace the link by the file (`invoke reference-docx` writes it)."),
    Case("pack-title-bidi", _pack_key("  title: Global policy consultation on sex work",
                                      "  title: Global \u202epolicy\u202c consultation"),
         "invisible bidirectional control character U+202E", PACK, lambda r: line_of(r, PACK, "  title: Global \u202e"),
         doc="Delete the control character: a title needs none, whatever its direction."),
    Case("reply-email-not-an-address", _pack_key("reply_email: swc@amnesty.org.uk",
                                                 "reply_email: swc@amnesty.org.uk?body=javascript:alert(1)"),
         "is not an e-mail address", PACK, lambda r: line_of(r, PACK, "reply_email:"),
         doc="Write the address alone (name@example.org): it becomes the mailto: link of every document."),
    Case("link-spoofed-email", lambda r: append(r, VIOLENCE, "Write to [swc@amnesty.org.uk](mailto:x@evil.example).\n"),
         "shows an address other than its target", VIOLENCE, lambda r: line_of(r, VIOLENCE, "mailto:x@evil"),
         doc="As above: an e-mail address shown is the address written to."),
    Case("note-label-invisible", lambda r: append(r, VIOLENCE, "Text.[^a\u200b]\n\n[^a\u200b]: A note.\n"),
         "note label '[^a\\u200b]' holds the invisible character U+200B", VIOLENCE, lambda r: line_of(r, VIOLENCE, "Text.[^a"),
         doc="Retype the note's label (in its call and its text)."),
    Case("bib-title-bidi", _bib_entry("note = {Access \u202egranted\u202c}"),
         "invisible bidirectional control character U+202E", "references.bib", lambda r: line_of(r, "references.bib", "Access"),
         doc="Delete the control character from the entry."),
    Case("titles-address", _titles_de('qa:\n  title: "Fragen <a href=\'javascript:alert(1)\'>hier</a>"\n'),
         "holds the address 'javascript:alert(1)', which no link may have", "content/de/titles.yaml", 2, selection=GERMAN,
         doc="A title holds words only, never an address."),
    Case("titles-invisible", _titles_de('qa:\n  title: "Fra\u200bgen"\n'),
         "holds the invisible character U+200B", "content/de/titles.yaml", 2, selection=GERMAN, doc="Retype the title."),
    Case("fragment-too-much-markup", lambda r: append(r, VIOLENCE, "Before.\n\n" + "[x] " * 20_001 + "\n"),
         "more than 20,000 Markdown marks", VIOLENCE, lambda r: line_of(r, VIOLENCE, "[x] [x]"),
         doc="Split the fragment, or write it with less markup: no text needs that many links, notes or "
             "emphasis marks, and each costs the parser far more than a letter."),
    Case("fragment-too-many-lines", lambda r: append(r, VIOLENCE, "A list:\n\n" + "- x\n" * 20_001),
         "more than 20,000 lines of text in one fragment", VIOLENCE, lambda r: _text_line(r, VIOLENCE, 20_001),
         doc="Split the fragment, or join short lines into paragraphs: each line is a block the parser and "
             "every writer handle on its own."),
    Case("csl-url", _pack_key("citation_style: chicago-notes-bibliography", "citation_style: http://127.0.0.1:9/style.csl"),
         "is a URL: the build reads only files of the project, never the network", PACK,
         lambda r: line_of(r, PACK, "citation_style:"),
         doc="Download the style once, save it under templates/csl/ and name it instead."),
    Case("bibliography-file-url", _pack_key("bibliography: references.bib", "bibliography: file:///etc/passwd"),
         "is a URL: the build reads only files of the project", PACK, lambda r: line_of(r, PACK, "bibliography:"),
         doc="Name the .bib of the project by its path, relative to the project."),
    Case("template-url", _qa_template("http://127.0.0.1:9/document.html.j2"),
         "is a URL: the build reads only files of the project", PACK, lambda r: line_of(r, PACK, "template: http:"),
         doc="Name a template of templates/ by its file name."),
    Case("csl-missing", _pack_key("citation_style: chicago-notes-bibliography", "citation_style: chicago-nope"),
         "citation style 'chicago-nope': no such style (templates/csl/chicago-nope.csl)", PACK, None,
         doc="Save the style under templates/csl/, or correct its name."),
    Case("locale-case-twin", _pack_key("  locales: [", "  locales: [pt-BR, pt-br, "),
         "locale 'pt-br' differs from 'pt-BR' only in case", PACK, lambda r: line_of(r, PACK, "pt-br"),
         doc="List each locale once, in one spelling: on Windows and macOS content/pt-BR and content/pt-br are one folder."),
    Case("locale-twice", _pack_key("  locales: [", "  locales: [fr, "),
         "locale 'fr' is given twice", PACK, lambda r: line_of(r, PACK, "  locales: [fr, "), doc="As above."),
    Case("template-include-absolute",
         lambda r: replace(r, "templates/base.html.j2", "<main>\n", '<main>\n{% include "/etc/passwd" %}\n'),
         "template '/etc/passwd' not found in templates/", "templates/base.html.j2",
         lambda r: line_of(r, "templates/base.html.j2", '{% include "/etc/passwd" %}'),
         doc="Include a template of templates/ by its file name: nothing else is ever read."),
    Case("po-padded", _po('msgstr "Sommaire"', 'msgstr "Sommaire %999999999s"'),
         "has a formatting width or precision '%9'…, which no template string needs", PO_FR,
         lambda r: line_of(r, PO_FR, "%999999999s"), selection=FRENCH,
         doc="Write a placeholder as the msgid does ({name} or %(name)s), never with a width: "
             "'%999999999s' would make a string of a gigabyte."),
    Case("edition-css-injection", _pack_key("bleed: 3mm", 'bleed: "3mm; } @import url(http://127.0.0.1:9/x.css); @page {"'),
         "is not a length such as 3mm", PACK, lambda r: line_of(r, PACK, "bleed: \"3mm;"),
         doc="bleed is a length (3mm); marks is crop, cross or both."),
]


def _value(value, root: Path):
    return value(root) if callable(value) else value


@pytest.mark.parametrize("case", [c.param() for c in CATALOGUE])
def test_hostile_input_is_refused_at_its_line(case: Case, good: Path) -> None:
    before = snapshot(good)
    case.breaks(good)
    message, line = _value(case.message, good), _value(case.line, good)
    with CountingServer() as server:
        with pytest.raises(case.error) as raised:
            build(good, **case.selection)
        assert server.requests == []
    printed = "\n".join(map(str, raised.value.report.sorted()))
    assert_reported(raised.value.report, case.path, line, message)
    assert "OUTSIDE-SECRET" not in printed and "root:x:" not in printed, "a file outside the project was read"
    assert snapshot(good) == before, "a refused build changed output/"
    assert not list((good / "output").rglob(".*.tmp-*"))
    assert not (good.parent / "tmp").exists() and not (good.parent / "printer").exists()


def test_errors_doc_shows_every_hostile_refusal() -> None:
    from conftest import ROOT

    guide = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    missing = [c.id for c in CATALOGUE if isinstance(c.message, str) and c.message not in guide]
    assert not missing, f"docs/errors.md lacks the messages of: {missing}"


# --- the one writer ------------------------------------------------------------------------------


def test_the_writer_refuses_every_destination_outside_output(tmp_path: Path) -> None:
    out = tmp_path / "pack" / "output"
    (out / "en").mkdir(parents=True)
    (out / "en" / "link").symlink_to(tmp_path)
    for bad in (out / ".." / "x", out / "en" / ".." / ".." / "y", tmp_path / "z", out / "en" / "link" / "evil", out):
        with pytest.raises(OutsideOutput, match="refused to write"):
            write_atomic(bad, b"x")
    with pytest.raises(OutsideOutput):
        write_atomic(tmp_path / "elsewhere.csv", b"x", inside=out)
    write_atomic(out / "en" / "ok.pdf", b"ok")
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["ok.pdf"]


def _built(good: Path) -> Path:
    return good


def test_output_being_a_file_is_a_clear_error(good: Path) -> None:
    shutil.rmtree(good / "output")
    (good / "output").write_text("not a folder")
    with pytest.raises(ContentError) as raised:
        build(good, **SELECTION)
    assert_reported(raised.value.report, "output", None, "is a file where a folder is needed")
    assert (good / "output").read_text() == "not a folder"


def test_a_target_that_is_a_folder_writes_nothing(good: Path) -> None:
    target = good / "output" / "en" / "qa.docx"
    target.unlink()
    target.mkdir()
    (good / "content/en/qa/01-introduction.md").write_text(
        (good / "content/en/qa/01-introduction.md").read_text() + "\nOne more line.\n")
    before = snapshot(good)
    with pytest.raises(ContentError) as raised:
        build(good, **{**SELECTION, "formats": ["docx", "pdf"], "editions": ["screen"]})
    assert_reported(raised.value.report, "output/en/qa.docx", None, "is a folder where a file is to be written")
    assert snapshot(good) == before and not list((good / "output").rglob(".*.tmp-*"))
    result = invoke(good, "build", "--doc", "qa", "--locale", "en", "--format", "docx")
    assert result.returncode == 1 and "output/en/qa.docx: is a folder" in result.stderr


def test_a_read_only_folder_is_a_clear_error(good: Path, monkeypatch) -> None:
    import pressroom.build.output as output

    (good / "content/en/qa/01-introduction.md").write_text(
        (good / "content/en/qa/01-introduction.md").read_text() + "\nOne more line.\n")
    before = snapshot(good)
    monkeypatch.setattr(output.os, "access", lambda path, mode: False)  # root may write anywhere: say it may not
    with pytest.raises(ContentError) as raised:
        build(good, **SELECTION)
    assert "permission denied" in str(raised.value.report.sorted()[0])
    assert snapshot(good) == before
    monkeypatch.undo()

    def refused(*args):
        raise PermissionError(13, "Permission denied", str(args[1]))
    monkeypatch.setattr(output.os, "replace", refused)
    with pytest.raises(ContentError) as raised:
        write_atomic(good / "output" / "en" / "qa.docx", b"new")
    assert "cannot be written (permission denied)" in str(raised.value.report.sorted()[0])
    assert not list((good / "output").rglob(".*.tmp-*"))
    assert snapshot(good) == before


def _link_out_of(good: Path, relative: str) -> Path:
    """``output/<relative>`` replaced by a link to a copy of it outside the project."""
    inside, outside = good / "output" / relative, good.parent / "outside" / relative.strip(".")
    outside.parent.mkdir(parents=True, exist_ok=True)
    if inside.is_dir():
        shutil.copytree(inside, outside)
        shutil.rmtree(inside)
    else:
        shutil.copy(inside, outside)
        inside.unlink()
    inside.symlink_to(outside)
    return outside


@pytest.mark.parametrize("relative, shown, message", [
    ("", "output", "is a link that leads outside the project"),
    (".lock", "output/.lock", "is a link that leads outside the project"),
    ("en", "output/en", "is a link that leads outside output/"),
    ("en/qa.docx", "output/en/qa.docx", "is a link that leads outside output/"),
    (".state.json", "output/.state.json", "is a link that leads outside output/"),
    (".cache", "output/.cache", "is a link that leads outside output/"),
])
def test_a_link_in_output_out_of_it_is_a_clear_error(relative: str, shown: str, message: str, good: Path) -> None:
    """A link in output/ leading out of it (put there by hand, or by an archive unpacked over it):
    a message naming it, exit 1, and nothing written through it — not a target, not the lock."""
    outside = _link_out_of(good, relative)
    before = {p: p.read_bytes() for p in sorted(good.parent.joinpath("outside").rglob("*")) if p.is_file()}
    append(good, VIOLENCE, "One more line.\n")
    with pytest.raises(ContentError) as raised:
        build(good, **SELECTION)
    assert_reported(raised.value.report, shown, None, message)
    after = {p: p.read_bytes() for p in sorted(good.parent.joinpath("outside").rglob("*")) if p.is_file()}
    assert after == before, f"a build wrote through the link to {outside}"
    result = invoke(good, "build", "--doc", "qa", "--locale", "en", "--format", "docx")
    assert result.returncode == 1 and f"{shown}: {message}" in result.stderr, result.stderr


def test_a_locale_with_a_region_names_its_language(project: Path) -> None:
    """pt-BR (BCP 47, as pack.yaml writes it) is a language of the web edition's switcher; Babel's
    own parser wants pt_BR, and raised on it (an internal error for any locale with a region)."""
    from pressroom.build.web import _languages
    from pressroom.read.pack import load_pack

    replace(project, PACK, "  locales: [", "  locales: [pt-BR, ")
    names = {language.code: language.name for language in _languages(load_pack(project))}
    assert names["pt-BR"] == "Português (Brasil)" and names["en"] == "English"


def test_clean_takes_the_build_lock(good: Path) -> None:
    out = good / "output"
    with build_lock(out):
        with pytest.raises(UsageError, match="another build"):
            clean(out)
        assert (out / "en" / "qa.docx").is_file()
    clean(out)
    assert [p.name for p in out.iterdir()] == [".lock"]


def test_a_locale_on_the_command_line_is_not_a_path(project: Path) -> None:
    from pressroom.commands import cli

    for call in (lambda: cli.i18n_export(project, "../../escape", None),
                 lambda: cli.i18n_update(project, ["../../escape"])):
        with pytest.raises(UsageError, match="unknown locale|not a locale of the pack"):
            call()
    assert not (project.parent / "escape").exists()


# --- no network, by construction ------------------------------------------------------------------


def test_a_build_sends_no_request_to_any_url_it_names(project: Path) -> None:
    """Every URL field the build reads names a listening local server; the server sees nothing."""
    with CountingServer() as server:
        url = f"http://127.0.0.1:{server.port}"
        append(project, "references.bib", f"@misc{{served,\n  title = {{Served}},\n  url = {{{url}/bib}},\n"
                                          f"  doi = {{10.1234/served}},\n  howpublished = {{\\url{{{url}/how}}}},\n}}\n")
        append(project, VIOLENCE, f"A [link]({url}/fragment) and a citation [@served].\n")
        replace(project, "templates/document.html.j2", '{% extends "base.html.j2" %}\n',
                f'{{% extends "base.html.j2" %}}\n{{% block back %}}<a href="{url}/template">t</a>'
                f'{{% endblock %}}\n')
        with open(project / "templates" / "pack.css", "a", encoding="utf-8") as css:
            css.write(f"\n.never {{ background: url({url}/css.png); }}\n")
        result = build(project, docs=["qa"], locales=["en"], formats=["pdf", "docx"], editions=["screen"])
        assert result.built
        _dependent_style(project, f"{url}/styles/parent")
        with pytest.raises(ContentError):
            build(project, docs=["qa"], locales=["en"], formats=["docx"], force=True)
        assert server.requests == [], server.requests


def test_pandoc_runs_sandboxed() -> None:
    import inspect

    from pressroom.assemble import citations

    assert '"--sandbox"' in inspect.getsource(citations._pandoc)


# --- translations are data -------------------------------------------------------------------------


def test_a_msgstr_is_text_and_a_percent_does_not_crash(project: Path) -> None:
    from lxml import html as lxml_html

    from pressroom.assemble import assemble
    from pressroom.diagnostics import Report
    from pressroom.read.bibliography import load_bibliography
    from pressroom.read.pack import load_pack

    replace(project, PO_FR, 'msgstr "Sommaire"', 'msgstr "<b>Sommaire</b><span hidden>caché</span>"')
    replace(project, PO_FR, 'msgid "References"\nmsgstr', 'msgid "References"\nmsgstr "100 % complet"\n#~ msgstr')
    append(project, "content/fr/titles.yaml", 'qa:\n  title: "<i>Questions</i>"\n') \
        if not (project / "content/fr/titles.yaml").exists() else None
    pack = load_pack(project)
    report = Report()
    bib = load_bibliography(pack.bibliography, "references.bib", report)
    assembled = assemble(pack, pack.document("research-summary"), "fr", bib, report)
    assert assembled is not None, [str(d) for d in report.sorted()]
    tree = lxml_html.document_fromstring(assembled.html)
    assert not tree.xpath("//b") and not tree.xpath("//span[@hidden]")
    assert "<b>Sommaire</b>" in tree.text_content()


# --- linear time -------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [
    "## A heading" + " " * 400_000 + "\n",
    "[ " + "@x " * 40_000 + "\n",
    "[^a" * 100_000 + "\n",
])
def test_pathological_fragments_assemble_in_seconds(shape: str, project: Path) -> None:
    from pressroom.assemble import draft
    from pressroom.diagnostics import Report
    from pressroom.read.bibliography import load_bibliography
    from pressroom.read.pack import load_pack

    (project / VIOLENCE).write_text(shape, encoding="utf-8")
    pack = load_pack(project)
    report = Report()
    bib = load_bibliography(pack.bibliography, "references.bib", report)
    started = time.perf_counter()
    draft(pack, pack.document("qa"), "en", bib, report)
    assert time.perf_counter() - started < 30


# --- collect: the responses' table -------------------------------------------------------------------


def test_collect_neutralises_formulas_and_writes_beside_the_forms(project: Path) -> None:
    import csv

    from pressroom.commands import cli
    from pressroom.commands.collect.answers import Response
    from pressroom.commands.collect.table import write_csv, write_xlsx
    from pressroom.read.form import Field

    fields = [Field("comment", "text", "Comment")]
    hostile = ["=HYPERLINK(\"http://evil\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain"]
    responses = [Response(f"{i}.pdf", {"comment": value}, ()) for i, value in enumerate(hostile)]
    table = project / "forms" / "table.csv"
    table.parent.mkdir()
    write_csv(responses, fields, table)
    with open(table, newline="", encoding="utf-8-sig") as handle:
        cells = [row["comment"] for row in csv.DictReader(handle)]
    assert cells == ["'" + v for v in hostile[:-1]] + ["plain"]
    write_xlsx(responses, fields, table.with_suffix(".xlsx"))
    from openpyxl import load_workbook
    sheet = load_workbook(table.with_suffix(".xlsx")).active
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)][:4] == ["'" + v for v in hostile[:4]]
    folder = project / "returned"
    folder.mkdir()
    cli.collect(project, folder)
    assert (folder / "responses.csv").is_file() and not (project / "responses.csv").exists()
    cli.collect(project, folder)  # its own table is not taken for a response the next time


def test_responses_are_git_ignored() -> None:
    from conftest import ROOT

    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "responses*.csv" in ignored and "*.xlsx" in ignored


# --- the preview server ------------------------------------------------------------------------------


def test_preview_serves_only_files_inside_its_folder_to_loopback_names(project: Path) -> None:
    from pressroom.commands.watch import serve

    bait(project.parent / "outside" / "secret.css")
    (project / "templates" / "leak.css").symlink_to(project.parent / "outside" / "secret.css")
    server, _ = serve(project, 0)
    port = server.server_address[1]
    try:
        assert server.server_address[0] == "127.0.0.1"
        assert b"@font-face" in urllib.request.urlopen(f"http://127.0.0.1:{port}/en/pack.css").read()
        for path in ("/en/leak.css", "/../../outside/secret.css", "/%2e%2e/%2e%2e/etc/passwd"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}")
            assert refused.value.code == 404 and b"OUTSIDE-SECRET" not in refused.value.read()
        rebound = urllib.request.Request(f"http://127.0.0.1:{port}/en/pack.css", headers={"Host": f"evil.example:{port}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(rebound)
        assert refused.value.code == 421
        local = urllib.request.Request(f"http://127.0.0.1:{port}/version", headers={"Host": f"localhost:{port}"})
        assert urllib.request.urlopen(local).status == 200
    finally:
        server.shutdown()
        server.server_close()


def test_nothing_outside_the_project_is_written_by_a_build(good: Path) -> None:
    before = {p for p in good.parent.rglob("*")}
    build(good, **SELECTION, force=True)
    after = {p for p in good.parent.rglob("*")}
    assert {p for p in after - before if not p.is_relative_to(good / "output")} == set()
    assert os.path.exists(good / "output" / "en" / "qa.docx")


def test_no_file_outside_the_project_is_ever_opened(project: Path, tmp_path: Path) -> None:
    """Links out of the project in every place the build reads, and an audit hook on open(): the
    bait files outside are never opened — not to render, not to hash, not to compare."""
    import subprocess
    import sys

    outside = tmp_path / "outside"
    for name in ("intro.md", "fr-intro.md", "titles.yaml", "messages.po", "style.css", "font.woff2", "partial.j2"):
        bait(outside / name)
    _symlink(project, "content/en/qa/01-introduction.md", outside / "intro.md")
    _symlink(project, "content/fr/qa/01-introduction.md", outside / "fr-intro.md")
    _symlink(project, "content/fr/titles.yaml", outside / "titles.yaml")
    _symlink(project, PO_FR, outside / "messages.po")
    (project / "templates" / "extra.css").symlink_to(outside / "style.css")
    (project / "templates" / "fonts" / "extra.woff2").symlink_to(outside / "font.woff2")
    (project / "templates" / "partial.html.j2").symlink_to(outside / "partial.j2")
    script = f"""
import os, sys
opened = []
def hook(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        opened.append(os.path.realpath(args[0]) if not isinstance(args[0], bytes) else os.fsdecode(args[0]))
sys.addaudithook(hook)
from pathlib import Path
from pressroom.build import build
from pressroom.diagnostics import ContentError
for locales in (["en"], ["fr"]):
    try:
        build(Path({str(project)!r}), docs=["qa"], locales=locales, formats=["docx"])
    except ContentError:
        pass
print("\\n".join(p for p in opened if p.startswith({str(outside)!r})))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"opened outside the project:\n{result.stdout}"
