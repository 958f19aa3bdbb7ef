"""``invoke watch``: rebuild what a save affects, and serve a live HTML preview.

The preview is the assembled document itself (what every writer reads), served from
127.0.0.1 with the templates' CSS and fonts; a small script polls ``/version`` and reloads
the page after each rebuild. Nothing here is written into output/ but by the normal build.
"""

from __future__ import annotations

import http.server
import threading
from functools import partial
from pathlib import Path
from typing import Callable

from pressroom.build import assemble_all, build
from pressroom.diagnostics import ContentError, Report, UsageError
from pressroom.model import TEMPLATES
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
            return 404, f"<ul>{links}</ul>"
        report = Report()
        _, documents = assemble_all(pack, {locale}, report)
        document = documents.get((doc_id, locale))
        if document is None:
            return 500, "<pre>" + "\n".join(map(str, report.sorted())) + "</pre>"
        return 200, document.html.replace("</body>", RELOAD + "</body>")


def _handler(preview: Preview):
    folder = (preview.root / TEMPLATES).resolve()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if not _local_host(self.headers.get("Host"), self.server.server_address[1]):
                return self._send(421, "this preview answers only to 127.0.0.1 and localhost", "text/plain")
            if self.path == "/version":
                return self._send(200, str(preview.version), "text/plain")
            parts = [p for p in self.path.split("?")[0].split("/") if p]
            if len(parts) == 2 and "." not in parts[1]:
                status, body = preview.page(*parts)
                return self._send(status, body, "text/html; charset=utf-8")
            if not parts:
                status, body = preview.page("", "")
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

        def _send(self, status: int, body: str, kind: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    return partial(Handler, directory=str(preview.root / TEMPLATES))


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
