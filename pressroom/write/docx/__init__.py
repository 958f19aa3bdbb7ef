"""The Word writer: assembled HTML → DOCX bytes.

``writer`` maps the tree to Word, ``styles`` holds the pack's styles (and writes
templates/reference.docx), ``ooxml`` builds what python-docx lacks (footnotes, hyperlinks,
bookmarks, fields, content controls, a reproducible zip).
"""
