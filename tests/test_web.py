"""The web edition, opened as its readers open it: every page of every locale in a real browser
(Debian's chromium driven by selenium), axe-core run on each, the keyboard walked through a
page, and the text compared with the seed and with the guidance PDF.

One build and one browser session serve the whole file (about a minute here)."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path

import pytest
import yaml
from lxml import html as lxml_html

from conftest import ROOT, copy_project
from pdftext import structure

from pressroom.build import build
from pressroom.diagnostics import Report

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SEEDS = ROOT.parent / "shared" / "seeds"
LOCALES = ("en", "fr", "ar")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The web edition of the whole pack, every locale (its downloads are rendered with it)."""
    root = copy_project(tmp_path_factory.mktemp("web") / "pack")
    build(root, formats=["web"])
    return root / "output" / "web"


def pages(site: Path) -> list[str]:
    """Every page: the choice of languages, then each locale's pages."""
    return ["index.html", *sorted(str(p.relative_to(site)) for p in site.glob("*/*.html"))]


def page_tree(site: Path, name: str):
    return lxml_html.document_fromstring((site / name).read_bytes())


# --- the files, without a browser ---------------------------------------------------------------


def test_every_locale_has_the_landing_page_every_document_and_its_downloads(site):
    for locale in LOCALES:
        names = {p.name for p in (site / locale).iterdir()}
        for doc in ("guidance", "response-form", "qa", "research-summary"):
            assert {f"{doc}.html", f"{doc}.pdf", f"{doc}.docx"} <= names, locale
            assert f"{doc}.print.pdf" not in names  # the printer's edition, not a reader's download
        assert "index.html" in names
        assert (site / locale / "guidance.pdf").read_bytes()[:5] == b"%PDF-"
    assert {p.suffix for p in (site / "assets" / "fonts").iterdir()} == {".woff2"}
    for font in (site / "assets" / "fonts").iterdir():
        assert font.read_bytes()[:4] == b"wOF2", font.name


def test_the_vendored_web_fonts_are_cut_from_the_vendored_faces_as_they_are_now():
    """templates/fonts/web/ holds the cuts a build copies: each has its face's revision and exactly
    the characters of its face within its ranges (a face updated without ``invoke web-fonts`` fails
    here), and cutting the smallest face again gives the vendored bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from pressroom.write.web.fonts import FONTS, write_font

    fonts = ROOT / "templates" / "fonts"
    assert sorted(p.stem for p in (fonts / "web").iterdir()) == sorted(FONTS)
    for name, ranges in FONTS.items():
        face, cut = TTFont(fonts / f"{name}.ttf", lazy=True), TTFont(fonts / "web" / f"{name}.woff2", lazy=True)
        assert cut["head"].fontRevision == face["head"].fontRevision, name
        wanted = set(subset.parse_unicodes(ranges)) & set(face.getBestCmap())
        assert set(cut.getBestCmap()) == wanted, name
    assert write_font(fonts / "NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Regular") == \
        (fonts / "web" / "NotoNaskhArabic-Regular.woff2").read_bytes()


def test_a_build_copies_the_vendored_web_fonts(site):
    for font in (site / "assets" / "fonts").iterdir():
        assert font.read_bytes() == (ROOT / "templates" / "fonts" / "web" / font.name).read_bytes(), font.name


def test_pages_need_no_script_and_load_only_their_own_files(site):
    for name in pages(site):
        tree = page_tree(site, name)
        assert tree.get("lang") and tree.get("dir"), name
        assert not tree.xpath("//script | //*[@onclick or @onload]"), name
        csp = tree.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
        assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0], name
        for url in tree.xpath("//link/@href | //*[@src]/@src"):
            assert not re.match(r"[a-z]+:|//", url), (name, url)
    css = (site / "assets" / "web.css").read_text()
    assert re.findall(r"url\(([^)]*)\)", css) and all(u.startswith("fonts/") for u in re.findall(r"url\(([^)]*)\)", css))


def test_language_and_direction_on_every_page_and_every_untranslated_part(site):
    ar = page_tree(site, "ar/guidance.html")
    assert ar.get("lang") == "ar" and ar.get("dir") == "rtl"
    switch = ar.xpath('//nav[@class="languages"]//a')
    assert {a.get("hreflang") for a in switch} == {"en-GB", "fr-FR", "ar"}
    assert {a.get("href") for a in switch} == {"../en/guidance.html", "../fr/guidance.html", "../ar/guidance.html"}
    assert set(ar.xpath("//link[@rel='alternate']/@hreflang")) == {"en-GB", "fr-FR", "ar"}
    # the guidance is not translated into Arabic: its parts, notes and title say they are English
    fallbacks = ar.xpath('//div[@class="fallback"]')
    assert fallbacks and all(f.get("lang") == "en-GB" and f.get("dir") == "ltr" for f in fallbacks)
    notes = ar.xpath('//section[@role="doc-endnotes"]//li')
    assert notes and all(n.get("lang") == "en-GB" for n in notes)
    assert ar.xpath("//h1/@lang") == ["en-GB"]
    fr_form = page_tree(site, "fr/response-form.html")
    assert fr_form.get("lang") == "fr-FR" and not fr_form.xpath("//h1/@lang")


def test_notes_are_endnotes_with_links_both_ways(site):
    tree = page_tree(site, "en/guidance.html")
    calls = tree.xpath('//a[@role="doc-noteref"]')
    notes = tree.xpath('//section[@role="doc-endnotes"]/ol/li')
    assert len(calls) == len(notes) == 36
    for number, (call, note) in enumerate(zip(calls, notes), start=1):
        assert call.get("href") == f"#{note.get('id')}" and call.text_content() == str(number)
        back = note.xpath('.//a[@role="doc-backlink"]')
        assert [b.get("href") for b in back] == [f"#{call.get('id')}"]


def test_links_between_documents_are_links_between_pages(site):
    form = page_tree(site, "en/response-form.html")
    hrefs = form.xpath("//main//a/@href")
    assert "guidance.html#questions" in hrefs and "guidance.html" in hrefs
    assert "questions" in page_tree(site, "en/guidance.html").xpath("//@id")
    assert not [h for name in pages(site) for h in page_tree(site, name).xpath("//@href") if h.startswith("doc:")]
    annex = page_tree(site, "en/research-summary.html").xpath('//a[starts-with(@href, "https://www.amnesty.org/")]')
    assert len(annex) >= 10


def test_downloads_name_their_format_and_size(site):
    tree = page_tree(site, "en/guidance.html")
    links = tree.xpath('//section[@class="downloads"]//a')
    assert [a.get("href") for a in links] == ["guidance.pdf", "guidance.docx"]
    for link in links:
        text = " ".join(link.text_content().split())
        size = (site / "en" / link.get("href")).stat().st_size
        assert f"({link.get('href').rsplit('.', 1)[1].upper()}, " in text, text
        assert f"{round(size / 1000)} kB" in text or f"{round(size / 1_000_000, 1)} MB" in text, (text, size)
    form = page_tree(site, "en/response-form.html")
    assert [a.get("href") for a in form.xpath('//section[@class="downloads"]//a')][0] == "response-form.pdf"
    questions = " ".join(form.xpath('//p[@class="question"]//text()'))
    assert "best way to protect the human rights of sex workers" in questions
    facts = form.xpath('//dl[@class="facts"]')[0].text_content()
    assert "21 March 2014" in facts and "swc@amnesty.org.uk" in facts


def test_every_footnote_of_the_guidance_pdf_is_on_the_guidance_page(site):
    def squeeze(text: str) -> str:  # the PDF's text has no spaces where lines break
        return re.sub(r"\s+", "", text)

    root, _, _ = structure((site / "en" / "guidance.pdf").read_bytes())
    in_pdf = [re.sub(r"^\d+\.", "", squeeze(note.text)) for note in root.find("Note")]
    page = page_tree(site, "en/guidance.html")
    on_page = []
    for note in page.xpath('//section[@role="doc-endnotes"]/ol/li'):
        for back in note.xpath('.//a[@role="doc-backlink"]'):
            back.drop_tree()
        on_page.append(squeeze(note.text_content()))
    assert len(in_pdf) == 36
    assert on_page == in_pdf


def test_verify_finds_a_broken_link_and_a_foreign_one(site, tmp_path):
    from pressroom.inspect.verify import verify_site

    out = tmp_path / "output"
    shutil.copytree(site, out / "web")
    page = (out / "web/en/qa.html").read_text()
    broken = page.replace('href="guidance.html"', 'href="guidanse.html"', 1).replace(
        'href="#', 'href="#no-such-heading-', 1).replace("</main>", '<a href="https://example.org/">x</a></main>')
    report = Report()
    verify_site(out, {"web/en/qa.html": broken.encode()}, set(), {}, report)
    messages = " ".join(d.message for d in report.errors)
    assert "guidanse.html" in messages and "#no-such-heading-" in messages and "example.org" in messages
    clean = Report()
    verify_site(out, {"web/en/qa.html": page.encode()}, set(), {}, clean)
    assert not clean.errors, clean.errors


# --- in the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(site):
    """One headless chromium for the whole file, on a 127.0.0.1 server of output/web."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
    axe_module = pytest.importorskip("selenium_axe_python", reason="selenium-axe-python is not installed")
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                     "--force-device-scale-factor=1", "--window-size=1280,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.base = f"http://127.0.0.1:{server.server_address[1]}"
    driver.axe = axe_module.Axe(driver)
    yield driver
    driver.quit()
    server.shutdown()


def open_page(browser, name: str, width: int = 1280) -> None:
    if browser.get_window_size()["width"] != width:
        browser.set_window_size(width, 900)
    browser.get(f"{browser.base}/{name}")
    browser.execute_async_script("const done = arguments[0]; document.fonts.ready.then(() => done())")


def axe_violations(browser) -> list[dict]:
    browser.axe.inject()
    result = browser.axe.run(options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return result["violations"]


def test_axe_finds_no_violation_on_any_page_of_any_locale(site, browser):
    found = {}
    for name in pages(site):
        open_page(browser, name)
        violations = axe_violations(browser)
        if violations:
            found[name] = browser.axe.report(violations)
    assert len(pages(site)) == 1 + 5 * len(LOCALES)
    assert not found, "\n".join(f"{name}: {text}" for name, text in found.items())


def test_axe_would_catch_a_low_contrast_colour(browser):
    """The check above can fail: a light grey (and the pack's yellow as text) is caught."""
    open_page(browser, "en/index.html")
    browser.execute_script("document.querySelector('.document p').style.color = '#aaaaaa';"
                           "document.querySelector('.pack h3 a').style.color = '#ffe600';")
    violations = axe_violations(browser)
    contrast = [v for v in violations if v["id"] == "color-contrast"]
    assert contrast and len(contrast[0]["nodes"]) == 2


def test_the_keyboard_reaches_every_link_in_order_with_a_visible_focus(browser):
    open_page(browser, "en/response-form.html")
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    expected = browser.execute_script(
        "return [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]"
        ".filter(e => e.tabIndex >= 0)")
    assert len(expected) > 12
    for index, element in enumerate(expected):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        focused = browser.switch_to.active_element
        assert focused == element, (index, focused.get_attribute("outerHTML")[:120])
        outline, width, visible = browser.execute_script(
            "const s = getComputedStyle(arguments[0]);"
            "return [s.outlineStyle, parseFloat(s.outlineWidth), arguments[0].matches(':focus-visible')]", focused)
        assert visible and outline != "none" and width >= 2, (index, outline, width)
        box = focused.rect
        assert box["width"] > 0 and box["height"] > 0 and box["y"] >= 0, (index, box)


def test_the_pages_look_like_the_pack_from_phone_to_desktop(site, browser, tmp_path):
    """No sideways scrolling from 360 px; the pack's faces loaded from the site itself; black on
    white with the yellow band. Screenshots go to $WEB_SCREENSHOTS when it is set."""
    import os

    shots = Path(os.environ.get("WEB_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    for name in ("en/index.html", "en/guidance.html", "ar/index.html"):
        for width in (360, 1280):
            open_page(browser, name, width)
            assert browser.execute_script("return document.documentElement.scrollWidth") <= width, (name, width)
            browser.save_screenshot(str(shots / f"{name.replace('/', '-')}-{width}.png"))
        looks = browser.execute_script("""
            const style = e => getComputedStyle(document.querySelector(e));
            return {h1: style('h1').fontFamily, text: style('.document p').fontFamily,
                    band: style('.band').backgroundColor, ink: style('body').color, ground: style('html').backgroundColor,
                    loaded: [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family),
                    requests: performance.getEntriesByType('resource').map(r => r.name)}""")
        assert looks["band"] == "rgb(255, 230, 0)" and looks["ink"] == "rgb(17, 17, 17)"
        assert looks["ground"] == "rgb(255, 255, 255)"
        serif = '"Pack Arabic"' if name.startswith("ar/") else '"Pack Serif"'
        assert looks["h1"].startswith('"Pack Sans"') or looks["h1"].startswith('"Pack Arabic"'), looks
        assert looks["text"].startswith('"Pack Serif"') or looks["text"].startswith(serif), looks
        assert {'"Pack Sans"', '"Pack Serif"'} <= {f if f.startswith('"') else f'"{f}"' for f in looks["loaded"]}, looks
        assert looks["requests"] and all(r.startswith(browser.base) for r in looks["requests"]), looks["requests"]
    # right to left: the masthead mirrored (the organisation at the start, which is the right)
    open_page(browser, "ar/index.html", 1280)
    organisation, languages = (browser.find_element("css selector", s).rect for s in (".organisation", ".languages"))
    assert organisation["x"] > languages["x"]
    # printed: the navigation and the downloads left out, the text kept
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        hidden = browser.execute_script("return ['.languages', '.pack-nav', '.skip-link'].map("
                                        "s => getComputedStyle(document.querySelector(s)).display)")
        assert hidden == ["none", "none", "none"]
        assert browser.find_element("css selector", ".document p").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_every_sentence_of_the_explainer_seed_is_on_the_landing_page(browser):
    mapping = yaml.safe_load((ROOT / "tests" / "data" / "source-map-web.yaml").read_text(encoding="utf-8"))
    seed = SEEDS / mapping["seed"]
    if not seed.is_file():
        pytest.skip(f"seed {seed} is not available (the shared seeds live beside the project)")
    lines = seed.read_text(encoding="utf-8").splitlines()
    kept = [n for entry in mapping["lines"] if entry["where"] == "text"
            for n in range(int(entry["range"].split("-")[0]), int(entry["range"].split("-")[-1]) + 1)]
    text = " ".join(lines[n - 1] for n in kept if n <= len(lines))
    text = re.sub(r"(\w)- (\w)", r"\1-\2", text.replace("\u00a0", " "))  # the repair the fragment records
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s.strip()]
    open_page(browser, "en/index.html")
    shown = " ".join(browser.find_element("tag name", "main").text.split())
    missing = [s for s in sentences if s not in shown]
    assert len(sentences) > 15 and not missing, missing
