"""The content is faithful to its sources, free of extraction damage, and fully referenced.

These tests read the real project (content/, references.bib) and the seeds under
/work/shared/seeds: the built text is the assembled HTML, the same tree every writer uses.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from lxml import html as lxml_html

from conftest import ROOT
from pressroom.assemble import assemble
from pressroom.read.bibliography import load_bibliography
from pressroom.read.pack import load_pack
from pressroom.read.fragments import read_fragment, split_front_matter
from pressroom.diagnostics import Report
from pressroom.read.markdown import render_fragment

SEEDS = ROOT.parent / "shared" / "seeds"
SOURCE_MAPS = sorted((ROOT / "tests" / "data").glob("source-map-*.yaml"))
CONTENT = ROOT / "content"

FOOTNOTE = 'contains(concat(" ", normalize-space(@class), " "), " footnote ")'


# --- building the text of a document ------------------------------------------------------


@lru_cache(maxsize=1)
def _assembled_en() -> dict[str, str]:
    """Every document of the real pack, assembled in English: doc id → HTML."""
    pack = load_pack(ROOT)
    report = Report()
    bib = load_bibliography(pack.bibliography, "references.bib", report)
    documents = {doc_id: assemble(pack, doc, "en", bib, report) for doc_id, doc in pack.documents.items()}
    assert not report.errors, "\n".join(map(str, report.errors))
    return {doc_id: doc.html for doc_id, doc in documents.items()}


def _web_html() -> str:
    """The web edition: content/en/web/*.md rendered one after the other."""
    report = Report()
    parts = []
    for path in sorted((CONTENT / "en" / "web").glob("*.md")):
        fragment = read_fragment(ROOT, path, report, doc_id="web", locale="en")
        assert fragment is not None, "\n".join(map(str, report.errors))
        parts.append(render_fragment(fragment, report))
    assert not report.errors, "\n".join(map(str, report.errors))
    return "<html><body>" + "".join(parts) + "</body></html>"


def document_html(doc_id: str) -> str:
    return _web_html() if doc_id == "web" else _assembled_en()[doc_id]


def outer_footnotes(tree) -> list:
    """``span.footnote`` elements in document order, not counting any nested in another note."""
    return [s for s in tree.xpath(f"//span[{FOOTNOTE}]") if not s.xpath(f"ancestor::span[{FOOTNOTE}]")]


def built_text(html: str) -> str:
    """Body text with each note call replaced by its number, then "N" + note text per note."""
    tree = lxml_html.document_fromstring(html)
    notes = []
    for number, span in enumerate(outer_footnotes(tree), start=1):
        notes.append(f"{number} {span.text_content()}")
        marker = lxml_html.Element("span")
        marker.text = str(number)
        marker.tail = span.tail
        span.getparent().replace(span, marker)
    body = tree.find("body")
    return body.text_content() + "\n" + "\n".join(notes)


QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
DROPPED = re.compile("[\\s\uf0b7\u2022\\-\u2010\u2013\u2014\u00ad]")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("https://", "").replace("http://", "")
    return DROPPED.sub("", text).translate(QUOTES)


def test_normalise_is_the_documented_one() -> None:
    assert normalise("Con\u00adsul‐ta–tion — “a ‘b’”\t\uf0b7 • https://x.org http://y") == "consultation\"a'b'\"x.orgy"
    assert normalise("ﬁnal  Ｆ") == "finalf"  # NFKC, casefold


def test_built_text_numbers_notes_in_order() -> None:
    html = ('<html><body><p>One<span class="footnote">first note</span> and two'
            '<span class="footnote citation">second</span>.</p></body></html>')
    assert normalise(built_text(html)) == normalise("One1 and two2.\n1first note\n2second")


# --- faithfulness to the seeds --------------------------------------------------------------


def _ranges(spec: str) -> range:
    first, _, last = str(spec).partition("-")
    return range(int(first), int(last or first) + 1)


@pytest.mark.parametrize("source_map", SOURCE_MAPS, ids=[p.stem for p in SOURCE_MAPS])
def test_every_text_line_of_the_seed_is_in_the_built_document(source_map: Path) -> None:
    mapping = yaml.safe_load(source_map.read_text(encoding="utf-8"))
    seed = SEEDS / mapping["seed"]
    if not seed.is_file():
        pytest.skip(f"seed {seed} is not available (the shared seeds live beside the project)")
    seed_lines = seed.read_text(encoding="utf-8").splitlines()
    built = normalise(built_text(document_html(mapping["document"])))
    assert len(built) > 1000  # a real document, not an empty shell

    missing, checked = [], 0
    for entry in mapping["lines"]:
        assert entry["where"] in ("text", "omitted"), entry
        if entry["where"] != "text":
            assert entry.get("why"), f"omitted lines need a reason: {entry}"
            continue
        for number in _ranges(entry["range"]):
            assert number <= len(seed_lines), f"{source_map.name}: line {number} is past the end of {seed.name}"
            wanted = normalise(seed_lines[number - 1])
            checked += bool(wanted)
            if wanted and wanted not in built:
                missing.append(f"{mapping['document']}: {seed.name}:{number}: {seed_lines[number - 1].strip()!r}")
    assert checked > 0
    assert not missing, f"{len(missing)} seed line(s) not found in the built text:\n" + "\n".join(missing)


# --- extraction damage -------------------------------------------------------------------------

# Damage the PDF/web extraction left in the seeds; none of it may reach the printed text.
DAMAGE = [
    "\uf0b7",  # private-use bullet glyph
    "•",
    "consul tation",
    "ex pected",
    "20 14",
    "us ing",
    "de criminalisation",
    "Interna tional",
    "o rganisations",
    "legali sation",
    "decriminal isation",
    "viol ence",
]
DAMAGE_LINES = [
    (re.compile(r"^#{1,6} .* \?\s*(\{#[^}]*\})?\s*$"), "a space before '?' at the end of a heading"),
    (re.compile(r"^\s*\d{1,3}\s*$"), "a lone page-number line"),
    (re.compile(r"Page \d+ of \d+"), "running footer 'Page N of M'"),
]


def _printed_text(path: Path) -> str:
    """What a content file contributes to the pack: a fragment's body and its title/source.

    The ``editorial`` notes are not printed: they record the repairs and so quote the damage
    they repaired (e.g. "'consul tation' → 'consultation'")."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".md":
        return text
    meta, body, _ = split_front_matter(text, str(path), Report())
    return "\n".join(str(meta.get(key, "")) for key in ("title", "source")) + "\n" + body


CONTENT_FILES = sorted(p for p in CONTENT.rglob("*") if p.is_file())


def test_content_files_are_found() -> None:
    names = {p.relative_to(CONTENT).as_posix() for p in CONTENT_FILES}
    assert {"en/guidance/01-guidance-notes.md", "en/qa/02-the-proposed-policy.md",
            "en/response-form/form.yaml", "en/web/01-explaining-our-draft-policy.md"} <= names


@pytest.mark.parametrize("path", CONTENT_FILES, ids=[p.relative_to(CONTENT).as_posix() for p in CONTENT_FILES])
def test_no_extraction_damage(path: Path) -> None:
    text = _printed_text(path)
    found = [f"{pattern!r}" for pattern in DAMAGE if pattern in text]
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, what in DAMAGE_LINES:
            if pattern.search(line):
                found.append(f"{what}: {line.strip()!r}")
    assert not found, f"{path.relative_to(ROOT)}: " + "; ".join(found)


def test_damage_patterns_do_catch_damage() -> None:
    """The patterns above are live: a damaged sample trips each of them."""
    sample = "# Why this consul tation ?\n\n12\n\nPage 3 of 40\n\n\uf0b7 item"
    hits = [p for p in DAMAGE if p in sample] + [w for p, w in DAMAGE_LINES
                                                   if any(p.search(line) for line in sample.splitlines())]
    assert len(hits) == 5


def test_the_sources_own_word_cohesion_is_kept() -> None:
    qa = "\n".join(_printed_text(p) for p in sorted((CONTENT / "en" / "qa").glob("*.md")))
    assert "protection from violence and cohesion" in " ".join(qa.split())


# --- the policy summary's notes ---------------------------------------------------------------


def _guidance_notes() -> list[str]:
    tree = lxml_html.document_fromstring(document_html("guidance"))
    return [" ".join(span.text_content().split()) for span in outer_footnotes(tree)]


def test_policy_summary_has_36_notes_in_source_order() -> None:
    tree = lxml_html.document_fromstring(document_html("guidance"))
    notes = outer_footnotes(tree)
    assert len(notes) == 36
    assert len(tree.xpath(f"//span[{FOOTNOTE}]")) == 36  # no note inside a note
    # labels are the source's numbers: the document order is the source order 1..36
    assert [span.get("data-label") for span in notes] == [str(n) for n in range(1, 37)]


def test_policy_summary_notes_have_their_sources() -> None:
    notes = _guidance_notes()
    assert "UNAIDS" in notes[0]  # note 1: the UNAIDS definition of sex work
    assert "Grover" in notes[24] or "Special Rapporteur" in notes[24]
    assert "World Health Organization" in notes[34] and "2012" in notes[34]
    assert "Recommendations for a Public Health Approach" in notes[34]
    assert "UN Women" in notes[33]
    assert "Canadian HIV/AIDS Legal Network" in notes[35] and "Kenya National Human Rights Commission" in notes[35]


# --- the bibliography --------------------------------------------------------------------------


def test_every_bibliography_entry_is_cited_or_listed() -> None:
    pack = load_pack(ROOT)
    report = Report()
    bib = load_bibliography(pack.bibliography, "references.bib", report)
    assert not report.errors
    assert len(bib.entries) > 10
    cited: set[str] = set()
    for doc_id in pack.documents:
        tree = lxml_html.document_fromstring(document_html(doc_id))
        for keys in tree.xpath("//@data-cites"):
            cited.update(keys.split())
    annex = lxml_html.document_fromstring(document_html("research-summary"))
    annex_links = set(annex.xpath('//*[@id="annex"]/following::a/@href'))
    assert any("amnesty.org" in href for href in annex_links)
    orphans = [f"references.bib:{e.line}: {e.key} (url {e.url})" for e in bib.entries.values()
               if e.key not in cited and (e.url is None or e.url not in annex_links)]
    assert not orphans, "never cited nor listed in the annex:\n" + "\n".join(orphans)
    assert cited <= set(bib.entries), f"unknown keys cited: {sorted(cited - set(bib.entries))}"
