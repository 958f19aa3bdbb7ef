"""Saddle-stitch booklets: a print edition with `booklet: true` is padded to a multiple of 4 pages,
the colophon on the last page, still passing preflight, with the same bytes on every build."""

import hashlib
import subprocess

from conftest import needs
from pypdf import PdfReader

from pressroom.build import build
from pressroom.read.pack import load_pack
from pressroom.commands.preflight import preflight

COLOPHON = "Printed for Amnesty International UK members"


def booklet_pack(project):
    pack = project / "content" / "pack.yaml"
    text = pack.read_text()
    assert "      marks: crop cross\n" in text
    pack.write_text(text.replace("      marks: crop cross\n",
                                 f'      marks: crop cross\n      booklet: true\n      colophon: "{COLOPHON}"\n'))
    return project


@needs("pdftotext")
def test_print_pdfs_are_padded_to_a_multiple_of_four_with_the_colophon_last(project):
    root = booklet_pack(project)
    build(root, docs=["response-form"], locales=["en"], formats=["pdf"], editions=["print"])
    pdf = root / "output" / "en" / "response-form.print.pdf"
    pages = len(PdfReader(pdf).pages)
    assert pages % 4 == 0 and pages >= 5  # the form has 5 pages of its own
    last = subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert COLOPHON in last
    report = preflight(root, load_pack(root), ["en"], docs=["response-form"])
    assert [d for d in report.errors if "print" in d.path] == []
    first = hashlib.sha256(pdf.read_bytes()).hexdigest()
    build(root, docs=["response-form"], locales=["en"], formats=["pdf"], editions=["print"], force=True)
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == first
