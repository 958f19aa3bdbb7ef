"""A DOCX package read as Word reads it: every part has a content type and is reached by a
relationship, every relationship of a part points at a part that exists, every ``r:`` id a
part uses is defined in that part's own .rels (a link in a footnote is related from
footnotes.xml, not from document.xml), and every hyperlink, in any part, goes to a bookmark of
the document, a sibling document of the pack, or a URL the content links to.

Each problem names the part it is in.
"""

from __future__ import annotations

import posixpath
import zipfile
from typing import Iterator

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
HYPERLINK = f"{R}/hyperlink"
CONTENT_TYPES = "[Content_Types].xml"


def rels_name(part: str) -> str:
    folder, leaf = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{leaf}.rels")


def _source(rels: str) -> str:
    """The part a .rels file belongs to ("" for the package's own _rels/.rels)."""
    folder, leaf = posixpath.split(rels)
    return posixpath.join(posixpath.dirname(folder), leaf[: -len(".rels")]) if leaf != ".rels" else ""


def relationships(package: zipfile.ZipFile, part: str) -> dict[str, etree._Element]:
    name = rels_name(part) if part else "_rels/.rels"
    if name not in package.namelist():
        return {}
    return {rel.get("Id"): rel for rel in etree.fromstring(package.read(name)).iter(f"{{{PR}}}Relationship")}


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


def package_problems(package: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    """(part, what is wrong) for every fault of the package's structure."""
    names = [n for n in package.namelist() if not n.endswith("/")]
    yield from _content_type_problems(package, names)
    reached, pending = set(), [""]
    while pending:
        source = pending.pop()
        for rel_id, rel in relationships(package, source).items():
            if rel.get("TargetMode") == "External":
                continue
            target = _resolve(source, rel.get("Target", ""))
            if target not in names:
                yield rels_name(source) if source else "_rels/.rels", f"relationship {rel_id} points at {target}, which is not in the package"
            elif target not in reached:
                reached.add(target)
                pending.append(target)
    for name in names:
        if name != CONTENT_TYPES and not name.endswith(".rels") and name not in reached:
            yield name, "no relationship leads to this part (an orphan)"
        if name.endswith(".rels") and _source(name) and _source(name) not in names:
            yield name, f"relationships of {_source(name)}, which is not in the package"
    for name in names:
        if name.endswith(".xml") and name != CONTENT_TYPES:
            yield from _id_problems(package, name)


def _content_type_problems(package: zipfile.ZipFile, names: list[str]) -> Iterator[tuple[str, str]]:
    if CONTENT_TYPES not in names:
        yield CONTENT_TYPES, "missing"
        return
    types = etree.fromstring(package.read(CONTENT_TYPES))
    defaults = {d.get("Extension", "").lower() for d in types.iter(f"{{{CT}}}Default")}
    overrides = {o.get("PartName", "").lstrip("/") for o in types.iter(f"{{{CT}}}Override")}
    for name in names:
        if name != CONTENT_TYPES and name not in overrides and name.rsplit(".", 1)[-1].lower() not in defaults:
            yield name, "has no content type in [Content_Types].xml"
    for name in sorted(overrides - set(names)):
        yield CONTENT_TYPES, f"gives a content type to {name}, which is not in the package"


def _id_problems(package: zipfile.ZipFile, name: str) -> Iterator[tuple[str, str]]:
    root = etree.fromstring(package.read(name))
    defined = relationships(package, name)
    for node in root.iter():
        for attribute, value in node.attrib.items():
            if attribute.startswith(f"{{{R}}}") and value not in defined:
                yield name, f"r:{attribute.split('}')[1]} {value} is not defined in {rels_name(name)}"


def link_problems(package: zipfile.ZipFile, allowed: set[str]) -> Iterator[tuple[str, str]]:
    """Hyperlinks of the document, its notes, headers and footers."""
    document = etree.fromstring(package.read("word/document.xml"))
    bookmarks = {b.get(f"{{{W}}}name") for b in document.iter(f"{{{W}}}bookmarkStart")}
    for name in package.namelist():
        if not (name.startswith("word/") and name.endswith(".xml") and "/" not in name[5:]):
            continue
        root = document if name == "word/document.xml" else etree.fromstring(package.read(name))
        targets = {i: rel.get("Target", "") for i, rel in relationships(package, name).items()
                   if rel.get("Type") == HYPERLINK}
        for link in root.iter(f"{{{W}}}hyperlink"):
            rel_id, anchor = link.get(f"{{{R}}}id"), link.get(f"{{{W}}}anchor")
            if rel_id is None:
                if anchor not in bookmarks:
                    yield name, f"internal link to missing bookmark {anchor!r}"
                continue
            target = targets.get(rel_id, "")
            if not target or target == "#":
                yield name, f"hyperlink {rel_id} has no target"
            elif target not in allowed and not (target.endswith(".docx") and "/" not in target):
                yield name, f"hyperlink to {target!r}, which no fragment links to"
