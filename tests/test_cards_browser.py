"""The overview's cards in a real browser (`streamlit run` + Chromium, see `served.py`), in English
and Chinese: every card's value, delta ("no clear change" included) and caption (the target and
"few data") stay inside its box, the delta on one line and the caption on at most two, also on an
agent's page where several cards rest on few cases. Screenshots are saved for a person to look at."""

from __future__ import annotations

import pytest
from served import ARTIFACTS, PAGE_TIMEOUT_MS, SETTLED, screenshot, serve, signed_in

from csdata.text.i18n import t

pytestmark = pytest.mark.browser

# For every card: whether its value, delta and caption overflow the box, how many lines each takes,
# and the box's height.
CARDS = """() => [...document.querySelectorAll('[data-testid="stMetric"]')].map(metric => {
    let box = metric;  // the card: the nearest block that holds its caption too
    while (box.parentElement && !box.querySelector('[data-testid="stCaptionContainer"]')) box = box.parentElement;
    const lines = el => {
        if (!el) return 0;
        const height = parseFloat(getComputedStyle(el).lineHeight) || 20;
        return Math.round(el.getBoundingClientRect().height / height);
    };
    const inside = el => !el || el.getBoundingClientRect().right <= box.getBoundingClientRect().right + 1;
    const caption = box.querySelector('[data-testid="stCaptionContainer"]');
    const delta = metric.querySelector('[data-testid="stMetricDelta"]');
    return {
        label: metric.querySelector('[data-testid="stMetricLabel"]').innerText,
        delta: delta ? delta.innerText : '',
        inside: [metric.querySelector('[data-testid="stMetricValue"]'), delta, caption].every(inside),
        deltaLines: lines(delta && delta.querySelector('div, span')),
        captionLines: lines(caption && caption.querySelector('p')),
        caption: caption ? caption.innerText.replace(/\u2060/g, '').replace(/\u00a0/g, ' ') : '',
    };
})"""


def test_overview_cards_fit_in_english_and_chinese(browser, sample_db, tmp_path):
    errors: list[str] = []
    with serve(sample_db, tmp_path) as served:
        page = signed_in(browser, errors, served.url, "exec")
        for lang in ("en", "zh"):
            if lang == "zh":
                page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
                page.get_by_role("heading", name=t("overview_title", "zh")).wait_for()
            page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
            screenshot(page, ARTIFACTS / f"cards-overview-{lang}.png", SETTLED)
            cards = page.evaluate(CARDS)
            assert cards, "cards are shown"
            assert any(c["delta"] == t("no_clear_change", lang) for c in cards), [c["delta"] for c in cards]
            for card in cards:
                assert card["inside"], card
                assert card["deltaLines"] <= 1, card
                assert card["captionLines"] <= 2, card
            assert page.locator('[data-testid="stException"]').count() == 0
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav_agent", "zh"), exact=True).click()
        for lang in ("zh", "en"):
            if lang == "en":
                page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
            page.get_by_role("heading", name=t("nav_agent", lang), exact=True).wait_for()
            page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
            screenshot(page, ARTIFACTS / f"cards-agent-{lang}.png", SETTLED)
            cards = page.evaluate(CARDS)
            assert any(t("few_data", lang) in c["caption"] for c in cards), [c["caption"] for c in cards]
            for card in cards:
                assert card["inside"] and card["deltaLines"] <= 1 and card["captionLines"] <= 2, card
    assert not errors, errors
