"""pressroom: Markdown fragments + references.bib + templates → the consultation pack in PDF and Word."""

__version__ = "0.1.0"
