"""The built book, as a reader sees it: every page in headless Chromium, and the links between them.

Needs ``_build/html`` (``make book``; ``make test`` builds it first) and Debian's ``chromium`` and
``chromedriver`` (``scripts/install_chromium.sh``); skipped, saying why, when either is missing.
The pages are served on 127.0.0.1 only; the browser runs with background networking off.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from bs4 import BeautifulSoup

from notebook_files import BRANCH, REPO, REPOSITORY_URL, publish

BUILD = REPO / "_build" / "html"
SKIP_PAGES = {"genindex.html", "search.html"}
PAGES = sorted(
    p.relative_to(BUILD).as_posix()
    for p in BUILD.rglob("*.html")
    if not p.relative_to(BUILD).parts[0].startswith("_") and p.name not in SKIP_PAGES
) if BUILD.is_dir() else []

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not PAGES, reason=f"the book is not built ({BUILD} missing): run `make book`"),
]


class _Links(HTMLParser):
    """Collects ids, links and the URLs of resources (scripts, stylesheets, images) of a page."""

    def __init__(self):
        super().__init__()
        self.ids, self.links, self.resources = set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("script", "img") and attrs.get("src"):
            self.resources.append(attrs["src"])
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "") and attrs.get("href"):
            self.resources.append(attrs["href"])


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_resolve(page):
    source = BUILD / page
    broken = []
    for href in _parse(source).links:
        url = urlparse(href)
        if url.scheme or href.startswith("//") or href.startswith("mailto:"):
            continue
        target = (source.parent / unquote(url.path)).resolve() if url.path else source
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(f"{href} (no file {target})")
        elif url.fragment and target.suffix == ".html" and url.fragment not in _parse(target).ids:
            broken.append(f"{href} (no id {url.fragment!r} in {target.name})")
    assert not broken, f"{page}: broken links: {broken}"


@pytest.mark.parametrize("page", PAGES)
def test_pages_load_nothing_from_the_network(page):
    external = [r for r in _parse(BUILD / page).resources if urlparse(r).scheme in ("http", "https") or r.startswith("//")]
    assert not external, f"{page} needs the network for {external}: the book must read offline"


@pytest.mark.parametrize("page", [p for p in PAGES if p.startswith("notebooks/")])
def test_launch_buttons_point_at_real_notebooks(page):
    launches = [h for h in _parse(BUILD / page).links if "colab.research.google.com" in h or "mybinder.org" in h]
    assert any("colab.research.google.com" in h for h in launches), f"{page}: no Colab launch button"
    for href in launches:
        match = re.search(r"(notebooks/[\w.-]+\.ipynb)", unquote(href))
        assert match and (REPO / match.group(1)).exists(), f"{page}: launch link {href} names no notebook of the repository"
        assert REPOSITORY_URL.split("github.com/")[-1] in href and BRANCH in href, f"{page}: {href} is not {REPOSITORY_URL}@{BRANCH}"


# ---- what a reader should not see ---------------------------------------------------------------

# Characters of code the prose column shows at 1280 px: in Chromium, a code cell's <pre> has 640 px
# for text and the 14 px monospace font (DejaVu Sans Mono there) takes 8.43 px per character, so
# 75.9 characters fit; a longer line scrolls sideways. Counting characters, rather than measuring
# scrollWidth in a browser, needs no browser and does not depend on the fonts a machine has.
CODE_COLUMNS = 75
WARNING = re.compile(r"\b[A-Z]\w*Warning\b")  # UserWarning, TqdmWarning, FutureWarning, ...
BUILD_PATH = re.compile(r"(/work/|/root/|/home/[\w.-]+/|/tmp/|site-packages|dist-packages|\.venv/)")


@functools.lru_cache(maxsize=None)
def _soup(page: str) -> BeautifulSoup:
    return BeautifulSoup((BUILD / page).read_text(encoding="utf-8"), "html.parser")


def _outputs(page: str):
    return _soup(page).select("div.cell_output")


def _excerpt(text: str, match: re.Match, width: int = 60) -> str:
    return " ".join(text[max(match.start() - width, 0): match.end() + width].split())


@pytest.mark.parametrize("page", PAGES)
def test_pages_show_no_warnings(page):
    found = [f"stderr output: {' '.join(node.get_text().split())[:120]!r}"
             for node in _soup(page).select("div.cell_output .stderr")]
    for output in _outputs(page):
        text = output.get_text()
        found += [f"{match.group(0)}: {_excerpt(text, match)!r}" for match in WARNING.finditer(text)]
    assert not found, f"{page} shows warnings to readers:\n  " + "\n  ".join(found)


@pytest.mark.parametrize("page", PAGES)
def test_pages_show_no_paths_of_the_build_machine(page):
    found = []
    for output in _outputs(page):
        text = output.get_text()
        found += [_excerpt(text, match) for match in BUILD_PATH.finditer(text)]
    assert not found, f"{page} shows paths of the machine that built it:\n  " + "\n  ".join(found)


def _visible_code_lines(page: str):
    """(line number in its block, text) of every code line a reader sees without unfolding anything."""
    article = _soup(page).select_one("article") or _soup(page)
    for block in article.select("pre"):
        if block.find_parent(class_="cell_output") or block.find_parent(class_="tag_hide-input"):
            continue  # outputs are not code; hide-input cells are folded
        for number, line in enumerate(block.get_text().splitlines(), start=1):
            yield number, line.rstrip()


@pytest.mark.parametrize("page", PAGES)
def test_code_fits_the_prose_column(page):
    long = [f"{len(line)} chars: {line.strip()[:90]}" for _, line in _visible_code_lines(page)
            if len(line) > CODE_COLUMNS]
    assert not long, (f"{page}: {len(long)} code line(s) longer than {CODE_COLUMNS} characters scroll "
                      "sideways at 1280 px:\n  " + "\n  ".join(long))


# ---- in the browser ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server():
    handler = functools.partial(_QuietHandler, directory=str(BUILD))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and chromedriver):
        pytest.skip("chromium and chromedriver are not installed (scripts/install_chromium.sh installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1600",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


WAIT_FOR_MATH = """
const done = arguments[arguments.length - 1];
if (!document.querySelector('.math')) { done('no math'); return; }
const start = Date.now();
(function wait() {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(() => done('typeset')).catch(e => done('error: ' + e));
  } else if (Date.now() - start > 30000) { done('MathJax did not load'); }
  else { setTimeout(wait, 100); }
})();
"""

PAGE_REPORT = """
const math = Array.from(document.querySelectorAll('.math'));
return {
  math: math.length,
  typeset: document.querySelectorAll('mjx-container').length,
  raw: math.filter(m => !m.querySelector('mjx-container') && /\\\\(begin|frac|\\(|\\[)/.test(m.textContent)).length,
  brokenImages: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
  images: document.images.length,
  title: document.title,
};
"""


# console.error calls that are not failures: pydata-sphinx-theme logs this once in a fresh browser
# profile, before a light/dark choice is stored; the page is fine. The browser itself asks the server
# for /favicon.ico, which the book does not have.
BENIGN_CONSOLE = ("Got invalid theme mode", "/favicon.ico - Failed to load resource")


def _open(browser, url):
    browser.get(url)
    math = browser.execute_async_script(WAIT_FOR_MATH)
    return math, browser.execute_script(PAGE_REPORT)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_in_chromium(browser, server, page):
    math, report = _open(browser, f"{server}/{page}")
    assert report["title"], f"{page}: the page did not load"
    assert math in ("typeset", "no math"), f"{page}: {math}"
    if report["math"]:
        assert report["typeset"] > 0 and report["raw"] == 0, f"{page}: math not typeset: {report}"
    assert not report["brokenImages"], f"{page}: images that do not load: {report['brokenImages']}"
    errors = [entry["message"] for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE" and not any(benign in entry["message"] for benign in BENIGN_CONSOLE)]
    assert not errors, f"{page}: console errors: {errors}"


def test_chapter_reads_from_a_plain_folder(browser):
    """Opened as file://, with no server and no network, a chapter still typesets its math."""
    chapter = next(p for p in PAGES if p.startswith("notebooks/"))
    math, report = _open(browser, (BUILD / chapter).as_uri())
    assert math in ("typeset", "no math") and report["raw"] == 0, f"{chapter} from file://: {math}, {report}"
    assert not report["brokenImages"], report["brokenImages"]


@pytest.mark.parametrize("chapter", sorted(publish.read_manifest()) or [pytest.param(None, marks=pytest.mark.skip)])
def test_published_chapters_show_the_published_run(chapter):
    """A chapter of the published edition shows its full run (when current), the others run at ci."""
    text = " ".join(_soup(f"notebooks/{chapter}.html").get_text().split())
    current = not publish.staleness(chapter, publish.read_manifest()[chapter])
    assert ("Run: profile full;" in text) == current, (
        f"{chapter}: the page should show the published run" if current
        else f"{chapter}: its published copy is stale, so the page must not show it"
    )
