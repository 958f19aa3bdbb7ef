"""Every link resolves: a broken anchor, a link to a missing heading of another document and a
malformed URL each fail `invoke check` and `invoke build` at their fragment line, writing nothing;
`invoke check` reaches external URLs over HTTP (a local server here) and reports broken ones."""

from __future__ import annotations

import json

import pytest
from conftest import append, invoke, snapshot
from linkserver import LinkServer

from pressroom.build import build
from pressroom.check import check_pack
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
