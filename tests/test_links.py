"""Every link resolves: a broken anchor, a link to a missing heading of another document and a
malformed URL each fail `invoke check` and `invoke build` at their fragment line, writing nothing;
`invoke check` reaches external URLs over HTTP (a local server here) and reports broken ones."""

from __future__ import annotations

import json

import pytest
from conftest import append, invoke, snapshot
from linkserver import LinkServer

from pressroom.build import build
from pressroom.commands.check import check_pack
from pressroom.diagnostics import ContentError

QA = "content/en/qa/03-violence-and-numbers.md"
SELECTION = {"docs": ["qa"], "locales": ["en"], "formats": ["docx"]}

CASES = [
    ("internal-anchor", "See [the annex](#nowhere) for more.\n",
     "link to #nowhere reaches no heading of this document"),
    ("cross-document-anchor", "See [the questions](doc:guidance#no-such-heading).\n",
     "link to guidance#no-such-heading: 'guidance' has no heading #no-such-heading"),
    ("unknown-document", "See [the annex](doc:annexes#annex).\n", "link to unknown document 'annexes'"),
    ("malformed-url", "Read <https://www.amnesty.org/download/Documents/.../eur250042012en.pdf>.\n",
     "malformed URL 'https://www.amnesty.org/download/Documents/.../eur250042012en.pdf'"),
]


@pytest.mark.parametrize("text, message", [pytest.param(t, m, id=i) for i, t, m in CASES])
def test_a_link_that_does_not_resolve_fails_build_and_check(project, text, message):
    build(project, **SELECTION)
    before = snapshot(project)
    line = append(project, QA, "\n" + text) + 1
    with pytest.raises(ContentError) as failure:
        build(project, **SELECTION)
    assert [str(d) for d in failure.value.report.errors if message in d.message] == [
        next(str(d) for d in failure.value.report.errors if message in d.message)]
    assert any(d.path == QA and d.line == line for d in failure.value.report.errors if message in d.message)
    assert snapshot(project) == before
    checked = invoke(project, "check", "--offline", "--format", "json")
    assert checked.returncode == 1
    problems = json.loads(checked.stdout)
    assert any(p["path"] == QA and p["line"] == line and message in p["message"] and p["level"] == "error"
               for p in problems), problems
    assert snapshot(project) == before


def ignore_real_web(project) -> None:
    """The machines have no internet: pack.yaml's link_ignore keeps the check to the local server."""
    pack = project / "content" / "pack.yaml"
    pack.write_text(pack.read_text().replace("  editions:", '  link_ignore: ["https://*", "http://hivlawcommission.org/*"]\n  editions:'))


def test_check_reports_a_broken_external_link_at_its_line(project):
    ignore_real_web(project)
    with LinkServer() as server:
        line = append(project, QA, f"\nRead <{server.url('/missing')}> and <{server.url('/ok')}>.\n") + 1
        report = check_pack(project)
    broken = [d for d in report.sorted() if d.level == "error" and "broken link" in d.message]  # as printed
    assert [(d.path, d.line) for d in broken] == [(QA, line)]
    assert "/missing" in broken[0].message and "404" in broken[0].message
    assert not [d for d in report.items if "/ok" in d.message]


def test_build_does_not_touch_the_network(project):
    with LinkServer() as server:
        append(project, QA, f"\nRead <{server.url('/ok')}>.\n")
        build(project, **SELECTION)
        assert server.count("/ok") == 0


# --- verify reads the written DOCX itself -----------------------------------------------------------


def test_verify_names_a_dangling_bookmark_and_an_undefined_relationship(built_en, tmp_path):
    """A DOCX whose internal link names no bookmark and whose hyperlink names a relationship id its
    part does not define is reported, each by name: the check looks at the package, not at us."""
    import zipfile

    from pressroom.diagnostics import Report
    from pressroom.inspect.verify import verify_docx

    source = built_en / "output" / "en" / "guidance.docx"
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(broken, "w") as copy:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                anchor = text.split('w:anchor="', 1)[1].split('"', 1)[0]
                rel_id = text.split('<w:hyperlink r:id="', 1)[1].split('"', 1)[0]
                text = text.replace(f'w:anchor="{anchor}"', 'w:anchor="no-such-bookmark"', 1)
                text = text.replace(f'<w:hyperlink r:id="{rel_id}"', '<w:hyperlink r:id="rId9999"', 1)
                data = text.encode("utf-8")
            copy.writestr(item, data)
    report = Report()
    verify_docx(broken, "output/en/guidance.docx", set(), report)
    messages = [d.message for d in report.errors]
    assert any("no-such-bookmark" in m for m in messages), messages
    assert any("rId9999" in m for m in messages), messages
    clean = Report()
    with zipfile.ZipFile(source) as package:
        allowed = set(package.read("word/_rels/document.xml.rels").decode().split('Target="')[1:])
    verify_docx(source, "output/en/guidance.docx", {t.split('"')[0] for t in allowed}, clean)
    assert not [d for d in clean.errors if "bookmark" in d.message or "no target" in d.message], clean.errors


def test_an_email_address_written_as_text_is_reported_at_its_line(project):
    line = append(project, QA, "\nWrite to someone@example.org, or to <other@example.org>.\n") + 1
    report = check_pack(project, offline=True)
    found = [d for d in report.sorted() if "is text, not a link" in d.message]
    assert [(d.path, d.line, d.level) for d in found] == [(QA, line, "warning")]
    assert "someone@example.org" in found[0].message and "<someone@example.org>" in found[0].hint
