"""Where the web edition's shared files live: names only, so that planning a build (which
lists them as targets) imports no writer."""

from __future__ import annotations

from pathlib import Path

STYLESHEET_NAME = "web.css"
STYLESHEET = Path("templates") / "web" / STYLESHEET_NAME
ASSETS = "assets"  # output/web/assets/: the stylesheet and the fonts, shared by every locale
