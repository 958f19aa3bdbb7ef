"""Read and validate ``content/pack.yaml`` → a ``Pack``.

The YAML is read as a node tree so that every problem (unknown key, wrong type, missing
value) names its line in pack.yaml. Nothing is thrown at the first problem: all are reported.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Callable

import yaml

from pressroom.diagnostics import ContentError, Report, with_suggestion
from pressroom.model import (BINDINGS, INVISIBLE_HINT, LANDING, PACK_FILE, RESERVED_NAME, SAFE_NAME, SAFE_NAME_HINT,
                             TEMPLATES, Document, Edition, Pack, invisible)
from pressroom.read.files import project_file, read_project_bytes
from pressroom.read.fragments import decode
from pressroom.read.locales import locale_problem

BLEED = re.compile(r"\d{1,2}(?:\.\d{1,2})?(?:mm|cm|in|pt|px)\Z")
MARKS = re.compile(r"(?:crop|cross)(?: (?:crop|cross))?\Z|none\Z")
CSL_FOLDER = TEMPLATES / "csl"
CSL_PARENT = re.compile(r'<link\b[^>]{0,400}?rel="independent-parent"[^>]{0,400}?>')

# A field: (converter, required, default). Converters take (node, report, where) and
# return the value or None after reporting the problem.
Field = tuple[Callable[..., Any], bool, Any]


class YamlReader:
    """Converts YAML nodes to values, reporting type errors with the node's line."""

    def __init__(self, path: str, report: Report, offset: int = 0, root: Path | None = None):
        self.path, self.report, self.offset = path, report, offset  # offset: lines before the YAML
        self.root = root  # the project, for values that name its files

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def fail(self, node: yaml.Node, message: str, hint: str) -> None:
        self.report.error(self.path, self.line(node), message, hint)

    def scalar(self, node: yaml.Node, what: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"{what} must be a single value", "write it on one line after the colon")
            return None
        return node.value

    def string(self, node: yaml.Node, what: str) -> str | None:
        value = self.scalar(node, what)
        if value is not None and not value.strip():
            self.fail(node, f"{what} is empty", "give it a value")
            return None
        return value

    def name(self, node: yaml.Node, what: str) -> str | None:
        """A name that becomes part of a file path: letters, digits, '-' and '_' only."""
        value = self.string(node, what)
        if value is not None and not SAFE_NAME.match(value):
            hidden = invisible(value)
            self.fail(node, f"{what} {value!r} holds {hidden}" if hidden else f"{what} {value!r} is not a safe name",
                      INVISIBLE_HINT if hidden else SAFE_NAME_HINT)
            return None
        if value is not None and RESERVED_NAME.match(value):
            self.fail(node, f"{what} {value!r} is a device name on Windows (no file can be called so)",
                      "choose another name: con, prn, aux, nul, com1-9 and lpt1-9 cannot name a file")
            return None
        return value

    def project_path(self, node: yaml.Node, what: str, base: Path | None = None) -> str | None:
        """A file of the project, relative to it (or to ``base``): refused at its line when it is
        absolute, goes up with '..', or is a link leading out of the project."""
        value = self.string(node, what)
        if value is not None and self.root is not None:
            if project_file(self.root, value, self.report, self.path, self.line(node), what, base) is None:
                return None
        return value

    def integer(self, node: yaml.Node, what: str) -> int | None:
        value = self.scalar(node, what)
        if value is not None and not value.isdigit():
            self.fail(node, f"{what} must be a whole number, not {value!r}", "write e.g. 2014")
            return None
        return int(value) if value is not None else None

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        value = self.scalar(node, what)
        if value is not None and value.lower() not in ("true", "false"):
            self.fail(node, f"{what} must be true or false, not {value!r}", "write true or false")
            return None
        return value.lower() == "true" if value is not None else None

    def date(self, node: yaml.Node, what: str) -> dt.date | None:
        value = self.scalar(node, what)
        try:
            return dt.date.fromisoformat(value) if value is not None else None
        except ValueError:
            self.fail(node, f"{what} must be a date, not {value!r}", "write it as YYYY-MM-DD")
            return None

    def strings(self, node: yaml.Node, what: str) -> tuple[str, ...] | None:
        lined = self.lined_strings(node, what)
        return tuple(value for value, _ in lined) if lined is not None else None

    def locales(self, node: yaml.Node, what: str) -> tuple[str, ...] | None:
        """Language codes Babel knows (``en``, ``fr``, ``ar``…)."""
        lined = self.lined_strings(node, what)
        folded: dict[str, str] = {}
        for code, line in lined or ():
            problem, hint = locale_problem(code), "use a language code such as en, fr or ar"
            if problem is None and code.casefold() in folded:  # content/pt-BR and content/pt-br: one folder on Windows
                problem = (f"locale {code!r} is given twice" if folded[code.casefold()] == code
                           else f"locale {code!r} differs from {folded[code.casefold()]!r} only in case")
                hint = "list each locale once (on Windows and macOS content/pt-BR and content/pt-br are one folder)"
            if problem:
                self.report.error(self.path, line, problem, hint)
            folded.setdefault(code.casefold(), code)
        return tuple(code for code, _ in lined if not locale_problem(code)) if lined is not None else None

    def css_value(self, node: yaml.Node, what: str, pattern: re.Pattern, example: str) -> str | None:
        """A value that goes into the edition's CSS: only what the pattern allows."""
        value = self.string(node, what)
        if value is not None and not pattern.match(value):
            self.fail(node, f"{what} {value!r} is not {example}", f"write {example}")
            return None
        return value

    def locale(self, node: yaml.Node, what: str) -> str | None:
        value = self.string(node, what)
        problem = locale_problem(value) if value is not None else None
        if problem:
            self.fail(node, f"{what}: {problem}", "use a language code such as en, fr or ar")
            return None
        return value

    def lined_strings(self, node: yaml.Node, what: str) -> tuple[tuple[str, int], ...] | None:
        """A list of strings, each with its line (to name the entry in later errors)."""
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list", "write one item per line, each after '- '")
            return None
        values = [(self.string(item, f"an item of {what}"), self.line(item)) for item in node.value]
        return tuple((v, line) for v, line in values if v is not None)

    def items(self, node: yaml.Node, what: str, hint: str) -> list[yaml.Node]:
        """The items of a list (none, after reporting, when ``node`` is not a list)."""
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list", hint)
            return []
        return node.value

    def mapping(self, node: yaml.Node, what: str, fields: dict[str, Field]) -> dict[str, Any] | None:
        """Read a mapping with known keys: unknown, duplicate and missing keys are reported."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of 'key: value' lines", "indent its keys under it")
            return None
        values: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in fields:
                known = ", ".join(sorted(fields))
                self.fail(key_node, f"unknown key {key!r} in {what}", with_suggestion(f"use one of: {known}", key, fields))
            elif key in values:
                self.fail(key_node, f"{key!r} is given twice in {what}", "keep one of them")
            else:
                values[key] = fields[key][0](self, value_node, f"{what}.{key}")
        for key, (_, required, default) in fields.items():
            if key not in values:
                if required:
                    self.fail(node, f"{what} has no {key!r}", f"add '{key}: …' to {what}")
                values[key] = default
        return values


def yaml_problem(exc: yaml.YAMLError, text: str) -> tuple[int | None, str, str]:
    """A YAML error in plain words: (1-based line, what is wrong, what to do)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    line = mark.line + 1 if mark else None
    lines = text.splitlines()
    here = lines[line - 1] if line and line <= len(lines) else ""
    tabbed = next((n for n, t in enumerate(lines, 1) if "\t" in t[:len(t) - len(t.lstrip())]), None)
    if "\t" in here or ("'\\t'" in problem) or (tabbed and tabbed <= (line or 0)):
        return tabbed or line, "a tab character in the indentation", "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem and here.split(":", 1)[-1].count(": ") >= 1:
        return line, f"a second ': ' on this line (not valid YAML: {problem})", \
            "put the value in quotes: key: \"… : …\" (the indentation is not the problem)"
    if "mapping values are not allowed" in problem or "expected <block end>" in problem or \
            "did not find expected key" in problem or "expected a mapping or list" in problem:
        return line, "the indentation of this line does not fit the lines above (not valid YAML: " + problem + ")", \
            "line up each key under the others of its level, with spaces; put a value with ': ' in quotes"
    return line, f"not valid YAML: {problem}", "check the indentation and the colons on this line and the one above"


def _fragment_list(reader: "YamlReader", node: yaml.Node, what: str) -> tuple[tuple[str, int], ...] | None:
    """The fragments of a document; an item that swallowed the next lines (indented deeper than
    the first '- ', so YAML reads them as one name) is named as such."""
    lined = reader.lined_strings(node, what)
    for value, line in lined or ():
        if " - " in value or "\n" in value:
            first = value.split(" - ")[0].strip()
            reader.report.error(reader.path, line, f"the list item {first!r} swallowed the lines after it "
                                f"(read as one name: {value[:60]!r}…)",
                                "start every item of the list with '- ' at the same indentation as the first")
    return lined


def _citation_style(reader: YamlReader, node: yaml.Node, what: str) -> str | None:
    """A CSL style by name (templates/csl/<name>.csl) or by path: a file of the project, and an
    independent style — a dependent one names its parent by URL, which pandoc would fetch."""
    value = reader.string(node, what)
    if value is None or reader.root is None:
        return value
    name, base = (value, None) if value.endswith(".csl") else (f"{value}.csl", CSL_FOLDER)
    path = project_file(reader.root, name, reader.report, reader.path, reader.line(node), what, base)
    if path is None:
        return None
    try:
        head = path.read_bytes()[:65536].decode("utf-8", errors="replace") if path.is_file() else ""
    except OSError:
        head = ""
    parent = CSL_PARENT.search(head)
    if parent and re.search(r'href="[a-z][a-z0-9+.-]*:', parent.group(), re.IGNORECASE):
        href = re.search(r'href="([^"]*)"', parent.group())
        reader.fail(node, f"{what} {value!r} is a dependent style whose parent is a URL "
                          f"({href.group(1) if href else 'a URL'}): the build never fetches it",
                    "vendor the independent parent style under templates/csl/ and name it in citation_style")
        return None
    return value


def _edition(reader: YamlReader, node: yaml.Node, what: str) -> dict | None:
    return reader.mapping(node, what, {
        "pdf_variant": (YamlReader.string, False, None),
        "forms": (YamlReader.boolean, False, False),
        "bleed": (lambda r, n, w: r.css_value(n, w, BLEED, "a length such as 3mm"), False, None),
        "marks": (lambda r, n, w: r.css_value(n, w, MARKS, "crop, cross or 'crop cross'"), False, None),
        "booklet": (YamlReader.boolean, False, False),
        "colophon": (YamlReader.string, False, ""),
        "output_profile": (YamlReader.string, False, None),
        "output_condition": (YamlReader.string, False, ""),
        "ink_limit": (YamlReader.integer, False, 300),
        "no_hyphenate": (YamlReader.strings, False, ()),
        "default": (YamlReader.boolean, False, True),
        "mark_untranslated": (YamlReader.boolean, False, None),
    })


def _named(item: Callable[..., Any]) -> Callable[..., Any]:
    """A mapping of name → item (editions, documents), remembering each name's line."""

    def read(reader: YamlReader, node: yaml.Node, what: str) -> dict | None:
        if not isinstance(node, yaml.MappingNode) or not node.value:
            reader.fail(node, f"{what} must name at least one entry", "add 'name:' lines under it")
            return None
        named, folded = {}, {}
        for key, value in node.value:
            name = reader.name(key, f"the name in {what}")
            if name is not None and name in named:
                reader.fail(key, f"{name!r} is given twice in {what}", "keep one of them")
            elif name is not None and name.casefold() in folded:  # one file on Windows and macOS
                reader.fail(key, f"{name!r} differs from {folded[name.casefold()]!r} in {what} only in case",
                            "give each its own name, whatever the case: on Windows and macOS both are one file")
            elif name is not None:
                folded[name.casefold()] = name
                named[name] = (item(reader, value, f"{what}.{name}"), reader.line(key))
        return named

    return read


EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\Z")


def _email(reader: YamlReader, node: yaml.Node, what: str) -> str | None:
    """An e-mail address and nothing else: it becomes a mailto: link in every output."""
    value = reader.string(node, what)
    if value is not None and not EMAIL.match(value):
        reader.fail(node, f"{what} {value!r} is not an e-mail address", "write the address alone: name@example.org")
        return None
    return value


def _binding(reader: YamlReader, node: yaml.Node, what: str) -> str | None:
    value = reader.string(node, what)
    if value is not None and value not in BINDINGS:
        reader.fail(node, f"{what} is {value!r}, not a binding the printer knows",
                    f"use one of: {', '.join(BINDINGS)}")
        return None
    return value


def _document(reader: YamlReader, node: yaml.Node, what: str) -> dict | None:
    return reader.mapping(node, what, {
        "title": (YamlReader.string, True, None),
        "subtitle": (YamlReader.string, False, ""),
        "year": (YamlReader.integer, True, None),
        "reference": (YamlReader.string, False, ""),
        "template": (lambda r, n, w: r.project_path(n, w, TEMPLATES), True, None),
        "fragments": (_fragment_list, True, ()),
        "contents": (YamlReader.boolean, False, True),
        "references": (YamlReader.boolean, False, False),
        "binding": (_binding, False, "loose"),
    })


REFERENCE_DOCX = "templates/reference.docx"  # the Word styles every DOCX starts from
PACK_FIELDS: dict[str, Field] = {
    "id": (YamlReader.name, True, None),
    "title": (YamlReader.string, True, None),
    "organisation": (YamlReader.string, True, None),
    "source_locale": (YamlReader.locale, False, "en"),
    "locales": (lambda r, n, w: r.locales(n, w), True, ()),
    "deadline": (YamlReader.date, True, None),
    "reply_email": (lambda r, n, w: _email(r, n, w), True, None),
    "bibliography": (YamlReader.project_path, False, "references.bib"),
    "citation_style": (lambda r, n, w: _citation_style(r, n, w), False, "chicago-note-bibliography"),
    "link_ignore": (YamlReader.strings, False, ()),
    "editions": (_named(_edition), True, {}),
}


def compose(text: str) -> yaml.Node | None:
    """pack.yaml's node tree, by libyaml where PyYAML has it (~10× faster: part of every no-op
    build); a file libyaml refuses is read again by PyYAML's own parser, whose messages
    ``yaml_problem`` puts in plain words."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text)


def load_pack(root: Path) -> Pack:
    """Read ``content/pack.yaml`` under ``root``; raise ContentError listing every problem."""
    root = root.resolve()
    path = root / PACK_FILE
    shown = str(PACK_FILE)
    report = Report()
    text = None
    try:
        if project_file(root, shown, report, shown, None, "the pack file") is None:  # a link out of the project
            raise ContentError(report)
        text = decode(read_project_bytes(root, path), shown, report)  # UTF-8, no control or bidi character
        if text is None:
            raise ContentError(report)
        tree = compose(text)
    except FileNotFoundError:
        report.error(shown, None, "no pack file", "create content/pack.yaml (see docs/editing-content.md)")
        raise ContentError(report) from None
    except yaml.YAMLError as exc:
        report.error(shown, *yaml_problem(exc, text or ""))
        raise ContentError(report) from None
    reader = YamlReader(shown, report, root=root)
    top = reader.mapping(tree, "pack.yaml", {
        "pack": (lambda r, n, w: r.mapping(n, w, PACK_FIELDS), True, None),
        "documents": (_named(_document), True, {}),
        "web": (lambda r, n, w: r.mapping(n, w, {"landing": (_landing, False, None)}), False, None),
    }) if tree is not None else None
    if tree is None:
        report.error(shown, None, "the pack file is empty", "see docs/editing-content.md for its keys")
    if report.errors or top is None:
        raise ContentError(report)
    return _build_pack(root, top, reader)


def _build_pack(root: Path, top: dict, reader: YamlReader) -> Pack:
    meta = top["pack"]
    report = reader.report
    if meta["source_locale"] not in meta["locales"]:
        report.error(reader.path, None, f"source locale {meta['source_locale']!r} is not in locales",
                     "add it to pack.locales")
    editions = tuple(Edition(name, **values) for name, (values, _) in meta["editions"].items() if values)
    for edition, (_, line) in zip(editions, (v for v in meta["editions"].values() if v[0])):
        _check_output_intent(root, edition, reader, line)
    if editions and not any(e.default for e in editions):
        report.error(reader.path, min(line for _, line in meta["editions"].values()),
                     "no edition is built by default", "remove 'default: false' from one of pack.editions")
    documents = {doc_id: _make_document(doc_id, values, line)
                 for doc_id, (values, line) in top["documents"].items() if values}
    project_file(root, REFERENCE_DOCX, report, REFERENCE_DOCX, None, "the Word reference document")
    if report.errors:
        raise ContentError(report)
    fields = {k: v for k, v in meta.items() if k not in ("editions", "bibliography")}
    landing = (top["web"] or {}).get("landing")
    return Pack(root=root, bibliography=root / meta["bibliography"], editions=editions, documents=documents,
                landing=_make_document(LANDING, *landing) if landing and landing[0] else None, **fields)


def _landing(reader: YamlReader, node: yaml.Node, what: str) -> tuple[dict | None, int]:
    """The web edition's front page: a document like the others (its fragments are in
    content/<locale>/web/), made only as a web page."""
    return _document(reader, node, what), reader.line(node)


def _make_document(doc_id: str, values: dict, line: int) -> Document:
    listed = values.pop("fragments")
    return Document(id=doc_id, line=line, fragments=tuple(name for name, _ in listed),
                    fragment_lines=tuple(n for _, n in listed), **values)


def _check_output_intent(root: Path, edition: Edition, reader: YamlReader, line: int) -> None:
    """A PDF/X edition prints through an output intent: a CMYK ICC profile under templates/."""
    if not edition.variant.startswith("pdf/x"):
        return
    what = f"edition {edition.name!r}"
    if not edition.output_profile:
        reader.report.error(reader.path, line, f"{what} is {edition.pdf_variant} but names no output_profile",
                            "add 'output_profile: icc/<profile>.icc' (a CMYK ICC profile under templates/)")
        return
    path = root / TEMPLATES / edition.output_profile
    try:
        header = path.read_bytes()[:40] if path.resolve().is_relative_to((root / TEMPLATES).resolve()) else b""
    except OSError:
        header = b""
    if header[16:20] != b"CMYK" or header[36:40] != b"acsp":
        reader.report.error(reader.path, line, f"{what}: output_profile {edition.output_profile!r} is not a CMYK "
                            "ICC profile under templates/", "give the path of a CMYK .icc file, relative to templates/")
