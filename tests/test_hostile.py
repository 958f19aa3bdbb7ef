"""Hostile content: a fragment is data, never code, markup, a fetch or a file read.

Each payload goes into a Q&A fragment of a project copy. It must be refused with an error naming
the fragment and its line, or (Jinja syntax) printed literally. Builds run with ``check=False``,
as ``invoke build --no-check`` drafts do, and nothing of a payload may reach the PDF or the DOCX:
no script, no ``file:`` or ``javascript:`` address, no byte of /etc/passwd, no request to the
local HTTP server the payloads point at. The renderer's own guard, ``pdf.ProjectFetcher``,
is tested directly: what the Markdown refusal would let through, the fetcher still refuses.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from dataclasses import replace as dc_replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from lxml import etree
from lxml import html as lxml_html
from pypdf import PdfReader

from conftest import copy_project
from pressroom.assemble import assemble
from pressroom.model import Assembled
from pressroom.read.bibliography import load_bibliography
from pressroom.build import build
from pressroom.read.pack import load_pack
from pressroom.diagnostics import ContentError, Report
from pressroom.write.pdf.fetcher import ProjectFetcher
from pressroom.write.pdf.writer import write_pdf

FRAGMENT = "content/en/qa/03-violence-and-numbers.md"
DRAFT = {"docs": ["qa"], "locales": ["en"], "formats": ["pdf", "docx"], "editions": ["screen"], "check": False}
NEEDLES = ("alert", "etc/passwd", "root:x:", "127.0.0.1", "javascript:")
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# --- a local server that counts what reaches it ------------------------------------------------


class CountingServer:
    def __init__(self) -> None:
        self.requests: list[str] = []
        seen = self.requests

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                seen.append(f"{self.command} {self.path}")
                body = b"root:x:0:0:served-by-the-test-server\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "CountingServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server():
    with CountingServer() as running:
        yield running


def test_the_counting_server_counts(server: CountingServer) -> None:
    """The zero-request assertions below mean something: a request does reach and get counted."""
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/probe", timeout=5) as answer:
        assert answer.read().startswith(b"root:x:")
    assert server.requests == ["GET /probe"]


# --- what a written file shows ----------------------------------------------------------------


def pdf_surface(path: Path) -> str:
    """Everything a PDF could carry a payload in: raw bytes, page text, annotations, attachments."""
    data = path.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    parts = [data.decode("latin-1"), str(reader.metadata), str(dict(reader.attachments))]
    for page in reader.pages:
        parts.append(page.extract_text() or "")
        parts.extend(str(a.get_object()) for a in page.get("/Annots") or [])
    return "\n".join(parts)


def docx_surface(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return "\n".join(package.read(name).decode("utf-8", errors="replace") for name in package.namelist())


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        texts = []
        for name in package.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                texts.extend(t.text or "" for t in etree.fromstring(package.read(name)).iter(f"{W_NS}t"))
    return "".join(texts)


def docx_link_targets(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as package:
        targets = []
        for name in package.namelist():
            if name.endswith(".rels"):
                targets += [r.get("Target", "") for r in etree.fromstring(package.read(name))]
    return targets


def output_surface(root: Path) -> str:
    parts = []
    for path in sorted((root / "output").rglob("*")):
        if path.suffix == ".pdf":
            parts.append(pdf_surface(path))
        elif path.suffix == ".docx":
            parts.append(docx_surface(path))
    return "\n".join(parts)


def line_of(root: Path, needle: str) -> int:
    lines = (root / FRAGMENT).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


# --- payloads the Markdown refuses --------------------------------------------------------------

# (id, the text put into the fragment — {port} is the counting server's —, the text on the reported line)
REFUSED = [
    ("script", "<script>alert(1)</script>", "<script>"),
    ("iframe", '<iframe src="http://127.0.0.1:{port}/x">', "<iframe"),
    ("img-onerror", '<img src="x" onerror="alert(1)">', "onerror"),
    ("javascript-link", "[click](javascript:alert(1))", "[click]"),
    ("link-attachment", '<link rel="attachment" href="file:///etc/passwd">', "<link"),
    ("img-file", '<img src="file:///etc/passwd">', "<img"),
    ("markdown-image-file", "![x](file:///etc/passwd)", "![x]"),
    ("css-url", '<div style="background:url(http://127.0.0.1:{port}/css)">', "<div"),
    # the same, in other places of the dialect
    ("inline-script", "Read this <script>alert(1)</script> carefully.", "Read this"),
    ("autolink-javascript", "Go to <javascript:alert(1)> now.", "Go to"),
    ("reference-javascript", "A [click][target] here.\n\n[target]: javascript:alert(1)", "A [click]"),
    ("mixed-case-scheme", "[click](JaVaScRiPt:alert(1))", "[click]"),
    ("entity-scheme", "[click](&#106;avascript:alert(1))", "[click]"),
    ("file-link", "[passwd](file:///etc/passwd)", "[passwd]"),
    ("html-in-footnote", 'A note.[^h]\n\n[^h]: See <img src="file:///etc/passwd">', "[^h]:"),
    ("html-in-heading", "## Heading <img src=\"http://127.0.0.1:{port}/h\">", "## Heading"),
    ("html-in-definition", '::: definition\n<iframe src="http://127.0.0.1:{port}/d"></iframe>\n:::', "<iframe"),
    ("html-comment", "<!-- <img src=\"file:///etc/passwd\"> -->", "<!--"),
]


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory) -> Path:
    """One project copy for every refused payload (each test restores the fragment): its builds all
    fail, so output/ must stay empty throughout."""
    return copy_project(tmp_path_factory.mktemp("hostile") / "pack")


@pytest.mark.parametrize("payload, marker", [pytest.param(p, m, id=i) for i, p, m in REFUSED])
def test_hostile_fragment_is_refused_and_reaches_nothing(payload: str, marker: str, hostile_root: Path,
                                                          server: CountingServer) -> None:
    root = hostile_root
    fragment = root / FRAGMENT
    original = fragment.read_text(encoding="utf-8")
    text = payload.format(port=server.port)
    try:
        fragment.write_text(original.rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")
        line = line_of(root, marker)
        with pytest.raises(ContentError) as raised:
            build(root, **DRAFT)
    finally:
        fragment.write_text(original, encoding="utf-8")
    errors = raised.value.report.errors
    assert any(d.path == FRAGMENT and d.line == line and d.hint for d in errors), (
        f"no error at {FRAGMENT}:{line}:\n" + "\n".join(map(str, errors)))
    written = [p for p in (root / "output").rglob("*") if p.suffix in (".pdf", ".docx")]
    assert not written, f"a refused draft wrote {written}"
    surface = output_surface(root)
    assert not [n for n in NEEDLES if n in surface]
    assert server.requests == [], f"the build made requests: {server.requests}"


# --- Jinja syntax is text ---------------------------------------------------------------------

JINJA = {
    "expression": ("{{ 7*7 }}", "49"),
    "statement": ("{% for x in range(3) %}X{% endfor %}", "XXX"),
}


@pytest.fixture(scope="module")
def jinja_draft(tmp_path_factory) -> Path:
    """The Q&A drafted (PDF screen edition and DOCX, checks off) with both Jinja payloads, each between
    two markers so that what is printed in their place can be read back, and a link to a sibling PDF."""
    root = copy_project(tmp_path_factory.mktemp("jinja") / "pack")
    fragment = root / FRAGMENT
    lines = [f"Marker-{name}-start {text} marker-{name}-end." for name, (text, _) in JINJA.items()]
    lines.append("See also [the response form](doc:response-form).")  # a link to a sibling PDF
    fragment.write_text(fragment.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + "\n\n".join(lines) + "\n",
                        encoding="utf-8")
    with CountingServer() as running:
        build(root, **DRAFT)
        assert running.requests == []
    return root


def _between(text: str, name: str) -> str:
    flat = re.sub(r"\s+", " ", text)
    match = re.search(f"Marker-{name}-start(.*?)marker-{name}-end", flat)
    assert match, f"the markers of {name!r} are not in the text"
    return match.group(1).strip()


@pytest.mark.parametrize("name", list(JINJA))
def test_jinja_in_a_fragment_is_printed_as_written(name: str, jinja_draft: Path) -> None:
    written, evaluated = JINJA[name]
    out = jinja_draft / "output" / "en"
    pdf_text = "\n".join(page.extract_text() for page in PdfReader(out / "qa.pdf").pages)
    for shown in (_between(pdf_text, name), _between(docx_text(out / "qa.docx"), name)):
        assert shown.replace(" ", "") == written.replace(" ", ""), shown  # PDF text extraction may drop spaces
        assert evaluated not in shown
    assert _between(docx_text(out / "qa.docx"), name) == written


def test_a_drafted_pack_carries_no_payload_traces(jinja_draft: Path) -> None:
    out = jinja_draft / "output" / "en"
    surface = pdf_surface(out / "qa.pdf") + docx_surface(out / "qa.docx")
    assert not [n for n in NEEDLES if n in surface]
    assert b"/EmbeddedFile" not in (out / "qa.pdf").read_bytes()


def test_a_pdf_carries_no_path_of_the_build_machine(jinja_draft: Path) -> None:
    surface = pdf_surface(jinja_draft / "output" / "en" / "qa.pdf")
    assert "GoToR" in surface, "the sibling link is missing: the test no longer tests anything"
    assert str(jinja_draft) not in surface


# --- the renderer's guard -----------------------------------------------------------------------


def test_project_fetcher_refuses_everything_outside_the_project(project: Path, server: CountingServer) -> None:
    outside = project.parent / "outside.txt"
    outside.write_text("root:x:0:0:outside\n")
    (project / "templates" / "linked.css").symlink_to(outside)
    templates = project / "templates"
    refused_urls = [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        outside.as_uri(),
        "file://" + quote(str(templates)) + "/../../outside.txt",
        "file://" + quote(str(templates)) + "/%2e%2e/%2e%2e/outside.txt",
        (templates / "linked.css").as_uri(),  # a link inside the project to a file outside it
        f"http://127.0.0.1:{server.port}/x",
        f"https://127.0.0.1:{server.port}/x",
        f"ftp://127.0.0.1:{server.port}/x",
        "data:text/plain,root:x:0:0",
    ]
    fetcher = ProjectFetcher(project)
    for url in refused_urls:
        with pytest.raises(Exception):
            fetcher.fetch(url)
    assert fetcher.refused == refused_urls
    assert server.requests == []
    inside = fetcher.fetch((templates / "pack.css").as_uri())
    assert b"@font-face" in inside.read()
    inside.close()
    assert fetcher.refused == refused_urls


HOSTILE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Hostile</title>
<link rel="stylesheet" href="pack.css">
<link rel="attachment" href="file:///etc/passwd" title="passwd">
<link rel="stylesheet" href="http://127.0.0.1:{port}/sheet.css">
<style>
@import url("file:///etc/passwd");
@font-face {{ font-family: Evil; src: url("http://127.0.0.1:{port}/font.ttf"); }}
body {{ background: url("http://127.0.0.1:{port}/css-background"); }}
</style></head>
<body><main>
<h1 id="hostile">Hostile markup reaching the renderer</h1>
<p>An image: <img src="file:///etc/passwd" alt="i1"> <img src="http://127.0.0.1:{port}/img" alt="i2"></p>
<p><a rel="attachment" href="file:///etc/passwd">attachment</a></p>
<object data="file:///etc/passwd" type="text/plain">o</object>
<embed src="http://127.0.0.1:{port}/embed">
<iframe src="http://127.0.0.1:{port}/iframe"></iframe>
<div style="background-image: url('file:///etc/passwd')">styled</div>
<p>The end.</p>
</main></body></html>"""


def test_what_reaches_the_renderer_is_still_confined_to_the_project(project: Path, server: CountingServer) -> None:
    """Second line of defence: were hostile markup to reach the assembled HTML, the PDF renderer still reads
    nothing outside the project, fetches nothing over the network and embeds nothing."""
    pack = load_pack(project)
    assembled = Assembled(pack.document("qa"), "en", HOSTILE_HTML.format(port=server.port), ())
    screen = next(e for e in pack.editions if e.name == "screen")
    pdf, problems = write_pdf(assembled, dc_replace(screen, pdf_variant=None), project, pack.editions[0].name)
    refused = [d.message.removeprefix("the PDF renderer refused to read ") for d in problems.errors]
    assert server.requests == [], f"the renderer made requests: {server.requests}"
    assert "file:///etc/passwd" in refused
    assert all(not url.startswith("file:") or "/etc/passwd" in url for url in refused), refused
    assert b"root:x:" not in pdf and b"/EmbeddedFile" not in pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert not reader.attachments
    assert "Hostile markup reaching the renderer" in reader.pages[0].extract_text()


# --- known holes (the engine owner's to fix) ---------------------------------------------------

CITATION_PAYLOADS = [
    pytest.param('A claim [@cedaw1979, \\<a href="javascript:alert(1)"\\>see here\\</a\\>].', "A claim",
                 id="escaped-html-in-citation"),
    pytest.param('A claim [@cedaw1979, &lt;a href="javascript:alert(1)"&gt;see here&lt;/a&gt;].', "A claim",
                 id="entity-html-in-citation"),
    pytest.param("A claim [@udhr1948, &lt;!--] and another [@cedaw1979, --&gt;].", "A claim",
                 id="html-comment-in-citations"),
]


@pytest.mark.parametrize("payload, marker", CITATION_PAYLOADS)
def test_markup_in_a_citation_is_text(payload: str, marker: str, project: Path) -> None:
    """A citation's locator is text: printed as written, or refused at its line; never markup."""
    fragment = project / FRAGMENT
    fragment.write_text(fragment.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + payload + "\n", encoding="utf-8")
    try:
        build(project, docs=["qa"], locales=["en"], formats=["docx"], check=False)
    except ContentError as exc:
        line = line_of(project, marker)
        assert any(d.path == FRAGMENT and d.line == line for d in exc.report.errors), exc.report.sorted()
        return
    docx = project / "output" / "en" / "qa.docx"
    assert not [t for t in docx_link_targets(docx) if "javascript:" in t.lower()]
    with zipfile.ZipFile(docx) as package:
        assert not any(b"w:hyperlink" in package.read(n) and b"javascript" in package.read(n)
                       for n in package.namelist() if n.endswith(".xml"))


def test_a_title_in_pack_yaml_is_text_everywhere(project: Path) -> None:
    pack_yaml = project / "content" / "pack.yaml"
    text = pack_yaml.read_text(encoding="utf-8")
    assert "    title: Global policy and sex work\n" in text
    pack_yaml.write_text(text.replace("    title: Global policy and sex work\n",
                                      "    title: 'Q</style><a href=javascript:alert(1)>x</a><style>'\n"),
                         encoding="utf-8")
    pack = load_pack(project)
    report = Report()
    bib = load_bibliography(pack.bibliography, "references.bib", report)
    assembled = assemble(pack, pack.document("qa"), "en", bib, report)
    assert assembled is not None
    tree = lxml_html.document_fromstring(assembled.html)  # parsed as the renderer parses it
    assert not tree.xpath('//a[starts-with(normalize-space(@href), "javascript:")]')
    assert tree.xpath('//h1[contains(@class, "title")]')[0].text_content().startswith("Q</style>")
