"""The content dialect: one Markdown fragment → HTML that remembers where it came from.

pandoc-compatible Markdown parsed by markdown-it-py (it gives each block its source line).
Every block element, footnote, citation and link carries ``data-src="path:line"`` so that
checks on the assembled document can name the fragment line; writers drop it.

What parsers do silently is made visible here, as marker elements the checks read:
an undefined ``[^x]`` becomes ``span.footnote-unresolved``; a note defined twice or never
called becomes ``aside.problem``. Raw HTML and unsafe link schemes are refused outright.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from itertools import islice

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from pressroom.diagnostics import Report
from pressroom.model import LINK_SCHEMES  # noqa: F401 (the allow-list, re-exported for the fuzz tests)
from pressroom.model import INVISIBLE_HINT, LINK_HINT, Fragment, invisible, link_problem, spoofed

BLOCK_CLASSES = ("definition", "back-cover", "lead")
HEADING_ATTRS = re.compile(r"\s*\{\s*#([A-Za-z][\w\-:.]*)((?:\s+\.[\w-]+)*)\s*\}\s*$")
# Every pattern here runs in linear time on any input (benchmarks/hostile_bench.py): a bracket
# group holds no bracket, so no start is scanned past the next '[' or ']'.
BRACKETS = re.compile(r"\[([^\[\]]*)\]")  # a citation is a group holding an @key; a stray note is [^x]
CITES = re.compile(r"(?<![\w.])@\w")
CITE_KEY = re.compile(r"(?<![\w.])-?@([\w][\w:.#$%&\-+?<>~/]*[\w])|-?@(\w)")
STRAY_NOTE = re.compile(r"\^[^\]\s\[]+\Z")
MAX_NESTING = 16  # blocks in blocks (quotes in lists in quotes…): markdown-it drops what is deeper than 20
NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.MULTILINE)
# The marks that open something the parser must try to close (a link, a note, emphasis, code,
# an autolink, a table cell) cost it far more than a letter: 1 MiB of '[' takes it 40 s, of '*a'
# 14 s, of table rows 50 s. So many of them is refused before parsing, in linear time. The whole
# pack has under 1,000 of them; no fragment more than 50.
MARKS = re.compile(r"[\[*_`<|]")
MAX_MARKS = 20_000
# Each line of text is a block, a list item or a line the parser and every later pass handle on
# its own: 1 MiB of "- x" lines takes 25 s. The pack's longest fragment has under 100 lines.
TEXT_LINE = re.compile(r"^[ \t]*\S", re.MULTILINE)
MAX_LINES = 20_000


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.use(footnote_plugin).use(container_plugin, "div", validate=lambda params, markup: True,
                                render=_render_div)
    md.validateLink = lambda url: True  # our own scheme check reports, instead of silently unlinking
    return md


def _render_div(renderer, tokens: list[Token], index: int, options, env) -> str:
    token = tokens[index]
    return f"<div{renderer.renderAttrs(token)}>\n" if token.nesting == 1 else "</div>\n"


MD = _parser()


@dataclass
class _Context:
    fragment: Fragment
    report: Report
    notes: dict[str, str] = field(default_factory=dict)  # label → rendered note HTML

    def src(self, line0: int) -> str:
        """``path:line`` for a 0-based line of the fragment body."""
        return f"{self.fragment.shown}:{self.fragment.first_line + line0}"

    def line(self, line0: int) -> int:
        return self.fragment.first_line + line0


def render_fragment(fragment: Fragment, report: Report) -> str:
    """Markdown fragment → HTML string (not yet a whole document)."""
    ctx = _Context(fragment, report)
    if _too_many_marks(ctx):
        return ""
    env: dict = {}
    tokens = MD.parse(fragment.text, env)
    _check_depth(tokens, ctx)
    body, note_blocks = _split_notes(tokens)
    for label, note_tokens in note_blocks.items():
        _annotate(note_tokens, ctx)
        ctx.notes[label] = _inline_note(MD.renderer.render(note_tokens, MD.options, env))
    _annotate(body, ctx)
    html = MD.renderer.render(body, MD.options, env)
    return html + _note_problems(fragment, tokens, env, ctx)


def _too_many_marks(ctx: _Context) -> bool:
    """More Markdown marks or lines than any text needs: refused, before parsing, at the line of
    the first one over the limit."""
    text = ctx.fragment.text
    for pattern, limit, what, hint in (
            (MARKS, MAX_MARKS, "Markdown marks ('[', '*', '_', '`', '<', '|')", "write the text without so much markup"),
            (TEXT_LINE, MAX_LINES, "lines of text", "join short lines into paragraphs")):
        over = next(islice(pattern.finditer(text), limit, None), None)
        if over is not None:
            ctx.report.error(ctx.fragment.shown, ctx.line(text.count("\n", 0, over.start())),
                             f"more than {limit:,} {what} in one fragment", f"split the fragment into several, or {hint}")
            return True
    return False


def _check_depth(tokens: list[Token], ctx: _Context) -> None:
    """Nesting deeper than the parser follows would be dropped silently: refused at its line."""
    line0 = 0
    for token in tokens:
        line0 = token.map[0] if token.map else line0
        deepest = max([token.level, *(c.level + token.level for c in token.children or ())])
        if deepest > MAX_NESTING:
            ctx.report.error(ctx.fragment.shown, ctx.line(line0), f"nested more than {MAX_NESTING} levels deep",
                             "flatten the quotes, lists or emphasis here: no reader follows that many levels")
            return


def _split_notes(tokens: list[Token]) -> tuple[list[Token], dict[str, list[Token]]]:
    """Separate the footnote block (definitions) from the body tokens."""
    body, notes, label = [], {}, None
    for token in tokens:
        if token.type == "footnote_open":
            label = _note_key(token.meta)
            notes[label] = []
        elif token.type == "footnote_close":
            label = None
        elif label is not None:
            if token.type != "footnote_anchor":
                notes[label].append(token)
        elif not token.type.startswith("footnote_block"):
            body.append(token)
    return body, notes


def _note_key(meta: dict) -> str:
    """A note's label; pandoc's inline notes ``^[…]`` have none, so their number stands in."""
    return meta.get("label") or f"^{meta['id']}"


def _inline_note(html: str) -> str:
    """A note's paragraphs become inline content (a note is set inside its call)."""
    html = html.strip()
    paragraphs = re.findall(r"<p[^>]*>(.*?)</p>", html, flags=re.DOTALL)
    if len(paragraphs) == 1 and html.startswith("<p"):
        return paragraphs[0]
    return re.sub(r"<p( [^>]*)?>(.*?)</p>", r'<span class="note-para"\1>\2</span>', html, flags=re.DOTALL)


def _annotate(tokens: list[Token], ctx: _Context) -> None:
    """Give blocks their source line, refuse raw HTML, rewrite inline content."""
    for index, token in enumerate(tokens):
        if token.map is not None and token.nesting >= 0 and token.type != "inline":
            token.attrSet("data-src", ctx.src(token.map[0]))
        if token.type == "html_block":
            _refuse_html(token, ctx, ctx.line(token.map[0]))
        elif token.type.startswith("container_div_open"):
            _block_class(token, ctx)
        elif token.type == "heading_open":
            _heading_id(token, tokens[index + 1])
            _visible_heading(token, tokens[index + 1], ctx)
        elif token.type == "inline" and token.children is not None:
            token.children = _inline(token.children, ctx, token.map[0] if token.map else 0)


def _refuse_html(token: Token, ctx: _Context, line: int) -> None:
    tag = token.content.strip().splitlines()[0][:60] if token.content.strip() else token.content
    ctx.report.error(ctx.fragment.shown, line, f"raw HTML is not allowed: {tag}",
                     "use Markdown (see docs/editing-content.md); the templates do the layout")
    token.type, token.content = "html_inline", ""


def _block_class(token: Token, ctx: _Context) -> None:
    name = token.info.strip().strip("{}").strip().lstrip(".")
    if name not in BLOCK_CLASSES:
        ctx.report.error(ctx.fragment.shown, ctx.line(token.map[0]), f"unknown block '::: {name}'",
                         f"use one of: {', '.join(BLOCK_CLASSES)}")
    token.attrSet("class", name)


def _heading_id(token: Token, inline: Token) -> None:
    """``## Title {#id .class}`` → id and classes; otherwise a pandoc-style id from the text."""
    last = inline.children[-1] if inline.children else None
    match = HEADING_ATTRS.search(last.content) if last is not None and last.type == "text" else None
    if match:
        last.content = last.content[: match.start()]
        token.attrSet("id", match.group(1))
        classes = " ".join(c.lstrip(".") for c in match.group(2).split())
        if classes:
            token.attrSet("class", classes)
    else:
        token.attrSet("id", slugify("".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))))
        token.attrSet("data-auto-id", "1")


def _visible_heading(token: Token, inline: Token, ctx: _Context) -> None:
    """A heading (its text and its id: the contents, bookmarks and links show both) holds no
    invisible character."""
    hidden = invisible(inline.content) or invisible(token.attrGet("id"))
    if hidden:
        ctx.report.error(ctx.fragment.shown, ctx.line(token.map[0]), f"heading holds the invisible character {hidden}",
                         INVISIBLE_HINT)


def slugify(text: str) -> str:
    """pandoc's auto identifiers: lower case, punctuation dropped, spaces → hyphens."""
    text = re.sub(r"[^\w\s\-.]", "", text.lower(), flags=re.UNICODE).strip()
    text = re.sub(r"\s+", "-", text)
    text = re.sub(r"^[^a-z\u0600-\u06ff]+", "", text)
    return text or "section"


def _inline(children: list[Token], ctx: _Context, line0: int) -> list[Token]:
    out: list[Token] = []
    for index, token in enumerate(children):
        src = ctx.src(line0)
        if token.type in ("softbreak", "hardbreak"):
            line0 += 1
        if token.type == "text":
            out.extend(_text(token.content, src, ctx))
            line0 += token.content.count("\n")
            continue
        if token.type == "html_inline":
            _refuse_html(token, ctx, ctx.line(line0))
        elif token.type == "footnote_ref":
            label = _note_key(token.meta)
            hidden = invisible(label)
            if hidden:  # a label is the note's id in every output
                ctx.report.error(ctx.fragment.shown, ctx.line(line0),
                                 f"note label {'[^' + label + ']'!r} holds the invisible character {hidden}", INVISIBLE_HINT)
            out.append(_html(_note_call(label, src, ctx)))
            continue
        elif token.type in ("link_open", "image"):
            _check_link(token, src, ctx, _link_text(children, index))
        out.append(token)
    return out


def _html(markup: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = markup
    return token


def _text(text: str, src: str, ctx: _Context) -> list[Token]:
    """Plain text → text tokens, with citation clusters and stray ``[^x]`` calls marked up."""
    out, position = [], 0
    for match in BRACKETS.finditer(text):
        inner = match.group(1)
        citation, stray = CITES.search(inner) is not None, STRAY_NOTE.match(inner) is not None
        if not (citation or stray):
            continue
        out.append(_plain(text[position: match.start()]))
        if citation:
            out.append(_html(_citation(match.group(0), inner, src)))
        else:
            label = escape(inner[1:])
            out.append(_html(f'<span class="footnote-unresolved" data-label="{label}" '
                             f'data-src="{escape(src)}">{escape(match.group(0))}</span>'))
        position = match.end()
    out.append(_plain(text[position:]))
    return [t for t in out if t.content]


def _plain(text: str) -> Token:
    token = Token("text", "", 0)
    token.content = text
    return token


def _citation(raw: str, inner: str, src: str) -> str:
    keys = [a or b for a, b in CITE_KEY.findall(inner)]
    return (f'<span class="citation" data-cites="{escape(" ".join(keys))}" '
            f'data-cluster="{escape(raw)}" data-src="{escape(src)}">{escape(raw)}</span>')


def _note_call(label: str, src: str, ctx: _Context) -> str:
    note = ctx.notes.get(label, "")
    return (f'<span class="footnote" data-label="{escape(label)}" data-src="{escape(src)}">'
            f"{note}</span>")


def _link_text(children: list[Token], index: int) -> str:
    """The visible text of the link opened at ``index`` (up to its link_close)."""
    depth, words = 0, []
    for token in children[index:]:
        depth += token.nesting if token.type in ("link_open", "link_close") else 0
        if token.type in ("text", "code_inline"):
            words.append(token.content)
        if depth <= 0:
            break
    return "".join(words)


def _check_link(token: Token, src: str, ctx: _Context, text: str = "") -> None:
    """Every link of a fragment passes the one allow-list (model.link_problem), shows no
    invisible character in its text, and does not show one address while going to another."""
    attr = "src" if token.type == "image" else "href"
    target = str(token.attrGet(attr) or "")
    token.attrSet("data-src", src)
    line = int(src.rsplit(":", 1)[1])
    if token.type == "image":
        ctx.report.error(ctx.fragment.shown, line, "images are not supported in fragments",
                         "ask for the image to be added to the templates")
        token.attrSet(attr, "")
        return
    problem, hint = link_problem(target), LINK_HINT
    if problem is None and invisible(text):
        problem, hint = f"link text {text!r} holds the invisible character {invisible(text)}", INVISIBLE_HINT
    elif problem is None and spoofed(text, target):
        problem, hint = (f"link text {text!r} shows an address other than its target {target!r}",
                         "show the address the link goes to, or words that are not an address")
    if problem:
        ctx.report.error(ctx.fragment.shown, line, problem, hint)
        token.attrSet(attr, "#")


def _note_problems(fragment: Fragment, tokens: list[Token], env: dict, ctx: _Context) -> str:
    """Markers for notes defined twice or never called (parsers drop both silently)."""
    code_lines = {line for t in tokens if t.type in ("fence", "code_block") and t.map
                  for line in range(*t.map)}
    defined: dict[str, list[int]] = {}
    line0, counted = 0, 0
    for match in NOTE_DEFINITION.finditer(fragment.text):
        line0 += fragment.text.count("\n", counted, match.start())  # counted once: linear in the text
        counted = match.start()
        if line0 not in code_lines:
            defined.setdefault(match.group(1), []).append(line0)
    called = {label.lstrip(":") for label, ref in env.get("footnotes", {}).get("refs", {}).items() if ref >= 0}
    markers = []
    for label, lines in defined.items():
        for line0 in lines[1:]:
            markers.append(("duplicate-footnote", label, line0))
        if label not in called:
            markers.append(("unused-footnote", label, lines[0]))
    return "".join(f'<aside class="problem" data-problem="{kind}" data-label="{escape(label)}" '
                   f'data-src="{escape(ctx.src(line0))}"></aside>' for kind, label, line0 in markers)
