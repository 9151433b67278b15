"""The real app in a real browser: shared by every browser test.

`serve()` runs `streamlit run app.py` on a free local port over its own copy of a warehouse and
always stops it; `launch()` starts Debian's Chromium through Playwright (skipped when it or
Playwright is missing, unless CSDATA_REQUIRE_BROWSER=1, where that is a failure); `new_page()`
lets the page talk to 127.0.0.1 only, and `new_tab()` opens another tab of its browser.
Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT

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


# A dashboard has finished drawing: nothing stale, cards shown, every chart rendered.
SETTLED = """() => {
    if (document.querySelector('[data-stale="true"]')) return false;
    if (!document.querySelector('[data-testid="stMetricValue"]')) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return charts.every(c => c.querySelector('.main-svg'));
}"""


def unavailable(reason: str) -> None:
    if os.environ.get("CSDATA_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CSDATA_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    url: str
    db: Path
    log: Path
    proc: subprocess.Popen

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)


@contextmanager
def serve(source_db: Path, tmp_path: Path, *options: str):
    """The app on a free port over a copy of `source_db` (the server locks its file)."""
    db = tmp_path / "served.duckdb"
    shutil.copyfile(source_db, db)
    port = free_port()
    env = {**os.environ, "CSDATA_DB": str(db), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    env.pop("CSDATA_LANG", None)
    log_path = tmp_path / "streamlit.log"
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", *options]  # fmt: skip
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    served = Served(f"http://127.0.0.1:{port}", db, log_path, proc)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{served.url}/_stcore/health", timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit not healthy after {START_TIMEOUT_S} s:\n{log_path.read_text()[-3000:]}"
                )
            time.sleep(0.25)
        yield served
    finally:
        served.stop()


@contextmanager
def launch():
    if not CHROMIUM.exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
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


def new_page(browser, errors: list[str]):
    """A page in a browser context of its own (no cookies: a browser of its own) that may reach
    127.0.0.1 only and collects JavaScript errors into `errors`."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    return _ready(context.new_page(), errors)


def new_tab(page, errors: list[str]):
    """Another tab of `page`'s browser (its cookies shared), under the same rules as `new_page`."""
    return _ready(page.context.new_page(), errors)


def _ready(page, errors: list[str]):
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.route("**/*", _local_only)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


def sign_in(page, username: str, password: str) -> None:
    """Through the sign-in form, as a person would."""
    page.get_by_role("heading", name="Sign in").wait_for(timeout=PAGE_TIMEOUT_MS)
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in(browser, errors: list[str], url: str, username: str, password: str = "demo"):
    """A fresh browser session at `url`, signed in, on the Overview where every account lands."""
    from csdata.text.i18n import t

    page = new_page(browser, errors)
    page.goto(url, wait_until="domcontentloaded")
    sign_in(page, username, password)
    page.get_by_role("heading", name=t("overview_title", "en")).wait_for()
    return page


def open_from_sidebar(page, name: str, url_path: str) -> None:
    """Within the session, as a person would (a fresh page load starts a new Streamlit session,
    signed in again from the session cookie)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    page.wait_for_url(re.compile(rf"/{url_path}(\?.*)?$"))
    page.get_by_role("heading", name=name, exact=True).wait_for()
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")


def screenshot(page, path: Path, ready: str | None = None) -> None:
    """The whole page: Streamlit scrolls inside its main section, so grow the viewport to it."""
    size = page.viewport_size
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            return Math.max(main ? main.scrollHeight : 0, document.documentElement.scrollHeight);
        }"""
    )
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 8000)})
    try:
        if ready:
            page.wait_for_function(ready)
        page.wait_for_timeout(300)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
