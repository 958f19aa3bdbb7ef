"""Each locale says what it lacks: documents and fragments taken from the source locale,
fragments whose source changed since translation, and translations that lost a note, a citation
key, a link target or a heading id of their source."""

from pressroom.checks.registry import Context, check
from pressroom.read.files import inside
from pressroom.read.fragments import fragment_path
from pressroom.read.translations import recorded_hash, source_hash, token_differences


@check("translations")
def translations(ctx: Context) -> None:
    pack = ctx.pack
    for (doc_id, locale), document in sorted(ctx.documents.items()):
        if document.locale != locale:  # nothing of its own in this locale: the source document itself
            _untranslated_document(ctx, doc_id, locale, document.locale)
            continue
        for fragment in document.fragments:
            if fragment.fallback:
                ctx.report.warning(f"content/{locale}/{doc_id}/{fragment.name}", None,
                                   f"not translated: the {fragment.locale!r} text is used",
                                   f"copy {fragment.shown} there and translate it")
            elif locale != pack.source_locale:
                source = fragment_path(pack, pack.source_locale, doc_id, fragment.name)
                if source.is_file() and inside(pack.root / "content", source):  # never a link out
                    _compare(ctx, fragment, source)


def _untranslated_document(ctx: Context, doc_id: str, locale: str, source: str) -> None:
    """One warning for the whole document, not one per fragment: it is the source document."""
    ctx.report.warning(f"content/{locale}/{doc_id}/", None,
                       f"not translated: output/{locale}/{doc_id}.* is the untranslated {source!r} document",
                       f"to translate it, copy the files of content/{source}/{doc_id}/ into content/{locale}/{doc_id}/ "
                       f"and translate them, or export them with invoke i18n.export {locale} (docs/translating.md)")


@check("stray-translations")
def stray(ctx: Context) -> None:
    """A file in a locale folder that the document does not list (a typo, or a renamed source)."""
    pack = ctx.pack
    for locale in sorted({locale for _, locale in ctx.documents}):
        for doc in pack.documents.values():
            folder = pack.root / "content" / locale / doc.id
            for path in sorted(folder.glob("*")) if folder.is_dir() else []:
                if path.name not in doc.fragments:
                    ctx.report.warning(str(path.relative_to(pack.root)), None,
                                       f"not part of {doc.id!r}: pack.yaml does not list it",
                                       "rename it to the source fragment's name, or list it in pack.yaml")


def _compare(ctx: Context, fragment, source) -> None:
    translated = ctx.pack.root / fragment.shown
    if recorded_hash(translated) != source_hash(source):
        ctx.report.warning(fragment.shown, None, f"outdated: {source.relative_to(ctx.pack.root)} changed since translation",
                           "update the translation, then set translated-from to the new hash (invoke translations)")
    lost, added = token_differences(source.read_text(encoding="utf-8"), translated.read_text(encoding="utf-8-sig"))
    for token in lost:
        ctx.report.error(fragment.shown, None, f"translation lost {token} of the source",
                         "keep every [^note], @key, link target and {#id} as in the source")
    for token in added:
        ctx.report.error(fragment.shown, None, f"translation adds {token}, which the source does not have",
                         "keep the source's [^notes], @keys, link targets and {#id}s")
