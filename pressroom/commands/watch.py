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
from functools import partial
from pathlib import Path
from typing import Callable

from pressroom.build import assemble_all, build
from pressroom.diagnostics import ContentError, Report, UsageError
from pressroom.model import OUTPUT, TEMPLATES
from pressroom.read.pack import load_pack

RELOAD = ("<script>let v=null;setInterval(async()=>{const r=await fetch('/version');const t=await r.text();"
          "if(v!==null&&t!==v)location.reload();v=t;},700)</script>")


class Preview:
    """Holds the latest version number; serves /<locale>/<doc> as assembled HTML."""

    def __init__(self, root: Path):
        self.root, self.version = root, 0

    def page(self, locale: str, doc_id: str) -> tuple[int, str]:
        pack = load_pack(self.root)
        if doc_id not in pack.documents or locale not in pack.locales:
            links = "".join(f'<li><a href="/{loc}/{d}">{loc} — {d}</a></li>' for loc in pack.locales for d in pack.documents)
            links += '<li><a href="/web/">the web edition (as last built)</a></li>'
            return 404, f"<ul>{links}</ul>"
        report = Report()
        _, documents = assemble_all(pack, {locale}, report)
        document = documents.get((doc_id, locale))
        if document is None:
            return 500, "<pre>" + "\n".join(map(str, report.sorted())) + "</pre>"
        return 200, document.html.replace("</body>", RELOAD + "</body>")


def _handler(preview: Preview):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path == "/version":
                return self._send(200, str(preview.version), "text/plain")
            parts = [p for p in self.path.split("?")[0].split("/") if p]
            if parts[:1] == ["web"]:
                return self._send(*site_file(preview.root, parts[1:]))
            if len(parts) == 2 and "." not in parts[1]:
                status, body = preview.page(*parts)
                return self._send(status, body, "text/html; charset=utf-8")
            if not parts:
                status, body = preview.page("", "")
                return self._send(200, body, "text/html; charset=utf-8")
            self.path = "/" + parts[-1] if parts[-1].endswith(".css") else "/" + "/".join(parts[-2:])
            return super().do_GET()

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


def serve(root: Path, port: int) -> tuple[http.server.ThreadingHTTPServer, Preview]:
    preview = Preview(root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _handler(preview))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, preview


def watch(root: Path, port: int, say: Callable[[str], None], **selection) -> None:
    """Serve the preview, then rebuild after every change under content/, templates/ and the bib."""
    from watchfiles import watch as changes

    server, preview = serve(root, port)
    say(f"preview on http://127.0.0.1:{server.server_address[1]}/ — Ctrl-C to stop")
    rebuild(root, preview, say, selection)
    paths = [root / "content", root / "templates", root / "references.bib"]
    for changed in changes(*paths):
        say("changed: " + ", ".join(sorted(str(Path(p).relative_to(root)) for _, p in changed)))
        rebuild(root, preview, say, selection)


def rebuild(root: Path, preview: Preview, say: Callable[[str], None], selection: dict) -> None:
    try:
        result = build(root, progress=say, **selection)
        for problem in result.report.sorted():
            say(str(problem))
        say(f"{len(result.built)} rebuilt, {len(result.fresh)} up to date")
    except ContentError as exc:
        for problem in exc.report.sorted():
            say(str(problem))
        say("not rebuilt: fix the problems above and save again")
    except UsageError as exc:
        say(f"error: {exc}")
    preview.version += 1
