"""Each locale says what it lacks: fragments taken from the source locale are reported."""

from . import Context, check


@check("translations")
def translations(ctx: Context) -> None:
    for (doc_id, locale), document in sorted(ctx.documents.items()):
        for fragment in document.fragments:
            if fragment.fallback:
                ctx.report.warning(f"content/{locale}/{doc_id}/{fragment.name}", None,
                                   f"not translated: the {fragment.locale!r} text is used",
                                   f"copy {fragment.shown} there and translate it")
