"""Response collection: fill the built form as respondents do (screen PDF, Word, Word re-saved by
LibreOffice), drop in files that are not responses, collect the folder, read the CSV back.

The English form is built once for the module in a copy of the project. Expected values are
written here, field by field; the CSV must give them back exactly.
"""

from __future__ import annotations

import copy
import csv
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, copy_project, needs
from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

from pressroom.commands.collect.table import neutralised, write_csv, write_xlsx
from pressroom.commands.collect import Response, all_fields, collect, form_fields, read_docx, read_pdf

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

MULTI = "First line of my answer.\nSecond line — with ‘quotes’, “more”, café and naïve.\n\nFourth line, after a blank one."
NAME_EMPTY = "required field 'full_name' is empty"
LOST_BREAKS = "line breaks were lost"

# file name → what the respondent filled in (field name → text, or True for a ticked box).
# Choice answers are given as the option value (PDF radio) or as typed in Word (a label).
PDF_RESPONSES = {
    "a-pdf-individual.pdf": {
        "full_name": "Ann Example", "email": "ann@example.org", "responding_as": "individual",
        "membership_number": "  12345  ", "q1_protect_rights": MULTI,
        "q2_statement": "I disagree: “criminalising” buyers harms sellers.", "consent_use": True},
    "b-pdf-no-name.pdf": {
        "responding_as": "group", "group_name": "Leeds Group",
        "other_comments": "=SUM(A1:A2) stays text, not a formula", "consent_use": True},
}
DOCX_RESPONSES = {  # (values, how a multi-line answer is entered)
    "c-word.docx": ({
        "full_name": "Chris Écrivain", "email": "chris@example.org", "responding_as": "On behalf of a group",
        "group_name": "Amnesty Oxford", "q1_protect_rights": MULTI, "q3_amnesty_calling_for": "Decriminalisation.",
        "consent_use": True}, "br"),
    "d-word.docx": ({
        "full_name": "Dana Doe", "responding_as": "as an individual", "q2_statement": MULTI}, "paragraphs"),
}
LIBREOFFICE_RESPONSES = {
    "e-libreoffice.docx": ({
        "full_name": "  Eve Example ", "responding_as": "As an individual", "membership_number": "998877",
        "q1_protect_rights": MULTI, "other_comments": "Re-saved in LibreOffice.", "consent_use": True}, "paragraphs"),
    "f-libreoffice-breaks.docx": ({
        "full_name": "Fay Example", "responding_as": "On behalf of a group", "group_name": "Fay's group",
        "q2_statement": MULTI, "consent_use": True}, "br"),
}
# what each response must collect as; problems each must (at least) have
EXPECTED = {
    "a-pdf-individual.pdf": ({**PDF_RESPONSES["a-pdf-individual.pdf"], "membership_number": "12345"}, []),
    "b-pdf-no-name.pdf": (PDF_RESPONSES["b-pdf-no-name.pdf"], [NAME_EMPTY]),
    "c-word.docx": ({**DOCX_RESPONSES["c-word.docx"][0], "responding_as": "group"}, []),
    "d-word.docx": ({**DOCX_RESPONSES["d-word.docx"][0], "responding_as": "individual"},
                    ["required field 'consent_use' is not ticked"]),
    "e-libreoffice.docx": ({**LIBREOFFICE_RESPONSES["e-libreoffice.docx"][0], "full_name": "Eve Example",
                            "responding_as": "individual"}, []),
}
FOREIGN = ("notes.txt", "corrupt.docx", "print-edition.pdf")


# --- filling the form as a respondent would ----------------------------------------------------


def fill_pdf(source: Path, target: Path, values: dict, *, radio_on_kid: bool = False) -> None:
    """Text fields through pypdf; the radio group and checkbox set by hand, as a viewer does:
    the group's /V on the parent, /AS on every widget (``radio_on_kid``: /V on the chosen widget
    instead, which is what pypdf's own update does with WeasyPrint's radio kids)."""
    reader = PdfReader(source)
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header
    texts = {k: v for k, v in values.items() if isinstance(v, str) and k not in ("responding_as",)}
    for page in writer.pages:
        writer.update_page_form_field_values(page, texts, auto_regenerate=False)
    buttons = {k: v for k, v in values.items() if k == "responding_as" or v is True}
    for page in writer.pages:
        for ref in page.get("/Annots") or ():
            annot = ref.get_object()
            parent = annot.get("/Parent")
            field = parent.get_object() if parent is not None else annot
            if field.get("/FT") != "/Btn" or str(field.get("/T")) not in buttons:
                continue
            wanted = buttons[str(field["/T"])]
            on = next(k for k in annot["/AP"]["/N"].get_object() if k != "/Off")
            if wanted is True:
                hit = True
            else:
                options, state = field.get("/Opt"), on[1:]
                hit = (str(options[int(state)]) if options and state.isdigit() else state) == wanted
            annot[NameObject("/AS")] = NameObject(on if hit else "/Off")
            if hit:
                (annot if radio_on_kid else field)[NameObject("/V")] = NameObject(on)
    writer.write(target)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _run(text: str | None = None, br: bool = False) -> etree._Element:
    run = etree.Element(_w("r"))
    if br:
        etree.SubElement(run, _w("br"))
    if text is not None:
        t = etree.SubElement(run, _w("t"))
        t.text = text
        t.set(XML_SPACE, "preserve")
    return run


def fill_docx(source: Path, target: Path, values: dict, *, breaks: str = "br", drop_tags: bool = False,
              drop_aliases: bool = False, wrap_checkbox: bool = False) -> None:
    """Type into the content controls as Word does: the placeholder replaced (w:showingPlcHdr
    removed), lines split by w:br (``breaks="br"``) or by paragraphs; a ticked box gets
    w14:checked=1 and ☒. The ``drop_*``/``wrap_checkbox`` options imitate LibreOffice's damage."""
    with zipfile.ZipFile(source) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    for sdt in list(root.iter(_w("sdt"))):
        properties = sdt.find(_w("sdtPr"))
        name = properties.find(_w("tag")).get(_w("val"))
        value = values.get(name)
        if value is True:
            properties.find(f"{{{W14}}}checkbox/{{{W14}}}checked").set(f"{{{W14}}}val", "1")
            first = sdt.find(f".//{_w('t')}")
            assert first.text == "☐"
            first.text = "☒"
        elif value is not None:
            properties.remove(properties.find(_w("showingPlcHdr")))
            content = sdt.find(_w("sdtContent"))
            paragraph = content.find(_w("p"))
            for run in paragraph.findall(_w("r")):
                paragraph.remove(run)
            lines = value.split("\n")
            if breaks == "br":
                for number, line in enumerate(lines):
                    paragraph.append(_run(line, br=number > 0))
            else:
                paragraph.append(_run(lines[0]))
                for line in lines[1:]:
                    extra = etree.SubElement(content, _w("p"))
                    extra.append(copy.deepcopy(paragraph.find(_w("pPr"))))
                    extra.append(_run(line))
        if drop_tags:
            properties.remove(properties.find(_w("tag")))
        if drop_aliases:
            properties.remove(properties.find(_w("alias")))
        if wrap_checkbox and properties.find(f"{{{W14}}}checkbox") is not None:
            outer = etree.Element(_w("sdt"))
            outer_properties = etree.SubElement(outer, _w("sdtPr"))
            for child in list(properties):
                if child.tag in (_w("alias"), _w("tag")):
                    outer_properties.append(child)
            sdt.addprevious(outer)
            etree.SubElement(outer, _w("sdtContent")).append(sdt)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def libreoffice_resave(sources: list[Path], out: Path, profile: Path) -> None:
    """Open and re-save DOCX files in LibreOffice (what a respondent without Word does)."""
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                           "docx:MS Word 2007 XML", "--outdir", str(out), *map(str, sources)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    for source in sources:
        assert (out / source.name).is_file(), f"LibreOffice wrote no {source.name}: {done.stdout} {done.stderr}"


def expected_row(field_names: list[str], filled: dict) -> dict[str, str]:
    return {name: "yes" if filled.get(name) is True else filled.get(name, "") for name in field_names}


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def form(tmp_path_factory) -> Path:
    """A project copy with the English response form built (screen PDF, print PDF, DOCX)."""
    from pressroom.build import build

    root = copy_project(tmp_path_factory.mktemp("collect") / "pack")
    build(root, docs=["response-form"], locales=["en"], editions=["screen", "print"])
    return root


@pytest.fixture(scope="module")
def responses(form: Path, tmp_path_factory) -> Path:
    """A folder of returned forms, as the consultation team receives it, plus three non-responses."""
    out = form / "output" / "en"
    folder = tmp_path_factory.mktemp("responses")
    for name, values in PDF_RESPONSES.items():
        fill_pdf(out / "response-form.pdf", folder / name, values)
    for name, (values, breaks) in DOCX_RESPONSES.items():
        fill_docx(out / "response-form.docx", folder / name, values, breaks=breaks)
    if shutil.which("soffice"):
        staging = tmp_path_factory.mktemp("before-libreoffice")
        for name, (values, breaks) in LIBREOFFICE_RESPONSES.items():
            fill_docx(out / "response-form.docx", staging / name, values, breaks=breaks)
        libreoffice_resave(sorted(staging.glob("*.docx")), folder, tmp_path_factory.mktemp("lo-profile"))
    (folder / "notes.txt").write_text("Call Ann back about her response.\n", encoding="utf-8")
    (folder / "corrupt.docx").write_bytes(b"PK\x03\x04" + b"\x00 not really a zip" * 20)
    shutil.copy(out / "response-form.print.pdf", folder / "print-edition.pdf")
    return folder


@pytest.fixture(scope="module")
def collected(form: Path, responses: Path, tmp_path_factory):
    """collect() over the folder, and the CSV it writes read back by csv.DictReader."""
    found, diagnostics = collect(form, responses)
    fields = all_fields(form)[0]
    table = tmp_path_factory.mktemp("table") / "responses.csv"
    write_csv(found, fields, table)
    with open(table, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = {row["file"]: row for row in reader}
        columns = reader.fieldnames
    return found, diagnostics, rows, columns


def form_yaml_names(root: Path, locale: str = "en") -> list[str]:
    """The field names in form.yaml order, read with plain YAML (not through pressroom)."""
    data = yaml.safe_load((root / "content" / locale / "response-form" / "form.yaml").read_text(encoding="utf-8"))
    return [field["name"] for section in data["sections"] for field in section["fields"]]


# --- the CSV -------------------------------------------------------------------------------------


def test_csv_has_one_row_per_response_with_columns_in_form_order(form, collected):
    found, _, rows, columns = collected
    assert columns == ["file", *form_yaml_names(form), "problems"]
    assert [f.name for f in form_fields(form)] == form_yaml_names(form)
    assert sorted(rows) == sorted(r.source for r in found)
    expected = set(PDF_RESPONSES) | set(DOCX_RESPONSES) | (set(LIBREOFFICE_RESPONSES) if shutil.which("soffice")
                                                          else set())
    assert set(rows) == expected
    assert [r.source for r in found] == sorted(r.source for r in found)


@pytest.mark.parametrize("name", [*PDF_RESPONSES, *DOCX_RESPONSES])
def test_every_value_comes_back_exactly(form, collected, name):
    rows = collected[2]
    filled, problems = EXPECTED[name]
    want = expected_row(form_yaml_names(form), filled)
    got = {key: value for key, value in rows[name].items() if key not in ("file", "problems")}
    for field_name in want:  # field by field, so a failure names the field
        # the table neutralises what a spreadsheet would run as a formula (OWASP): '=SUM(…) stays text
        assert got[field_name] == neutralised(want[field_name]), f"{name}: {field_name}"
    for problem in problems:
        assert problem in rows[name]["problems"]
    if not problems:
        assert rows[name]["problems"] == ""


def test_multi_line_choice_and_consent_survive(collected):
    rows = collected[2]
    assert rows["a-pdf-individual.pdf"]["q1_protect_rights"] == MULTI
    assert rows["c-word.docx"]["q1_protect_rights"] == MULTI  # lines by w:br, as Word writes them
    assert rows["d-word.docx"]["q2_statement"] == MULTI  # lines as paragraphs
    assert [rows[n]["responding_as"] for n in ("a-pdf-individual.pdf", "b-pdf-no-name.pdf", "c-word.docx",
                                                "d-word.docx")] == ["individual", "group", "group", "individual"]
    assert [rows[n]["consent_use"] for n in ("a-pdf-individual.pdf", "c-word.docx", "d-word.docx")] == [
        "yes", "yes", ""]


def test_a_response_without_the_required_name_is_flagged_not_dropped(collected):
    found, _, rows, _ = collected
    assert NAME_EMPTY in rows["b-pdf-no-name.pdf"]["problems"]
    response = next(r for r in found if r.source == "b-pdf-no-name.pdf")
    assert isinstance(response, Response) and NAME_EMPTY in response.problems
    assert response.values["group_name"] == "Leeds Group"


def test_files_that_are_not_responses_are_errors_naming_them(collected):
    found, diagnostics, rows, _ = collected
    errors = {Path(d.path).name: d for d in diagnostics if d.level == "error"}
    assert set(errors) == set(FOREIGN), [str(d) for d in diagnostics]
    assert "only .pdf and .docx" in errors["notes.txt"].message
    assert "not a readable Word file" in errors["corrupt.docx"].message
    assert "no fields of the response form" in errors["print-edition.pdf"].message
    assert not set(FOREIGN) & set(rows)
    for diagnostic in errors.values():
        assert diagnostic.path in str(diagnostic)


def test_the_same_table_as_an_excel_workbook(form, collected, tmp_path):
    from openpyxl import load_workbook

    found = collected[0]
    fields = all_fields(form)[0]
    write_xlsx(found, fields, tmp_path / "responses.xlsx")
    sheet = load_workbook(tmp_path / "responses.xlsx").active
    header = [c.value for c in sheet[1]]
    assert header == ["file", *(f.name for f in fields), "problems"]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "b-pdf-no-name.pdf")
    assert row[header.index("other_comments")] == neutralised(PDF_RESPONSES["b-pdf-no-name.pdf"]["other_comments"])


@needs("qpdf")
def test_protected_pdfs_and_a_word_file_that_is_not_the_form(form, tmp_path):
    """An owner password alone (AES) is no obstacle; a password to open is an error; so is any other Word file."""
    import docx

    filled = tmp_path / "filled.pdf"
    fill_pdf(form / "output" / "en" / "response-form.pdf", filled, PDF_RESPONSES["a-pdf-individual.pdf"])
    folder = tmp_path / "responses"
    folder.mkdir()
    for name, user in (("owner-only.pdf", ""), ("locked.pdf", "secret")):
        done = subprocess.run(["qpdf", "--encrypt", user, "owner", "256", "--", str(filled), str(folder / name)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode in (0, 3), done.stderr
    letter = docx.Document()
    letter.add_paragraph("Dear team, my answers are below.")
    letter.save(folder / "letter.docx")
    found, diagnostics = collect(form, folder)
    assert [r.source for r in found] == ["owner-only.pdf"]
    assert found[0].values == expected_row(form_yaml_names(form), EXPECTED["a-pdf-individual.pdf"][0])
    errors = {Path(d.path).name: d.message for d in diagnostics if d.level == "error"}
    assert set(errors) == {"locked.pdf", "letter.docx"}
    assert "password" in errors["locked.pdf"] and "no content controls" in errors["letter.docx"]


def test_a_broken_translation_does_not_stop_the_collection(form, responses, tmp_path):
    root = copy_project(tmp_path / "pack")
    broken = root / "content" / "xx" / "response-form" / "form.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text("sections:\n  - title: [unclosed\n", encoding="utf-8")
    found, diagnostics = collect(root, responses)
    assert {r.source for r in found} == {r.source for r in collect(form, responses)[0]}
    assert any("xx" in d.path and d.level == "warning" for d in diagnostics)
    assert {Path(d.path).name for d in diagnostics if d.level == "error"} == set(FOREIGN)


# --- LibreOffice -------------------------------------------------------------------------------


@needs("soffice")
def test_a_form_re_saved_by_libreoffice_is_read_by_label(form, responses, collected):
    rows = collected[2]
    names = form_yaml_names(form)
    with zipfile.ZipFile(responses / "e-libreoffice.docx") as package:
        document = package.read("word/document.xml").decode()
        application = package.read("docProps/app.xml").decode()
    assert "LibreOffice" in application
    assert "w:tag" not in document, "LibreOffice kept the tags: this test no longer proves the alias fallback"
    want = expected_row(names, EXPECTED["e-libreoffice.docx"][0])
    for field_name in names:
        assert rows["e-libreoffice.docx"][field_name] == want[field_name], field_name
    assert rows["e-libreoffice.docx"]["problems"] == ""


@needs("soffice")
def test_line_breaks_libreoffice_loses_are_reported(collected):
    row = collected[2]["f-libreoffice-breaks.docx"]
    assert LOST_BREAKS in row["problems"]
    assert row["q2_statement"].replace("\n", "") == MULTI.replace("\n", "")  # the words are all there
    assert (row["full_name"], row["responding_as"], row["group_name"], row["consent_use"]) == (
        "Fay Example", "group", "Fay's group", "yes")


# --- fallbacks, without LibreOffice ----------------------------------------------------------


def test_docx_fallbacks_alias_position_and_wrapped_checkbox(form, tmp_path):
    fields, labels = all_fields(form)
    names = [f.name for f in fields]
    values, _ = DOCX_RESPONSES["c-word.docx"]
    want = expected_row(names, EXPECTED["c-word.docx"][0])
    source = form / "output" / "en" / "response-form.docx"
    cases = {"no-tags": {"drop_tags": True}, "no-tags-no-aliases": {"drop_tags": True, "drop_aliases": True},
             "wrapped": {"drop_tags": True, "wrap_checkbox": True}}
    for case, options in cases.items():
        fill_docx(source, tmp_path / f"{case}.docx", values, **options)
        assert read_docx(tmp_path / f"{case}.docx", fields, labels) == want, case
    blank = read_docx(source, fields, labels)
    assert blank == dict.fromkeys(names, "")


def test_pdf_radio_on_the_kid_and_a_nameless_checkbox(form, tmp_path):
    fields = all_fields(form)[0]
    names = [f.name for f in fields]
    values = PDF_RESPONSES["a-pdf-individual.pdf"]
    fill_pdf(form / "output" / "en" / "response-form.pdf", tmp_path / "kid.pdf", values, radio_on_kid=True)
    assert read_pdf(tmp_path / "kid.pdf", fields) == expected_row(names, EXPECTED["a-pdf-individual.pdf"][0])
    # WeasyPrint names a checkbox nested in its <label> "": it is matched by position
    writer = PdfWriter(clone_from=tmp_path / "kid.pdf")
    for page in writer.pages:
        for ref in page.get("/Annots") or ():
            if ref.get_object().get("/T") == "consent_use":
                ref.get_object()[NameObject("/T")] = TextStringObject("")
    writer.write(tmp_path / "nameless.pdf")
    assert read_pdf(tmp_path / "nameless.pdf", fields)["consent_use"] == "yes"


# --- translations --------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_translated_form_collects_into_the_same_columns(tmp_path, locale):
    if not (ROOT / "content" / locale / "response-form" / "form.yaml").is_file():
        pytest.skip(f"content/{locale}/response-form/form.yaml does not exist yet (the form is not translated)")
    from pressroom.build import build
    from pressroom.read.pack import load_pack

    root = copy_project(tmp_path / "pack")
    if locale not in load_pack(root).locales:  # the translator has not listed the locale in pack.yaml yet
        pack_file = root / "content" / "pack.yaml"
        text = pack_file.read_text(encoding="utf-8")
        pack_file.write_text(re.sub(r"(\n\s*locales:\s*\[)([^\]]*)\]", rf"\1\2, {locale}]", text, count=1),
                             encoding="utf-8")
    build(root, docs=["response-form"], locales=[locale], formats=["pdf", "docx"])
    translated = {f.name: f for f in form_fields(root, locale)}
    columns = ["file", *form_yaml_names(root, "en"), "problems"]
    assert list(translated) == columns[1:-1], f"the {locale} form must keep the field names, in the same order"
    label = next(o.label for o in translated["responding_as"].options if o.value == "group")
    pdf_values = {"full_name": "Françoise Exemple", "responding_as": "group",
                  "q1_protect_rights": "Ligne un\nLigne deux — عربي", "consent_use": True}
    docx_values = {**pdf_values, "responding_as": label}
    folder = tmp_path / "responses"
    folder.mkdir()
    out = root / "output" / locale
    fill_pdf(out / "response-form.pdf", folder / f"{locale}.pdf", pdf_values)
    fill_docx(out / "response-form.docx", folder / f"{locale}.docx", docx_values)
    fill_docx(out / "response-form.docx", folder / f"{locale}-no-tags.docx", docx_values, drop_tags=True)
    found, diagnostics = collect(root, folder)
    assert not [d for d in diagnostics if d.level == "error"], [str(d) for d in diagnostics]
    write_csv(found, all_fields(root)[0], tmp_path / "responses.csv")
    with open(tmp_path / "responses.csv", newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = {row["file"]: row for row in reader}
        assert reader.fieldnames == columns
    want = expected_row(columns[1:-1], pdf_values)
    for name in (f"{locale}.pdf", f"{locale}.docx", f"{locale}-no-tags.docx"):
        assert {k: v for k, v in rows[name].items() if k not in ("file", "problems")} == want, name
        assert rows[name]["problems"] == "", name


# --- qpdf ----------------------------------------------------------------------------------------


@needs("qpdf")
def test_qpdf_finds_no_errors_in_the_form_pdfs(form, responses, tmp_path):
    """qpdf --check (and a walk of the AcroForm, where WeasyPrint's doubly listed radio kids show
    as a loop): exit 0, or 3 for warnings, never 2. What qpdf says is printed (pytest -s / -rA)."""
    out = form / "output" / "en"
    files = [out / "response-form.pdf", out / "response-form.print.pdf", *(responses / n for n in PDF_RESPONSES)]
    said = {}
    for path in files:
        for command in (["qpdf", "--check", str(path)], ["qpdf", "--json", "--json-key=acroform", str(path)]):
            done = subprocess.run(command, capture_output=True, text=True, timeout=60)
            warnings = [line for line in (done.stdout + done.stderr).splitlines() if "WARNING" in line]
            said[f"{path.name} {command[1]}"] = (done.returncode, warnings)
            assert done.returncode in (0, 3), f"{' '.join(command)} → {done.returncode}\n{done.stderr}"
    for what, (code, warnings) in said.items():
        print(f"qpdf {what}: exit {code}", *(f"\n    {w}" for w in warnings))


@needs("qpdf")
def test_radio_buttons_are_not_fields_of_their_own(form):
    """WeasyPrint 70 lists each radio button in /AcroForm /Fields under its group's name
    (qpdf: "loop detected"); the writer keeps only the group."""
    pdf = form / "output" / "en" / "response-form.pdf"
    assert "responding_as.responding_as" not in PdfReader(pdf).get_fields()
    walked = subprocess.run(["qpdf", "--json", "--json-key=acroform", str(pdf)], capture_output=True, text=True)
    assert "loop detected" not in walked.stderr


def test_word_choice_is_a_drop_down_of_the_form_options(form):
    """The choice is a w:dropDownList whose items carry the option values and labels of form.yaml."""
    from lxml import etree
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(form / "output" / "en" / "response-form.docx") as package:
        body = etree.fromstring(package.read("word/document.xml"))
    control = next(sdt for sdt in body.iter(f"{w}sdt")
                   if sdt.find(f"{w}sdtPr/{w}tag").get(f"{w}val") == "responding_as")
    items = [(i.get(f"{w}value"), i.get(f"{w}displayText"))
             for i in control.iter(f"{w}listItem")]
    field = next(f for f in form_fields(form) if f.name == "responding_as")
    assert items == [(o.value, o.label) for o in field.options]


def test_form_fields_embed_a_small_font(form):
    """Live fields embed their font whole (WeasyPrint 70): the fields use the Latin subset, not Noto Sans."""
    import pikepdf
    pdf = pikepdf.open(form / "output" / "en" / "response-form.pdf")
    field_font = re.search(r"/(\w+) [\d.]+ Tf", str(pdf.Root.AcroForm.Fields[0].DA)).group(1)
    descriptors = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor"]
    embedded = {str(d.FontName).lstrip("/").split("+")[0]: int(d.FontFile2.Length1) for d in descriptors
                if "/FontFile2" in d}
    assert embedded[field_font] < 100_000  # the whole Noto Sans would be 512,672 bytes
    assert (form / "output" / "en" / "response-form.pdf").stat().st_size < 150_000
