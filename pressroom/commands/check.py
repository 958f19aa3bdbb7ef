"""``invoke check``: every check on every document × locale, external URLs over HTTP unless
offline, and the written outputs (the web edition's pages too) verified if they exist. Writes nothing to output/."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pressroom import checks
from pressroom.build import assemble_all
from pressroom.build.plan import plan
from pressroom.build.web import site_files
from pressroom.checks.urls import url_problem
from pressroom.commands.i18n import unextracted
from pressroom.diagnostics import Report
from pressroom.inspect.verify import verify_outputs, verify_site
from pressroom.model import OUTPUT
from pressroom.read.pack import load_pack
from pressroom.read.unlisted import report_unlisted

LINK_CACHE = Path(".cache") / "links.json"
WARN_OUTCOMES = {"timeout", "unknown", "redirected"}


def check_pack(root: Path, *, offline: bool = False, summary=None) -> Report:
    """All problems of the pack; ``summary(document, counts)`` receives link outcomes per document."""
    pack = load_pack(root)
    report = Report()
    bib, documents = assemble_all(pack, set(pack.locales), report)
    checks.run(pack, documents, report, bibliography=bib)
    report_unlisted(pack, pack.locales, report)
    unextracted(root, report)
    if not offline:
        check_external_links(root, pack, documents, report, summary)
    written = [(t, root / OUTPUT / t.key) for t in plan(pack, None, None, None) if (root / OUTPUT / t.key).is_file()]
    verify_outputs(documents, written, report)
    pages = [t for t, _ in written if t.format == "web"]
    verify_site(root / OUTPUT, {t.key: (root / OUTPUT / t.key).read_bytes() for t in pages}, site_files(pack),
                {t.key: documents[(t.doc_id, t.locale)] for t in pages if t.doc_id}, report)
    return report


def check_external_links(root: Path, pack, documents: dict, report: Report, summary=None) -> None:
    """HEAD/GET every external URL once; broken ones are errors at each place they are linked."""
    from pressroom.checks.linkcheck import check_urls  # httpx: only when URLs are checked online

    places: dict[str, list] = {}
    for key, document in sorted(documents.items()):
        if document is None:
            continue
        for link in document.tree.xpath('//a[starts-with(@href, "http")]'):
            if url_problem(link.get("href")) is None:  # malformed ones are the offline check's
                places.setdefault(link.get("href"), []).append((key, link))
    results = check_urls(places, cache_file=root / LINK_CACHE, ignore=pack.link_ignore)
    per_document: dict = {}
    offline = _no_network(results)
    if offline:
        report.warning("content/", None, f"{len(offline)} external URLs could not be checked: no answer from any "
                       f"host ({offline[0].detail})", "check the network connection, or run invoke check --offline",
                       kind="network")
    for url, result in results.items():
        for key, _ in places[url]:
            per_document.setdefault(key, Counter())["unknown" if offline else result.outcome] += 1  # not "broken"
        if not offline:
            _report_link(report, url, result, [checks.where(link) for _, link in places[url]])
    if summary:
        for key, counts in sorted(per_document.items()):
            summary(key, counts)


def _no_network(results: dict) -> list:
    """The URLs asked over the network, when not one of them got an answer (DNS failing, no
    route, every host timing out): the network is down, not the links broken."""
    asked = [r for r in results.values() if not r.from_cache and r.detail != "ignored" and r.final_url is not None]
    if not asked or any(r.status is not None for r in asked):
        return []
    return asked


def _report_link(report: Report, url: str, result, places: list[tuple[str, int | None]]) -> None:
    """One diagnostic per URL, at its first place, naming every other place it is used (the same
    fragment taken by several locales is one place)."""
    unique = sorted(dict.fromkeys(places), key=lambda p: (p[0], p[1] or 0))
    (path, line), others = unique[0], unique[1:]
    also = f" (also at {', '.join(f'{p}:{n}' if n else p for p, n in others)})" if others else ""
    if result.outcome == "broken":
        report.error(path, line, f"broken link {url}: {result.detail}{also}", "fix the address or remove the link")
    elif result.outcome in WARN_OUTCOMES:
        target = f" → {result.final_url}" if result.outcome == "redirected" else ""
        report.warning(path, line, f"{result.outcome} link {url}{target}: {result.detail}{also}",
                       "update the address" if result.outcome == "redirected" else "check it by hand")
