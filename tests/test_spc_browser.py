"""Control charts in a real browser (`served.py`): the Quality page over the planted shift of
`test_spc.build_shifted`, its trends with their bands, then "Control chart" chosen: three
control charts with the fall marked and the note under them. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from served import ARTIFACTS, SETTLED, new_page, screenshot, serve, sign_in
from test_spc import build_shifted

from csdata.access.auth import add_user
from csdata.text.i18n import t

pytestmark = pytest.mark.browser

PASSWORD = "long enough password"


def test_control_charts_in_the_browser(tmp_path, browser):
    wh = build_shifted(tmp_path / "shifted.duckdb")
    add_user(wh, "test", "boss", "admin", PASSWORD)
    wh.close()
    with serve(tmp_path / "shifted.duckdb", tmp_path) as app:
        errors: list[str] = []
        page = new_page(browser, errors)
        page.goto(f"{app.url}/quality?from=2026-06-01&to=2026-09-20&team=Acme-1")
        sign_in(page, "boss", PASSWORD)
        page.get_by_role("heading", name=t("trend_title", "en")).wait_for()
        page.wait_for_function(SETTLED)
        screenshot(page, ARTIFACTS / "spc-quality-trends.png", SETTLED)
        # plotly draws after the script has settled: wait for the third band before counting
        page.locator(".js-fill").nth(2).wait_for(state="attached")
        assert page.locator(".js-fill").count() >= 3  # a band behind each of the three trends

        page.get_by_text(t("trend_view_control", "en"), exact=True).click()
        page.get_by_text(t("spc_note", "en")).wait_for()
        page.wait_for_function(SETTLED)
        screenshot(page, ARTIFACTS / "spc-quality-control.png", SETTLED)
        assert page.get_by_text(t("spc_limits", "en")).count() == 3  # in each chart's legend
        assert not errors
