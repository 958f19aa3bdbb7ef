"""The written files themselves: every link in each PDF, DOCX and web page points somewhere real.

PDF: each link annotation goes to a named destination that exists, or to a URL the assembled
document links to (or a sibling PDF of the pack). DOCX: the package is sound and every
hyperlink of every part resolves (``inspect/docx.py``). Web: each link inside
the site reaches a file of output/web (and an element of that page), each link out of it is
one the assembled document makes (the same allow-list), and nothing is loaded from outside.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import html as lxml_html

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
        if target.format not in ("pdf", "docx"):
            continue  # web pages: verify_site, which sees the whole site
        if id(document) not in allowed_by_document:
            allowed_by_document[id(document)] = document_links(document)
        allowed = allowed_by_document[id(document)]
        path = io.BytesIO(source) if isinstance(source, bytes) else source
        shown = f"output/{target.key}"
        if target.format == "pdf":
            verify_pdf(path, shown, allowed, report)
        else:
            verify_docx(path, shown, allowed, report)


def document_links(document) -> set[str]:
    """The links out of the pack that the assembled document (its fragments) makes: the
    allow-list of every format's external links."""
    return set(document.tree.xpath('//a[starts-with(@href, "http") or starts-with(@href, "mailto:")]/@href'))


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


# --- the web edition --------------------------------------------------------------------------

SITE_LINKS = "//a[@href] | //link[@href] | //*[@src] | //form[@action] | //object[@data]"


def verify_site(out: Path, pages: dict[str, bytes], site: set[str], sources: dict, report: Report) -> None:
    """Each web page about to be written (``pages``: output key, e.g. web/en/guidance.html → its
    bytes). ``site``: the key of every file the whole site has (a page links to the same page
    in every locale, which a build of one locale does not write); ``sources``: a page's key →
    the assembled document it is made from."""
    folder = out / "web"
    files = set(pages) | set(site) | ({str(p.relative_to(out)) for p in folder.rglob("*") if p.is_file()}
                                      if folder.is_dir() else set())
    trees: dict[str, object] = {}

    def ids(key: str) -> set[str] | None:
        """The ids of a page of the site; None when it is not written (yet)."""
        if key not in trees:
            data = pages.get(key) or ((out / key).read_bytes() if (out / key).is_file() else None)
            trees[key] = set(lxml_html.document_fromstring(data).xpath("//@id")) if data else None
        return trees[key]

    for key in sorted(k for k in pages if k.endswith(".html")):
        tree = lxml_html.document_fromstring(pages[key])
        every = tree.xpath("//@id")
        for name in sorted({i for i in every if every.count(i) > 1}):
            report.error(f"output/{key}", None, f"the id {name!r} is used twice on the page", "report it")
        allowed = document_links(sources[key]) if sources.get(key) is not None else set()
        for element in tree.xpath(SITE_LINKS):
            problem = _site_link_problem(key, element, allowed, files, ids)
            if problem:
                report.error(f"output/{key}", None, problem, "rebuild; if it persists, report it")


def _site_link_problem(key: str, element, allowed: set[str], files: set[str], ids) -> str | None:
    href = next(element.get(a) for a in ("href", "src", "action", "data") if element.get(a) is not None)
    parts = urlsplit(href)
    if parts.scheme or href.startswith("//"):
        if element.tag != "a":
            return f"<{element.tag}> loads {href!r} from outside the site"
        return None if href in allowed else f"link to {href!r}, which no fragment links to"
    target = posixpath.normpath(posixpath.join(posixpath.dirname(key), unquote(parts.path))) if parts.path else key
    if not target.startswith("web/") or target not in files:
        return f"link to {href!r}: no such file in output/web"
    found = ids(target) if parts.fragment and target.endswith(".html") else None
    if found is not None and parts.fragment not in found:
        return f"link to {href!r}: {posixpath.basename(target)} has no #{parts.fragment}"
    return None
