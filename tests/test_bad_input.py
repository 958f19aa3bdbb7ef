"""Bad input is a message, never a crash: a catalogue of broken projects, one case a row.

Each row breaks a copy of the project in one way and says what the build must answer: the
exception (ContentError, or UsageError for a wrongly called command), one diagnostic with
exactly this ``path:line`` whose message contains this text and which has a hint (the part
after " — "), and output/ exactly as the last good build of the same selection left it.

Every row builds the same small selection (the Q&A, English, DOCX only): the build assembles
and checks every document of the locale anyway, so a break anywhere in the pack is seen.
A row the engine does not yet handle as specified is marked ``xfail(strict=True)`` with the
engine bug in its reason (docs/errors.md lists what the messages look like).
"""

from __future__ import annotations

import re
import shutil
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from conftest import copy_project, invoke, snapshot
from pressroom.assemble import assemble
from pressroom.read.bibliography import load_bibliography
from pressroom.build import build
from pressroom.read.pack import load_pack
from pressroom.read.fragments import MAX_FRAGMENT_BYTES
from pressroom.diagnostics import ContentError, Diagnostic, Report, UsageError

SELECTION = {"docs": ["qa"], "locales": ["en"], "formats": ["docx"]}
PACK = "content/pack.yaml"
QA = "content/en/qa"
INTRO = f"{QA}/01-introduction.md"
POLICY = f"{QA}/02-the-proposed-policy.md"
VIOLENCE = f"{QA}/03-violence-and-numbers.md"
LAST_QA_FRAGMENT = "      - 04-consent-women-trafficking.md\n"

# A diagnostic as printed: "path:line: message — hint" (the line is left out when unknown).
DIAGNOSTIC_LINE = re.compile(r"^(?P<path>[^\s:][^:]*?)(?::(?P<line>\d+))?: (?P<warning>warning: )?(?P<message>.+?) — (?P<hint>.+)$")


# --- breaking a project -------------------------------------------------------------------------


def replace(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{relative} no longer contains {old!r}: update the catalogue"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text, encoding="utf-8")


def list_fragment(root: Path, name: str) -> None:
    """Add ``name`` to the Q&A's fragment list in pack.yaml."""
    replace(root, PACK, LAST_QA_FRAGMENT, f"{LAST_QA_FRAGMENT}      - {name}\n")


def bait(path: Path) -> Path:
    """A file outside the project that must never be read: its text would show in a diagnostic or output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("root:x:0:0:root:/root:/bin/bash\n# Outside secret {#outside}\n\nOUTSIDE-SECRET\n")
    return path


def replace_bytes(root: Path, relative: str, old: bytes, new: bytes) -> None:
    path = root / relative
    data = path.read_bytes()
    assert old in data, f"{relative} no longer contains {old!r}: update the catalogue"
    path.write_bytes(data.replace(old, new, 1))


def first_bad_byte(root: Path, relative: str) -> int:
    try:
        (root / relative).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    raise AssertionError(f"{relative} is valid UTF-8")


def line_of(root: Path, relative: str, needle: str, last: bool = False) -> int:
    """The 1-based line of ``relative`` holding ``needle`` (its last occurrence with ``last``)."""
    lines = (root / relative).read_bytes().decode("utf-8", errors="replace").splitlines()
    numbers = [n for n, line in enumerate(lines, start=1) if needle in line]
    assert numbers, f"{needle!r} not in {relative}"
    return numbers[-1] if last else numbers[0]


# --- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    breaks: Callable[[Path], None]
    message: str | Callable[[Path], str]  # a part of the message (after breaking: may read the files)
    path: str | None  # None for usage errors, which name no file
    line: int | None | Callable[[Path], int | None]
    error: type = ContentError
    selection: dict = field(default_factory=lambda: dict(SELECTION))
    doc: str = ""  # what to do, for docs/errors.md
    xfail: str = ""  # the engine bug, when the row does not behave as specified yet
    raises: type | tuple = AssertionError  # what the xfail row currently fails with

    def param(self):
        marks = [pytest.mark.xfail(strict=True, reason=self.xfail, raises=self.raises)] if self.xfail else []
        return pytest.param(self, id=self.id, marks=marks)


def _symlink_out(root: Path) -> None:
    link = root / INTRO
    link.unlink()
    link.symlink_to(bait(root.parent / "outside" / "intro.md"))


def _cp1252(root: Path) -> None:
    # Curly quotes as Windows-1252 writes them (0x93, 0x94): what Word's "Save as text" produces.
    replace_bytes(root, INTRO, b"We are providing", b"We are \x93providing\x94")


def _huge(root: Path) -> None:
    with open(root / VIOLENCE, "ab") as handle:
        handle.write(b"All work and no play. " * (20 * 1024 * 1024 // 22))


def _duplicate_ids(root: Path) -> None:
    replace(root, POLICY, "{#why-a-policy}", "{#same}")
    append(root, VIOLENCE, "## Another heading {#same}\n\nText.\n")


def _malformed_bib(root: Path) -> None:
    append(root, "references.bib", "@misc{never-closed,\n  title = {An entry without its closing brace},\n")


GERMAN = {**SELECTION, "locales": ["de"]}  # a locale of its own: no other translation work interferes
TITLES = "content/de/titles.yaml"


def _titles(data: bytes) -> Callable[[Path], None]:
    """A new locale, de, whose titles.yaml holds ``data``."""
    def breaks(root: Path) -> None:
        replace(root, PACK, "  locales: [", "  locales: [de, ")
        (root / "content" / "de").mkdir()
        (root / TITLES).write_bytes(data)
    return breaks


def _undefined_variable(root: Path) -> None:
    replace(root, "templates/base.html.j2", "<main>\n", "<main>\n<p>{{ organisation_name }}</p>\n")


CATALOGUE = [
    Case("pack-yaml-malformed",
         lambda r: replace(r, PACK, "  title: Global policy consultation on sex work",
                           "  title: Global policy consultation: sex work"),
         "not valid YAML: mapping values are not allowed here", PACK,
         lambda r: line_of(r, PACK, "Global policy consultation: sex work"),
         doc="Put the value in quotes when it contains ': ' — title: \"A: B\"."),
    Case("front-matter-malformed",
         lambda r: replace(r, INTRO, 'title: "Q&A: introduction"', "title: Q&A: introduction"),
         "front matter is not valid YAML", INTRO, 2,
         doc="Same as above, in the block between the `---` lines at the top of the fragment."),
    Case("front-matter-bad-date",
         lambda r: replace(r, INTRO, 'title: "Q&A: introduction"', "title: 2014-02-30"),
         "front matter", INTRO, 2,
         doc="A value that looks like a date must be a real date, or be quoted."),
    Case("pack-yaml-unknown-key",
         lambda r: replace(r, PACK, "  organisation:", "  colour: red\n  organisation:"),
         "unknown key 'colour' in pack.yaml.pack", PACK, lambda r: line_of(r, PACK, "colour: red"),
         doc="Correct the spelling of the key; the message lists the keys that are allowed."),
    Case("front-matter-unknown-key",
         lambda r: replace(r, INTRO, "source:", "author: Press office\nsource:"),
         "unknown front matter key 'author'", INTRO, 3,
         doc="Use one of title, source, editorial, translated-from."),
    Case("fragment-dot-dot",
         lambda r: (bait(r.parent / "etc" / "passwd"), list_fragment(r, "../../../../etc/passwd")),
         "outside content/", PACK, lambda r: line_of(r, PACK, "../../../../etc/passwd"),
         doc="List only file names of the document's folder in pack.yaml."),
    Case("fragment-absolute-path",
         lambda r: list_fragment(r, str(bait(r.parent / "secret.md"))),
         "outside content/", PACK, lambda r: line_of(r, PACK, "secret.md"),
         doc="As above."),
    Case("fragment-symlink-out", _symlink_out, "fragment lies outside content/", INTRO, None,
         doc="Replace the link by a real file (links out of content/ are never followed)."),
    Case("fragment-missing", lambda r: list_fragment(r, "05-missing.md"),
         "fragment '05-missing.md' of 'qa' not found", PACK, lambda r: line_of(r, PACK, "05-missing.md"),
         doc="Create the file or remove its name from the list."),
    Case("fragment-empty", lambda r: (r / INTRO).write_text("\n  \n"), "fragment is empty", INTRO, 1,
         doc="Write its text, or remove it from pack.yaml."),
    Case("windows-1252", _cp1252,
         lambda r: f"not UTF-8: byte 0x93 at offset {first_bad_byte(r, INTRO)}", INTRO,
         lambda r: line_of(r, INTRO, "providing"),
         doc="Save the file as UTF-8 (in Notepad: Save as → Encoding: UTF-8)."),
    Case("bom-then-windows-1252", lambda r: (_cp1252(r), (r / INTRO).write_bytes(b"\xef\xbb\xbf" + (r / INTRO).read_bytes())),
         lambda r: f"not UTF-8: byte 0x93 at offset {first_bad_byte(r, INTRO)}", INTRO,
         lambda r: line_of(r, INTRO, "providing"),
         doc="As above (the offset counts the file's bytes as saved, BOM included)."),
    Case("invalid-utf-8", lambda r: replace_bytes(r, INTRO, b"We are providing", b"We are \xe2\x28\xa1providing"),
         lambda r: f"not UTF-8: byte 0xE2 at offset {first_bad_byte(r, INTRO)}", INTRO,
         lambda r: line_of(r, INTRO, "providing"),
         doc="As above: the file was damaged or saved in another encoding."),
    Case("control-character",
         lambda r: append(r, VIOLENCE, "Pasted from a terminal: \x1b[1mbold\x1b[0m and \x01.\n"),
         "control character", VIOLENCE, lambda r: line_of(r, VIOLENCE, "Pasted from a terminal"),
         doc="Delete the invisible character (retype the words around it)."),
    Case("template-syntax-error",
         lambda r: replace(r, "templates/document.html.j2", '{% extends "base.html.j2" %}\n',
                           '{% extends "base.html.j2" %}\n{% if %}\n'),
         "template syntax error", "templates/document.html.j2", 2,
         doc="Fix the Jinja tag on that line of the template."),
    Case("template-undefined-variable", _undefined_variable,
         "undefined in template: 'organisation_name' is undefined", "templates/base.html.j2",
         lambda r: line_of(r, "templates/base.html.j2", "organisation_name"),
         doc="Correct the name (pack.organisation, doc.title …) or define it."),
    Case("bib-unclosed-entry", _malformed_bib, "cannot parse this entry", "references.bib",
         lambda r: line_of(r, "references.bib", "@misc{never-closed"),
         doc="Close the entry with '}' and check its commas."),
    Case("titles-yaml-unknown-key", _titles(b"qa:\n  titel: Fragen und Antworten\n"),
         "unknown key 'titel'", TITLES, 2, selection=GERMAN,
         doc="Use title and subtitle under each document's name."),
    Case("titles-yaml-malformed", _titles(b"qa:\n  title: Fragen: Antworten\n"),
         "not valid YAML", TITLES, 2, selection=GERMAN,
         doc="Put the title in quotes when it contains ': '."),
    Case("titles-yaml-not-utf-8", _titles(b"qa:\n  title: \xc4nderungen\n"),
         "not UTF-8", TITLES, 2, selection=GERMAN,
         doc="Save the file as UTF-8."),
    Case("unknown-locale",
         lambda r: replace(r, PACK, "  locales: [", "  locales: [xx-nope, "),
         "unknown locale 'xx-nope'", PACK, lambda r: line_of(r, PACK, "xx-nope"),
         doc="Use a language code such as en, fr or ar."),
    Case("duplicate-heading-id", _duplicate_ids, "heading id #same is used twice", VIOLENCE,
         lambda r: line_of(r, VIOLENCE, "{#same}"),
         doc="Give each heading its own {#id} (and update links to it)."),
    Case("image", lambda r: append(r, VIOLENCE, "![A chart](missing.png)\n"),
         "images are not supported in fragments", VIOLENCE, lambda r: line_of(r, VIOLENCE, "missing.png"),
         doc="Ask for the image to be added to the templates."),
    Case("fragment-too-large", _huge,
         f"over the {MAX_FRAGMENT_BYTES // 1024} KiB limit", VIOLENCE, None,
         doc="Split the text into several fragments."),
    Case("unknown-block", lambda r: append(r, VIOLENCE, "::: nope\nSet apart.\n:::\n"),
         "unknown block '::: nope'", VIOLENCE, lambda r: line_of(r, VIOLENCE, "::: nope"),
         doc="Use ::: definition, ::: lead or ::: back-cover."),
    Case("unknown-document", lambda r: None, "unknown document 'nope'", None, None, error=UsageError,
         selection={**SELECTION, "docs": ["nope"]}, doc="Use a document named in pack.yaml."),
    Case("unknown-locale-selected", lambda r: None, "unknown locale 'de'", None, None, error=UsageError,
         selection={**SELECTION, "locales": ["de"]}, doc="Use a locale listed in pack.yaml."),
    Case("unknown-format", lambda r: None, "unknown format 'odt'", None, None, error=UsageError,
         selection={**SELECTION, "formats": ["odt"]}, doc="Use pdf or docx."),
]


@pytest.fixture(scope="module")
def prebuilt(tmp_path_factory) -> Path:
    """A project copy with a good build of the selection: each case starts from a copy of it."""
    root = copy_project(tmp_path_factory.mktemp("prebuilt") / "pack")
    build(root, **SELECTION)
    return root


@pytest.fixture
def good(prebuilt: Path, tmp_path: Path) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(prebuilt, root, symlinks=True)
    assert snapshot(root), "the good build wrote nothing"
    return root


def _resolve(value, root: Path):
    return value(root) if callable(value) else value


def assert_reported(report: Report, path: str, line: int | None, message: str) -> Diagnostic:
    """The report holds an error at exactly ``path:line`` with ``message`` in it and a hint."""
    errors = report.errors
    found = [d for d in errors if d.path == path and d.line == line and message in d.message]
    shown = "\n".join(map(str, report.sorted()))
    assert found, f"no error at {path}:{line} containing {message!r}; the report:\n{shown}"
    assert found[0].hint, f"{found[0]} has no hint"
    for diagnostic in errors:  # every error, not only the expected one, is printed in the agreed form
        assert DIAGNOSTIC_LINE.match(str(diagnostic)), f"badly formed diagnostic: {diagnostic}"
        assert "Traceback" not in str(diagnostic)
    return found[0]


@pytest.mark.parametrize("case", [c.param() for c in CATALOGUE])
def test_bad_input_is_reported_and_nothing_is_written(case: Case, good: Path) -> None:
    before = snapshot(good)
    case.breaks(good)
    message = _resolve(case.message, good)
    line = _resolve(case.line, good)
    started = time.perf_counter()
    with pytest.raises(case.error) as raised:
        build(good, **case.selection)
    seconds = time.perf_counter() - started
    if case.error is ContentError:
        diagnostic = assert_reported(raised.value.report, case.path, line, message)
        assert "OUTSIDE-SECRET" not in str(raised.value.report.sorted()) and "root:x:" not in str(diagnostic)
    else:
        assert message in str(raised.value)
    assert snapshot(good) == before, "a failed build changed output/"
    assert not list((good / "output").rglob(".*.tmp-*")), "a failed build left a temporary file"
    if case.id == "fragment-too-large":
        assert seconds < 5, f"refusing a 20 MB fragment took {seconds:.1f} s"


@pytest.mark.parametrize("name, where", [
    ("dot-dot", lambda r: (bait(r.parent / "etc" / "passwd"), list_fragment(r, "../../../../etc/passwd"))),
    ("absolute", lambda r: list_fragment(r, str(bait(r.parent / "secret.md")))),
    ("symlink", _symlink_out),
])
def test_a_fragment_outside_the_project_is_never_read(name: str, where, good: Path) -> None:
    """Whatever the message's location (see the catalogue), the file itself is refused unread."""
    before = snapshot(good)
    where(good)
    with pytest.raises(ContentError) as raised:
        build(good, **SELECTION)
    printed = "\n".join(map(str, raised.value.report.sorted()))
    assert "outside content/" in printed or "not found" in printed
    assert "OUTSIDE-SECRET" not in printed and "root:x:" not in printed
    assert snapshot(good) == before


def test_a_render_error_leaves_output_as_it_was(project: Path) -> None:
    """An error found while rendering (here: a template reading a file outside the project) stops the
    build like any other: no target of the run is written, output/ stays as the last good build left it."""
    replace(project, PACK, "documents:\n", "documents:\n  tiny:\n    title: Tiny\n    year: 2014\n"
            "    template: document.html.j2\n    contents: false\n    fragments:\n      - 01-tiny.md\n")
    (project / "content" / "en" / "tiny").mkdir()
    (project / "content" / "en" / "tiny" / "01-tiny.md").write_text("# Tiny {#tiny}\n\nA tiny document.\n")
    selection = {"docs": ["tiny"], "locales": ["en"], "formats": ["pdf", "docx"], "editions": ["screen"]}
    build(project, **selection)
    before = snapshot(project)
    replace(project, "templates/base.html.j2", "<main>\n",
            '<main>\n<p>Logo: <img src="file:///etc/passwd" alt="logo"></p>\n')
    with pytest.raises(ContentError) as raised:
        build(project, **selection)
    assert any("refused to read file:///etc/passwd" in d.message for d in raised.value.report.errors)
    after = snapshot(project)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert not changed, f"the failed build rewrote {changed} (the command line says 'nothing was written')"


# --- accepted, and the same as clean input --------------------------------------------------------

EXTRA = "Café, naïve, Ångström, Ἀθῆναι, 한국어 — “quoted” text.\n"


def _assembled_qa(root: Path) -> str:
    pack = load_pack(root)
    report = Report()
    bib = load_bibliography(pack.bibliography, "references.bib", report)
    assembled = assemble(pack, pack.document("qa"), "en", bib, report)
    assert assembled is not None and not report.errors, "\n".join(map(str, report.errors))
    return assembled.html


def _clean_text(root: Path) -> str:
    return (root / INTRO).read_text(encoding="utf-8").rstrip("\n") + "\n\n" + unicodedata.normalize("NFC", EXTRA)


@pytest.mark.parametrize("variant, encode", [
    ("utf-8-bom", lambda text: b"\xef\xbb\xbf" + text.encode("utf-8")),
    ("crlf", lambda text: text.replace("\n", "\r\n").encode("utf-8")),
    ("cr-only", lambda text: text.replace("\n", "\r").encode("utf-8")),
    ("nfd", lambda text: unicodedata.normalize("NFD", text).encode("utf-8")),
    ("bom-crlf-nfd", lambda text: b"\xef\xbb\xbf" + unicodedata.normalize("NFD", text).replace("\n", "\r\n").encode()),
])
def test_editor_variants_assemble_identically(variant: str, encode, tmp_path: Path) -> None:
    clean = copy_project(tmp_path / "clean")
    text = _clean_text(clean)
    (clean / INTRO).write_text(text, encoding="utf-8")
    saved = copy_project(tmp_path / "saved")
    (saved / INTRO).write_bytes(encode(text))
    assert (saved / INTRO).read_bytes() != (clean / INTRO).read_bytes()
    assert _assembled_qa(saved) == _assembled_qa(clean)


def test_a_locale_file_the_source_lacks_is_a_warning(project: Path) -> None:
    """A new locale (so no other translation work interferes) whose folder has one stray file."""
    replace(project, PACK, "  locales: [", "  locales: [de, ")
    stray = project / "content" / "de" / "qa" / "05-extra.md"
    stray.parent.mkdir(parents=True)
    stray.write_text("# Zusatz\n\nEin Text, den die Quelle nicht hat.\n", encoding="utf-8")
    result = build(project, docs=["qa"], locales=["de"], formats=["docx"])
    assert not result.report.errors
    warnings = [d for d in result.report.warnings if d.path == "content/de/qa/05-extra.md"]
    assert warnings and "not part of 'qa'" in warnings[0].message and warnings[0].hint
    assert (project / "output" / "de" / "qa.docx").is_file()


# --- through the command line -------------------------------------------------------------------

SUMMARY_LINE = re.compile(r"^failed: \d+ error\(s\) — nothing was written$")


def test_cli_content_errors_exit_1_one_line_each(project: Path) -> None:
    replace(project, INTRO, "source:", "author: Press office\nsource:")
    append(project, VIOLENCE, "![A chart](missing.png)\n\n::: nope\nSet apart.\n:::\n")
    done = invoke(project, "build", "--doc", "qa", "--locale", "en", "--format", "docx")
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stderr + done.stdout
    assert SUMMARY_LINE.match(lines[-1]), lines[-1]
    diagnostics = [DIAGNOSTIC_LINE.match(line) for line in lines[:-1]]
    assert all(diagnostics), "lines not in the form 'path:line: message — hint':\n" + "\n".join(
        line for line, match in zip(lines, diagnostics) if not match)
    where = {(m["path"], int(m["line"]) if m["line"] else None) for m in diagnostics}
    assert {(INTRO, 3), (VIOLENCE, line_of(project, VIOLENCE, "missing.png")),
            (VIOLENCE, line_of(project, VIOLENCE, "::: nope"))} <= where
    assert not (project / "output" / "en" / "qa.docx").exists()


def test_cli_unknown_document_exits_2(project: Path) -> None:
    done = invoke(project, "build", "--doc", "nope", "--format", "docx")
    assert done.returncode == 2, done.stderr
    assert "unknown document 'nope'" in done.stderr and "qa" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_cli_traceback_only_with_debug(project: Path) -> None:
    """An internal failure (an engine bug, simulated: the build's writer raises) exits 3 with one
    line asking for --debug; --debug adds the traceback. (A folder where the DOCX should go is
    not one: it is the user's to move, exit 1 — tests/test_hostile_names.py.)"""
    with open(project / "tasks.py", "a", encoding="utf-8") as tasks:
        tasks.write("\n\ndef _engine_bug(*args, **kwargs):\n    raise RuntimeError('simulated engine bug')\n\n\n"
                    "import pressroom.build as _build  # noqa: E402\n_build.write_atomic = _engine_bug\n")
    args = ("build", "--doc", "qa", "--locale", "en", "--format", "docx")
    plain = invoke(project, *args)
    assert plain.returncode == 3, plain.stderr
    assert "internal error" in plain.stderr and "--debug" in plain.stderr
    assert "Traceback" not in plain.stderr + plain.stdout
    debug = invoke(project, *args, "--debug")
    assert debug.returncode == 3, debug.stderr
    assert "Traceback (most recent call last)" in debug.stderr


def test_errors_doc_shows_every_catalogue_message() -> None:
    """docs/errors.md is built from this catalogue: each case's message is shown there as printed."""
    from conftest import ROOT

    guide = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    missing = [c.id for c in CATALOGUE if isinstance(c.message, str) and not c.xfail and c.message not in guide]
    assert not missing, f"docs/errors.md lacks the messages of: {missing}"
    for phrase in ("not UTF-8: byte 0x93 at offset", "--debug", "nothing was written", "only complete files"):
        assert phrase in guide
