"""WOFF2 subsets of the vendored Noto faces: the web edition loads its fonts from itself.

Each face is cut to fixed Unicode ranges (not to the characters a build happens to use), so a
font file changes only when the vendored face does, and a browser caches it across pages and
locales. fontTools writes WOFF2 with Brotli; the face's own head date is kept (no build time).
Cutting takes ~1.5 s a face (Brotli at its best compression), nine faces twice a cold build's
PDF work: so the cuts are vendored beside the faces (templates/fonts/web/, made by ``invoke
web-fonts`` when a face is updated) and a build copies them; the bytes then do not depend on
the machine's fontTools or Brotli either.
"""

from __future__ import annotations

import io
from pathlib import Path

LATIN = ("U+0000-00FF,U+0100-024F,U+0259,U+02B0-02FF,U+0300-036F,U+1E00-1EFF,U+2000-206F,"
         "U+20AC,U+20B9,U+2116,U+2122,U+2190-2193,U+2212,U+2215,U+FB01-FB02,U+FEFF,U+FFFD")
ARABIC = ("U+0000-00FF,U+0600-06FF,U+0750-077F,U+08A0-08FF,U+FB50-FDFF,U+FE70-FEFF,"
          "U+200C-200F,U+2010-2027,U+2030-205E,U+FEFF")
FONTS = {  # the web stylesheet's faces (templates/web/web.css) → the ranges each is cut to
    "NotoSerif-Regular": LATIN, "NotoSerif-Bold": LATIN, "NotoSerif-Italic": LATIN, "NotoSerif-BoldItalic": LATIN,
    "NotoSans-Regular": LATIN, "NotoSans-Bold": LATIN, "NotoSans-Italic": LATIN,
    "NotoNaskhArabic-Regular": ARABIC, "NotoNaskhArabic-Bold": ARABIC,
}


WEB = Path("web")  # templates/fonts/web/: the vendored cuts


def cut_all(fonts: Path) -> list[Path]:
    """Cut every web face from its vendored face in ``fonts`` into ``fonts``/web/: what
    ``invoke web-fonts`` does after a face is updated."""
    (fonts / WEB).mkdir(exist_ok=True)
    written = []
    for name in FONTS:
        path = fonts / WEB / f"{name}.woff2"
        path.write_bytes(write_font(fonts / f"{name}.ttf", name))
        written.append(path)
    return written


def write_font(source: Path, name: str) -> bytes:
    """The face at ``source`` cut to its ranges, as WOFF2 bytes (the same face, the same bytes)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # kerning, ligatures, Arabic joining and marks
    options.name_IDs = ["*"]  # the licence and the names stay in the file (OFL)
    options.notdef_outline = True
    font = TTFont(str(source), recalcTimestamp=False, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(FONTS[name]))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out, reorderTables=True)
    return out.getvalue()
