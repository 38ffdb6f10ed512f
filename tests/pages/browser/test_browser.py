"""The UI in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

The app runs under uvicorn on 127.0.0.1 (a free port) over the bundled dataset; every request the
browser makes to another host is aborted and recorded, and the tests check there is none.
Screenshots go to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import playwright.sync_api as playwright_sync  # a test dependency: make test installs it
import pytest
import uvicorn

from ptce_kg.config import Settings
from ptce_kg.store import Store
from ptce_kg.web import create_app
from ptce_kg.web.editor import YASGUI_DIR

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _chromium() -> None:
    """The browser tests run in CI: a missing browser is a failure with the fix, not a skip."""
    if not CHROMIUM.exists():
        pytest.fail("needs Debian's chromium at /usr/bin/chromium: apt-get install chromium")


@pytest.fixture(scope="module")
def server(dataset_store: Store) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(Settings(store=dataset_store.location), dataset_store)
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(400):  # bounded wait for startup (not a timing assertion)
        if srv.started:
            break
        time.sleep(0.025)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One Chromium with a fresh profile for the module."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    with playwright_sync.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 900},
            locale="fr-FR",
        )
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser_context: Any, server: str) -> Iterator[Any]:
    """A new tab that may only reach the app; ``page.external`` lists what was refused."""
    context = browser_context
    context.clear_cookies()
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    external: list[str] = []
    allowed = urlparse(server).netloc

    def guard(route: object) -> None:
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https") and parsed.netloc != allowed:
            external.append(url)
            route.abort()
        else:
            route.continue_()

    tab.route("**/*", guard)
    tab.external = external
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    tab.close()


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_search_and_filter_on_home(page: Any, server: str) -> None:
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    everything = page.locator("#ptce-list > li").count()
    assert everything >= 30
    mapped = page.locator("svg.map a.point").count()
    unmapped = int(page.locator("#unmapped").inner_text().split()[0])
    assert mapped >= 15 and mapped + unmapped == everything
    page.get_by_label("Nom", exact=True).fill("synthétique")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/?q=*")
    names = page.locator("#ptce-list .ptce-name").all_inner_texts()
    assert names and all("synthétique" in name for name in names)
    assert page.locator("svg.map a.point").count() == len(names)
    page.get_by_label("Nom", exact=True).fill("")
    page.get_by_label("Région", exact=True).select_option(label="Occitanie")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**region=76*")
    in_region = page.locator("#ptce-list > li").all_inner_texts()
    assert 0 < len(in_region) < everything
    assert all("Occitanie" in item for item in in_region)
    shoot(page, "home-filtered")
    assert page.external == [] and page.errors == []


def test_open_a_ptce(page: Any, server: str) -> None:
    page.goto(server + "/?q=coop%C3%A9ration+A")
    page.get_by_role("link", name="Pôle de coopération A (synthétique)").first.click()
    page.wait_for_url("**/id/ptce/synthetic-a")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Pôle de coopération A (synthétique)"
    members = page.locator("#members tbody tr")
    assert members.count() >= 5
    assert "Recyclerie coopérative (synthétique)" in page.locator("#members").inner_text()
    assert page.locator("svg.chart.bars rect").count() >= 3
    assert page.locator("#indicators tbody tr").count() >= 9
    alternate = page.locator('link[rel=alternate][type="text/turtle"]')
    assert alternate.get_attribute("href").endswith("/id/ptce/synthetic-a.ttl")
    shoot(page, "ptce-page")
    assert page.external == [] and page.errors == []


def test_compare_two(page: Any, server: str) -> None:
    page.goto(server + "/compare?lang=en")
    page.get_by_label("Cooperation pole A (synthetic)").check()
    page.get_by_label("Cooperation pole B (synthetic)").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    page.wait_for_url("**/compare?ptce=*")
    headers = page.locator("#comparison thead th").all_inner_texts()
    assert headers[1:] == ["Cooperation pole A (synthetic)", "Cooperation pole B (synthetic)"]
    assert page.locator("svg.chart.grouped rect").count() > 2
    assert page.locator("svg.chart.radar polygon.series").count() == 2
    shoot(page, "compare")
    assert page.external == [] and page.errors == []


def test_run_a_named_query_in_the_editor(page: Any, server: str) -> None:
    assert YASGUI_DIR.is_dir(), "YASGUI is not installed: run npm ci (make test does)"
    page.goto(server + "/editor?lang=en")
    page.locator(".yasqe .CodeMirror").wait_for()
    button = page.locator('button.named-query[data-name="ptces_by_region"]')
    button.click()
    results = page.locator(".yasr .dataTable tbody tr")
    results.first.wait_for()
    assert results.count() >= 1
    assert "/id/ptce/" in page.locator(".yasr").inner_text()
    shoot(page, "editor")
    assert page.external == []


def test_a_syntax_error_in_the_editor_shows_the_line_caret_and_fix(page: Any, server: str) -> None:
    page.goto(server + "/editor?lang=en")
    page.locator(".yasqe .CodeMirror").wait_for()
    page.evaluate(
        """() => {
          const tab = window.ptceYasgui.getTab();
          tab.setQuery("SELECT ?p WHERE {\\n  ?p a ptce:PTCE\\n}");
          tab.query().catch(() => {});  // the failed query rejects; YASR shows it
        }"""
    )
    shown = page.locator(".yasr pre.ptce-error")
    shown.wait_for()
    text = shown.inner_text()
    assert "SPARQL syntax error at 2:" in text and "    2 |   ?p a ptce:PTCE" in text
    assert "^" in text and "PREFIX ptce: <https://w3id.org/ptce/ontology#>" in text
    shoot(page, "editor-syntax-error")
    assert page.external == [] and page.errors == []


def test_switch_language(page: Any, server: str) -> None:
    page.goto(server + "/")
    assert page.locator("h1").inner_text() == "Rechercher un PTCE"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.locator("#lang-switch").click()
    page.wait_for_url("**lang=en*")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Find a PTCE"
    page.goto(server + "/id/ptce/synthetic-a")
    assert page.locator("h1").inner_text() == "Cooperation pole A (synthetic)"
    shoot(page, "ptce-page-en")
    assert page.external == [] and page.errors == []
