"""Each locale says what it lacks: documents and fragments taken from the source locale,
fragments whose source changed since translation, and translations that lost a note, a citation
key, a link target or a heading id of their source."""

from pressroom.checks.registry import Context, check
from pressroom.read.files import inside
from pressroom.read.fragments import fragment_path
from pressroom.read.translations import body_of, recorded_hash, source_hash, token_differences


@check("translations")
def translations(ctx: Context) -> None:
    pack = ctx.pack
    for (doc_id, locale), document in sorted(ctx.documents.items()):
        if document.locale != locale:  # nothing of its own in this locale: the source document itself
            _untranslated_document(ctx, doc_id, locale, document.locale)
            continue
        for fragment in document.fragments:
            if fragment.outdated:
                ctx.report.warning(f"content/{locale}/{doc_id}/{fragment.name}", None,
                                   f"outdated: its notes, citations, links or ids no longer match {fragment.shown} "
                                   f"— the {fragment.locale!r} text is used",
                                   f"update it (invoke translations --diff {locale} shows what changed), then "
                                   f"invoke translations --mark content/{locale}/{doc_id}/{fragment.name}")
            elif fragment.fallback:
                ctx.report.warning(f"content/{locale}/{doc_id}/{fragment.name}", None,
                                   f"not translated: the {fragment.locale!r} text is used",
                                   f"copy {fragment.shown} there and translate it", kind="fallback")
            elif locale != pack.source_locale:
                source = fragment_path(pack, pack.source_locale, doc_id, fragment.name)
                if source.is_file() and inside(pack.root / "content", source):  # never a link out
                    _compare(ctx, fragment, source)


def _untranslated_document(ctx: Context, doc_id: str, locale: str, source: str) -> None:
    """One warning for the whole document, not one per fragment: it is the source document."""
    ctx.report.warning(f"content/{locale}/{doc_id}/", None,
                       f"not translated: output/{locale}/{doc_id}.* is the untranslated {source!r} document",
                       f"to translate it, copy the files of content/{source}/{doc_id}/ into content/{locale}/{doc_id}/ "
                       f"and translate them, or export them with invoke i18n.export {locale} (docs/translating.md)",
                       kind="untranslated-document")


def _compare(ctx: Context, fragment, source) -> None:
    translated = ctx.pack.root / fragment.shown
    if recorded_hash(translated) != source_hash(source):
        ctx.report.warning(fragment.shown, None, f"outdated: {source.relative_to(ctx.pack.root)} changed since translation",
                           f"update it (invoke translations --diff {translated.parts[-3]} shows what changed), "
                           f"then invoke translations --mark {fragment.shown}")
    lost, added = token_differences(body_of(source), body_of(translated))
    for token in lost:
        ctx.report.error(fragment.shown, None, f"translation lost {token} of the source",
                         "keep every [^note], @key, link target and {#id} as in the source")
    for token in added:
        ctx.report.error(fragment.shown, None, f"translation adds {token}, which the source does not have",
                         "keep the source's [^notes], @keys, link targets and {#id}s")
