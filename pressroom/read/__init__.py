"""Reading: project files → values. pack.yaml → ``Pack``; fragment files → ``Fragment`` (with
locale fallback); Markdown → HTML with ``data-src`` source positions; form.yaml → sections and
fields; references.bib → ``Bibliography``; catalogues → a ``Locale``'s translations.

Every problem names its file and line; nothing here knows about templates, formats or output/.
"""
