"""A form fragment (``form.yaml``) → validated sections and fields (``form.html.j2`` lays them out).

Fields are defined once per locale: names are stable identifiers (the columns of collected
responses), labels and help are translated. Validated with the YAML line of each problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from pressroom.diagnostics import Report, with_suggestion
from pressroom.model import INVISIBLE_HINT, SAFE_NAME, SAFE_NAME_HINT, Fragment, invisible
from pressroom.read.pack import YamlReader, yaml_problem

FIELD_TYPES = ("text", "textarea", "email", "choice", "checkbox")
COLLECTED_COLUMNS = ("file", "problems")  # the columns `invoke collect` adds around the fields


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    lines: int = 1
    options: tuple[Option, ...] = ()
    line: int | None = field(default=None, compare=False)  # where it is defined, for messages


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    fields: tuple[Field, ...]


def read_form(fragment: Fragment, report: Report) -> list[Section]:
    """Parse and validate a form fragment; problems are reported with their line."""
    offset = fragment.first_line - 1
    try:
        tree = yaml.compose(fragment.text)
    except yaml.YAMLError as exc:
        line, message, hint = yaml_problem(exc, fragment.text)
        report.error(fragment.shown, line + offset if line else None, message, hint)
        return []
    reader = YamlReader(fragment.shown, report, offset)
    top = reader.mapping(tree, "form", {"sections": (_sections, True, []),
                                        "translated-from": (YamlReader.string, False, None)}) if tree is not None else None
    sections = top["sections"] if top else []
    _check_names(sections, fragment, report)
    return sections


def _sections(reader: YamlReader, node: yaml.Node, what: str) -> list[Section]:
    sections = []
    for item in reader.items(node, what, "start each section with '- title: …'"):
        values = reader.mapping(item, "section", {
            "title": (YamlReader.string, True, ""), "intro": (YamlReader.string, False, ""),
            "fields": (_fields, True, [])})
        if values:
            sections.append(Section(values["title"] or "", values["intro"] or "", tuple(values["fields"] or ())))
    return sections


def _fields(reader: YamlReader, node: yaml.Node, what: str) -> list[Field]:
    fields = []
    for item in reader.items(node, what, "start each field with '- name: …'"):
        values = reader.mapping(item, "field", {
            "name": (YamlReader.string, True, None), "type": (YamlReader.string, True, None),
            "label": (YamlReader.string, True, None), "help": (YamlReader.string, False, ""),
            "required": (YamlReader.boolean, False, False), "lines": (YamlReader.integer, False, 1),
            "options": (_options, False, ())})
        if not values or None in (values["name"], values["type"], values["label"]):
            continue
        if values["type"] not in FIELD_TYPES:
            reader.fail(item, f"field {values['name']!r} has unknown type {values['type']!r}",
                        with_suggestion(f"use one of: {', '.join(FIELD_TYPES)}", values["type"], FIELD_TYPES))
            continue
        if values["type"] == "choice" and not values["options"]:
            reader.fail(item, f"choice field {values['name']!r} has no options", "add 'options:' with value and label")
        fields.append(Field(**{k: v for k, v in values.items() if v is not None}, line=reader.line(item)))
    return fields


def _options(reader: YamlReader, node: yaml.Node, what: str) -> tuple[Option, ...]:
    if not isinstance(node, yaml.SequenceNode):
        reader.fail(node, f"{what} must be a list", "write each option as '- {value: …, label: …}'")
        return ()
    values = [reader.mapping(item, "option", {"value": (YamlReader.string, True, None),
                                              "label": (YamlReader.string, True, None)}) for item in node.value]
    return tuple(Option(v["value"], v["label"]) for v in values if v and v["value"] and v["label"])


def _check_names(sections: list[Section], fragment: Fragment, report: Report) -> None:
    """A field's name is its PDF field, its Word control's tag and its column of collected
    responses: a safe identifier (no '.', which separates PDF field names), unique even when
    case is ignored (Excel and PDF tools fold case), and not a column collect adds."""
    seen: dict[str, str] = {}
    for item in (f for s in sections for f in s.fields):
        problem, hint = _name_problem(item.name), SAFE_NAME_HINT
        if problem is None and item.name.lower() in seen:
            twin = seen[item.name.lower()]
            problem = "is used twice" if twin == item.name else f"differs from field {twin!r} only in case"
            hint = "give each field its own name"
        elif problem is not None and invisible(item.name):
            hint = INVISIBLE_HINT
        elif problem is not None and item.name.lower() in COLLECTED_COLUMNS:
            hint = "name the field otherwise (e.g. file_name, other_problems)"
        if problem:
            report.error(fragment.shown, item.line, f"field name {item.name!r} {problem}", hint)
        seen.setdefault(item.name.lower(), item.name)
        for option in item.options:
            hidden = invisible(option.value)
            if hidden:
                report.error(fragment.shown, item.line, f"option value {option.value!r} holds {hidden}", INVISIBLE_HINT)


def _name_problem(name: str) -> str | None:
    hidden = invisible(name)
    if hidden:
        return f"holds the invisible character {hidden}"
    if not SAFE_NAME.match(name.replace(".", "_")):
        return "is not a safe name"
    if "." in name:
        return "holds a '.', which separates the parts of a PDF field's name"
    if name.lower() in COLLECTED_COLUMNS:
        return f"is a column collect adds to every response ({', '.join(COLLECTED_COLUMNS)})"
    return None
