"""Every footnote call has exactly one note and every note is called."""

from pressroom.checks.registry import Context, check, where

MESSAGES = {
    "unresolved": ("footnote [^{label}] has no definition", 'add "[^{label}]: …" to this fragment'),
    "duplicate-footnote": ("footnote [^{label}] is defined more than once", "keep one definition"),
    "unused-footnote": ("footnote [^{label}] is defined but never called", "call it with [^{label}] or delete it"),
}


@check("footnotes")
def footnotes(ctx: Context) -> None:
    for _, tree in ctx.items:
        for node in tree.xpath('//span[@class="footnote-unresolved"] | //aside[@class="problem"]'):
            kind = node.get("data-problem", "unresolved")
            if kind not in MESSAGES:
                continue
            message, hint = MESSAGES[kind]
            label = node.get("data-label")
            path, line = where(node)
            ctx.report.error(path, line, message.format(label=label), hint.format(label=label))
