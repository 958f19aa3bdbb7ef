"""Inspection: written files → diagnostics, read as their real clients read them.

``verify`` checks every link of a PDF or DOCX before it is written; ``preflight/`` checks a
written PDF as a printer (boxes, fonts, colour, images) and a screen reader (tagging, reading
order) would.
"""
