"""form.yaml and titles.yaml text → the strings a reader sees, found in the YAML text itself so
that an import replaces exactly those characters (comments, order and quoting elsewhere kept).

A string is named by where it sits: ``section 2 title``, ``field email label``, ``field
responding_as option group``, ``qa subtitle`` — the same name in the source and every translation.
"""

from __future__ import annotations

import json

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

FIELD_KEYS = ("label", "help")
SECTION_KEYS = ("title", "intro")


def _get(node, key: str):
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value == key:
                return v
    return None


def _put(out: dict, name: str, node) -> None:
    if isinstance(node, ScalarNode) and str(node.value).strip():
        out[name] = node


def form_strings(text: str) -> dict[str, ScalarNode]:
    """Section titles and intros, field labels and help, option labels of a form.yaml."""
    root = yaml.compose(text)
    out: dict[str, ScalarNode] = {}
    sections = _get(root, "sections")
    for number, section in enumerate(sections.value if isinstance(sections, SequenceNode) else [], start=1):
        for key in SECTION_KEYS:
            _put(out, f"section {number} {key}", _get(section, key))
        fields = _get(section, "fields")
        for field in fields.value if isinstance(fields, SequenceNode) else []:
            name = getattr(_get(field, "name"), "value", None)
            for key in FIELD_KEYS:
                _put(out, f"field {name} {key}", _get(field, key))
            options = _get(field, "options")
            for option in options.value if isinstance(options, SequenceNode) else []:
                value = getattr(_get(option, "value"), "value", None)
                _put(out, f"field {name} option {value}", _get(option, "label"))
    return out


def titles_strings(text: str) -> dict[str, ScalarNode]:
    """``<doc> title`` and ``<doc> subtitle`` of a titles.yaml."""
    root = yaml.compose(text)
    out: dict[str, ScalarNode] = {}
    for key, value in root.value if isinstance(root, MappingNode) else []:
        for part in ("title", "subtitle"):
            _put(out, f"{key.value} {part}", _get(value, part))
    return out


def values(strings: dict[str, ScalarNode]) -> dict[str, str]:
    return {name: " ".join(str(node.value).split()) for name, node in strings.items()}


def replace(text: str, nodes: dict[ScalarNode, str]) -> str:
    """``text`` with each scalar replaced by a double-quoted YAML string; nothing else changes."""
    for node, value in sorted(nodes.items(), key=lambda item: item[0].start_mark.index, reverse=True):
        text = text[: node.start_mark.index] + quoted(value) + text[node.end_mark.index:]
    return text


def quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def titles_text(entries: dict[str, dict[str, str]]) -> str:
    """New entries for a titles.yaml, appended at its end."""
    lines = []
    for doc_id, parts in entries.items():
        lines.append(f"{doc_id}:")
        lines += [f"  {part}: {quoted(value)}" for part, value in parts.items()]
    return "\n".join(lines) + "\n"
