"""The PDF renderer's one door to files: ``file:`` URLs inside the project, nothing else.

WeasyPrint's default fetcher would embed ``file:///etc/passwd`` or call any URL.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher

from pressroom.read.files import inside


class ProjectFetcher(URLFetcher):
    """Fetch ``file:`` URLs inside ``root``; refuse (and remember) everything else."""

    def __init__(self, root: Path):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.root = root.resolve()
        self.refused: list[str] = []
        self.read: list[Path] = []  # in the order read: the stylesheets among them name WeasyPrint's warnings

    def fetch(self, url, headers=None):
        if not url.startswith("file:") or not self._inside(url):
            self.refused.append(url)
            raise ValueError(f"refused to read {url}: only files inside the project are read")
        self.read.append(Path(url2pathname(urlparse(url).path)).resolve())
        return super().fetch(url, headers)

    def _inside(self, url: str) -> bool:
        return inside(self.root, Path(url2pathname(urlparse(url).path)))
