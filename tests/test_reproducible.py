"""Same input, same bytes: two clean builds in two different folders give identical PDFs (both
editions, with form fields and links to sibling PDFs) and identical Word files."""

import hashlib

from conftest import copy_project

from pressroom.build import build


def digests(root):
    build(root, docs=["response-form"], locales=["en", "ar"])
    return {p.name + p.parent.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "output").glob("*/response-form*"))}


def test_two_clean_builds_in_different_folders_are_byte_identical(tmp_path):
    first = digests(copy_project(tmp_path / "one" / "pack"))
    second = digests(copy_project(tmp_path / "elsewhere" / "two" / "pack"))
    assert len(first) == 6  # en and ar: screen PDF, print PDF, DOCX
    assert first == second
