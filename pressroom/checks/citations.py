"""Every citation key is in the bibliography; entries nobody cites or lists are warned."""

from pressroom.checks.registry import Context, check, where


@check("citations")
def citations(ctx: Context) -> None:
    bib = ctx.bibliography
    if bib is None:
        return
    used: set[str] = set()
    linked: set[str] = set()
    for _, tree in ctx.items:
        for node in tree.xpath("//*[@data-cites]"):
            keys = node.get("data-cites").split()
            used.update(keys)
            for key in keys:
                if key not in bib.entries:
                    path, line = where(node)
                    ctx.report.error(path, line, f"citation key @{key} is not in {bib.shown}",
                                     "add the entry to the bibliography or correct the key")
        linked.update(tree.xpath("//a/@href"))
    if _whole_pack(ctx):
        for entry in bib.entries.values():
            if entry.key not in used and (entry.url is None or entry.url not in linked):
                ctx.report.warning(bib.shown, entry.line, f"entry {entry.key!r} is never cited or listed",
                                   "cite it, link its URL in a reading list, or remove it")


def _whole_pack(ctx: Context) -> bool:
    """Unused entries can only be judged when every document was assembled."""
    return {doc for doc, _ in ctx.documents} >= set(ctx.pack.documents)
