"""The engine and its errors: pack.yaml validation, fragment reading, templates, provenance
(data-src), the PDF fetcher's sandbox, and what a build rebuilds.

Every failure is checked for what a comms editor sees: ``path:line: what is wrong — what to do``.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, invoke, snapshot
from pressroom.assemble import assemble
from pressroom.read.bibliography import load_bibliography
from pressroom.build import build
from pressroom.read.pack import load_pack
from pressroom.diagnostics import ContentError, Diagnostic, Report, UsageError
from pressroom.write.pdf.fetcher import ProjectFetcher

PACK = "content/pack.yaml"
PACK_LINES = (ROOT / PACK).read_text(encoding="utf-8").splitlines()


def line_of(text: str, after: str | None = None) -> int:
    """1-based line of the real pack.yaml holding ``text`` (after the line holding ``after``)."""
    start = PACK_LINES.index(next(l for l in PACK_LINES if after in l)) if after else 0
    for number, line in enumerate(PACK_LINES[start:], start=start + 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {PACK}")


def pack_only(tmp_path: Path, text: str) -> Path:
    """A project holding only content/pack.yaml (all load_pack reads)."""
    (tmp_path / "content").mkdir(parents=True)
    (tmp_path / PACK).write_text(text, encoding="utf-8")
    return tmp_path


def pack_errors(root: Path) -> list[Diagnostic]:
    with pytest.raises(ContentError) as caught:
        load_pack(root)
    errors = caught.value.report.errors
    assert errors
    return errors


def replace_line(number: int, new: str | None, **more: str) -> str:
    """The real pack.yaml with line ``number`` replaced by ``new`` (removed when None).

    ``more``: further replacements, keyed ``at<line>``."""
    changes = {number: new, **{int(k[2:]): v for k, v in more.items()}}
    lines = []
    for index, line in enumerate(PACK_LINES, start=1):
        if index not in changes:
            lines.append(line)
        elif changes[index] is not None:
            lines.append(changes[index])
    return "\n".join(lines) + "\n"


def hint(diagnostic: Diagnostic) -> str:
    text = str(diagnostic)
    assert " — " in text, text
    return text.split(" — ", 1)[1]


# --- pack.yaml ----------------------------------------------------------------------------------


def test_the_real_pack_loads() -> None:
    pack = load_pack(ROOT)
    assert list(pack.documents) == ["guidance", "response-form", "qa", "research-summary"]
    assert pack.document("qa").fragment_lines[2] == line_of("03-violence-and-numbers.md")


def test_unknown_key(tmp_path: Path) -> None:
    number = line_of("  organisation:")
    root = pack_only(tmp_path, replace_line(number, "  organisation: Amnesty International UK\n  colour: red"))
    [error] = pack_errors(root)
    assert (error.path, error.line) == (PACK, number + 1)
    assert "unknown key 'colour'" in error.message
    assert "organisation" in hint(error) and "reply_email" in hint(error)  # it lists the keys to use
    assert str(error).startswith(f"{PACK}:{number + 1}: ")


def test_wrong_type(tmp_path: Path) -> None:
    number = line_of("    year: 2016")
    root = pack_only(tmp_path, replace_line(number, "    year: soon"))
    [error] = pack_errors(root)
    assert (error.path, error.line) == (PACK, number)
    assert "research-summary.year" in error.message and "'soon'" in error.message
    assert hint(error) == "write e.g. 2014"


def test_wrong_type_of_a_date_and_a_flag(tmp_path: Path) -> None:
    """Every problem is reported, each at its own line, not only the first."""
    deadline, forms = line_of("  deadline:"), line_of("      forms:")
    text = replace_line(deadline, "  deadline: 21 March 2014", **{f"at{forms}": "      forms: maybe"})
    errors = pack_errors(pack_only(tmp_path, text))
    assert sorted((e.line, hint(e)) for e in errors) == [
        (deadline, "write it as YYYY-MM-DD"), (forms, "write true or false")]


def test_missing_required_key(tmp_path: Path) -> None:
    number = line_of("    template:", after="  qa:")
    declared = line_of("  qa:")
    root = pack_only(tmp_path, replace_line(number, None))
    [error] = pack_errors(root)
    assert error.path == PACK
    # the qa block: its first line (where the key is missing), right below "qa:"
    assert error.line == declared + 1
    assert "qa has no 'template'" in error.message
    assert hint(error).startswith("add 'template: …'")


@pytest.mark.parametrize(("broken", "expected_line", "said"), [
    ("  title: [Global policy consultation on sex work", "next", ("not valid YAML: ", "indentation")),  # unclosed [
    ("  organisation: Amnesty: International UK", "same", ("a second ': ' on this line", "in quotes")),
    ("\torganisation: Amnesty International UK", "same", ("a tab character in the indentation", "with spaces")),
], ids=["unclosed-bracket", "second-colon", "tab"])
def test_malformed_yaml(tmp_path: Path, broken: str, expected_line: str, said: tuple[str, str]) -> None:
    key = broken.strip().split(":")[0]
    number = line_of(f"  {key}:")
    root = pack_only(tmp_path, replace_line(number, broken))
    [error] = pack_errors(root)
    # a flow sequence left open is noticed where the next key starts
    assert (error.path, error.line) == (PACK, number + (expected_line == "next"))
    assert error.message.startswith(said[0])  # in plain words: what is wrong
    assert said[1] in hint(error)


def test_missing_fragment(project: Path) -> None:
    (project / "content/en/qa/03-violence-and-numbers.md").unlink()
    with pytest.raises(ContentError) as caught:
        build(project, locales=["en"], formats=["docx"], docs=["qa"])
    [error] = caught.value.report.errors
    assert (error.path, error.line) == (PACK, line_of("- 03-violence-and-numbers.md"))
    assert "'03-violence-and-numbers.md' of 'qa' not found" in error.message
    assert hint(error) == ("create content/en/qa/03-violence-and-numbers.md or remove it from the list")
    assert not (project / "output/en/qa.docx").exists()


# --- templates ----------------------------------------------------------------------------------

TEMPLATE = "templates/document.html.j2"
SYNTAX_ERROR = '{% extends "base.html.j2" %}\n{% block back %}\n<p>fine</p>\n{% if %}\n{% endblock %}\n'
UNDEFINED = '{% extends "base.html.j2" %}\n{% block back %}\n<p>fine</p>\n<p>{{ nope }}</p>\n{% endblock %}\n'


def assemble_qa(root: Path) -> tuple[object, Report]:
    pack = load_pack(root)
    report = Report()
    bib = load_bibliography(pack.bibliography, "references.bib", report)
    return assemble(pack, pack.document("qa"), "en", bib, report), report


@pytest.mark.parametrize(("template", "message"), [
    (SYNTAX_ERROR, "template syntax error: "),
    (UNDEFINED, "undefined in template: 'nope' is undefined"),
])
def test_template_errors_name_the_template_line(project: Path, template: str, message: str) -> None:
    (project / TEMPLATE).write_text(template, encoding="utf-8")
    result, report = assemble_qa(project)
    assert result is None
    [error] = report.errors
    assert (error.path, error.line) == (TEMPLATE, 4)
    assert error.message.startswith(message)
    assert hint(error)


def test_undefined_in_the_base_template(project: Path) -> None:
    base = project / "templates/base.html.j2"
    lines = base.read_text(encoding="utf-8").splitlines()
    number = next(i for i, l in enumerate(lines, 1) if "<main>" in l)
    lines.insert(number, "{{ doc.nope }}")
    base.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, report = assemble_qa(project)
    [error] = report.errors
    assert (error.path, error.line) == ("templates/base.html.j2", number + 1)
    assert "nope" in error.message


# --- the three failures, as a user meets them ---------------------------------------------------


def break_fragment(root: Path) -> str:
    (root / "content/en/qa/03-violence-and-numbers.md").unlink()
    return f"{PACK}:{line_of('- 03-violence-and-numbers.md')}: fragment '03-violence-and-numbers.md'"


def break_syntax(root: Path) -> str:
    (root / TEMPLATE).write_text(SYNTAX_ERROR, encoding="utf-8")
    return f"{TEMPLATE}:4: template syntax error"


def break_undefined(root: Path) -> str:
    (root / TEMPLATE).write_text(UNDEFINED, encoding="utf-8")
    return f"{TEMPLATE}:4: undefined in template: 'nope' is undefined"


@pytest.fixture(scope="module")
def built_docx(tmp_path_factory) -> Path:
    """A project copy after a first successful ``invoke build --locale en --format docx``."""
    root = copy_project(tmp_path_factory.mktemp("docx") / "pack")
    first = invoke(root, "build", "--locale", "en", "--format", "docx")
    assert first.returncode == 0, first.stderr
    assert "4 built" in first.stdout
    return root


@pytest.mark.parametrize("breaker", [break_fragment, break_syntax, break_undefined],
                         ids=["missing-fragment", "template-syntax", "template-undefined"])
def test_failed_build_command_reports_and_writes_nothing(built_docx: Path, tmp_path: Path, breaker) -> None:
    project = tmp_path / "pack"
    shutil.copytree(built_docx, project, ignore=shutil.ignore_patterns(".lock"))
    before = snapshot(project)
    assert {"en/qa.docx", "en/guidance.docx"} <= set(before)

    expected = breaker(project)
    done = invoke(project, "build", "--locale", "en", "--format", "docx")
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert any(line.startswith(expected) and " — " in line for line in lines), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "nothing was written" in done.stderr
    assert snapshot(project) == before


def test_failed_build_counts_the_errors_it_prints(built_docx: Path, tmp_path: Path) -> None:
    """document.html.j2 serves two documents: the one broken line is one error, printed once."""
    project = tmp_path / "pack"
    shutil.copytree(built_docx, project, ignore=shutil.ignore_patterns(".lock"))
    break_syntax(project)
    done = invoke(project, "build", "--locale", "en", "--format", "docx")
    assert done.returncode == 1
    printed = [line for line in done.stderr.splitlines() if re.match(r"^\S+:(\d+:)? (?!warning: )", line)
               and not line.startswith("failed:")]
    summary = re.search(r"failed: (\d+) error\(s\)", done.stderr)
    assert printed and summary, done.stderr
    assert int(summary.group(1)) == len(printed), done.stderr


# --- reading fragments --------------------------------------------------------------------------

QA_FRAGMENT = "content/en/qa/01-introduction.md"


def qa_html_with(root: Path, data: bytes) -> tuple[str | None, list[Diagnostic]]:
    (root / QA_FRAGMENT).write_bytes(data)
    result, report = assemble_qa(root)
    return (result.html if result is not None else None), report.errors


def test_bom_and_crlf_give_the_same_document(project: Path) -> None:
    original = (project / QA_FRAGMENT).read_bytes()
    assert b"\r" not in original and not original.startswith(b"\xef\xbb\xbf")
    reference, errors = qa_html_with(project, original)
    assert not errors and reference
    crlf = original.replace(b"\n", b"\r\n")
    for variant in (b"\xef\xbb\xbf" + original, crlf, b"\xef\xbb\xbf" + crlf):
        html, errors = qa_html_with(project, variant)
        assert not errors
        assert html == reference
        assert "\ufeff" not in html and "\r" not in html


def test_nfd_is_normalised_to_nfc(project: Path) -> None:
    text = "# Café society\n\nA café in Zürich, Ångström.\n"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    html, errors = qa_html_with(project, nfd.encode("utf-8"))
    assert not errors
    assert "A café in Zürich, Ångström." in html and "Café society" in html
    assert "\u0301" not in html and "\u0308" not in html and "\u030a" not in html


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "after-a-bom"])
def test_windows_1252_byte_is_named_by_line_and_offset(project: Path, bom: bytes) -> None:
    data = bom + b"# Title\n\nA line.\n\nThe caf\xe9 is open.\n"
    html, errors = qa_html_with(project, data)
    [error] = errors
    offset = data.index(b"\xe9")  # the byte's offset in the file, as a hex editor shows it
    assert (error.path, error.line) == (QA_FRAGMENT, 5)
    assert error.message == f"not UTF-8: byte 0xE9 at offset {offset}"
    assert "UTF-8" in hint(error)


def test_raw_html_is_refused_with_its_line(project: Path) -> None:
    data = b"# Title\n\nA line.\n\n<script>alert(1)</script>\n\nText with <b>bold</b> inline.\n"
    html, errors = qa_html_with(project, data)
    assert {(e.path, e.line) for e in errors} == {(QA_FRAGMENT, 5), (QA_FRAGMENT, 7)}
    assert all(e.message.startswith("raw HTML is not allowed") for e in errors)
    assert any("<script>" in e.message for e in errors if e.line == 5)
    assert "<script>alert" not in (html or "") and "<b>bold" not in (html or "")


def test_template_syntax_in_a_fragment_is_printed_literally(project: Path) -> None:
    data = "# Title\n\nSeven times seven: {{ 7*7 }}; {% if true %}yes{% endif %}; {{ pack.reply_email }}.\n"
    html, errors = qa_html_with(project, data.encode("utf-8"))
    assert not errors
    assert "{{ 7*7 }}" in html and "49" not in html.split("<main>")[1]
    assert "{% if true %}yes{% endif %}" in html
    assert "{{ pack.reply_email }}" in html


@pytest.mark.parametrize("target", ["javascript:alert(1)", "JavaScript:alert(1)", "&#106;avascript:alert(1)",
                                    "file:///etc/passwd"])
def test_unsafe_link_is_refused_with_its_line(project: Path, target: str) -> None:
    data = f"# Title\n\nA paragraph\nover three lines with a\n[link]({target}) at its end.\n"
    html, errors = qa_html_with(project, data.encode("utf-8"))
    [error] = errors
    assert (error.path, error.line) == (QA_FRAGMENT, 5)
    assert "is not allowed" in error.message and "https://" in hint(error)
    main = html.split("<main>")[1]
    assert "javascript:" not in main.lower() and "file:" not in main


FORM = "content/en/response-form/form.yaml"


@pytest.mark.parametrize(("old", "new", "message"), [
    ("type: email", "type: emial", "field 'email' has unknown type 'emial'"),
    ("name: email", "name: full_name", "field name 'full_name' is used twice"),
], ids=["unknown-type", "duplicate-name"])
def test_form_problems_name_their_line(project: Path, old: str, new: str, message: str) -> None:
    """form.yaml is validated "with the YAML line of each problem" (pressroom/form.py)."""
    path = project / FORM
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    field_line = next(n for n, line in enumerate(text.splitlines(), 1) if "name: email" in line)
    path.write_text(text.replace(old, new), encoding="utf-8")
    pack = load_pack(project)
    report = Report()
    bib = load_bibliography(pack.bibliography, "references.bib", report)
    assemble(pack, pack.document("response-form"), "en", bib, report)
    [error] = report.errors
    assert error.message == message
    assert (error.path, error.line) == (FORM, field_line)


# --- data-src -----------------------------------------------------------------------------------

BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "figure", "table", "pre", "hr")


def words(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def source_words(line: str) -> str:
    """A Markdown line as the words it prints: link targets, ids and markup dropped."""
    line = re.sub(r"\]\([^)]*\)", "]", line)
    line = re.sub(r"\{#[^}]*\}", "", line)
    return words(line)


@pytest.mark.parametrize("doc_id", ["guidance", "qa", "research-summary", "response-form"])
def test_every_block_names_its_fragment_line(doc_id: str) -> None:
    pack = load_pack(ROOT)
    report = Report()
    bib = load_bibliography(pack.bibliography, "references.bib", report)
    result = assemble(pack, pack.document(doc_id), "en", bib, report)
    assert result is not None and not report.errors
    main = result.tree.find(".//main")
    pattern = re.compile(rf"^content/en/{re.escape(doc_id)}/([\w.-]+\.md):(\d+)$")
    checked = 0
    problems = []
    for element in main.iter(*BLOCKS):
        if element.xpath("ancestor::form"):
            continue  # the form fragment is YAML, laid out by form.html.j2
        src = element.get("data-src") or ""
        match = pattern.match(src)
        if not match:
            problems.append(f"<{element.tag}> {element.text_content()[:40]!r}: data-src={src!r}")
            continue
        lines = (ROOT / "content/en" / doc_id / match.group(1)).read_text(encoding="utf-8").splitlines()
        number = int(match.group(2))
        assert 1 <= number <= len(lines), src
        if element.tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li"):
            start = words(element.text_content())[:20]
            if start and start not in source_words(lines[number - 1]):
                problems.append(f"{src}: {lines[number - 1][:60]!r} does not start {element.text_content()[:40]!r}")
            checked += 1
    assert checked >= 5
    assert not problems, "\n".join(problems)


# --- the PDF renderer's fetcher -----------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:1/x",
    "https://example.org/style.css",
    "file://localhost/etc/passwd",
    "data:text/css,body{}",
])
def test_fetcher_refuses_outside_the_project(tmp_path: Path, url: str) -> None:
    fetcher = ProjectFetcher(tmp_path)
    with pytest.raises(ValueError, match="only files inside the project"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_escapes_by_dots_links_and_prefixes(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    (root / "templates").mkdir(parents=True)
    (tmp_path / "pack-private").mkdir()
    secret = tmp_path / "pack-private" / "secret.txt"
    secret.write_text("secret")
    (root / "templates" / "link.css").symlink_to(secret)
    fetcher = ProjectFetcher(root)
    for url in (secret.as_uri(), f"{(root / 'templates').as_uri()}/%2e%2e/%2e%2e/pack-private/secret.txt",
                (root / "templates" / "link.css").as_uri()):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 3


def test_fetcher_reads_a_file_of_the_project(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    css = tmp_path / "templates" / "pack.css"
    css.write_bytes(b"body { color: black }")
    fetcher = ProjectFetcher(tmp_path)
    response = fetcher.fetch(css.as_uri())
    assert response.read() == b"body { color: black }"
    assert fetcher.refused == []


# --- what a build rebuilds ----------------------------------------------------------------------


def test_incremental_builds(built_en: Path, tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(built_en, root, ignore=shutil.ignore_patterns(".lock"))
    # brings the copy up to date: nothing to do, unless the engine's own code was edited since
    # the session's build (its source is an input of every target)
    build(root, locales=["en"], editions=["screen", "print"])
    before = snapshot(root)

    again = build(root, locales=["en"], editions=["screen", "print"])
    assert again.built == []
    assert len([t for t in again.fresh if not t.site]) == 12  # 4 documents: 2 PDF editions and Word
    assert {t.key for t in again.fresh if t.site} >= {"web/en/index.html", "web/en/qa.html", "web/en/qa.pdf"}
    assert snapshot(root) == before

    fragment = root / "content/en/qa/04-consent-women-trafficking.md"
    fragment.write_text(fragment.read_text(encoding="utf-8") + "\nA sentence added by the test.\n",
                        encoding="utf-8")
    changed = build(root, locales=["en"], editions=["screen", "print"])
    assert sorted(t.key for t in changed.built if not t.site) == ["en/qa.docx", "en/qa.pdf", "en/qa.print.pdf"]
    # on the web: its page, its downloads, and the landing page, which names their sizes
    web = {"web/en/qa.html", "web/en/qa.docx", "web/en/qa.pdf", "web/en/index.html"}  # no print edition there
    assert {t.key for t in changed.built if t.site} == web
    after = snapshot(root)
    rebuilt = {name for name in before if before[name] != after[name]}
    assert rebuilt <= {"en/qa.docx", "en/qa.pdf", "en/qa.print.pdf", ".state.json"} | web
    assert {"en/qa.docx", "en/qa.pdf", "en/qa.print.pdf", ".state.json"} <= rebuilt
    assert b"A sentence added by the test." in _docx_text(root / "output/en/qa.docx")

    forced = build(root, locales=["en"], formats=["docx"], force=True)
    assert sorted(t.name for t in forced.built) == sorted(f"{d}.docx" for d in load_pack(root).documents)


def _docx_text(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml")


@pytest.mark.parametrize(("option", "value"), [("docs", "nope"), ("locales", "xx"), ("formats", "epub")])
def test_unknown_selection_is_a_usage_error(project: Path, option: str, value: str) -> None:
    with pytest.raises(UsageError, match=f"unknown .*'{value}'"):
        build(project, **{option: [value]})
    assert not (project / "output" / "en").exists()


@pytest.mark.parametrize("args", [("--doc", "nope"), ("--locale", "xx"), ("--format", "epub")])
def test_unknown_selection_exits_with_2(project: Path, args: tuple[str, str]) -> None:
    done = invoke(project, "build", *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"'{args[1]}'" in done.stderr and "choose from" in done.stderr
    assert "Traceback" not in done.stderr


# --- verifying the written files ----------------------------------------------------------------


def _pdf_with_links(*actions: dict) -> bytes:
    """A one-page PDF with a named destination 'annex' and a link annotation per action."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    pdf.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(
        Names=pikepdf.Array([pikepdf.String("annex"), pikepdf.Array([page.obj, pikepdf.Name.Fit])])))
    page.obj.Annots = pdf.make_indirect(pikepdf.Array([
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 10, 10], **action)
        for action in actions]))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_verify_pdf_accepts_every_link_that_resolves() -> None:
    import io

    import pikepdf

    from pressroom.inspect.verify import verify_pdf

    data = _pdf_with_links(
        {"Dest": pikepdf.String("annex")},
        {"Dest": pikepdf.Array([0, pikepdf.Name.Fit])},
        {"A": pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.String("qa.pdf"), D=pikepdf.String("x"))},
        {"A": pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/a"))},
        {"A": pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("qa.print.pdf#top"))})
    report = Report()
    verify_pdf(io.BytesIO(data), "output/en/x.pdf", {"https://example.org/a"}, report)
    assert report.items == []


def test_verify_pdf_names_each_broken_link_by_page() -> None:
    import io

    import pikepdf

    from pressroom.inspect.verify import verify_pdf

    data = _pdf_with_links(
        {"Dest": pikepdf.String("nowhere")},
        {"A": pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.String("../etc/qa.pdf"))},
        {"A": pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(""))},
        {"A": pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/other"))})
    report = Report()
    verify_pdf(io.BytesIO(data), "output/en/x.pdf", {"https://example.org/a"}, report)
    assert [str(d).split(" — ")[0] for d in report.errors] == [
        "output/en/x.pdf: page 1: link to missing destination 'nowhere'",
        "output/en/x.pdf: page 1: link to another file '../etc/qa.pdf'",
        "output/en/x.pdf: page 1: link with an empty target",
        "output/en/x.pdf: page 1: link to 'https://example.org/other', which no fragment links to"]
