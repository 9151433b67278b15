"""The real thing: `streamlit run app.py` in a subprocess, driven by a headless Chromium
(see `served.py`): the overview signs in, draws its cards, chart and table, in English and in
Chinese drawn with a CJK font."""

from __future__ import annotations

import pytest
from served import ARTIFACTS, PAGE_TIMEOUT_MS, new_page, screenshot, serve, sign_in

from csdata.analytics.metrics import CATALOG, HEADLINE
from csdata.analytics.page_queries import PER_CHANNEL
from csdata.policy import CHANNELS
from csdata.text.i18n import channel_label

pytestmark = pytest.mark.browser


@pytest.fixture
def server(sample_db, tmp_path):
    with serve(sample_db, tmp_path) as served:
        yield served.url


# The headline cards of the demo (tickets on every channel): a wait or handle time per channel.
CARDS = [
    f"{CATALOG[m].short_label('en')} · {channel_label(c, 'en')}"
    if m in PER_CHANNEL
    else CATALOG[m].short_label("en")
    for m in HEADLINE
    for c in (CHANNELS if m in PER_CHANNEL else CHANNELS[:1])
]

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


def test_overview_in_a_real_browser(browser, server):
    page_errors: list[str] = []
    page = new_page(browser, page_errors)

    page.goto(server, wait_until="domcontentloaded")
    sign_in(page, "exec", "demo")
    page.wait_for_function(CARDS_READY, arg=[len(CARDS), False], timeout=PAGE_TIMEOUT_MS)
    page.get_by_role("heading", name="Service overview").wait_for()
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert [label.strip() for label in labels[: len(CARDS)]] == CARDS
    page.wait_for_function(CHART_DRAWN, timeout=PAGE_TIMEOUT_MS)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=PAGE_TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 1
    screenshot(page, ARTIFACTS / "overview-en.png", CHART_DRAWN)

    page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
    page.get_by_role("heading", name="服务总览").wait_for()
    page.wait_for_function(CARDS_READY, arg=[len(CARDS), True], timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function(CHART_DRAWN, timeout=PAGE_TIMEOUT_MS)
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert "服务水平" in [label.strip() for label in labels]
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, ARTIFACTS / "overview-zh.png", CHART_DRAWN)

    # The Chinese title is drawn with a CJK font (Noto Sans CJK from fonts-noto-cjk), not with
    # whatever fallback draws empty boxes: ask Chromium which fonts it really used.
    fonts = _fonts_used(page, "h1")
    cjk = [f for f in fonts if "CJK" in f["familyName"] or "Source Han" in f["familyName"]]
    assert cjk, f"the Chinese title is not drawn with a CJK font: {fonts}"
    assert sum(f["glyphCount"] for f in cjk) >= len("服务总览"), fonts
    assert not page_errors, page_errors
