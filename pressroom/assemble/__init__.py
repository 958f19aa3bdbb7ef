"""Fragments of one document in one locale → the assembled HTML document.

The single source of truth for every check and every writer: fragments rendered (Markdown or
form), joined, given their structure (pull quotes, unique heading ids, formatted citations),
then poured into the document's Jinja template (autoescaped, strict about undefined names,
translated through gettext). Fragments are data: they are never evaluated as templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Callable

import jinja2
import yaml
from lxml import html as lxml_html
from markupsafe import Markup

from pressroom.assemble.bidi import isolate_ltr
from pressroom.assemble.citations import (CitationJob, Cluster, Formatted, apply_citations, citation_spans,
                                          format_batch, is_in_note, style_path)
from pressroom.assemble.links import citation_links, reference_links, template_links
from pressroom.assemble.structure import contents, inner_html, mark_pullquotes, unique_heading_ids
from pressroom.assemble.templates import environment, render_template, timestamp
from pressroom.diagnostics import Report
from pressroom.model import TITLES, Assembled, Document, Fragment, Pack
from pressroom.read.bibliography import Bibliography, Cache
from pressroom.read.form import read_form
from pressroom.read.files import project_file, read_project_bytes
from pressroom.read.fragments import decode, fragment_path, load_fragments, read_fragment
from pressroom.read.locales import CATALOGUES, Locale, catalogue_problems, words_problem
from pressroom.read.markdown import render_fragment
from pressroom.read.pack import YamlReader
from pressroom.read.translations import is_unusable


@dataclass
class Draft:
    """A document before its citations are formatted: pandoc formats those of many at once."""

    doc: Document
    locale: str
    fragments: list[Fragment]
    body: Any  # the joined fragments, an lxml element
    citations: list  # the span.citation elements pandoc will format, in document order
    job: CitationJob | None  # None: nothing for pandoc
    bib: Bibliography | None = None  # where a link in a formatted citation comes from


def assemble(pack: Pack, doc: Document, locale: str, bib: Bibliography, report: Report) -> Assembled | None:
    """Build the assembled document; problems go to ``report`` (None when it cannot be built)."""
    drafted = draft(pack, doc, locale, bib, report)
    return finish(pack, drafted, format_drafts(pack, bib, [drafted])()[0], report)


def draft(pack: Pack, doc: Document, locale: str, bib: Bibliography, report: Report) -> Draft:
    """Fragments read, rendered and joined; pull quotes, heading ids and citations found."""
    lang = Locale(locale)
    env = environment(pack.root, lang)
    fragments = [_usable(pack, f, report) for f in load_fragments(pack, doc, locale, report)]
    labels = fallback_labels(env, lang, Locale(pack.source_locale), report)
    parts = [_render_part(f, env, report, labels) for f in fragments]
    body = lxml_html.fragment_fromstring("".join(parts) or "<p></p>", create_parent="div")
    _count_notes(doc, body, report)
    mark_pullquotes(body)
    unique_heading_ids(body)
    citations = citation_spans(body, bib)
    wanted = bib.usable and bool(citations or doc.references)  # a broken .bib is reported by itself
    job = CitationJob(tuple(Cluster(s.get("data-cluster"), is_in_note(s)) for s in citations), lang.bcp47,
                      doc.references) if wanted else None
    return Draft(doc, locale, fragments, body, citations, job, bib)


MAX_NOTES = 2000  # notes in one document (the longest of the pack has about 120)


def _count_notes(doc: Document, body, report: Report) -> None:
    notes = body.xpath('//span[@class="footnote"] | //span[@class="citation"]')
    if len(notes) > MAX_NOTES:
        path, _, line = (notes[MAX_NOTES].get("data-src") or "").rpartition(":")
        report.error(path or "content/pack.yaml", int(line) if line.isdigit() else None,
                     f"document {doc.id!r} has {len(notes)} notes and citations, over the limit of {MAX_NOTES}",
                     "split the document, or cite once for a whole passage")


def format_drafts(pack: Pack, bib: Bibliography, drafts: list[Draft], cache: Cache | None = None
                  ) -> Callable[[], list[Formatted | None]]:
    """Start formatting the citations of every draft in one pandoc run (or take its output from
    ``cache``); see ``format_batch``."""
    jobs = [d.job for d in drafts if d.job is not None]
    if not jobs:
        return lambda: [None] * len(drafts)
    cited = {key for d in drafts for span in d.citations for key in span.get("data-cites", "").split()}
    pending = format_batch(jobs, bib.path, style_path(pack.root, pack.citation_style), bib.subset(sorted(cited)),
                           cache)

    def result() -> list[Formatted | None]:
        formatted = iter(pending())
        return [next(formatted) if d.job is not None else None for d in drafts]
    return result


def finish(pack: Pack, drafted: Draft, formatted: Formatted | None, report: Report) -> Assembled | None:
    """Citations put in place, then the document poured into its template."""
    lang = Locale(drafted.locale)
    body = drafted.body
    references = apply_citations(drafted.citations, drafted.job, formatted) if formatted else ""
    if drafted.bib is not None:
        citation_links(body, drafted.bib, report)
        references = reference_links(references, drafted.bib, report)
    report.extend(catalogue_problems(pack.root, drafted.locale))
    doc = localised(pack, drafted.doc, drafted.locale, report)
    context = {
        "pack": pack, "doc": doc, "locale": lang,
        "deadline": lang.date(pack.deadline), "timestamp": timestamp(doc),
        "body": Markup(inner_html(body)),
        "contents": contents(body) if doc.contents else [],
        "references": Markup(references),
    }
    html = render_template(environment(pack.root, lang), doc.template, context, report)
    html = _template_links_checked(html, doc.template, report) if html is not None else None
    if html is not None and lang.direction == "rtl":
        html = isolated_html(html)
    return Assembled(doc, drafted.locale, html, tuple(drafted.fragments)) if html is not None else None


def isolated_html(html: str) -> str:
    """A right-to-left document with its left-to-right runs isolated (``assemble.bidi``)."""
    tree = lxml_html.document_fromstring(html)
    isolate_ltr(tree.find("body"))
    return lxml_html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def _usable(pack: Pack, fragment: Fragment, report: Report) -> Fragment:
    """A translation whose source changed so that its notes, citations, links or ids no longer
    match cannot be printed: the source fragment stands in for it (outdated), so that an edit
    of the source never blocks a build."""
    if fragment.fallback or fragment.kind != "markdown" or fragment.locale == pack.source_locale:
        return fragment
    source = fragment_path(pack, pack.source_locale, fragment.doc_id, fragment.name)
    if not source.is_file() or not is_unusable(source, pack.root / fragment.shown):
        return fragment
    original = read_fragment(pack.root, source, report, doc_id=fragment.doc_id, name=fragment.name,
                             locale=pack.source_locale)
    return replace(original, fallback=True, outdated=True) if original is not None else fragment



def _template_links_checked(html: str, template: str, report: Report) -> str:
    tree = lxml_html.document_fromstring(html)
    before = len(report.errors)
    template_links(tree, template, report)
    if len(report.errors) == before:
        return html
    return lxml_html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def _render_part(fragment: Fragment, env: jinja2.Environment, report: Report, labels: dict[bool, str]) -> str:
    html = render_fragment(fragment, report) if fragment.kind == "markdown" else _render_form(fragment, env, report)
    if not fragment.fallback:
        return html
    # A fragment not translated yet is in the source language: its wrapper says so, so that a
    # screen reader switches voice, and hyphenation and Word's spelling follow the language; a
    # label in the document's language says so to every reader (hidden where an edition says).
    source = Locale(fragment.locale)
    heading = re.match(r"\s*<h([1-6])\b.*?</h\1>", html, flags=re.DOTALL)  # the label goes under a first heading
    at = heading.end() if heading else 0
    return (f'<div class="fallback" lang="{source.bcp47}" dir="{source.direction}">'
            f'{html[:at]}{labels[fragment.outdated]}{html[at:]}</div>')


def fallback_labels(env: jinja2.Environment, lang: Locale, source: Locale, report: Report) -> dict[bool, str]:
    """The visible label of a part taken from the source, in the document's language:
    {outdated: html} — "English original — not yet translated" (or "— the translation is out of date")."""
    language = lang.babel.languages.get(source.code, source.code)  # "English", "anglais", "الإنجليزية"
    return {outdated: render_template(env, "fallback-note.html.j2",
                                      {"locale": lang, "language": language, "outdated": outdated}, report) or ""
            for outdated in (False, True)}


def is_source_copy(pack: Pack, doc: Document, locale: str) -> bool:
    """The document has nothing of its own in ``locale`` (no fragment, no title in titles.yaml,
    no template strings): it is the source locale's document, to be built once and shared."""
    if locale == pack.source_locale or (pack.root / CATALOGUES / locale / "LC_MESSAGES" / "messages.po").is_file():
        return False
    if any(fragment_path(pack, locale, doc.id, name).is_file() for name in doc.fragments):
        return False
    return not _has_title(pack, doc, locale)


def _has_title(pack: Pack, doc: Document, locale: str) -> bool:
    path = pack.root / "content" / locale / TITLES
    if not path.is_file():
        return False
    try:
        titles = yaml.safe_load(read_project_bytes(pack.root, path))
    except (yaml.YAMLError, ValueError, PermissionError):
        return True  # not shared: the document's own assembly reports the broken file
    return titles is not None and (not isinstance(titles, dict) or doc.id in titles)


def localised(pack: Pack, doc: Document, locale: str, report: Report) -> Document:
    """The document with its title and subtitle in ``locale``, from content/<locale>/titles.yaml."""
    path = pack.root / "content" / locale / TITLES
    if locale == pack.source_locale or not path.is_file():
        return doc
    shown = f"content/{locale}/{TITLES}"
    if project_file(pack.root, shown, report, shown, None, "titles file") is None:
        return doc
    text = decode(read_project_bytes(pack.root, path), shown, report)
    try:
        node = yaml.compose(text) if text is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        report.error(shown, mark.line + 1 if mark else None, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                     "put a title in quotes when it contains ': '")
        return doc
    _titles_are_words(node, shown, report)
    reader = YamlReader(shown, report)
    entries = reader.mapping(node, TITLES, {d: (lambda r, n, w: r.mapping(n, w, {
        "title": (YamlReader.string, True, None), "subtitle": (YamlReader.string, False, "")}), False, None)
        for d in [*pack.documents, *([pack.landing.id] if pack.landing else [])]}) if node is not None else None
    entry = (entries or {}).get(doc.id)
    return replace(doc, title=entry["title"] or doc.title, subtitle=entry["subtitle"]) if entry else doc


def _titles_are_words(node, shown: str, report: Report) -> None:
    """Each title and subtitle of titles.yaml is words only, refused at its line otherwise."""
    for _, entry in node.value if isinstance(node, yaml.MappingNode) else ():
        for key, value in entry.value if isinstance(entry, yaml.MappingNode) else ():
            problem = words_problem(value.value) if isinstance(value, yaml.ScalarNode) else None
            if problem:
                report.error(shown, value.start_mark.line + 1, f"{key.value} {value.value!r} {problem}",
                             "translate the words only: no addresses, no invisible characters")


def _render_form(fragment: Fragment, env: jinja2.Environment, report: Report) -> str:
    context = {"sections": read_form(fragment, report), "src": fragment.shown}
    return render_template(env, "form.html.j2", context, report) or ""


