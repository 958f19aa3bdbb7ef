"""Every citation key is in the bibliography and every cited entry's LaTeX decodes; the entries
nobody cites or lists are one warning."""

from pressroom.checks.registry import Context, check, where
from pressroom.diagnostics import Near


@check("citations")
def citations(ctx: Context) -> None:
    bib = ctx.bibliography
    if bib is None:
        return
    used: dict[str, None] = {}
    linked: set[str] = set()
    near = Near(bib.entries, "@")
    for _, tree in ctx.items:
        for node in tree.xpath("//*[@data-cites]"):
            keys = node.get("data-cites").split()
            used.update(dict.fromkeys(keys))
            for key in keys:
                if key not in bib.entries:
                    path, line = where(node)
                    ctx.report.error(path, line, f"citation key @{key} is not in {bib.shown}",
                                     near.hint("add the entry to the bibliography or correct the key", key))
        linked.update(tree.xpath("//a/@href"))
    for key, fields in bib.decoded(used).items():  # only the cited entries: they are printed
        if isinstance(fields, str):
            ctx.report.error(bib.shown, bib.entries[key].line, f"{key}: {fields}", "fix the entry's LaTeX")
    if _whole_pack(ctx):
        _unused(ctx, [entry for entry in bib.entries.values()
                      if entry.key not in used and (entry.url is None or entry.url not in linked)])


def _unused(ctx: Context, unused: list) -> None:
    """One warning for all of them, at the first, naming every key: a shared .bib of hundreds of
    entries would otherwise bury every other message under a line each."""
    bib = ctx.bibliography
    if len(unused) == 1:
        ctx.report.warning(bib.shown, unused[0].line, f"entry {unused[0].key!r} is never cited or listed",
                           "cite it, link its URL in a reading list, or remove it")
    elif unused:
        ctx.report.warning(bib.shown, unused[0].line, f"{len(unused)} entries of {bib.shown} are never cited or listed",
                           "cite them, link their URLs in a reading list, or remove them: "
                           + ", ".join(entry.key for entry in unused))


def _whole_pack(ctx: Context) -> bool:
    """Unused entries can only be judged when every document was assembled."""
    return {doc for doc, _ in ctx.documents} >= set(ctx.pack.documents)
