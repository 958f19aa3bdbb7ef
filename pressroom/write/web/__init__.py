"""The web writer: the assembled documents as pages of a static site, output/web/<locale>/.

A third writer of the same assembled document (it reads only model values): each document
becomes a page (``index.html`` for the landing document), with its notes at the end of the page,
the same locale's PDF and Word files as downloads, and a switcher to the same page in every
other language. Pages need no script and load nothing from outside the site: the stylesheet and
WOFF2 subsets of the vendored Noto faces are beside them (``assets/``), and a
Content-Security-Policy says so to the browser.

``writer`` makes a page (and the site's front door, a choice of language), ``transform``
reshapes the assembled tree for a browser (endnotes, links between pages, the form's
questions), ``fonts`` cuts the WOFF2 subsets, ``assets`` names the shared files. (Nothing is imported here.)
"""
