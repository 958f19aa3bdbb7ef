"""Writers: the assembled document → the bytes of one format. ``pdf/`` (WeasyPrint, then a
pikepdf pass), ``docx/`` (python-docx and raw OOXML), ``web/`` (static pages, fonts and stylesheet). Each reads only the assembled document
and the model; a writer never imports another writer.
"""
