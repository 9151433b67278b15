"""An upload over the server's limit, in a real browser against `streamlit run app.py` started with
`--server.maxUploadSize 1` (MB): the uploader refuses the file with Streamlit's own message, the
app never sees it, and the warehouse is unchanged.

Same rules as `test_browser.py`: skipped when Chromium or Playwright is missing unless
CSDATA_REQUIRE_BROWSER=1, the browser may talk to 127.0.0.1 only, and screenshots of the admin
pages go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT

from csdata.policy import load_policy
from csdata.warehouse import Warehouse

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
MAX_UPLOAD_MB = 1
TOO_LARGE = re.compile(rf"File must be {MAX_UPLOAD_MB:.1f} ?MB or smaller")

pytestmark = pytest.mark.browser


def _unavailable(reason: str) -> None:
    if os.environ.get("CSDATA_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CSDATA_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _writes(db: Path) -> tuple[int, int]:
    """Policy versions and written (non sign-in) audit-log rows: what an upload must not move."""
    wh = Warehouse(db, read_only=True)
    try:
        return (
            wh.scalar("SELECT count(*) FROM policy_versions"),
            wh.scalar("SELECT count(*) FROM audit_log WHERE action NOT LIKE 'auth.%'"),
        )
    finally:
        wh.close()


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


@pytest.fixture
def server(sample_db, tmp_path):
    """The app on a free local port with a 1 MB upload limit, on its own copy of the demo
    warehouse; always stopped (the test may stop it earlier, to read the warehouse)."""
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
        "--server.maxUploadSize",
        str(MAX_UPLOAD_MB),
        "--browser.gatherUsageStats",
        "false",
    ]
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


def sign_in(page, username: str, password: str) -> None:
    """Through the sign-in form, as a person would."""
    page.get_by_role("heading", name="Sign in").wait_for(timeout=PAGE_TIMEOUT_MS)
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def open_from_sidebar(page, name: str, url_path: str) -> None:
    """Within the session, as a person would: a fresh page load would start a new, signed-out one."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    page.wait_for_url(re.compile(rf"/{url_path}$"))
    page.get_by_role("heading", name=name, exact=True).wait_for()
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")


def screenshot(page, path: Path) -> None:
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
        page.wait_for_timeout(300)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)


def test_oversized_policy_upload_is_refused(browser, server, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    before = _writes(server.db)
    wh = Warehouse(server.db, read_only=True)
    try:
        policy = load_policy(wh)[1]
    finally:
        wh.close()
    # Over the limit but otherwise a file the page would take: a real policy, padded with spaces.
    big = tmp_path / "policy-big.json"
    body = policy.model_dump_json(indent=2)
    big.write_text(body[:-1] + " " * int(1.5 * 1024 * 1024) + "}", encoding="utf-8")
    assert json.loads(big.read_text(encoding="utf-8")) == json.loads(body)
    assert big.stat().st_size > MAX_UPLOAD_MB * 1024 * 1024 * 1.4
    small = tmp_path / "policy-small.json"
    small.write_text(body, encoding="utf-8")

    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="en-US")
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.route("**/*", _local_only)
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if "/_stcore/upload_file" in r.url else None)

    page.goto(server.url, wait_until="domcontentloaded")
    sign_in(page, "admin", "demo")
    page.get_by_role("heading", name="Service overview").wait_for()
    open_from_sidebar(page, "Policy", "policy")

    page.get_by_text("Policy as a file", exact=True).click()
    uploader = page.get_by_test_id("stFileUploader")
    uploader.wait_for()
    uploader.locator('input[type="file"]').set_input_files(str(big))
    # Streamlit marks the file chip as invalid, announces the reason to screen readers, and shows
    # it in a tooltip when the pointer is on the chip.
    chip = uploader.get_by_test_id("stFileChip")
    chip.wait_for()
    assert chip.get_attribute("aria-invalid") == "true"
    assert TOO_LARGE.search(uploader.get_by_role("alert").inner_text())
    chip.hover()
    tooltip = page.get_by_test_id("stTooltipErrorContent")
    tooltip.wait_for()
    assert TOO_LARGE.fullmatch(tooltip.inner_text().strip().rstrip("."))
    assert not uploads, f"the browser sent the oversized file: {uploads}"
    assert page.get_by_text("Loaded policy-big.json").count() == 0
    assert page.get_by_text("not a policy file").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, ARTIFACTS / "policy-upload-too-large.png")

    # The same policy at its real size goes through: the refusal was the size, nothing else.
    uploader.locator('input[type="file"]').set_input_files(str(small))
    page.get_by_text("Loaded policy-small.json. Review the tables below, then save.").wait_for()
    assert uploads, "a file within the limit is uploaded"
    assert page.locator('[data-testid="stException"]').count() == 0

    open_from_sidebar(page, "Users", "users")
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    screenshot(page, ARTIFACTS / "users-admin.png")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not page_errors, page_errors

    server.stop()
    assert _writes(server.db) == before, "an upload alone must write nothing"
