"""The real app in a real browser, for every browser test: the helpers of `csdata.demo.browser`
(shared with `csdata bench --browser`), with what they cannot do turned into a test's outcome.

A missing Chromium or Playwright skips the test, unless CSDATA_REQUIRE_BROWSER=1, where that is a
failure; a server that does not come up fails it with the server's last output. Screenshots go to
test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT

from csdata.demo import browser
from csdata.demo.browser import (  # noqa: F401 (the tests import them from here)
    PAGE_TIMEOUT_MS,
    SETTLED,
    new_tab,
    open_from_sidebar,
    sign_in,
    signed_in,
)
from csdata.text.i18n import Problem, t

ARTIFACTS = ROOT / "test-artifacts"


def unavailable(reason: str) -> None:
    if os.environ.get("CSDATA_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CSDATA_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def serve(source_db: Path, tmp_path: Path, *options: str):
    """The app on a free port over a copy of `source_db` (the server locks its file)."""
    with _failing_to_start(), browser.serve(source_db, tmp_path, *options) as served:
        yield served


@contextmanager
def serve_database(url: str, tmp_path: Path, count: int = 2):
    """`count` app servers over one PostgreSQL database, started at once (`csdata serve`)."""
    with _failing_to_start(), browser.serve_database(url, tmp_path, count) as servers:
        yield servers


@contextmanager
def serve_on(request, engine: str, source_db: Path, tmp_path: Path):
    """The app over a copy of the demo warehouse `source_db` on `engine`: a DuckDB file (`serve`),
    or a new PostgreSQL database it is copied into (`csdata copy`'s step), served by `csdata serve`."""
    if engine == "duckdb":
        with serve(source_db, tmp_path) as served:
            yield served
        return
    import engines

    from csdata.store import transfer
    from csdata.store.warehouse import Warehouse

    url = engines.new_database(request, migrated=False)
    source, target = Warehouse(source_db, read_only=True), Warehouse(url)
    try:
        transfer.copy_warehouse(source, target, say=lambda _line: None)
    finally:
        source.close()
        target.close()
    with serve_database(url, tmp_path, 1) as (served,):
        yield served


@contextmanager
def _failing_to_start():
    """A server that does not come up fails the test with its last output."""
    try:
        yield
    except Problem as exc:
        if exc.key != "err_serve_failed":
            raise
        pytest.fail(f"{t(exc.key, 'en', **exc.params)}:\n{exc.tail}")


@contextmanager
def launch():
    try:
        with browser.launch() as chromium:
            yield chromium
    except Problem as exc:
        if exc.key not in ("err_no_chromium", "err_no_playwright"):
            raise
        unavailable(t(exc.key, "en", **exc.params))


def new_page(browser_, errors: list[str]):
    """A page of a browser context of its own (see `csdata.demo.browser.new_page`)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return browser.new_page(browser_, errors)


def screenshot(page, path: Path, ready: str | None = None) -> None:
    """The whole page: Streamlit scrolls inside its main section, so grow the viewport to it."""
    ARTIFACTS.mkdir(exist_ok=True)
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
