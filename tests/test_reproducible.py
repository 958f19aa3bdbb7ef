"""Same input, same bytes: two clean builds in two different folders give identical PDFs (both
editions, with form fields and links to sibling PDFs), identical Word files and an identical web
edition (pages, downloads, stylesheet, WOFF2 fonts)."""

import hashlib

from conftest import copy_project

from pressroom.build import build


def digests(root):
    build(root, docs=["response-form"], locales=["en", "ar"])
    out = root / "output"
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def test_two_clean_builds_in_different_folders_are_byte_identical(tmp_path):
    first = digests(copy_project(tmp_path / "one" / "pack"))
    second = digests(copy_project(tmp_path / "elsewhere" / "two" / "pack"))
    assert len([k for k in first if not k.startswith("web/")]) == 6  # en and ar: screen PDF, print PDF, DOCX
    # the web edition: in en and ar the page and its three downloads; the stylesheet and 9 fonts
    assert len([k for k in first if k.startswith("web/")]) == 2 * 4 + 10
    assert first == second
