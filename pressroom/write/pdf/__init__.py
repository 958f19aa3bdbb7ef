"""The PDF writer: assembled HTML + edition → PDF bytes.

``writer`` lays the document out with WeasyPrint through ``fetcher`` (project files only),
``finishing`` mends what WeasyPrint leaves in one pikepdf pass, ``tagging`` gives the screen
edition a structure tree a screen reader can use, ``booklet`` pads saddle-stitched editions,
``fonts`` dates font subsets for reproducible bytes. (Nothing is imported here: WeasyPrint is
loaded only when a PDF is made.)
"""
