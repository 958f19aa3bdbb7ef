"""The screen edition read as a screen reader reads it: the structure tree's roles, the text of
each element in tree order (pdftext.py), and the accessible names of the form fields — each
compared with the assembled HTML the PDF was made from."""

from __future__ import annotations

import re
import subprocess
from copy import deepcopy
from pathlib import Path

import pikepdf
import pytest
from conftest import needs
from pdftext import Element, structure
from pikepdf import Array, Dictionary, Name

from pressroom.build import assemble_all
from pressroom.read.pack import load_pack
from pressroom.diagnostics import Report
from pressroom.inspect.preflight import check_pdf


def squash(text: str) -> str:
    """Text compared without spacing: a PDF has no space at the end of a line."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def english(built_en: Path) -> dict:
    """doc id → (the screen PDF's structure, marked texts, open PDF, assembled HTML tree)."""
    pack = load_pack(built_en)
    _, documents = assemble_all(pack, {"en"}, Report())
    result = {}
    for doc in ("guidance", "research-summary", "response-form"):
        root, texts, pdf = structure((built_en / "output/en" / f"{doc}.pdf").read_bytes())
        result[doc] = (root, texts, pdf, documents[(doc, "en")].tree)
    return result


def text_without_notes(element) -> str:
    """An HTML element's text as read in the body: footnote bodies left out (they are Notes)."""
    copy = deepcopy(element)
    for note in copy.xpath('.//span[@class="footnote"]'):
        note.drop_tree()
    return copy.text_content()


def tree_text_without_notes(element: Element) -> str:
    return "".join(k if isinstance(k, str) else ("" if k.role in ("Note", "Reference") else tree_text_without_notes(k))
                   for k in element.kids)


def test_footnotes_are_notes_read_right_after_their_calls(english) -> None:
    root, _, pdf, html = english["guidance"]
    notes = root.find("Note")
    assert len(notes) == len(html.xpath('//span[@class="footnote"]')) >= 30
    ids = [n.entries["/ID"] for n in notes]
    assert len(set(ids)) == len(ids)
    id_tree = pdf.Root.StructTreeRoot.IDTree.Names
    assert sorted(str(id_tree[i]) for i in range(0, len(id_tree), 2)) == sorted(ids)
    for parent in root.walk():
        for i, kid in enumerate(parent.kids):
            if isinstance(kid, Element) and kid.role == "Note":
                call = parent.kids[i - 1]
                assert isinstance(call, Element) and call.role == "Reference"
                number = call.text.strip()
                assert kid.text.startswith(f"{number}."), (number, kid.text[:40])
    # the first note's text is the first footnote's, in full
    first = html.xpath('//span[@class="footnote"]')[0]
    assert squash(notes[0].text) == "1." + squash(first.text_content())


def test_reading_order_is_the_documents_and_page_furniture_is_an_artifact(english) -> None:
    root, texts, _, html = english["guidance"]
    body = squash(tree_text_without_notes(root))
    position = 0
    paragraphs = [squash(text_without_notes(p)) for p in html.xpath("//main/p | //main/h1 | //main/h2 | //main//li")]
    assert len(paragraphs) > 40
    for paragraph in paragraphs:
        found = body.find(paragraph, position)
        assert found >= position, f"not read in order: {paragraph[:60]}"
        position = found + len(paragraph)
    assert texts.get("untagged", "") == ""
    assert "Page2of13" in squash(texts["artifact"]) and "GLOBALPOLICYCONSULTATION" in squash(texts["artifact"])
    assert "Page2of" not in body


def test_a_paragraph_or_list_broken_by_a_page_is_one_element(english) -> None:
    for doc in ("guidance", "research-summary"):
        root, _, _, html = english[doc]
        [part] = root.find("Part")
        blocks = [e for e in part.kids if isinstance(e, Element) and e.role in ("P", "L")]
        tree = [(e.role, squash(tree_text_without_notes(e))) for e in blocks]
        source = [("P" if b.tag == "p" else "L", squash(text_without_notes(b))) for b in html.xpath("//main/p | //main/ul | //main/ol")]
        assert [role for role, _ in tree] == [role for role, _ in source]
        for (_, read), (_, written) in zip(tree, source):
            assert read.replace("•", "") == written  # a list reads its bullets
        assert any(len(e.all_pages) > 1 for e in blocks)


def test_headings_are_in_one_part_in_order(english) -> None:
    root, _, _, html = english["guidance"]
    part = root.find("Part")
    assert len(part) == 1
    headings = [(e.role, squash(e.text)) for e in part[0].walk() if re.fullmatch(r"H\d", e.role)]
    assert headings == [(h.tag.upper(), squash(h.text_content())) for h in html.xpath("//main/h1 | //main/h2")]


def test_pull_quotes_are_block_quotes_with_their_attribution(english) -> None:
    root, texts, _, html = english["research-summary"]
    quotes = root.find("BlockQuote")
    figures = html.xpath('//figure[@class="pullquote"]')
    assert len(quotes) == len(figures) >= 3
    for quote, figure in zip(quotes, figures):
        said = squash(figure.xpath("blockquote")[0].text_content())
        assert squash(quote.text) == said + "—" + squash(figure.xpath("figcaption")[0].text_content())
        assert [k.role for k in quote.kids] == ["P", "Caption"]
    assert "“" in texts["artifact"]  # the large decorative quotation mark is not read


def test_definition_boxes_are_asides(english) -> None:
    root, _, pdf, html = english["research-summary"]
    asides = root.find("Aside")
    boxes = html.xpath('//div[@class="definition"]')
    assert len(asides) == len(boxes) == 2
    assert root.entries["RoleMap"]["Aside"] == "Div"
    for aside, box in zip(asides, boxes):
        assert squash(aside.text) == squash(box.text_content())
        assert [k.role for k in aside.kids] == ["P"] * len(box.xpath("p"))


def test_contents_is_a_toc_of_single_links(english) -> None:
    root, _, _, html = english["guidance"]
    [toc] = root.find("TOC")
    entries = html.xpath("//nav//li")
    assert [k.role for k in toc.kids] == ["TOCI"] * len(entries)
    for item, entry in zip(toc.kids, entries):
        assert [k.role for k in item.kids if isinstance(k, Element)] == ["Reference"]
        assert [k.role for k in item.kids[0].kids if isinstance(k, Element)] == ["Link"]
        assert re.fullmatch(re.escape(squash(entry.text_content())) + r"\d+", squash(item.text))  # no leader dots
    assert not any(k.role == "Link" for link in root.find("Link") for k in link.kids if isinstance(k, Element))


def test_cover_facts_are_a_list_of_labels_and_values(english) -> None:
    root, _, _, _ = english["guidance"]
    cover = root.kids[0].kids[0]
    [facts] = cover.find("L")
    assert [[k.role for k in item.kids] for item in facts.kids] == [["Lbl", "LBody"]] * 3
    assert squash(facts.kids[0].kids[1].text) == "Friday21March2014"


def test_form_fields_are_named_by_their_labels(english) -> None:
    root, _, pdf, html = english["response-form"]
    fields = {str(f.T): f for f in pdf.Root.AcroForm.Fields}
    assert str(fields["full_name"].TU) == "Name"  # not "Name *": the flag says required
    assert int(fields["full_name"].Ff) & 2 and not int(fields["email"].get("/Ff", 0)) & 2
    assert str(fields["responding_as"].TU) == "Are you responding as an individual or on behalf of a group?"
    question = html.xpath('//div[@data-field="q1_protect_rights"]//label')[0].text_content()
    assert str(fields["q1_protect_rights"].TU) == " ".join(question.split())  # line breaks are spaces
    assert len(root.find("Form")) == sum(len(f.get("/Kids", [f])) for f in fields.values())


def test_links_say_where_they_go(english) -> None:
    _, _, guidance, _ = english["guidance"]
    _, _, form, html = english["response-form"]
    described = {str(a.Contents) for p in guidance.pages for a in p.get("/Annots", []) if a.Subtype == Name.Link}
    assert {"Guidance notes", "mailto:swc@amnesty.org.uk"} <= described  # not the anchor "guidance-notes"
    sibling = [a for p in form.pages for a in p.get("/Annots", []) if a.get("/A", {}).get("/S") == Name.GoToR]
    texts = [" ".join(a.text_content().split()) for a in html.xpath('//a[starts-with(@href, "doc:")]')]
    assert sibling and [str(a.Contents) for a in sibling] == texts


def test_the_real_screen_pdfs_pass_the_reading_order_checks(built_en: Path) -> None:
    pack = load_pack(built_en)
    report = Report()
    for doc in pack.documents:
        check_pdf(built_en / "output/en" / f"{doc}.pdf", pack.editions[0], report, locale="en")
    assert [str(p) for p in report.sorted()] == []


# --- the checks bite --------------------------------------------------------------------------


def _broken(source: Path, tmp_path: Path, change) -> list[str]:
    pdf = pikepdf.open(source)
    change(pdf)
    target = tmp_path / source.name
    pdf.save(target)
    pack = load_pack(source.parents[2])
    report = Report()
    check_pdf(target, pack.editions[0], report, locale="en")
    return [str(p) for p in report.sorted()]


def _elements(pdf: pikepdf.Pdf, role: str) -> list[Dictionary]:
    found = []

    def walk(node) -> None:
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, Array) else [kids] if kids is not None else []):
            if isinstance(kid, Dictionary) and "/S" in kid:
                if kid.S == Name(f"/{role}"):
                    found.append(kid)
                walk(kid)
    walk(pdf.Root.StructTreeRoot)
    return found


def test_preflight_finds_a_footnote_out_of_the_tree_or_without_id(built_en: Path, tmp_path: Path) -> None:
    def drop_first_note(pdf: pikepdf.Pdf) -> None:
        note = _elements(pdf, "Note")[0]
        parent = note.P
        parent.K = Array([k for k in parent.K if not (isinstance(k, Dictionary) and k.objgen == note.objgen)])
        del _elements(pdf, "Note")[0].ID

    problems = _broken(built_en / "output/en/guidance.pdf", tmp_path, drop_first_note)
    assert any("page 8: marked content that belongs to no structure element" in p for p in problems), problems
    assert any("footnote (Note) without an ID" in p for p in problems), problems


def test_preflight_finds_a_note_away_from_its_call(built_en: Path, tmp_path: Path) -> None:
    def move_to_end(pdf: pikepdf.Pdf) -> None:
        note = _elements(pdf, "Note")[0]
        parent = note.P
        parent.K = Array([k for k in parent.K if not (isinstance(k, Dictionary) and k.objgen == note.objgen)] + [note])

    problems = _broken(built_en / "output/en/guidance.pdf", tmp_path, move_to_end)
    assert any("footnote not read right after its call" in p for p in problems), problems


def test_preflight_finds_untagged_text_and_unnamed_fields(built_en: Path, tmp_path: Path) -> None:
    def spoil(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[1]
        page.contents_add(pdf.make_stream(b"BT /F1 9 Tf 10 10 Td (x) Tj ET"))
        del pdf.Root.AcroForm.Fields[0].TU
        link = next(a for p in pdf.pages for a in p.get("/Annots", []) if a.Subtype == Name.Link)
        del link.Contents

    problems = _broken(built_en / "output/en/response-form.pdf", tmp_path, spoil)
    assert any("page 2: text outside the structure tree" in p for p in problems), problems
    assert any("form field 'full_name' has no accessible name" in p for p in problems), problems
    assert any("link without a description" in p for p in problems), problems


def test_an_untranslated_part_is_tagged_in_its_own_language(project: Path) -> None:
    """The French guidance falls back to English fragments: they are tagged en-GB in a
    document whose language is fr-FR, so a screen reader switches voice."""
    from pressroom.build import build

    build(project, locales=["fr"], docs=["guidance"], formats=["pdf"], editions=["screen"])
    data = (project / "output/fr/guidance.pdf").read_bytes()
    root, _, pdf = structure(data)
    assert str(pdf.Root.Lang) == "fr-FR"
    english = [e for e in root.walk() if e.entries.get("/Lang") == "en-GB"]
    assert english and all(e.role == "Div" for e in english)
    headings = [squash(h.text) for e in english for h in e.walk() if h.role == "H1"]
    assert "Guidancenotes" in headings


# --- what an independent checker asks of the structure (issue 22) ----------------------------


def test_every_list_item_is_a_label_and_one_body(english, built_en: Path, tmp_path: Path) -> None:
    for doc in ("guidance", "research-summary", "response-form"):
        root, _, _, _ = english[doc]
        items = root.find("LI")
        assert items and all([k.role for k in item.kids if isinstance(k, Element)] == ["Lbl", "LBody"]
                              for item in items), doc

    def loosen(pdf: pikepdf.Pdf) -> None:  # the body's paragraphs straight under the item
        body = next(b for b in _elements(pdf, "LBody") if any(isinstance(k, Dictionary) and k.get("/S") == Name.P
                                                              for k in b.K))
        item = body.P
        item.K = Array([k for k in item.K if not (isinstance(k, Dictionary) and k.objgen == body.objgen)] + list(body.K))

    problems = _broken(built_en / "output/en/guidance.pdf", tmp_path, loosen)
    assert any("list item (LI) holds Lbl + P, not its label and one body" in p for p in problems), problems


@needs("pdfinfo")
def test_pdfinfo_reads_each_list_item_as_label_and_body(built_en: Path) -> None:
    for doc in ("guidance", "research-summary", "response-form"):
        out = subprocess.run(["pdfinfo", "-struct", str(built_en / "output/en" / f"{doc}.pdf")],
                             capture_output=True, text=True, check=True).stdout
        lines = [(len(line) - len(line.lstrip()), line.split()[0]) for line in out.splitlines() if line.strip()]
        items = [i for i, (_, role) in enumerate(lines) if role == "LI"]
        assert items, doc
        for i in items:
            depth, kids = lines[i][0], []
            for level, role in lines[i + 1:]:
                if level <= depth:
                    break
                if level == depth + 2:
                    kids.append(role)
            assert kids == ["Lbl", "LBody"], (doc, i, kids)


def test_every_note_call_names_its_note(english, built_en: Path, tmp_path: Path) -> None:
    _, _, pdf, _ = english["guidance"]
    calls = [r for r in _elements(pdf, "Reference") if "/Ref" in r]
    notes = _elements(pdf, "Note")
    assert len(calls) == len(notes) >= 30
    for call, note in zip(calls, notes):
        [target] = call.Ref
        assert target.objgen == note.objgen and str(note.ID)
        label = next(k for k in note.K if isinstance(k, Dictionary) and k.S == Name.Lbl)
        assert label  # the label a reader matches with the call: "2." for the call "2"

    def unname(pdf: pikepdf.Pdf) -> None:
        del next(r for r in _elements(pdf, "Reference") if "/Ref" in r).Ref

    problems = _broken(built_en / "output/en/guidance.pdf", tmp_path, unname)
    assert any("note call (Reference) that names no note" in p for p in problems), problems


def test_annotations_print(built_en: Path, tmp_path: Path) -> None:
    for path in (built_en / "output/en").glob("*.pdf"):
        pdf = pikepdf.open(path)
        flags = [int(a.get("/F", 0)) for p in pdf.pages for a in p.get("/Annots", [])]
        assert all(f & 4 and not f & 2 for f in flags), path.name
        assert flags or path.name.endswith(".print.pdf"), path.name  # the print edition has no links

    def unflag(pdf: pikepdf.Pdf) -> None:
        del next(a for p in pdf.pages for a in p.get("/Annots", []) if a.Subtype == Name.Link).F

    problems = _broken(built_en / "output/en/guidance.pdf", tmp_path, unflag)
    assert any("link annotation without the Print flag" in p for p in problems), problems


def _render(pdf: pikepdf.Pdf, page: int, tmp_path: Path, name: str) -> bytes:
    path = tmp_path / f"{name}.pdf"
    pdf.save(path)
    subprocess.run(["pdftoppm", "-r", "60", "-f", str(page), "-l", str(page), "-png", str(path), str(tmp_path / name)],
                   check=True)
    return next(tmp_path.glob(f"{name}-*.png")).read_bytes()


@needs("pdftoppm")
def test_pages_paint_in_reading_order_and_look_the_same(built_en: Path, tmp_path: Path) -> None:
    """The page with the most notes, repainted in the reverse of the reading order and back:
    preflight sees the order, and not one pixel moves either time."""
    from pressroom.write.pdf.paintorder import paint_in_tree_order
    from pressroom.inspect.preflight.reading import reading_ranks

    source = built_en / "output/en/guidance.pdf"
    pdf = pikepdf.open(source)
    ranks = reading_ranks(pdf.Root.StructTreeRoot)
    number, page = max(enumerate(pdf.pages, 1), key=lambda p: len(_elements_on(pdf, p[1], "Note")))
    assert len(_elements_on(pdf, page, "Note")) >= 5
    looks = _render(pdf, number, tmp_path, "built")
    mine = ranks[page.objgen]
    paint_in_tree_order(pdf, {page.objgen: {m: len(mine) - r for m, r in mine.items()}})

    problems = _broken(source, tmp_path, lambda copy: paint_in_tree_order(copy, {copy.pages[number - 1].objgen: {
        m: len(mine) - r for m, r in mine.items()}}))
    assert any(f"page {number}: tagged content painted out of reading order" in p for p in problems), problems
    assert _render(pdf, number, tmp_path, "reversed") == looks
    paint_in_tree_order(pdf, ranks)
    assert _render(pdf, number, tmp_path, "restored") == looks


def _elements_on(pdf: pikepdf.Pdf, page, role: str) -> list:
    return [e for e in _elements(pdf, role) if e.get("/Pg") is not None and e.Pg.objgen == page.objgen]


@pytest.mark.parametrize("stream", [
    b"BT /F1 9 Tf /P <</MCID 0>> BDC 1 0 0 1 9 9 Tm (a) Tj EMC /P <</MCID 1>> BDC (b) Tj EMC ET",  # inside BT
    b"/P <</MCID 0>> BDC q 1 0 0 rg EMC /P <</MCID 1>> BDC Q EMC",  # marked content across q/Q
    b"/G1 gs /P <</MCID 0>> BDC 0 0 9 9 re f EMC /P <</MCID 1>> BDC 9 9 9 9 re f EMC",  # gs sets a line width
], ids=["in-text-object", "across-q", "extgstate"])
def test_a_page_that_cannot_be_replayed_is_left_as_it_is(stream: bytes) -> None:
    from pressroom.write.pdf.paintorder import paint_in_tree_order

    pdf = pikepdf.new()
    page = pdf.add_blank_page()
    page.Resources = Dictionary(ExtGState=Dictionary(G1=Dictionary(LW=3)))
    page.Contents = pdf.make_stream(stream)
    paint_in_tree_order(pdf, {page.objgen: {0: 1, 1: 0}})  # asks for MCID 1 first
    assert pdf.pages[0].Contents.read_bytes() == stream


def test_a_page_is_repainted_in_the_order_asked_with_its_state() -> None:
    from pressroom.write.pdf.paintorder import paint_in_tree_order

    pdf = pikepdf.new()
    page = pdf.add_blank_page()
    page.Contents = pdf.make_stream(b"1 0 0 -1 0 800 cm q 0 0 1 rg /P <</MCID 0>> BDC 0 0 9 9 re f EMC "
                                    b"/P <</MCID 1>> BDC 1 0 0 1 5 5 cm 9 9 9 9 re f EMC Q")
    paint_in_tree_order(pdf, {page.objgen: {0: 1, 1: 0}})
    ops = [(str(op), operands) for operands, op in pikepdf.parse_content_stream(pdf.pages[0])]
    assert [int(operands[1].MCID) for op, operands in ops if op == "BDC"] == [1, 0]
    # each piece sets up the state it was painted in: the page's cm, then the blue fill
    first = [op for op, _ in ops[:next(i for i, (op, _) in enumerate(ops) if op == "BDC")]]
    assert first == ["q", "cm", "rg"]
