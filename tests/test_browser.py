"""The real thing: `streamlit run app.py` in a subprocess, driven by a headless Chromium.

Skipped when Chromium or Playwright is missing, unless CSDATA_REQUIRE_BROWSER=1 (CI), where a
missing browser is a failure. Screenshots go to test-artifacts/ (git-ignored). The browser may
talk to 127.0.0.1 only: every other request is aborted.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

from csdata.metrics import CATALOG, HEADLINE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
START_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser


def _unavailable(reason: str) -> None:
    if os.environ.get("CSDATA_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CSDATA_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(sample_db, tmp_path):
    """The app served on a free local port; yields its URL and always stops it."""
    # The server opens its warehouse read-write, which locks the file: give it a copy.
    db = tmp_path / "served.duckdb"
    shutil.copyfile(sample_db, db)
    port = _free_port()
    env = {**os.environ, "CSDATA_DB": str(db), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    env.pop("CSDATA_LANG", None)
    log_path = tmp_path / "streamlit.log"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit not healthy after {START_TIMEOUT_S} s:\n{log_path.read_text()[-3000:]}"
                )
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=PAGE_TIMEOUT_MS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _local_only(route) -> None:
    host = route.request.url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


# Every headline card shows a number, and no element of the last run is still greyed out.
CARDS_READY = """([count, cjk]) => {
    const values = [...document.querySelectorAll('[data-testid="stMetricValue"]')];
    const labels = [...document.querySelectorAll('[data-testid="stMetricLabel"]')];
    if (values.length < count || labels.length < count) return false;
    if (!values.every(v => /\\d/.test(v.innerText))) return false;
    if (cjk && !labels.every(l => /[\\u4e00-\\u9fff]/.test(l.innerText))) return false;
    if (document.querySelector('[data-stale="true"]')) return false;
    return true;
}"""

# The trend chart is drawn: an SVG with a line that has a path, and at least one marker.
CHART_DRAWN = """() => {
    const chart = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    if (!chart) return false;
    const line = chart.querySelector('.scatterlayer .trace path.js-line');
    const points = chart.querySelectorAll('.scatterlayer .trace .points path.point');
    return !!line && (line.getAttribute('d') || '').length > 10 && points.length > 0;
}"""


def _screenshot(page, path: Path) -> None:
    """The whole page. Streamlit scrolls inside its main section, not the document, so a plain
    full-page shot stops at the viewport: grow the viewport to the content for the shot."""
    size = page.viewport_size
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            return Math.max(main ? main.scrollHeight : 0, document.documentElement.scrollHeight);
        }"""
    )
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 8000)})
    try:
        page.wait_for_function(CHART_DRAWN)
        page.wait_for_timeout(300)  # let the chart finish its resize
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)


def _fonts_used(page, selector: str) -> list[dict]:
    """The platform fonts Chromium actually drew a node's text with (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no node for {selector}"
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()


def sign_in(page, username: str, password: str) -> None:
    """Through the sign-in form, as a person would."""
    page.get_by_role("heading", name="Sign in").wait_for(timeout=PAGE_TIMEOUT_MS)
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_overview_in_a_real_browser(browser, server):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="en-US")
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.route("**/*", _local_only)
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))

    page.goto(server, wait_until="domcontentloaded")
    sign_in(page, "exec", "demo")
    page.wait_for_function(CARDS_READY, arg=[len(HEADLINE), False], timeout=PAGE_TIMEOUT_MS)
    page.get_by_role("heading", name="Service overview").wait_for()
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert [label.strip() for label in labels[: len(HEADLINE)]] == [
        CATALOG[m].short_label("en") for m in HEADLINE
    ]
    page.wait_for_function(CHART_DRAWN, timeout=PAGE_TIMEOUT_MS)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=PAGE_TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 1
    _screenshot(page, ARTIFACTS / "overview-en.png")

    page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
    page.get_by_role("heading", name="服务总览").wait_for()
    page.wait_for_function(CARDS_READY, arg=[len(HEADLINE), True], timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function(CHART_DRAWN, timeout=PAGE_TIMEOUT_MS)
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert "服务水平" in [label.strip() for label in labels]
    assert page.locator('[data-testid="stException"]').count() == 0
    _screenshot(page, ARTIFACTS / "overview-zh.png")

    # The Chinese title is drawn with a CJK font (Noto Sans CJK from fonts-noto-cjk), not with
    # whatever fallback draws empty boxes: ask Chromium which fonts it really used.
    fonts = _fonts_used(page, "h1")
    cjk = [f for f in fonts if "CJK" in f["familyName"] or "Source Han" in f["familyName"]]
    assert cjk, f"the Chinese title is not drawn with a CJK font: {fonts}"
    assert sum(f["glyphCount"] for f in cjk) >= len("服务总览"), fonts
    assert not page_errors, page_errors
