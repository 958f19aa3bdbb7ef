"""The written files themselves: every link in each PDF and DOCX points somewhere real.

PDF: each link annotation goes to a named destination that exists, or to a URL the assembled
document links to (or a sibling PDF of the pack). DOCX: the package is sound and every
hyperlink of every part resolves (``inspect/docx.py``).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path


from pressroom.diagnostics import Report
from pressroom.model import Target

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def verify_outputs(documents: dict, outputs: list[tuple[Target, bytes | Path]], report: Report) -> None:
    """Check each output, given as its bytes (before writing) or its path (written earlier)."""
    allowed_by_document: dict[int, set[str]] = {}  # a document's tree is parsed once, however many outputs it has
    for target, source in outputs:
        document = documents.get((target.doc_id, target.locale))
        if document is None:
            continue
        if id(document) not in allowed_by_document:
            allowed_by_document[id(document)] = set(document.tree.xpath(
                '//a[starts-with(@href, "http") or starts-with(@href, "mailto:")]/@href'))
        allowed = allowed_by_document[id(document)]
        path = io.BytesIO(source) if isinstance(source, bytes) else source
        shown = f"output/{target.key}"
        if target.format == "pdf":
            verify_pdf(path, shown, allowed, report)
        else:
            verify_docx(path, shown, allowed, report)


def verify_pdf(path: Path | io.BytesIO, shown: str, allowed: set[str], report: Report) -> None:
    # pikepdf (qpdf) reads objects only when asked: ~100× faster here than pypdf, which parsed
    # every object stream to list the named destinations
    import pikepdf

    with pikepdf.open(path) as pdf:
        names = _named_destinations(pdf)
        for number, page in enumerate(pdf.pages, start=1):
            for annotation in page.obj.get("/Annots") or []:
                if annotation.get("/Subtype") != pikepdf.Name.Link:
                    continue
                problem = _pdf_link_problem(annotation, names, allowed)
                if problem:
                    report.error(shown, None, f"page {number}: {problem}", "rebuild; if it persists, report it")


def _named_destinations(pdf) -> set[str]:
    """Names from the /Dests name tree (PDF 1.2+) and the older /Dests dictionary."""
    import pikepdf

    tree = pdf.Root.get("/Names", {}).get("/Dests")
    names = set(pikepdf.NameTree(tree).keys()) if tree is not None else set()
    old = pdf.Root.get("/Dests")
    return names | ({str(key).lstrip("/") for key in old.keys()} if old is not None else set())


def _pdf_link_problem(annotation, names: set[str], allowed: set[str]) -> str | None:
    import pikepdf

    action = annotation.get("/A")
    action = action if action is not None else pikepdf.Dictionary()
    if action.get("/S") == pikepdf.Name.GoToR:  # another PDF of the pack, beside this one
        filename = str(action.get("/F", ""))
        return None if filename.endswith(".pdf") and "/" not in filename else f"link to another file {filename!r}"
    dest = annotation.get("/Dest", action.get("/D"))
    if dest is not None:
        if isinstance(dest, pikepdf.Array):  # an explicit page and position
            return None
        name = str(dest).lstrip("/") if isinstance(dest, pikepdf.Name) else str(dest)
        return None if name in names else f"link to missing destination {name!r}"
    uri = str(action.get("/URI", ""))
    if not uri or uri == "#":
        return "link with an empty target"
    local = uri.split("#")[0]
    if uri in allowed or (local.endswith(".pdf") and "/" not in local):
        return None
    return f"link to {uri!r}, which no fragment links to"


def verify_docx(path: Path | io.BytesIO, shown: str, allowed: set[str], report: Report) -> None:
    """The package sound (each part typed and related, each r:id defined in its own part's rels)
    and every hyperlink of every part resolved; each problem names its part."""
    from pressroom.inspect.docx import link_problems, package_problems

    with zipfile.ZipFile(path) as package:
        for part, problem in [*package_problems(package), *link_problems(package, allowed)]:
            report.error(shown, None, f"{part}: {problem}", "rebuild; if it persists, report it")
