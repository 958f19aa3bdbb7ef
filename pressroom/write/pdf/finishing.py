"""WeasyPrint's PDF in → the PDF the pack ships, in one pikepdf pass: what WeasyPrint 70 leaves
to mend (links to sibling PDFs, radio buttons listed as fields of their own, field names, link
descriptions, annotations that do not print, and for tagged editions the structure tree)."""

from __future__ import annotations

import io

import pikepdf

from pressroom.model import Assembled
from pressroom.write.pdf.tagging import describe_links, name_fields, restructure


def finish(pdf: bytes, base: str, assembled: Assembled, tagged: bool) -> bytes:
    """What WeasyPrint 70 leaves to mend, in one pikepdf pass: links to sibling PDFs, radio
    buttons listed as fields of their own, field names, and (tagged) the structure tree."""
    document = pikepdf.open(io.BytesIO(pdf))
    _remote_links(document, base)
    _tidy_radio_groups(document)
    tree = assembled.tree
    name_fields(document, tree)
    describe_links(document, tree)
    _print_flag(document)
    if tagged:
        restructure(document)
    out = io.BytesIO()
    document.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _print_flag(document) -> None:
    """Every annotation prints as it shows (the Print flag, /F 4; PDF/UA-1 7.18.1): WeasyPrint
    writes links without /F, which readers and printers take as "not printed"."""
    for page in document.pages:
        for annotation in page.get("/Annots", []):
            if annotation.get("/Subtype") != pikepdf.Name.Popup:
                annotation.F = int(annotation.get("/F", 0)) | 4


def _tidy_radio_groups(document) -> None:
    """WeasyPrint lists each radio button in /AcroForm /Fields and names it like its group
    (qpdf: "loop detected"; readers see a phantom "group.group"): keep only the groups."""
    form = document.Root.get("/AcroForm")
    if form is None:
        return
    fields = list(form.Fields)
    kids = [f for f in fields if "/Parent" in f]
    for kid in kids:
        if "/T" in kid:
            del kid["/T"]
    if kids:
        form.Fields = pikepdf.Array([f for f in fields if "/Parent" not in f])


def _remote_links(document, base: str) -> None:
    """Links to a sibling PDF come out of WeasyPrint as absolute file: URIs under the
    templates folder; make them GoToR actions (another file, a named destination). Their
    description, which held that URI, is rewritten by ``describe_links``."""
    for page in document.pages:
        for annotation in page.get("/Annots", []):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(base):
                filename, _, anchor = uri[len(base):].partition("#")
                annotation.A = pikepdf.Dictionary(S=pikepdf.Name.GoToR, F=pikepdf.String(filename),
                                                  D=pikepdf.String(anchor) if anchor else pikepdf.Array([0, pikepdf.Name.Fit]),
                                                  NewWindow=False)
