"""An upload over the server's limit, in a real browser against `streamlit run app.py` started with
`--server.maxUploadSize 1` (MB): the uploader refuses the file with Streamlit's own message, the
app never sees it, and the warehouse is unchanged.

Same rules as `test_browser.py`: skipped when Chromium or Playwright is missing unless
CSDATA_REQUIRE_BROWSER=1, the browser may talk to 127.0.0.1 only, and screenshots of the admin
pages go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from served import ARTIFACTS, new_page, open_from_sidebar, screenshot, serve, sign_in

from csdata.policy import load_policy
from csdata.store.warehouse import Warehouse

MAX_UPLOAD_MB = 1
TOO_LARGE = re.compile(rf"File must be {MAX_UPLOAD_MB:.1f} ?MB or smaller")

pytestmark = pytest.mark.browser


@pytest.fixture
def server(sample_db, tmp_path):
    with serve(sample_db, tmp_path, "--server.maxUploadSize", str(MAX_UPLOAD_MB)) as served:
        yield served


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


def test_oversized_policy_upload_is_refused(browser, server, tmp_path):
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

    page_errors: list[str] = []
    page = new_page(browser, page_errors)
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
