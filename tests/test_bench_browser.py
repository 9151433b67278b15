"""`csdata bench --browser` on a small warehouse: the app served, Chromium clicking one page,
two sessions opening the overview at once (in Chromium, then through Streamlit's protocol
without a browser), the server's peak memory."""

from __future__ import annotations

import json
import time

import pytest
from conftest import run_cli
from served import unavailable

from csdata.text.i18n import Problem

pytestmark = pytest.mark.browser


def test_bench_in_a_browser_times_a_click_and_sessions_at_once(sample_db):
    from csdata.demo.browser import launch

    try:
        with launch():
            pass
    except Problem as exc:
        unavailable(exc.key)
    started = time.monotonic()
    done = run_cli(
        "bench", "--db", str(sample_db), "--browser", "--page", "service", "--range", "90d",
        "--repeat", "1", "--concurrent", "2", "--json",
    )  # fmt: skip
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [(r["page"], r["range"]) for r in report["pages"]] == [("service", "90d")]
    # A click is timed from the click to the page settled: inside the whole command's time.
    assert 0 < report["pages"][0]["settled_s"] < took
    together = report["concurrent"]
    assert together["sessions"] == 2 and 0 < together["median_s"] <= together["slowest_s"] < took
    assert 0 < together["server_cpu_s"] < 2 * took  # two cores at most
    assert 0 < together["browser_cpu_s"] < 2 * took  # Chromium drew two pages meanwhile
    # The same two sessions' worth through Streamlit's protocol, without a browser.
    protocol = together["protocol"]
    assert protocol["sessions"] == 2 and 0 < protocol["median_s"] <= protocol["slowest_s"] < took
    assert 0 < protocol["server_cpu_s"] < 2 * took
    # The server is a Python process holding the app and DuckDB: tens of MiB at least.
    assert 50 < report["server_peak_mib"] < 4096
    assert report["errors"] == []


def test_pages_reach_this_machine_only():
    """Pages load from 127.0.0.1 (their cache kept) and reach no other address, by name or number."""
    import http.server
    import threading

    from playwright.sync_api import Error as PlaywrightError

    from csdata.demo.browser import launch, new_page

    local = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=local.serve_forever, daemon=True).start()
    try:
        try:
            with launch() as chromium:
                errors: list[str] = []
                page = new_page(chromium, errors)
                assert page.goto(f"http://127.0.0.1:{local.server_port}/").ok
                elsewhere = ("http://example.com/", "http://192.0.2.1/", "https://93.184.215.14/")
                for address in elsewhere:
                    fetched = page.evaluate(
                        "a => fetch(a, {mode: 'no-cors'}).then(() => 'reached', () => 'refused')", address
                    )
                    assert fetched == "refused", address
                for address in elsewhere:  # refused by the browser itself, not by a missing network
                    with pytest.raises(PlaywrightError, match="ERR_PROXY_CONNECTION_FAILED"):
                        page.context.new_page().goto(address, timeout=10_000)
                page.context.close()
        except Problem as exc:
            unavailable(exc.key)
    finally:
        local.shutdown()
