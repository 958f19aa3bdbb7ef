"""``invoke watch``: rebuild what a save affects, and serve a live HTML preview.

The preview is the assembled document itself (what every writer reads), served from
127.0.0.1 with the templates' CSS and fonts, and the web edition as built (``/web/``, from
output/web/); a small script polls ``/version`` and reloads the page after each rebuild.
Nothing here is written into output/ but by the normal build.
"""

from __future__ import annotations

import http.server
import re
import threading
from html import escape
from functools import partial
from pathlib import Path
from typing import Callable

from pressroom.build import assemble_all, build
from pressroom.diagnostics import ContentError, Report, UsageError
from pressroom.model import OUTPUT, TEMPLATES
from pressroom.read.pack import load_pack
from pressroom.read.unlisted import is_editor_temp

RELOAD = ("<script>let v=null;setInterval(async()=>{const r=await fetch('/version');const t=await r.text();"
          "if(v!==null&&t!==v)location.reload();v=t;},700)</script>")


class Preview:
    """Holds the latest version number; serves /<locale>/<doc> as assembled HTML."""

    def __init__(self, root: Path):
        self.root, self.version = root, 0
        self.problems: list[str] = []  # the last rebuild's errors (file:line: message), shown on every page

    def page(self, locale: str, doc_id: str) -> tuple[int, str]:
        pack = load_pack(self.root)
        if doc_id not in pack.documents or locale not in pack.locales:
            return 404, self.banner() + index(pack) + RELOAD
        report = Report()
        _, documents = assemble_all(pack, {locale}, report)
        document = documents.get((doc_id, locale))
        if document is None:
            return 500, self.banner() + "<pre>" + escape("\n".join(map(str, report.sorted()))) + "</pre>" + RELOAD
        body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + self.banner(), document.html, count=1)
        return 200, body.replace("</body>", RELOAD + "</body>")

    def banner(self) -> str:
        """The failed rebuild's problems, one per line, at the top of the page (gone after a good build)."""
        if not self.problems:
            return ""
        items = "".join(f"<li>{escape(p)}</li>" for p in self.problems)
        return (f'<div id="build-problems" role="alert" style="{BANNER_STYLE}"><strong>Not rebuilt — fix these and '
                f"save again:</strong><ul>{items}</ul></div>")


BANNER_STYLE = ("position:sticky;top:0;z-index:9;margin:0;padding:.6em 1em;background:#fde8e8;color:#700;"
                "border-bottom:3px solid #c00;font:14px/1.4 sans-serif;white-space:pre-wrap")


def index(pack) -> str:
    """Every document by its title, in each locale."""
    from pressroom.assemble import localised

    rows = []
    for locale in pack.locales:
        links = "".join(f'<li><a href="/{locale}/{d}">{escape(localised(pack, doc, locale, Report()).title)}</a> '
                        f'<small>({d})</small></li>' for d, doc in pack.documents.items())
        rows.append(f"<h2>{escape(locale)}</h2><ul>{links}</ul>")
    return f"<!doctype html><meta charset=utf-8><title>{escape(pack.title)}</title><h1>{escape(pack.title)}</h1>" + \
        "".join(rows)


def _handler(preview: Preview):
    folder = (preview.root / TEMPLATES).resolve()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if not _local_host(self.headers.get("Host"), self.server.server_address[1]):
                return self._send(421, "this preview answers only to 127.0.0.1 and localhost", "text/plain")
            if self.path == "/version":
                return self._send(200, str(preview.version), "text/plain")
            parts = [p for p in self.path.split("?")[0].split("/") if p]
            if parts[:1] == ["web"]:
                return self._send(*site_file(preview.root, parts[1:]))
            if len(parts) == 2 and "." not in parts[1]:
                status, body = preview.page(*parts)
                return self._send(status, body, "text/html; charset=utf-8")
            if not parts:
                _, body = preview.page("", "")
                return self._send(200, body, "text/html; charset=utf-8")
            self.path = "/" + parts[-1] if parts[-1].endswith(".css") else "/" + "/".join(parts[-2:])
            if not _servable(folder, self.translate_path(self.path)):
                return self._send(404, "not found", "text/plain")
            return super().do_GET()

        def do_HEAD(self) -> None:  # noqa: N802
            self._send(405, "", "text/plain")

        def list_directory(self, path):  # no folder listings
            self.send_error(404)
            return None

        def _send(self, status: int, body: str | bytes, kind: str) -> None:
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    return partial(Handler, directory=str(preview.root / TEMPLATES))


SITE_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css", ".woff2": "font/woff2",
              ".pdf": "application/pdf",
              ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def site_file(root: Path, parts: list[str]) -> tuple[int, str | bytes, str]:
    """A file of output/web/ (never one outside it). A page gets the reload script, which its
    own policy (no script at all) refuses, so the preview's copy goes without that policy."""
    site = (root / OUTPUT / "web").resolve()
    path = site.joinpath(*parts).resolve()
    path = path / "index.html" if path.is_dir() else path
    if not path.is_relative_to(site) or not path.is_file():
        return 404, "not built: run invoke build (the web edition is written to output/web/)", "text/plain"
    kind = SITE_TYPES.get(path.suffix, "application/octet-stream")
    if path.suffix != ".html":
        return 200, path.read_bytes(), kind
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", path.read_text(encoding="utf-8"))
    return 200, page.replace("</body>", RELOAD + "</body>"), kind


def _local_host(host: str | None, port: int) -> bool:
    """A request names this server by its loopback name (a page of another site that rebinds its
    own name to 127.0.0.1 sends its own name: refused)."""
    return (host or "").lower() in {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}


def _servable(folder: Path, path: str) -> bool:
    """A regular file that, links followed, lies inside the served folder."""
    candidate = Path(path)
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return real.is_relative_to(folder) and real.is_file()


def serve(root: Path, port: int) -> tuple[http.server.ThreadingHTTPServer, Preview]:
    preview = Preview(root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _handler(preview))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, preview


def watch(root: Path, port: int, say: Callable[[str], None], **selection) -> None:
    """Serve the preview, then rebuild after every change under content/, templates/ and the bib."""
    from watchfiles import DefaultFilter
    from watchfiles import watch as changes

    default = DefaultFilter()

    server, preview = serve(root, port)
    say(f"preview on http://127.0.0.1:{server.server_address[1]}/ — Ctrl-C to stop")
    rebuild(root, preview, say, selection)
    paths = [root / "content", root / "templates", root / "references.bib"]
    for changed in changes(*paths, watch_filter=lambda c, path: default(c, path) and not is_editor_temp(Path(path).name)):
        say("changed: " + ", ".join(sorted(str(Path(p).relative_to(root)) for _, p in changed)))
        rebuild(root, preview, say, selection)


def rebuild(root: Path, preview: Preview, say: Callable[[str], None], selection: dict) -> None:
    try:
        result = build(root, progress=say, **selection)
        for problem in result.report.sorted():
            say(str(problem))
        say(f"{len(result.built)} rebuilt, {len(result.fresh)} up to date")
        preview.problems = []
    except ContentError as exc:
        for problem in exc.report.sorted():
            say(str(problem))
        say("not rebuilt: fix the problems above and save again")
        preview.problems = [str(d) for d in exc.report.sorted() if d.level == "error"]
    except UsageError as exc:
        say(f"error: {exc}")
        preview.problems = [f"error: {exc}"]
    preview.version += 1
