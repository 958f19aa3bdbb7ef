"""Citations: formatted by pandoc citeproc with the pack's Chicago (notes) style — a full note
the first time a work is cited, a short note after — set inline inside footnotes and as their
own footnote in running text; unknown keys stop the build at the fragment line.

The expected strings were written from the Chicago Manual of Style, 18th edition, notes and
bibliography system (14.x: books and reports, journal articles, websites; place of publication
is optional since the 18th edition, access dates only for sources without a date), then
checked against the output.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT, append, copy_project, snapshot
from pressroom.assemble.citations import Cluster, format_citations, is_note_style
from pressroom.build import assemble_all, build
from pressroom.read.pack import load_pack
from pressroom.model import Fragment
from pressroom.diagnostics import ContentError, Report
from pressroom.read.markdown import render_fragment

CSL = ROOT / "templates" / "csl" / "chicago-notes-bibliography.csl"
W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
NOTE_SPANS = '//span[contains(concat(" ", normalize-space(@class), " "), " footnote ")]'

BIB = """\
@report{smith2019,
  author      = {Smith, Jane and Doe, John},
  title       = {Policing and Public Health},
  institution = {Open Society Foundations},
  number      = {42},
  year        = {2019},
}

@article{shannon2018,
  author  = {Shannon, Kate and Crago, Anna-Louise},
  title   = {Sex Work and HIV},
  journal = {The Lancet},
  volume  = {392},
  pages   = {698--710},
  year    = {2018},
}

@report{hrc2010,
  author      = {{UN Human Rights Council}},
  title       = {Report of the Special Rapporteur on the Right to Health},
  shorttitle  = {Right to Health},
  institution = {United Nations},
  number      = {A/HRC/14/20},
  year        = {2010},
}

@online{factsheet,
  author  = {{Global Commission on HIV and the Law}},
  title   = {Fact Sheet on HIV and the Law},
  url     = {https://hivlawcommission.org/factsheet.pdf},
  urldate = {2014-02-01},
}
"""


def norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def bib(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cite") / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    return path


def formatted(bib: Path, *clusters: str, lang: str = "en-US") -> list[str]:
    result = format_citations([Cluster(c, in_note=True) for c in clusters], bib, CSL, lang)
    assert result.note_style
    return result.clusters


def test_the_pack_style_is_a_note_style():
    assert is_note_style(CSL)


@pytest.mark.parametrize("first, again, full, short", [
    pytest.param(  # a report: authors, title (italic), number, institution, year
        "[@smith2019]", "[@smith2019]",
        "Jane Smith and John Doe, <em>Policing and Public Health</em>, no. 42 (Open Society Foundations, 2019).",
        "Smith and Doe, <em>Policing and Public Health</em>.",
        id="report"),
    pytest.param(  # a journal article: the locator replaces the page range in a note
        "[@shannon2018, p. 29]", "[@shannon2018, p. 31]",
        "Kate Shannon and Anna-Louise Crago, <span>“Sex Work and HIV,”</span> <em>The Lancet</em> 392 (2018): 29.",
        "Shannon and Crago, <span>“Sex Work and HIV,”</span> 31.",
        id="article"),
    pytest.param(  # a UN document: corporate author kept whole, document symbol, short title
        "[@hrc2010]", "[@hrc2010]",
        "UN Human Rights Council, <em>Report of the Special Rapporteur on the Right to Health</em>, A/HRC/14/20"
        " (United Nations, 2010).",
        "UN Human Rights Council, <em>Right to Health</em>.",
        id="un-document"),
    pytest.param(  # an undated web page: title in quotes, access date, URL
        "[@factsheet]", "[@factsheet]",
        "Global Commission on HIV and the Law, <span>“Fact Sheet on HIV and the Law,”</span> accessed February 1,"
        ' 2014, <a href="https://hivlawcommission.org/factsheet.pdf">https://hivlawcommission.org/factsheet.pdf</a>.',
        "Global Commission on HIV and the Law, <span>“Fact Sheet on HIV and the Law.”</span>",
        id="web-page"),
])
def test_full_note_first_then_short_note(bib, first, again, full, short):
    # another work cited in between: the second citation is a plain subsequent one (not ibid.)
    other = "[@smith2019]" if "smith2019" not in first else "[@hrc2010]"
    result = formatted(bib, first, other, again)
    assert result[0] == full
    assert result[2] == short


def test_immediately_repeated_citation_is_a_short_note_not_ibid(bib):
    assert formatted(bib, "[@smith2019]", "[@smith2019, 12]") == [
        "Jane Smith and John Doe, <em>Policing and Public Health</em>, no. 42 (Open Society Foundations, 2019).",
        "Smith and Doe, <em>Policing and Public Health</em>, 12.",
    ]


def test_a_cluster_of_two_works_gives_both_separated_by_a_semicolon(bib):
    assert formatted(bib, "[@smith2019; @hrc2010]", "[@smith2019; @hrc2010]") == [
        "Jane Smith and John Doe, <em>Policing and Public Health</em>, no. 42 (Open Society Foundations, 2019); "
        "UN Human Rights Council, <em>Report of the Special Rapporteur on the Right to Health</em>, A/HRC/14/20"
        " (United Nations, 2010).",
        "Smith and Doe, <em>Policing and Public Health</em>; UN Human Rights Council, <em>Right to Health</em>.",
    ]


def test_british_english_quotes_for_the_pack(bib):
    """The pack's English is en-GB: single quotes, the comma outside them, day-month dates."""
    assert formatted(bib, "[@shannon2018, p. 29]", "[@factsheet]", lang="en-GB") == [
        "Kate Shannon and Anna-Louise Crago, <span>‘Sex Work and HIV’</span>, <em>The Lancet</em> 392 (2018): 29.",
        "Global Commission on HIV and the Law, <span>‘Fact Sheet on HIV and the Law’</span>, accessed 1 February"
        ' 2014, <a href="https://hivlawcommission.org/factsheet.pdf">https://hivlawcommission.org/factsheet.pdf</a>.',
    ]


# --- in the assembled guidance document ------------------------------------------------------------


@pytest.fixture(scope="module")
def guidance(built_en: Path):
    report = Report()
    _, documents = assemble_all(load_pack(built_en), {"en"}, report)
    assert not report.errors
    return documents[("guidance", "en")].tree


def test_citations_in_notes_are_set_inline(guidance):
    cited = guidance.xpath("//*[@data-cites]")
    # the guidance pack cites only inside notes: 1, 4, 11, 22, 25, 26 and 29–36
    assert len(cited) == 14
    for node in cited:
        assert node.get("class") == "citation"
        assert node.xpath('ancestor::span[@class="footnote"]')
    assert len(guidance.xpath(NOTE_SPANS)) == 36
    assert guidance.xpath(NOTE_SPANS + '//span[contains(@class, "footnote")]') == []


def test_a_notes_own_full_stop_is_not_doubled(guidance):
    notes = [norm(n.text_content()) for n in guidance.xpath(NOTE_SPANS)]
    # "[^1]: [@unaids-guidance-note]." — the style ends the note; the source's "." is dropped
    # (a note the editors rebuilt says so; no "n.d." the source does not print)
    assert notes[0].startswith("Reconstructed: UNAIDS, UNAIDS Guidance Note on HIV and Sex Work, Guidance note "
                               "UNAIDS/09.09E (UNAIDS). A note marked “Reconstructed” was lost from the source")
    # "[^33]: [@unaids-advisory-group]. The beginning …" — short note, one full stop
    assert notes[32].startswith("Reconstructed: UNAIDS Advisory Group on HIV and Sex Work, The Report of the UNAIDS Advisory Group "
                                "on HIV and Sex Work. The beginning of this note")
    # first citation of grover2010 in note 25 is full; note 31 cites it again: short
    assert notes[24] == ("Reconstructed: Anand Grover, Report of the Special Rapporteur on the Right of Everyone to the Enjoyment of "
                         "the Highest Attainable Standard of Physical and Mental Health, UN Doc. A/HRC/14/20 (UN Human "
                         "Rights Council, 2010).")
    assert notes[30] == ("Reconstructed: Grover, Report of the Special Rapporteur on the Right of Everyone to the Enjoyment of the "
                         "Highest Attainable Standard of Physical and Mental Health.")
    assert not [n for n in notes if ".." in n.replace("…", "")]


POLICY = "content/en/guidance/04-policy-summary.md"
WHO_FULL = ("HIV/AIDS Programme, Prevention and Treatment of HIV and Other Sexually Transmitted Infections for Sex "
            "Workers in Low- and Middle-Income Countries: Recommendations for a Public Health Approach (Geneva: World Health "
            "Organization, 2012), 8.")
WHO_SHORT = ("HIV/AIDS Programme, Prevention and Treatment of HIV and Other Sexually Transmitted Infections for Sex "
             "Workers in Low- and Middle-Income Countries, 8.")


def docx_notes(path: Path) -> tuple[list[str], list[str]]:
    """The note texts of a DOCX, and the ids its body calls, in order."""
    with zipfile.ZipFile(path) as package:
        notes = etree.fromstring(package.read("word/footnotes.xml"))
        body = etree.fromstring(package.read("word/document.xml"))
    texts = [norm("".join(n.xpath(".//w:t/text()", namespaces=W))) for n in notes.xpath("w:footnote[not(@w:type)]", namespaces=W)]
    calls = body.xpath("//w:footnoteReference/@w:id", namespaces=W)
    return texts, calls


@pytest.fixture(scope="module")
def cited_in_text(tmp_path_factory):
    """The guidance pack with a citation in running text, before note 1's definition is used
    (end of 04-policy-summary.md): assembled, and built to DOCX."""
    root = copy_project(tmp_path_factory.mktemp("cited") / "pack")
    line = append(root, POLICY, "\nThe World Health Organization calls for decriminalisation [@who2012prevention, p. 8].\n") + 1
    result = build(root, docs=["guidance"], locales=["en"], formats=["docx"])
    assert not result.report.errors
    _, documents = assemble_all(load_pack(root), {"en"}, Report())
    return root, line, documents[("guidance", "en")].tree


def test_a_citation_in_running_text_becomes_its_own_note(cited_in_text):
    root, line, tree = cited_in_text
    span = tree.xpath('//span[@data-cites="who2012prevention"]')[0]
    assert span.get("class") == "footnote citation"
    assert span.get("data-src") == f"{POLICY}:{line}"
    assert not span.xpath("ancestor::span")  # its own note, not inside another
    notes = [norm(n.text_content()) for n in tree.xpath(NOTE_SPANS)]
    assert len(notes) == 37
    assert notes[1] == WHO_FULL  # after note 1 (04-policy-summary), before the old note 2
    assert notes[35] == WHO_SHORT  # the old note 35 (now 36) cites the work again: now short
    texts, calls = docx_notes(root / "output" / "en" / "guidance.docx")
    assert texts == notes
    assert calls == [str(i) for i in range(1, 38)]


def test_a_note_call_from_a_citation_follows_the_full_stop(cited_in_text):
    _, _, tree = cited_in_text
    span = tree.xpath('//span[@data-cites="who2012prevention"]')[0]
    before = span.getprevious().tail if span.getprevious() is not None else span.getparent().text
    assert before.endswith("decriminalisation.")
    assert not (span.tail or "").startswith(".")


# --- unknown keys ------------------------------------------------------------------------------------

QA = "content/en/qa/01-introduction.md"


def test_unknown_citation_key_stops_the_build_at_its_line(project):
    build(project, docs=["qa"], locales=["en"], formats=["docx"])
    before = snapshot(project)
    start = append(project, QA, "\nThe evidence is summarised elsewhere\n[@grover2010; @nope].[^n]\n\n"
                                "[^n]: See also [@nope-in-note, p. 3].\n")
    with pytest.raises(ContentError) as failure:
        build(project, docs=["qa"], locales=["en"], formats=["docx"])
    errors = [str(d) for d in failure.value.report.sorted() if d.level == "error"]
    hint = "add the entry to the bibliography or correct the key"
    assert errors == [
        f"{QA}:{start + 2}: citation key @nope is not in references.bib — {hint}",
        f"{QA}:{start + 4}: citation key @nope-in-note is not in references.bib — {hint}",
    ]
    assert snapshot(project) == before


# --- an email address is not a citation -------------------------------------------------------------

EMAILS = "Write to swc@amnesty.org.uk [write to swc@amnesty.org.uk] (or [swc@amnesty.org.uk]).[^e]"


def test_an_email_address_is_not_a_citation_when_rendered():
    report = Report()
    text = f"{EMAILS}\n\n[^e]: Or [swc@amnesty.org.uk, the consultation team].\n"
    html = render_fragment(Fragment("qa", "x.md", "en", "content/en/qa/x.md", text, 1), report)
    tree = etree.fromstring(f"<div>{html}</div>", etree.HTMLParser()).find(".//div")
    assert report.items == []
    assert tree.xpath("//*[@data-cites] | //*[contains(@class, 'citation')]") == []
    assert "[write to swc@amnesty.org.uk]" in norm(tree.xpath("string()"))
    assert "[swc@amnesty.org.uk, the consultation team]" in norm(tree.xpath("string()"))


def test_an_email_address_is_not_a_citation_in_the_build(project):
    append(project, QA, f"\n{EMAILS}\n\n[^e]: Or [swc@amnesty.org.uk, the consultation team].\n")
    result = build(project, docs=["qa"], locales=["en"], formats=["docx"])
    assert not result.report.errors
    with zipfile.ZipFile(project / "output" / "en" / "qa.docx") as package:
        body = etree.fromstring(package.read("word/document.xml"))
    paragraphs = [norm("".join(p.xpath(".//w:t/text()", namespaces=W))) for p in body.iter(f"{{{W['w']}}}p")]
    assert "Write to swc@amnesty.org.uk [write to swc@amnesty.org.uk] (or [swc@amnesty.org.uk])." in paragraphs
    texts, _ = docx_notes(project / "output" / "en" / "qa.docx")
    assert texts == ["Or [swc@amnesty.org.uk, the consultation team]."]


# Notes 34-36 survived in the source (000_8c8ffa4fc827e61d.txt, lines 563-574), quoted here as printed there.
SOURCE_NOTES = {
    34: "“UN Women also supports the regulation of sex work in order to protect sex workers from abuse and violence.” "
        "UN Women, Note on Sex Work, Sexual Exploitation and Trafficking (2013).",
    35: "HIV/AIDS Programme, Prevention and Treatment of HIV and Other Sexually Transmitted Infections for Sex Workers "
        "in Low- and Middle-Income Countries: Recommendations for a Public Health Approach (Geneva: World Health "
        "Organization, 2012), p. 8.",
    36: "Canadian HIV/AIDS Legal Network, Sex, Work, Rights: Reforming Canadian Criminal Laws on Prostitution (2005); "
        "Wurth et al., “Condoms as Evidence of Prostitution,” p. 18626; Global Commission on HIV and the Law, "
        "“Fact Sheet on HIV and the Law: Risks, Rights and Health,” n.d. (noting that the Kenya National Human Rights "
        "Commission called for the decriminalisation of sex work in 2012), available at "
        "http://hivlawcommission.org/resources/report/HIV&Law-Factsheet-EN.pdf (last viewed 1 February 2014); Shields, "
        "Criminalizing Condoms, p. 29; South Africa Commission on Gender Equality, Decriminalising Sex Work in South "
        "Africa: Official Position of the Commission on Gender Equality (2013).",
}


def words(text: str) -> set[str]:
    return set(re.findall(r"[\w/.:&-]+", text.replace("’", "").replace("‘", "").replace(",", " ")))


@pytest.mark.parametrize("number", sorted(SOURCE_NOTES))
def test_a_surviving_note_prints_no_detail_its_source_does_not_give(guidance, number):
    """The style may reorder and punctuate (and says "accessed" where the source says "last viewed"),
    but every word of the formatted note is in the source's note: no journal, volume, DOI or full
    title the .bib knew from elsewhere."""
    note = norm(guidance.xpath(NOTE_SPANS)[number - 1].text_content())
    extra = {w.rstrip(".:") for w in words(note)} - {w.rstrip(".:") for w in words(SOURCE_NOTES[number])} - {"accessed"}
    assert not extra, note
    assert {"Wurth", "Shields", "18626", "29"} <= words(note) if number == 36 else True


def test_an_edit_that_changes_no_citation_does_not_run_pandoc_again(project, monkeypatch):
    """pandoc's output is kept in output/.cache/ under a digest of what it reads: a sentence added
    does not run it again; a citation added does, and is formatted."""
    import pressroom.assemble.citations as citations

    doc, fragment = "guidance", "content/en/guidance/02-questions.md"
    build(project, docs=[doc], locales=["en"], formats=["docx"])
    runs, real = [], citations._pandoc.__wrapped__
    monkeypatch.setattr(citations, "_pandoc", lambda *args: runs.append(1) or real(*args))
    append(project, fragment, "\nA sentence added by the test.\n")
    build(project, docs=[doc], locales=["en"], formats=["docx"])
    assert runs == []
    append(project, fragment, "\nCited.[^77]\n\n[^77]: [@grover2010, 4].\n")
    build(project, docs=[doc], locales=["en"], formats=["docx"])
    assert runs == [1]
    with zipfile.ZipFile(project / "output/en/guidance.docx") as docx:
        assert "Grover, Report of the Special Rapporteur" in re.sub(r"<[^>]+>", "", docx.read("word/footnotes.xml").decode())
