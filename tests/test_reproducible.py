"""Same input, same bytes: two clean builds in two different folders give identical PDFs (both
editions, with form fields and links to sibling PDFs), identical Word files and an identical web
edition (pages, downloads, stylesheet, WOFF2 fonts) — under the font subsetter each PDF records
(output/.state.json): HarfBuzz's on a machine set up as the README says."""

import hashlib
import json

from conftest import copy_project

from pressroom.build import build
from pressroom.write.pdf.subsetter import font_subsetter


def digests(root):
    build(root, docs=["response-form"], locales=["en", "ar"], editions=["screen", "print"])
    out = root / "output"
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)}


def subsetters(root) -> set[str]:
    state = json.loads((root / "output" / ".state.json").read_text())
    return {entry["subsetter"] for key, entry in state.items() if key.endswith(".pdf")}


def test_two_clean_builds_in_different_folders_are_byte_identical(tmp_path):
    one, two = copy_project(tmp_path / "one" / "pack"), copy_project(tmp_path / "elsewhere" / "two" / "pack")
    first, second = digests(one), digests(two)
    assert len([k for k in first if not k.startswith("web/")]) == 6  # en and ar: screen PDF, print PDF, DOCX
    # the web edition: in en and ar the page and its two downloads (no print edition); the stylesheet and 9 fonts
    assert len([k for k in first if k.startswith("web/")]) == 2 * 3 + 10
    assert first == second
    assert subsetters(one) == subsetters(two) == {font_subsetter()}
