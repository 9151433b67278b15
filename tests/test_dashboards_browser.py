"""Every dashboard page in a real browser (`streamlit run` + Chromium, see `served.py`): each one
draws without an exception and is saved as a screenshot; a click on a client's name drills down to
that client's teams, the filter lands in the URL, and the next page keeps it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from served import (
    ARTIFACTS,
    PAGE_TIMEOUT_MS,
    open_from_sidebar,
    screenshot,
    serve,
    signed_in,
)

from csdata.pages import DASHBOARDS, PAGES
from csdata.text.i18n import t

pytestmark = pytest.mark.browser

# The page has drawn its cards and a table or chart, nothing of the last run is greyed out, and
# every chart on the page has been drawn.
SETTLED = """() => {
    if (document.querySelector('[data-stale="true"]')) return false;
    if (!document.querySelector('[data-testid="stMetricValue"]')) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    const tables = document.querySelectorAll('[data-testid="stDataFrame"]');
    if (charts.length + tables.length === 0) return false;
    return charts.every(c => c.querySelector('.main-svg'));
}"""


@pytest.fixture
def server(sample_db, tmp_path):
    with serve(sample_db, tmp_path) as served:
        yield served.url


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_every_dashboard_and_a_drill_down(browser, server):
    errors: list[str] = []
    page = signed_in(browser, errors, server, "exec")
    page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)

    # The filters are in the URL from the first page on.
    page.wait_for_url(re.compile(r"from=\d{4}-\d{2}-\d{2}.*to=\d{4}-\d{2}-\d{2}"))

    for key in DASHBOARDS:
        assert "exec" in PAGES[key].roles
        if key != "overview":
            open_from_sidebar(page, t(f"nav_{key}", "en"), key)
        page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
        assert page.locator('[data-testid="stException"]').count() == 0, key
        assert page.locator('[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]').count() > 0, key
        screenshot(page, ARTIFACTS / f"dashboard-{key}.png", SETTLED)
        assert "from" in _query(page), f"{key} dropped the filters from the URL"

    # Drill down: on the overview, click the first client's row of the table by client.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav_overview", "en"), exact=True).click()
    page.get_by_role("heading", name=t("overview_title", "en")).wait_for()
    page.get_by_role("heading", name=t("drill_client_title", "en")).wait_for()
    page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    # The client's name in the first data row (past the row's selection box), as a reader clicks it.
    page.mouse.click(box["x"] + 90, box["y"] + 35 + 17)
    page.get_by_role("heading", name=t("drill_team_title", "en")).wait_for()
    page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
    chosen = _query(page).get("client")
    assert chosen and len(chosen) == 1, page.url
    screenshot(page, ARTIFACTS / "dashboard-drill-team.png", SETTLED)

    # Another page keeps the client chosen by the click.
    open_from_sidebar(page, t("nav_quality", "en"), "quality")
    page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
    assert _query(page).get("client") == chosen, page.url
    assert page.locator('[data-testid="stException"]').count() == 0

    # In Chinese, every page again, with the client still chosen.
    page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
    page.get_by_role("heading", name=t("nav_quality", "zh")).wait_for()
    for key in DASHBOARDS:
        if key != "overview":
            open_from_sidebar(page, t(f"nav_{key}", "zh"), key)
            page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
            assert page.locator('[data-testid="stException"]').count() == 0, key
            assert _query(page).get("client") == chosen, (key, page.url)
            screenshot(page, ARTIFACTS / f"dashboard-{key}-zh.png", SETTLED)
    assert not errors, errors
