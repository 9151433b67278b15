"""The compliance queue in a real browser (`streamlit run` + Chromium, see `served.py`): a
supervisor finds the count of a rule on the Overview, follows its link to the queue of that rule
and acknowledges the breach there. The company is `test_compliance`'s, set up from files; the
count and the breach hold for any day from 2026-05-20 on (A3 of Beta 1 is below standard in
2026-Q1, which ended 03-31, and had no coaching by 04-14; A5, the other such breach, is Acme's).
Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from served import ARTIFACTS, new_page, screenshot, serve, sign_in
from test_compliance import PASSWORD, build_company

from csdata.text.i18n import column_label, t

pytestmark = pytest.mark.browser

QUIET = "() => !document.querySelector('[data-stale=\"true\"]')"
RULE = "below_standard_without_coaching"


def _queue(page) -> pd.DataFrame:
    """The queue as its CSV download gives it."""
    with page.expect_download() as caught:
        page.get_by_test_id("stDownloadButton").filter(has_text=t("download_csv", "en")).first.click()
    return pd.read_csv(caught.value.path(), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_a_supervisor_follows_the_overview_count_to_the_queue_and_acknowledges(browser, tmp_path):
    company = build_company(tmp_path)
    errors: list[str] = []
    with serve(company, tmp_path) as served:
        page = new_page(browser, errors)
        page.goto(served.url, wait_until="domcontentloaded")
        sign_in(page, "beta_sup", PASSWORD)
        link = page.get_by_role(
            "link", name=t("compliance_overview_link", "en", rule=t(f"breach_rule_{RULE}", "en"), count=1)
        )
        link.wait_for(timeout=60_000)
        page.wait_for_function(QUIET)
        ARTIFACTS.mkdir(exist_ok=True)
        screenshot(page, ARTIFACTS / "compliance-overview.png")
        link.click()
        page.wait_for_url(re.compile(rf"/compliance\?rule={RULE}$"))
        page.get_by_role("heading", name=t("nav_compliance", "en"), exact=True).wait_for()
        page.wait_for_function(QUIET)
        queue = _queue(page)
        assert list(queue[column_label("subject_id", "en")]) == ["A3"]
        assert list(queue[column_label("state", "en")]) == [t("breach_state_open", "en")]

        page.get_by_label(t("compliance_note", "en"), exact=True).fill("coaching booked for Friday")
        page.get_by_role("button", name=t("compliance_save", "en"), exact=True).click()
        page.get_by_text(t("compliance_done_acknowledged", "en"), exact=True).wait_for()
        page.wait_for_function(QUIET)
        screenshot(page, ARTIFACTS / "compliance-queue.png")
        queue = _queue(page)
        assert list(queue[column_label("state", "en")]) == [t("breach_state_acknowledged", "en")]
        assert list(queue[column_label("owner", "en")]) == ["beta_sup"]
        assert page.locator('[data-testid="stException"]').count() == 0
    assert not errors, errors
