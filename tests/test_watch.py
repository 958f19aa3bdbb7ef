"""The live preview: the assembled document over HTTP on 127.0.0.1, reloading after rebuilds."""

import urllib.error
import urllib.request

from pressroom.commands.watch import rebuild, serve


def test_preview_serves_the_assembled_document_and_a_new_version_after_a_rebuild(project):
    server, preview = serve(project, 0)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page = urllib.request.urlopen(f"{base}/en/qa").read().decode()
        assert "Questions and answers" in page and "fetch('/version')" in page
        css = urllib.request.urlopen(f"{base}/en/pack.css").read().decode()
        assert "@font-face" in css
        before = urllib.request.urlopen(f"{base}/version").read()
        messages = []
        rebuild(project, preview, messages.append, {"docs": ["qa"], "formats": ["docx"]})
        assert urllib.request.urlopen(f"{base}/version").read() != before
        assert any("qa.docx" in m for m in messages)
    finally:
        server.shutdown()
        server.server_close()


def test_a_broken_fragment_is_reported_and_nothing_is_rebuilt(project):
    fragment = project / "content" / "en" / "qa" / "01-introduction.md"
    fragment.write_text(fragment.read_text() + "\nA call to a missing note.[^nowhere]\n")
    server, preview = serve(project, 0)
    try:
        messages = []
        rebuild(project, preview, messages.append, {"docs": ["qa"], "formats": ["docx"]})
        assert any("01-introduction.md" in m and "[^nowhere] has no definition" in m for m in messages)
        assert messages[-1].startswith("not rebuilt")
        assert not (project / "output" / "en" / "qa.docx").exists()
    finally:
        server.shutdown()
        server.server_close()


def test_a_failed_rebuild_shows_in_the_browser_until_the_next_good_one(project):
    import re

    from pressroom.read.unlisted import is_editor_temp

    fragment = project / "content" / "en" / "qa" / "01-introduction.md"
    good = fragment.read_text()
    fragment.write_text(good + "\nA call to a missing note.[^nowhere]\n")
    server, preview = serve(project, 0)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        rebuild(project, preview, [].append, {"docs": ["qa"], "formats": ["docx"]})
        page = urllib.request.urlopen(f"{base}/en/guidance").read().decode()
        banner = re.search(r'<div id="build-problems" role="alert".*?</div>', page, re.S).group()
        line = good.count("\n") + 2
        assert f"content/en/qa/01-introduction.md:{line}: footnote [^nowhere] has no definition" in banner
        index = urllib.request.urlopen(f"{base}/").read().decode()
        assert "build-problems" in index and ">Questions and answers<" not in index
        assert '<a href="/en/qa">Global policy and sex work</a>' in index
        fragment.write_text(good)
        rebuild(project, preview, [].append, {"docs": ["qa"], "formats": ["docx"]})
        assert "build-problems" not in urllib.request.urlopen(f"{base}/en/guidance").read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert all(is_editor_temp(n) for n in (".01-introduction.md.swp", "01-introduction.md~", ".#01-intro.md", "4913"))
    assert not is_editor_temp("01-introduction.md")


def test_preview_serves_the_web_edition_with_the_reload_script(project):
    site = project / "output" / "web" / "en"
    site.mkdir(parents=True)
    (site / "qa.html").write_text('<html><head><meta http-equiv="Content-Security-Policy" content="default-src '
                                  "'none'\"></head><body><p>The page.</p></body></html>")
    server, _ = serve(project, 0)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page = urllib.request.urlopen(f"{base}/web/en/qa.html").read().decode()
        assert "The page." in page and "fetch('/version')" in page and "Content-Security-Policy" not in page
        try:
            urllib.request.urlopen(f"{base}/web/../../content/pack.yaml")
            raise AssertionError("a file outside output/web was served")
        except urllib.error.HTTPError as error:
            assert error.code == 404
    finally:
        server.shutdown()
        server.server_close()
