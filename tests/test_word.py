"""Word files a Word user accepts: sound packages, a real contents field, languages, right to
left, fonts that travel with the file, the pack's look through styles, a form that cannot be
broken, no template leftovers.

The pack is built once in every locale (DOCX; the English PDFs too, to compare links with).
LibreOffice converts the DOCX files to PDF with only a fresh machine's fonts (DejaVu and its
own): whatever shows Noto there came from inside the DOCX.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import uuid
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from conftest import copy_project, needs
from fontTools.ttLib import TTFont
from lxml import etree

from pressroom.build import build
from pressroom.diagnostics import UsageError
from pressroom.inspect.docx import package_problems, relationships
from pressroom.write.docx import styles

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
EP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
NS = {"w": W_NS, "r": R_NS, "w14": W14_NS}
W = f"{{{W_NS}}}"
DOCS = ("guidance", "response-form", "qa", "research-summary")
LOCALES = ("en", "fr", "ar")
FRESH_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <dir>/usr/share/fonts/truetype/libreoffice</dir>
  <cachedir>{cache}</cachedir>
  <include ignore_missing="yes">/etc/fonts/conf.d</include>
</fontconfig>
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    """Every document in every locale as DOCX, and the English PDFs."""
    root = copy_project(tmp_path_factory.mktemp("word") / "pack")
    build(root, formats=["docx"])
    build(root, locales=["en"], formats=["pdf"], editions=["screen"])
    return root


def docx_path(root: Path, locale: str, doc_id: str) -> Path:
    return root / "output" / locale / f"{doc_id}.docx"


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def every_docx(root: Path) -> list[Path]:
    return [docx_path(root, locale, doc_id) for locale in LOCALES for doc_id in DOCS]


def libreoffice_pdf(sources: list[Path], target: Path) -> dict[str, Path]:
    """Convert with LibreOffice seeing only a fresh machine's fonts (as ../shared/tools/fresh-fonts)."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "cache").mkdir(exist_ok=True)
    (target / "fonts.conf").write_text(FRESH_FONTS.format(cache=target / "cache"))
    env = {**os.environ, "FONTCONFIG_FILE": str(target / "fonts.conf")}
    done = subprocess.run(["soffice", f"-env:UserInstallation={(target / 'profile').as_uri()}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(target), *map(str, sources)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return {source.stem: target / f"{source.stem}.pdf" for source in sources}


@pytest.fixture(scope="module")
def converted(pack: Path, tmp_path_factory) -> dict[str, dict[str, Path]]:
    """locale → document → LibreOffice's PDF of our DOCX (one LibreOffice run per locale)."""
    if shutil.which("soffice") is None:
        pytest.skip("soffice is not installed (CI installs it)")
    base = tmp_path_factory.mktemp("converted")
    return {locale: libreoffice_pdf([docx_path(pack, locale, d) for d in DOCS], base / locale) for locale in LOCALES}


def pdf_text(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


# --- sound packages ---------------------------------------------------------------------------


def test_every_r_id_resolves_in_its_own_part(pack: Path) -> None:
    for path in every_docx(pack):
        with zipfile.ZipFile(path) as package:
            for name in package.namelist():
                if not name.endswith(".xml") or name.startswith("["):
                    continue
                used = {value for node in etree.fromstring(package.read(name)).iter()
                        for key, value in node.attrib.items() if key.startswith(f"{{{R_NS}}}")}
                defined = relationships(package, name)
                assert used <= set(defined), f"{path.parent.name}/{path.name} {name}: {sorted(used - set(defined))}"


def test_note_links_are_related_from_the_footnotes_part(pack: Path) -> None:
    path = docx_path(pack, "en", "guidance")
    links = part(path, "word/footnotes.xml").xpath("//w:hyperlink/@r:id", namespaces=NS)
    assert links  # note 36's fact sheet address (and the Q&A's and summary's notes, if they gain any)
    with zipfile.ZipFile(path) as package:
        targets = {i: rel.get("Target") for i, rel in relationships(package, "word/footnotes.xml").items()}
    assert all(targets[i].startswith("http") for i in links)


def test_packages_are_sound(pack: Path) -> None:
    """Each part typed and related, no orphan, no dangling relationship (what verify checks)."""
    for path in every_docx(pack):
        with zipfile.ZipFile(path) as package:
            assert list(package_problems(package)) == [], path


def test_verify_names_the_part_of_a_broken_package(pack: Path) -> None:
    with zipfile.ZipFile(docx_path(pack, "en", "guidance")) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    del parts["word/_rels/footnotes.xml.rels"]  # as the writer had it before
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    with zipfile.ZipFile(broken) as package:
        problems = list(package_problems(package))
    in_notes = [message for name, message in problems if name == "word/footnotes.xml"]
    assert in_notes and all("not defined in word/_rels/footnotes.xml.rels" in m for m in in_notes)


def test_cross_document_links_keep_their_anchor(pack: Path) -> None:
    path = docx_path(pack, "en", "response-form")
    with zipfile.ZipFile(path) as package:
        targets = {i: rel.get("Target") for i, rel in relationships(package, "word/document.xml").items()}
    links = [(targets[link.get(f"{{{R_NS}}}id")], link.get(f"{W}anchor"))
             for link in part(path, "word/document.xml").iter(f"{W}hyperlink") if link.get(f"{{{R_NS}}}id")]
    assert ("guidance.docx", "questions") in links
    guidance = part(docx_path(pack, "en", "guidance"), "word/document.xml")
    assert "questions" in guidance.xpath("//w:bookmarkStart/@w:name", namespaces=NS)


def uri_links(pdf: Path) -> list[str]:
    """The URI link annotations, a link broken over two lines counted once."""
    import pikepdf

    found: list[tuple[int, str]] = []
    with pikepdf.open(pdf) as document:
        for number, page in enumerate(document.pages):
            for annotation in page.obj.get("/Annots") or []:
                action = annotation.get("/A")
                if action is not None and action.get("/S") == "/URI":
                    uri = str(action.URI)
                    if not (found and found[-1] == (number, uri)):
                        found.append((number, uri))
    return [uri for _, uri in found]


@needs("soffice")
@pytest.mark.parametrize("doc_id", DOCS)
def test_libreoffice_keeps_every_link_of_the_pdf(pack: Path, converted, doc_id: str) -> None:
    web = [u for u in uri_links(pack / "output" / "en" / f"{doc_id}.pdf") if u.startswith(("http", "mailto:"))]
    ours = uri_links(converted["en"][doc_id])
    assert Counter(u for u in ours if u.startswith(("http", "mailto:"))) == Counter(web)
    if doc_id == "response-form":  # and the links to the guidance keep their place in it
        assert any(u.endswith("guidance.docx#questions") for u in ours), ours


# --- the contents ---------------------------------------------------------------------------


def test_contents_is_a_toc_field_with_its_entries(pack: Path) -> None:
    for locale in LOCALES:
        path = docx_path(pack, locale, "guidance")
        body = part(path, "word/document.xml")
        instructions = [t.text.strip() for t in body.iter(f"{W}instrText")]
        assert 'TOC \\o "1-3" \\h \\z \\u' in instructions
        assert body.xpath("//w:fldChar[@w:dirty='true']", namespaces=NS)
        entries = body.xpath("//w:p[w:pPr/w:pStyle[starts-with(@w:val, 'TOC')]][.//w:hyperlink]", namespaces=NS)
        headings = body.xpath("//w:p[w:pPr/w:pStyle[@w:val='Heading1' or @w:val='Heading2']]", namespaces=NS)
        assert len(entries) == len(headings) > 10
        pages = [int(n) for n in body.xpath("//w:instrText[starts-with(normalize-space(.), 'PAGEREF')]/"
                                            "../following-sibling::w:r[w:t][1]/w:t/text()", namespaces=NS)]
        assert len(pages) == len(entries) and pages == sorted(pages) and pages[0] >= 3
        settings = part(path, "word/settings.xml")
        assert settings.xpath("w:updateFields/@w:val", namespaces=NS) == ["true"]


@needs("soffice")
def test_libreoffice_shows_the_contents_entries(pack: Path, converted) -> None:
    text = re.sub(r"\s+", " ", pdf_text(converted["en"]["guidance"], "-f", "2", "-l", "2"))
    body = part(docx_path(pack, "en", "guidance"), "word/document.xml")
    for heading in body.xpath("//w:p[w:pPr/w:pStyle[@w:val='Heading1']]", namespaces=NS):
        title = "".join(heading.xpath(".//w:t/text()", namespaces=NS))
        assert re.search(re.escape(title) + r"\s*\.{3,}\s*\d+", text), title


# --- languages and direction -----------------------------------------------------------------


@pytest.mark.parametrize("locale, lang", [("en", "en-GB"), ("fr", "fr-FR"), ("ar", "ar-SA")])
def test_each_document_says_its_language(pack: Path, locale: str, lang: str) -> None:
    for doc_id in DOCS:
        path = docx_path(pack, locale, doc_id)
        defaults = part(path, "word/styles.xml").find(f"{W}docDefaults")
        language = defaults.find(f"{W}rPrDefault/{W}rPr/{W}lang")
        assert language.get(f"{W}val") == lang
        settings = part(path, "word/settings.xml")
        assert settings.find(f"{W}themeFontLang").get(f"{W}val") == lang
        bidi = defaults.find(f"{W}pPrDefault/{W}pPr/{W}bidi")
        assert (bidi is not None) == (locale == "ar")
        if locale == "ar":
            assert language.get(f"{W}bidi") == "ar-SA"


def test_untranslated_parts_keep_their_own_language(pack: Path) -> None:
    body = part(docx_path(pack, "ar", "guidance"), "word/document.xml")
    english = body.xpath("//w:r[w:rPr/w:lang/@w:val='en-GB']", namespaces=NS)
    assert english and not [r for r in english if r.find(f"{W}rPr/{W}rtl") is not None]
    paragraphs = {p for r in english for p in r.iterancestors(f"{W}p")}
    assert all(p.xpath("w:pPr/w:bidi/@w:val", namespaces=NS) == ["0"] for p in paragraphs)


def test_right_to_left_header_and_footer(pack: Path) -> None:
    with zipfile.ZipFile(docx_path(pack, "ar", "guidance")) as package:
        names = [n for n in package.namelist() if re.fullmatch(r"word/(header|footer)\d+\.xml", n)]
        for name in names:
            root = etree.fromstring(package.read(name))
            for paragraph in root.iter(f"{W}p"):
                assert paragraph.find(f"{W}pPr/{W}bidi") is not None, name
                assert all(r.find(f"{W}rPr/{W}rtl") is not None for r in paragraph.iter(f"{W}r")), name


@needs("soffice")
def test_arabic_footer_reads_in_order(pack: Path, converted) -> None:
    """"الصفحة 3 من 14", as the PDF edition has it: pdftotext gives both in the same order."""
    pdf = converted["ar"]["guidance"]
    total = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                              text=True).stdout).group(1))
    for page in (2, 3, total):
        lines = [line for line in pdf_text(pdf, "-f", str(page), "-l", str(page)).splitlines() if line.strip()]
        words = re.findall(r"\d+|[\u0600-\u06ff]+", lines[-1])
        assert words == [str(total), "من", str(page), "الصفحة"], lines[-1]


# --- fonts -----------------------------------------------------------------------------------


def embedded_faces(path: Path) -> list[tuple[str, str, TTFont]]:
    """(family, kind, font) for each embedded face, de-obfuscated as ECMA-376 §17.8.1 says."""
    return [(family, kind, TTFont(io.BytesIO(data))) for family, kind, data in embedded_data(path)]


def embedded_data(path: Path) -> list[tuple[str, str, bytes]]:
    faces = []
    with zipfile.ZipFile(path) as package:
        rels = {i: rel.get("Target") for i, rel in relationships(package, "word/fontTable.xml").items()}
        for font in etree.fromstring(package.read("word/fontTable.xml")).iter(f"{W}font"):
            for embed in font:
                if not etree.QName(embed).localname.startswith("embed"):
                    continue
                key = embed.get(f"{W}fontKey")
                assert re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", key)
                data = bytearray(package.read("word/" + rels[embed.get(f"{{{R_NS}}}id")]))
                guid = uuid.UUID(key.strip("{}")).bytes
                for index in range(32):
                    data[index] ^= guid[15 - index % 16]
                faces.append((font.get(f"{W}name"), etree.QName(embed).localname[5:], bytes(data)))
    return faces


def test_fonts_are_embedded_as_word_embeds_them(pack: Path) -> None:
    path = docx_path(pack, "en", "guidance")
    faces = embedded_faces(path)
    assert {(family, kind) for family, kind, _ in faces} >= {
        ("Noto Serif", "Regular"), ("Noto Serif", "Bold"), ("Noto Serif", "Italic"), ("Noto Sans", "Bold")}
    for family, kind, font in faces:
        assert font["name"].getDebugName(1) == family
        assert len(font.getBestCmap()) < 2840  # a subset
    settings = part(path, "word/settings.xml")
    assert settings.find(f"{W}embedTrueTypeFonts") is not None
    with zipfile.ZipFile(path) as package:
        types = package.read("[Content_Types].xml").decode()
    assert 'Extension="odttf" ContentType="application/vnd.openxmlformats-officedocument.obfuscatedFont"' in types
    arabic = {family for family, _, _ in embedded_faces(docx_path(pack, "ar", "guidance"))}
    assert "Noto Naskh Arabic" in arabic and "Noto Naskh Arabic" not in {f for f, _, _ in faces}


def test_every_document_embeds_the_same_face_bytes(pack: Path) -> None:
    """LibreOffice keeps the first copy of a face it meets by name: the pack's documents carry one."""
    seen: dict[tuple[str, str], bytes] = {}
    for path in every_docx(pack):
        for family, kind, data in embedded_data(path):
            assert seen.setdefault((family, kind), data) == data, (path, family, kind)


@needs("soffice")
@needs("pdffonts")
def test_libreoffice_draws_only_the_embedded_noto_faces(converted) -> None:
    for locale, pdfs in converted.items():
        for doc_id, pdf in pdfs.items():
            listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
            names = [line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]]
            assert names and all(name.startswith("Noto") for name in names), (locale, doc_id, names)


# --- the look -------------------------------------------------------------------------------


def test_the_look_comes_from_styles(pack: Path) -> None:
    path = docx_path(pack, "en", "guidance")
    style_root = part(path, "word/styles.xml")
    heading = style_root.find(f"{W}style[@{W}styleId='Heading1']")
    assert heading.find(f"{W}pPr/{W}pageBreakBefore") is not None  # each top-level section on a new page
    band = style_root.find(f"{W}style[@{W}styleId='CoverBand']")
    assert band.find(f"{W}pPr/{W}shd").get(f"{W}fill") == "FFE600"
    for style_id in ("IntenseQuote", "Attribution", "Definition", "Title", "Subtitle", "CoverFact", "TOC1"):
        assert style_root.find(f"{W}style[@{W}styleId='{style_id}']") is not None, style_id
    body = part(path, "word/document.xml")
    used = body.xpath("//w:pStyle/@w:val", namespaces=NS)
    assert {"CoverBand", "Title", "Subtitle", "CoverFactLabel", "CoverFact", "Heading1"} <= set(used)
    cover_end = body.xpath("//w:p[w:pPr/w:sectPr]", namespaces=NS)  # the cover is a section of its own
    assert len(cover_end) == 1 and cover_end[0].find(f"{W}pPr/{W}sectPr/{W}pgMar").get(f"{W}top") == "0"
    direct = body.xpath("//w:r/w:rPr/w:sz | //w:r/w:rPr/w:color | //w:p/w:pPr/w:shd", namespaces=NS)
    assert not direct  # nothing set by hand that restyling reference.docx would not reach


def test_numbered_headings_keep_their_numbers(pack: Path) -> None:
    body = part(docx_path(pack, "en", "research-summary"), "word/document.xml")
    headings = ["".join(p.xpath(".//w:t/text()", namespaces=NS))
                for p in body.xpath("//w:p[w:pPr/w:pStyle[@w:val='Heading1']]", namespaces=NS)]
    assert any(re.match(r"\d+\. ", h) for h in headings), headings


def test_reference_docx_is_what_invoke_writes(pack: Path) -> None:
    assert (pack / "templates" / "reference.docx").read_bytes() == styles.reference_bytes()


def test_reference_docx_restyled_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "reference.docx"
    assert styles.make_reference(path) is True
    assert styles.make_reference(path) is False  # the same: nothing to do
    path.write_bytes(path.read_bytes() + b"\0")  # restyled (any change)
    restyled = path.read_bytes()
    with pytest.raises(UsageError, match="--force"):
        styles.make_reference(path)
    assert path.read_bytes() == restyled
    assert styles.make_reference(path, force=True) is True and path.read_bytes() == styles.reference_bytes()


# --- the form -------------------------------------------------------------------------------


def test_checkbox_is_a_control_beside_its_label(pack: Path) -> None:
    for locale in LOCALES:
        body = part(docx_path(pack, locale, "response-form"), "word/document.xml")
        boxes = body.xpath("//w:sdt[w:sdtPr/w14:checkbox]", namespaces=NS)
        assert boxes
        for box in boxes:
            assert "".join(box.xpath(".//w:t/text()", namespaces=NS)) == "\u2610"
            paragraph = box.getparent()
            assert paragraph.tag == f"{W}p"
            label = "".join(t for t in paragraph.xpath("w:r/w:t/text()", namespaces=NS)).strip()
            assert len(label) > 20  # the consent sentence, outside the control


def test_placeholders_are_in_the_form_language(pack: Path) -> None:
    expected = {"en": "Click or tap here to enter text.", "fr": "Cliquez ou appuyez ici pour entrer du texte.",
                "ar": "انقر أو اضغط هنا لإدخال نص."}
    for locale, text in expected.items():
        body = part(docx_path(pack, locale, "response-form"), "word/document.xml")
        runs = body.xpath("//w:sdt[w:sdtPr/w:showingPlcHdr][w:sdtPr/w:text]//w:r", namespaces=NS)
        assert runs
        for run in runs:
            assert run.xpath("w:t/text()", namespaces=NS) == [text]
            assert run.xpath("w:rPr/w:rStyle/@w:val", namespaces=NS) == ["PlaceholderText"]


def test_form_is_protected_for_filling_in_only(pack: Path) -> None:
    for locale in LOCALES:
        protection = part(docx_path(pack, locale, "response-form"), "word/settings.xml").find(f"{W}documentProtection")
        assert protection.get(f"{W}edit") == "forms" and protection.get(f"{W}enforcement") == "1"
        assert protection.get(f"{W}hash") is None  # no password: staff can lift it
    assert part(docx_path(pack, "en", "guidance"), "word/settings.xml").find(f"{W}documentProtection") is None


@needs("soffice")
def test_a_form_filled_and_resaved_by_libreoffice_is_collected(pack: Path, tmp_path: Path) -> None:
    from test_collect import fill_docx, libreoffice_resave

    from pressroom.commands.collect import collect

    values = {"full_name": "Eve Example", "responding_as": "individual", "q1_protect_rights": "One.\nTwo.",
              "consent_use": True}
    filled = tmp_path / "filled"
    filled.mkdir()
    for locale in LOCALES:
        fill_docx(docx_path(pack, locale, "response-form"), filled / f"{locale}.docx", values, breaks="paragraphs")
    responses = tmp_path / "responses"
    libreoffice_resave(sorted(filled.glob("*.docx")), responses, tmp_path / "profile")
    collected, problems = collect(pack, responses)
    assert not [p for p in problems if p.level == "error"], problems
    assert len(collected) == len(LOCALES)
    for response in collected:
        assert response.values["full_name"] == "Eve Example", response
        assert response.values["responding_as"] == "individual", response
        assert response.values["q1_protect_rights"] == "One.\nTwo.", response
        assert response.values["consent_use"] == "yes", response
        assert response.values["email"] == "" and response.values["other_comments"] == "", response


# --- no template leftovers -------------------------------------------------------------------


def test_no_template_leftovers(pack: Path) -> None:
    for path in every_docx(pack):
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            core = package.read("docProps/core.xml").decode()
            app = etree.fromstring(package.read("docProps/app.xml"))
        assert not [n for n in names if "thumbnail" in n or "customXml" in n or "stylesWithEffects" in n], names
        assert "lastPrinted" not in core
        assert app.findtext(f"{{{EP_NS}}}Application") == "pressroom"
        assert app.find(f"{{{EP_NS}}}Pages") is None  # not known without laying out pages
        body = part(path, "word/document.xml").find(f"{W}body")
        words = len(" ".join("".join(p.xpath(".//w:t/text()", namespaces=NS)) for p in body.iter(f"{W}p")).split())
        assert app.findtext(f"{{{EP_NS}}}Words") == str(words)
