"""Fragments of one document in one locale → the assembled HTML document.

The single source of truth for every check and every writer: fragments rendered (Markdown or
form), joined, given their structure (pull quotes, unique heading ids, formatted citations),
then poured into the document's Jinja template (autoescaped, strict about undefined names,
translated through gettext). Fragments are data: they are never evaluated as templates.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import traceback
from html import escape
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import jinja2
import yaml
from lxml import html as lxml_html
from markupsafe import Markup

from .bibliography import Bibliography, CitationJob, Cluster, Formatted, format_batch, style_path
from .config import Document, Pack
from .content import Fragment, decode, fragment_path, load_fragments
from .diagnostics import Report
from .form import read_form
from .locales import CATALOGUES, Locale
from .markdown import render_fragment

TEMPLATES = Path("templates")
TITLES = "titles.yaml"  # per locale: document titles and subtitles


@dataclass(frozen=True)
class Assembled:
    """One document in one locale, ready for the checks and the writers."""

    doc: Document
    locale: str
    html: str
    fragments: tuple[Fragment, ...]

    @property
    def tree(self):
        return lxml_html.document_fromstring(self.html)


@dataclass
class Draft:
    """A document before its citations are formatted: pandoc formats those of many at once."""

    doc: Document
    locale: str
    fragments: list[Fragment]
    body: Any  # the joined fragments, an lxml element
    citations: list  # the span.citation elements pandoc will format, in document order
    job: CitationJob | None  # None: nothing for pandoc


def assemble(pack: Pack, doc: Document, locale: str, bib: Bibliography, report: Report) -> Assembled | None:
    """Build the assembled document; problems go to ``report`` (None when it cannot be built)."""
    drafted = draft(pack, doc, locale, bib, report)
    return finish(pack, drafted, format_drafts(pack, bib, [drafted])()[0], report)


def draft(pack: Pack, doc: Document, locale: str, bib: Bibliography, report: Report) -> Draft:
    """Fragments read, rendered and joined; pull quotes, heading ids and citations found."""
    lang = Locale(locale)
    env = environment(pack.root, lang)
    fragments = load_fragments(pack, doc, locale, report)
    parts = [_render_part(f, env, report) for f in fragments]
    body = lxml_html.fragment_fromstring("".join(parts) or "<p></p>", create_parent="div")
    mark_pullquotes(body)
    unique_heading_ids(body)
    citations = citation_spans(body, bib)
    wanted = bib.usable and bool(citations or doc.references)  # a broken .bib is reported by itself
    job = CitationJob(tuple(Cluster(s.get("data-cluster"), _in_note(s)) for s in citations), lang.bcp47,
                      doc.references) if wanted else None
    return Draft(doc, locale, fragments, body, citations, job)


def format_drafts(pack: Pack, bib: Bibliography, drafts: list[Draft]) -> Callable[[], list[Formatted | None]]:
    """Start formatting the citations of every draft in one pandoc run; see ``format_batch``."""
    jobs = [d.job for d in drafts if d.job is not None]
    if not jobs:
        return lambda: [None] * len(drafts)
    pending = format_batch(jobs, bib.path, style_path(pack.root, pack.citation_style))

    def result() -> list[Formatted | None]:
        formatted = iter(pending())
        return [next(formatted) if d.job is not None else None for d in drafts]
    return result


def finish(pack: Pack, drafted: Draft, formatted: Formatted | None, report: Report) -> Assembled | None:
    """Citations put in place, then the document poured into its template."""
    lang = Locale(drafted.locale)
    body = drafted.body
    references = apply_citations(drafted.citations, drafted.job, formatted) if formatted else ""
    doc = localised(pack, drafted.doc, drafted.locale, report)
    context = {
        "pack": pack, "doc": doc, "locale": lang,
        "deadline": lang.date(pack.deadline), "timestamp": timestamp(doc),
        "body": Markup(_inner_html(body)),
        "contents": contents(body) if doc.contents else [],
        "references": Markup(references),
    }
    html = render_template(environment(pack.root, lang), doc.template, context, report)
    return Assembled(doc, drafted.locale, html, tuple(drafted.fragments)) if html is not None else None


def _render_part(fragment: Fragment, env: jinja2.Environment, report: Report) -> str:
    html = render_fragment(fragment, report) if fragment.kind == "markdown" else _render_form(fragment, env, report)
    if not fragment.fallback:
        return html
    # A fragment not translated yet is in the source language: its wrapper says so, so that a
    # screen reader switches voice, and hyphenation and Word's spelling follow the language.
    source = Locale(fragment.locale)
    return f'<div class="fallback" lang="{source.bcp47}" dir="{source.direction}">{html}</div>'


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
        titles = yaml.safe_load(path.read_bytes())
    except (yaml.YAMLError, ValueError):
        return True  # not shared: the document's own assembly reports the broken file
    return titles is not None and (not isinstance(titles, dict) or doc.id in titles)


def localised(pack: Pack, doc: Document, locale: str, report: Report) -> Document:
    """The document with its title and subtitle in ``locale``, from content/<locale>/titles.yaml."""
    from dataclasses import replace

    from .config import YamlReader

    path = pack.root / "content" / locale / TITLES
    if locale == pack.source_locale or not path.is_file():
        return doc
    shown = f"content/{locale}/{TITLES}"
    text = decode(path.read_bytes(), shown, report)
    try:
        node = yaml.compose(text) if text is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        report.error(shown, mark.line + 1 if mark else None, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                     "put a title in quotes when it contains ': '")
        return doc
    reader = YamlReader(shown, report)
    entries = reader.mapping(node, TITLES, {d: (lambda r, n, w: r.mapping(n, w, {
        "title": (YamlReader.string, True, None), "subtitle": (YamlReader.string, False, "")}), False, None)
        for d in pack.documents}) if node is not None else None
    entry = (entries or {}).get(doc.id)
    return replace(doc, title=entry["title"] or doc.title, subtitle=entry["subtitle"]) if entry else doc


def _render_form(fragment: Fragment, env: jinja2.Environment, report: Report) -> str:
    context = {"sections": read_form(fragment, report), "src": fragment.shown}
    return render_template(env, "form.html.j2", context, report) or ""


@lru_cache(maxsize=16)
def environment(root: Path, lang: Locale) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root / TEMPLATES)),
        autoescape=True, undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(lang.translations(root), newstyle=True)
    env.filters["css_string"] = css_string
    env.filters["css_counters"] = css_counters
    return env


def css_string(text: str) -> Markup:
    """Text as a CSS string inside <style>: '<' escaped too, or '</style>' would end the element."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup(f'"{escaped}"')


def css_counters(text: str) -> Markup:
    """A translated "Page {page} of {pages}" → CSS content with the page counters."""
    parts = re.split(r"\{(page|pages)\}", str(text))
    return Markup(" ".join(css_string(p) if i % 2 == 0 else f"counter({p})"
                           for i, p in enumerate(parts) if p))


def timestamp(doc: Document) -> str:
    """Fixed document dates make builds reproducible: SOURCE_DATE_EPOCH, else 1 January of the year."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{doc.year:04d}-01-01T00:00:00Z"


def render_template(env: jinja2.Environment, name: str, context: dict, report: Report) -> str | None:
    """Render; a syntax error or an undefined name is reported at its template line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        report.error(_template_path(exc.filename or name), exc.lineno, f"template syntax error: {exc.message}",
                     "fix the Jinja tag on this line")
    except jinja2.TemplateNotFound as exc:
        report.error("content/pack.yaml", None, f"template {exc.name!r} not found",
                     f"create templates/{exc.name} or fix the document's template")
    except jinja2.UndefinedError as exc:
        path, line = _template_frame(exc, name)
        report.error(path, line, f"undefined in template: {exc.message}", "define it or fix the name")
    return None


def _template_path(filename: str) -> str:
    parts = Path(filename).parts
    return str(Path(*parts[parts.index("templates"):])) if "templates" in parts else f"templates/{filename}"


def _template_frame(exc: BaseException, name: str) -> tuple[str, int | None]:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    return (_template_path(frames[-1].filename), frames[-1].lineno) if frames else (f"templates/{name}", None)


def mark_pullquotes(body) -> None:
    """A block quote whose last paragraph starts with an em dash is a pull quote with attribution."""
    for quote in body.iter("blockquote"):
        paragraphs = quote.findall("p")
        last = paragraphs[-1] if paragraphs else None
        if last is None or len(paragraphs) < 2 or not (last.text or "").lstrip().startswith("—"):
            continue
        figure = lxml_html.Element("figure", {"class": "pullquote"})
        if quote.get("data-src"):
            figure.set("data-src", quote.get("data-src"))
        quote.addprevious(figure)
        figure.append(quote)
        caption = lxml_html.Element("figcaption")
        caption.text = (last.text or "").lstrip().lstrip("—").lstrip()
        caption.extend(list(last))
        quote.remove(last)
        figure.append(caption)


def unique_heading_ids(body) -> None:
    """Automatic heading ids that collide get -1, -2 … (explicit duplicates are a check's error)."""
    seen = {h.get("id") for h in body.xpath("//*[@id][not(@data-auto-id)]")}
    for heading in body.xpath("//*[@data-auto-id]"):
        base = candidate = heading.get("id")
        number = 0
        while candidate in seen:
            number += 1
            candidate = f"{base}-{number}"
        heading.set("id", candidate)
        seen.add(candidate)
        del heading.attrib["data-auto-id"]


def citation_spans(body, bib: Bibliography) -> list:
    """The ``span.citation`` elements pandoc can format; one citing an unknown key is marked
    ``citation-unresolved`` for the checks (pandoc would only print the key with a '?')."""
    spans = body.xpath('//span[@class="citation"]')
    resolvable = [s for s in spans if all(k in bib.entries for k in s.get("data-cites", "").split())]
    for span in spans:
        if span not in resolvable:
            span.set("class", "citation-unresolved")
    return resolvable


def apply_citations(spans: list, job: CitationJob, formatted: Formatted) -> str:
    """Replace each citation span by its formatted text (a note when in running text); returns
    the bibliography's HTML."""
    for span, cluster, text in zip(spans, job.clusters, formatted.clusters):
        _replace_citation(span, text, in_note=cluster.in_note, as_note=formatted.note_style)
    return formatted.bibliography


def _in_note(span) -> bool:
    return bool(span.xpath('ancestor::span[contains(@class, "footnote")]'))


def _replace_citation(span, text: str, *, in_note: bool, as_note: bool) -> None:
    new = lxml_html.fragment_fromstring(text, create_parent="span")
    new.set("data-cites", span.get("data-cites"))
    new.set("data-src", span.get("data-src"))
    new.set("class", "footnote citation" if as_note and not in_note else "citation")
    new.tail = span.tail
    if in_note and new.tail and new.tail.startswith(".") and _text_of(new).endswith("."):
        new.tail = new.tail[1:]  # "[@key]." in a note: the style already ends the note
    elif as_note and not in_note:
        _call_after_punctuation(span, new)
    span.getparent().replace(span, new)


def _call_after_punctuation(span, note) -> None:
    """``word [@key].`` → ``word.¹``: a note call follows the punctuation, with no space before it."""
    previous = span.getprevious()
    before = (previous.tail if previous is not None else span.getparent().text) or ""
    punctuation = re.match(r"[.,;:!?]+", note.tail or "")
    mark = punctuation.group() if punctuation else ""
    before = before.rstrip() + mark
    note.tail = (note.tail or "")[len(mark):]
    if previous is not None:
        previous.tail = before
    else:
        span.getparent().text = before


def _text_of(element) -> str:
    return element.text_content().rstrip()


def contents(body) -> list[dict]:
    """Entries for the table of contents: the top two heading levels."""
    return [{"level": int(h.tag[1]), "id": h.get("id"), "text": heading_text(h)}
            for h in body.iter("h1", "h2") if h.get("id")]


def heading_text(heading) -> str:
    """A heading's words, without the text of a note it calls."""
    words = heading.xpath(".//text()[not(ancestor::span[contains(concat(' ', @class, ' '), ' footnote ')])]")
    return re.sub(r"\s+", " ", "".join(words)).strip()


def _inner_html(element) -> str:
    return escape(element.text or "", quote=False) + "".join(lxml_html.tostring(child, encoding="unicode") for child in element)
