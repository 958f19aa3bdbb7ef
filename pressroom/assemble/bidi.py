"""An assembled right-to-left document → the same, its left-to-right text isolated so that it keeps its order.

Without isolation the Unicode bidi algorithm gives neutral characters at the edge of an
English run the direction of the Arabic around it: "Why has Amnesty…?" is shown as
"?Why has Amnesty…", "+44 20 7033 1500" as "1500 7033 20 44+", and a URL's last "/" jumps to
its start. Here, in a right-to-left document:
- a block of the running text whose text is all left-to-right (an English paragraph) is marked
  ``dir="ltr"``; any other element that is (a contents entry, a title, an English note) keeps
  its place in the right-to-left layout, its content wrapped in ``<span dir="ltr">``;
- within mixed text, each left-to-right run (Latin words, numbers, URLs, addresses) is wrapped
  in ``<span dir="ltr">``.
The CSS gives ``[dir]`` ``unicode-bidi: isolate``; the Word writer turns such spans into runs
between left-to-right marks.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

RTL = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
HAS_RTL = re.compile(f"[{RTL}]")
HAS_LTR = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]")
STRONG = r"A-Za-z0-9\u00c0-\u024f"
# A run: starts with a letter, digit or "+"; ends with a letter, digit, "/" or ")" whose "(" is inside;
# never crosses a right-to-left character or a line break.
LTR_RUN = re.compile(rf"[{STRONG}+](?:[^{RTL}\n]*[{STRONG}/])?")
LRI, PDI = "\u2066", "\u2069"  # LEFT-TO-RIGHT ISOLATE, POP DIRECTIONAL ISOLATE
NUMBERS = re.compile(r"\d[\s\-./]+\d")
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "td", "th", "figcaption", "blockquote"}
CONTAINERS = BLOCKS | {"div", "section", "ol", "ul", "nav", "dl", "table", "tr", "form", "figure", "aside", "header",
                       "footer", "main"}
SKIP = {"style", "script", "title", "head", "textarea", "input", "option"}


def isolate_ltr(root) -> None:
    """Mark and wrap the left-to-right text of ``root`` (an lxml element of an RTL document)."""
    _visit(root, in_text=False)


def _visit(element, in_text: bool) -> None:
    """``in_text``: inside the running text (main), where an English paragraph is laid out left
    to right; on the cover and the contents page the layout stays right to left."""
    if not isinstance(element.tag, str) or element.tag in SKIP or element.get("dir") == "ltr":
        return
    in_text = in_text or element.tag == "main"
    text = element.text_content()
    if _all_ltr(text) and element.tag not in ("body", "main"):
        if in_text and element.tag in BLOCKS:
            element.set("dir", "ltr")
            return
        inner = _innermost(element)
        if not any(isinstance(d.tag, str) and d.tag in CONTAINERS for d in inner.iterdescendants()):
            _wrap_children(inner)
            return
    for child in list(element):
        _visit(child, in_text)
    _wrap_text(element)


def _all_ltr(text: str) -> bool:
    """Left-to-right words (or several numbers: a telephone number) and nothing right-to-left."""
    return bool(HAS_LTR.search(text) or NUMBERS.search(text)) and not HAS_RTL.search(text)


def _innermost(element):
    """Down a chain of single children with no text of their own (li > a: the link's text is
    wrapped, so that what CSS adds after the link — leader, page number — stays outside)."""
    while (len(element) == 1 and not (element.text or "").strip() and not (element[0].tail or "").strip()
           and isinstance(element[0].tag, str)):
        element = element[0]
    return element


def _in_link(element) -> bool:
    return element.tag == "a" or any(a.tag == "a" for a in element.iterancestors())


def _wrap_children(element) -> None:
    """The whole content of an inline element in one ``<span dir="ltr">`` — or, in a link,
    between LRI and PDI (a span inside a link would take its annotation out of the /Link
    structure element of the tagged PDF)."""
    if _in_link(element):
        element.text = LRI + (element.text or "")
        last = element[-1] if len(element) else None
        if last is not None:
            last.tail = (last.tail or "") + PDI
        else:
            element.text += PDI
        return
    span = lxml_html.Element("span", {"dir": "ltr"})
    span.text, element.text = element.text, None
    for child in list(element):
        span.append(child)
    element.append(span)


def _wrap_text(element) -> None:
    """Each left-to-right run of the element's own text (and its children's tails) wrapped."""
    if _in_link(element):  # no element inside a link: isolate characters instead
        element.text = _isolate_runs(element.text)
        for child in element:
            child.tail = _isolate_runs(child.tail)
        return
    if element.text and HAS_RTL.search(element.text):
        pieces = _split(element.text)
        element.text = pieces[0]
        for at, span in enumerate(pieces[1:]):
            element.insert(at, span)
    for child in list(element):
        if child.tail and HAS_RTL.search(child.tail):
            pieces = _split(child.tail)
            child.tail = pieces[0]
            for span in reversed(pieces[1:]):
                child.addnext(span)


def _split(text: str) -> list:
    """``text`` → [leading text, span, span, …] with each run in a span whose tail is what follows."""
    out: list = [""]
    position = 0
    for match in LTR_RUN.finditer(text):
        run = _balanced(match.group())
        if not run:
            continue
        before = text[position: match.start()]
        if len(out) == 1:
            out[0] += before
        else:
            out[-1].tail = (out[-1].tail or "") + before
        span = lxml_html.Element("span", {"dir": "ltr"})
        span.text = run
        span.tail = text[match.start() + len(run): match.end()]
        out.append(span)
        position = match.end()
    rest = text[position:]
    if len(out) == 1:
        out[0] += rest
    else:
        out[-1].tail = (out[-1].tail or "") + rest
    return out


def _isolate_runs(text: str | None) -> str | None:
    if not text or not HAS_RTL.search(text):
        return text
    return LTR_RUN.sub(lambda m: f"{LRI}{_balanced(m.group())}{PDI}{m.group()[len(_balanced(m.group())):]}", text)


def _balanced(run: str) -> str:
    """A run that ends with ")" keeps it only when its "(" is inside the run."""
    while run.endswith(")") and run.count("(") < run.count(")"):
        run = run[:-1].rstrip()
    return run
