"""Open what was built (the session's English pack, ``built_en``) and read it back.

PDFs are read with poppler (pdftotext, pdffonts), DOCX files as OOXML (python-docx, zipfile,
lxml), and LibreOffice must open every DOCX. What is expected is derived from the inputs:
pack.yaml, the fragment files and the assembled HTML, never copied from an output.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import unicodedata
import zipfile
from functools import lru_cache
from pathlib import Path

import docx
import pytest
import yaml
from lxml import etree

from conftest import copy_project, needs
from pressroom.assemble import assemble
from pressroom.read.bibliography import load_bibliography
from pressroom.build import build
from pressroom.read.pack import load_pack
from pressroom.read.fragments import split_front_matter
from pressroom.diagnostics import Report

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
NS = {"w": W_NS, "r": R_NS, "rel": REL_NS}
W = f"{{{W_NS}}}"

DOCS = ("guidance", "response-form", "qa", "research-summary")


def pack_yaml(root: Path) -> dict:
    return yaml.safe_load((root / "content" / "pack.yaml").read_text(encoding="utf-8"))


def out(root: Path, name: str) -> Path:
    return root / "output" / "en" / name


# --- what was built -----------------------------------------------------------------------------


def test_every_required_file_is_built(built_en: Path) -> None:
    declared = pack_yaml(built_en)
    assert set(declared["documents"]) == set(DOCS)
    editions = list(declared["pack"]["editions"])
    assert editions[:1] == ["screen"] and "print" in editions  # the first edition is unsuffixed
    for doc_id in DOCS:
        for name in (f"{doc_id}.pdf", f"{doc_id}.print.pdf", f"{doc_id}.docx"):
            path = out(built_en, name)
            assert path.is_file(), f"output/en/{name} was not built"
            magic = b"PK\x03\x04" if name.endswith(".docx") else b"%PDF-"
            assert path.read_bytes().startswith(magic), f"output/en/{name} is not a {path.suffix} file"
    built = sorted(p.name for p in (built_en / "output" / "en").iterdir() if not p.name.startswith("."))
    assert not [name for name in built if ".tmp" in name], built  # only complete files


# --- PDF text -----------------------------------------------------------------------------------

HYPHENS_AND_SPACE = re.compile("[\\s\\-\u2010\u2011\u00ad]")


def squash(text: str) -> str:
    """Compare text across line breaks and hyphenation: NFKC, casefold, no whitespace, no hyphens."""
    return HYPHENS_AND_SPACE.sub("", unicodedata.normalize("NFKC", text).casefold())


def plain(markdown: str) -> str:
    """Inline Markdown → the words a reader sees (notes, link targets and markup removed)."""
    text = re.sub(r"\[\^[^\]]+\]", "", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"\\([\[\]\\*_#])", r"\1", text)
    return text.replace("**", "").replace("*", "").replace("`", "")


HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(\{#[^}]*\})?\s*$")


def fragment_parts(path: Path) -> tuple[list[str], list[str]]:
    """A fragment's headings and its paragraphs (list items and quotes included), as plain text."""
    _, body, _ = split_front_matter(path.read_text(encoding="utf-8"), str(path), Report())
    headings, paragraphs, current = [], [], []
    for line in body.splitlines() + [""]:
        stripped = line.strip()
        heading = HEADING.match(line)
        if heading:
            headings.append(plain(heading.group(2)))
        if not stripped or heading or stripped.startswith(":::") or re.match(r"^\[\^[^\]]+\]:", stripped):
            if current:
                paragraphs.append(" ".join(current))
            current = []
            continue
        if re.match(r"^([-*]|\d+\.)\s+", stripped) and current:  # a list item starts a paragraph
            paragraphs.append(" ".join(current))
            current = []
        current.append(re.sub(r"^(>\s*)+|^[-*]\s+|^\d+\.\s+", "", stripped))
    return headings, paragraphs


def first_long_sentence(paragraphs: list[str]) -> str | None:
    for paragraph in paragraphs:
        for sentence in re.split(r"(?<=[.!?”])\s+", paragraph):
            if "[^" in sentence or "@" in sentence:  # a note call or citation: not text as printed
                continue
            words = plain(sentence)
            if len(words.split()) >= 8 and not re.search(r"[\[\]{}|<>]", words):
                return words
    return None


@lru_cache(maxsize=None)
def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


PDF_NAMES = [f"{doc_id}{suffix}.pdf" for doc_id in DOCS for suffix in ("", ".print")]


@needs("pdftotext")
@pytest.mark.parametrize("doc_id", DOCS)
def test_pdf_holds_every_heading_and_a_sentence_of_every_fragment(built_en: Path, doc_id: str) -> None:
    fragments = pack_yaml(built_en)["documents"][doc_id]["fragments"]
    wanted: list[tuple[str, str]] = []
    for name in fragments:
        path = built_en / "content" / "en" / doc_id / name
        if name.endswith(".md"):
            headings, paragraphs = fragment_parts(path)
            wanted += [(name, h) for h in headings]
            sentence = first_long_sentence(paragraphs)
            assert sentence, f"{name}: no sentence to look for"
            wanted.append((name, sentence))
        else:  # the form: its section titles and field labels
            form = yaml.safe_load(path.read_text(encoding="utf-8"))
            for section in form["sections"]:
                wanted.append((name, section["title"]))
                wanted += [(name, field["label"]) for field in section["fields"]]
    assert len(wanted) > len(fragments)
    for edition in ("", ".print"):
        text = squash(pdf_text(out(built_en, f"{doc_id}{edition}.pdf")))
        missing = [f"{name}: {what!r}" for name, what in wanted if squash(what) not in text]
        assert not missing, f"{doc_id}{edition}.pdf lacks:\n" + "\n".join(missing)


@needs("pdffonts")
def test_every_font_of_every_pdf_is_embedded(built_en: Path) -> None:
    for name in PDF_NAMES:
        done = subprocess.run(["pdffonts", str(out(built_en, name))], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        header = lines[0].split()
        assert header[:4] == ["name", "type", "encoding", "emb"], lines[0]
        fonts = lines[2:]
        assert fonts, f"{name}: no fonts listed"
        for row in fonts:
            # the name may hold no spaces; "type" may ("CID TrueType"): read the columns from the right
            emb = row.split()[-5]
            assert emb == "yes", f"{name}: font not embedded: {row}"


# --- DOCX -------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def assembled(root: Path, doc_id: str):
    pack = load_pack(root)
    report = Report()
    bib = load_bibliography(pack.bibliography, "references.bib", report)
    result = assemble(pack, pack.document(doc_id), "en", bib, report)
    assert result is not None and not report.errors
    return result.tree


def docx_part(path: Path, part: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(part))


def docx_parts(path: Path, prefix: str = "word/") -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as archive:
        return {name: etree.fromstring(archive.read(name)) for name in archive.namelist()
                if name.startswith(prefix) and name.endswith(".xml")}


def collapse(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("doc_id", DOCS)
def test_docx_headings_are_word_headings(built_en: Path, doc_id: str) -> None:
    tree = assembled(built_en, doc_id)
    expected = [(f"Heading {int(h.tag[1])}", collapse(h.text_content()))
                for h in tree.find(".//main").iter("h1", "h2")]
    assert expected
    document = docx.Document(str(out(built_en, f"{doc_id}.docx")))
    found = [(p.style.name, collapse(p.text)) for p in document.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    for heading in expected:
        assert heading in found, f"{doc_id}.docx: {heading} is not a Word heading"
    # and in the same order
    positions = [found.index(h) for h in expected]
    assert positions == sorted(positions)


@pytest.mark.parametrize("doc_id", DOCS)
def test_docx_list_items_are_one_bullet_each(built_en: Path, doc_id: str) -> None:
    """A loose list item (<li><p>…</p></li>) is one bullet with its text, not an empty bullet
    followed by the text."""
    tree = assembled(built_en, doc_id)
    for note in tree.xpath('//span[@class="footnote"]'):  # a note is in footnotes.xml, not the item
        note.drop_tree()
    items = [collapse(li.text_content()) for li in tree.find(".//main").iter("li") if li.find("ul") is None]
    document = docx.Document(str(out(built_en, f"{doc_id}.docx")))
    bullets = [collapse(p.text) for p in document.paragraphs if p.style.name.startswith(("List Bullet", "List Number"))]
    assert bullets == items


@pytest.mark.parametrize("doc_id", DOCS)
def test_docx_cover_title_and_subtitle_styles(built_en: Path, doc_id: str) -> None:
    declared = pack_yaml(built_en)["documents"][doc_id]
    document = docx.Document(str(out(built_en, f"{doc_id}.docx")))
    styles = {collapse(p.text): p.style.name for p in document.paragraphs[:8]}
    assert styles.get(declared["title"]) == "Title"
    assert styles.get(declared["subtitle"]) == "Subtitle", f"subtitle styled {styles.get(declared['subtitle'])!r}"


def annex_urls(root: Path) -> list[str]:
    text = (root / "content" / "en" / "research-summary" / "09-annex.md").read_text(encoding="utf-8")
    return re.findall(r"<(https?://[^>\s]+)>", text)


def test_docx_external_links_are_external_relationships(built_en: Path) -> None:
    path = out(built_en, "research-summary.docx")
    rels = docx_part(path, "word/_rels/document.xml.rels")
    targets = {r.get("Id"): (r.get("Target"), r.get("TargetMode"), r.get("Type")) for r in rels}
    body = docx_part(path, "word/document.xml")
    linked = {}
    for link in body.iter(f"{W}hyperlink"):
        rel_id = link.get(f"{{{R_NS}}}id")
        if rel_id is None:
            continue
        target, mode, kind = targets[rel_id]
        assert (mode, kind) == ("External", HYPERLINK_REL), f"{rel_id}: {mode} {kind}"
        text = "".join(link.itertext())
        assert text.strip(), f"hyperlink to {target} shows no text"
        linked[target] = text
    urls = annex_urls(built_en)
    assert len(urls) >= 10
    missing = [url for url in urls if url not in linked]
    assert not missing, "annex URLs without a Word hyperlink: " + ", ".join(missing)


@pytest.mark.parametrize("doc_id", DOCS)
def test_docx_internal_links_reach_bookmarks(built_en: Path, doc_id: str) -> None:
    body = docx_part(out(built_en, f"{doc_id}.docx"), "word/document.xml")
    bookmarks = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    rel_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    anchors = [link.get(f"{W}anchor") for link in body.iter(f"{W}hyperlink")
               if link.get(f"{W}anchor") and link.get(rel_id) is None]  # not a bookmark of another file
    html_anchors = [a for a in assembled(built_en, doc_id).xpath("//a/@href") if a.startswith("#")]
    assert len(anchors) >= len(html_anchors)  # every #link of the HTML became a Word link
    if doc_id == "research-summary":
        assert "annex" in anchors and "#annex" in html_anchors
    dangling = sorted(set(anchors) - bookmarks)
    assert not dangling, f"{doc_id}.docx: links to missing bookmarks {dangling}"
    ids = [b.get(f"{W}id") for b in body.iter(f"{W}bookmarkStart")]
    ends = {b.get(f"{W}id") for b in body.iter(f"{W}bookmarkEnd")}
    assert len(ids) == len(set(ids)) and set(ids) == ends


@pytest.mark.parametrize("doc_id", DOCS)
def test_docx_page_properties_and_footer(built_en: Path, doc_id: str) -> None:
    path = out(built_en, f"{doc_id}.docx")
    body = docx_part(path, "word/document.xml")
    sizes = body.findall(".//w:sectPr/w:pgSz", NS)
    assert sizes and all((s.get(f"{W}w"), s.get(f"{W}h")) == ("11906", "16838") for s in sizes)  # A4

    rels = docx_part(path, "word/_rels/document.xml.rels")
    by_id = {r.get("Id"): r.get("Target") for r in rels}
    footers = body.findall(".//w:sectPr/w:footerReference[@w:type='default']", NS)
    assert footers
    footer = docx_part(path, "word/" + by_id[footers[0].get(f"{{{R_NS}}}id")])
    instructions = [collapse("".join(i.itertext())) for i in footer.iter(f"{W}instrText")]
    assert "PAGE" in instructions and "NUMPAGES" in instructions
    kinds = [c.get(f"{W}fldCharType") for c in footer.iter(f"{W}fldChar")]
    assert kinds == ["begin", "separate", "end"] * 2


@pytest.mark.parametrize("doc_id", DOCS)
def test_docx_paragraph_properties_are_schema_valid(built_en: Path, doc_id: str) -> None:
    """CT_P allows one w:pPr, as the first child: Word reports anything else as unreadable content."""
    bad = []
    for name, root in docx_parts(out(built_en, f"{doc_id}.docx")).items():
        for paragraph in root.iter(f"{W}p"):
            properties = paragraph.findall(f"{W}pPr")
            if len(properties) > 1 or (properties and paragraph[0] is not properties[0]):
                bad.append(f"{name}: {etree.tostring(paragraph, encoding='unicode')[:160]}")
    assert not bad, f"{doc_id}.docx: " + "\n".join(bad)


# The order WordprocessingML requires of the children of these elements (ECMA-376 Part 1,
# CT_SectPr, CT_PPr, CT_RPr); Word treats a part that breaks it as unreadable content.
SCHEMA_ORDER = {
    "sectPr": "headerReference|footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType "
              "pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid "
              "printerSettings sectPrChange",
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
           "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
           "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
           "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
           "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl "
           "cs em lang eastAsianLayout specVanish oMath rPrChange",
}


def schema_order_problems(path: Path) -> list[str]:
    problems = []
    for part, root in docx_parts(path).items():
        for element_name, sequence in SCHEMA_ORDER.items():
            rank = {name: index for index, names in enumerate(sequence.split()) for name in names.split("|")}
            for element in root.iter(f"{W}{element_name}"):
                children = [c.tag[len(W):] for c in element if isinstance(c.tag, str) and c.tag.startswith(W)]
                ranks = [rank.get(child, -1) for child in children]
                if -1 in ranks or ranks != sorted(ranks) or (element_name != "sectPr" and len(set(children)) < len(children)):
                    problems.append(f"{part}: w:{element_name} children {children}")
    return problems


@pytest.mark.parametrize("doc_id", DOCS)
def test_docx_properties_follow_the_schema_order(built_en: Path, doc_id: str) -> None:
    problems = schema_order_problems(out(built_en, f"{doc_id}.docx"))
    assert not problems, "\n".join(sorted(set(problems)))


def test_right_to_left_docx_follows_the_schema_order(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "pack")
    if "ar" not in load_pack(root).locales:
        pytest.skip("the pack has no right-to-left locale")
    build(root, docs=["response-form"], locales=["ar"], formats=["docx"])
    path = root / "output" / "ar" / "response-form.docx"
    body = docx_part(path, "word/document.xml")
    assert body.find(".//w:sectPr/w:bidi", NS) is not None  # the section is right-to-left
    problems = schema_order_problems(path)
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("doc_id", DOCS)
def test_docx_core_properties(built_en: Path, doc_id: str) -> None:
    declared = pack_yaml(built_en)["documents"][doc_id]
    path = out(built_en, f"{doc_id}.docx")
    with zipfile.ZipFile(path) as archive:
        raw = archive.read("docProps/core.xml").decode("utf-8")
    assert "python-docx" not in raw.lower()
    core = docx.Document(str(path)).core_properties
    assert core.title == declared["title"]
    assert core.author == pack_yaml(built_en)["pack"]["organisation"]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    year = time.gmtime(int(epoch)).tm_year if epoch and epoch.isdigit() else declared["year"]
    assert core.created is not None and core.created.year == year
    assert core.modified == core.created
    assert f"<dcterms:created xsi:type=\"dcterms:W3CDTF\">{year}-" in raw


# --- LibreOffice opens every DOCX -------------------------------------------------------------


@needs("soffice")
@needs("pdftotext")
def test_libreoffice_converts_every_docx(built_en: Path, tmp_path: Path) -> None:
    sources = [out(built_en, f"{doc_id}.docx") for doc_id in DOCS]
    target = tmp_path / "converted"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(target), *map(str, sources)],
        capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Error" not in done.stderr, done.stderr
    titles = pack_yaml(built_en)["documents"]
    for doc_id in DOCS:
        pdf = target / f"{doc_id}.pdf"
        assert pdf.is_file(), f"LibreOffice did not convert {doc_id}.docx:\n{done.stdout}{done.stderr}"
        text = squash(pdf_text(pdf))
        assert squash(titles[doc_id]["title"]) in text
        first = assembled(built_en, doc_id).find(".//main").xpath("(.//h1|.//h2)[1]")[0]
        assert squash(first.text_content()) in text  # the body, not only the cover


# --- reproducible -------------------------------------------------------------------------------


def test_docx_is_reproducible(tmp_path: Path) -> None:
    copies = [copy_project(tmp_path / name) for name in ("one", "two")]
    for root in copies:
        build(root, docs=["qa"], locales=["en"], formats=["docx"])
    first, second = (out(root, "qa.docx").read_bytes() for root in copies)
    assert first == second
