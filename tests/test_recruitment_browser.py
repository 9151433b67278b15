"""The Recruitment page in a real browser over the demo (`streamlit run` + Chromium, see
`served.py`): HR finds the demo's open requisitions in the list's download and the forms; the page
in English and in Chinese; an executive reads it without forms; a client account has no such page
(hiring on the page is walked in `test_recruitment.py`). Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest
from served import ARTIFACTS, open_from_sidebar, screenshot, serve, signed_in

from csdata.text.i18n import t

pytestmark = pytest.mark.browser

QUIET = "() => !document.querySelector('[data-stale=\"true\"]')"


def _open_requisitions(db) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            r[0]
            for r in con.execute("SELECT requisition_id FROM requisitions WHERE status = 'open'").fetchall()
        }
    finally:
        con.close()


def test_hr_reads_and_hires_exec_reads_client_has_no_page(browser, sample_db, tmp_path):
    open_ones = _open_requisitions(sample_db)
    assert open_ones, "the demo has open requisitions"
    errors: list[str] = []
    with serve(sample_db, tmp_path) as served:
        page = signed_in(browser, errors, served.url, "hr")
        open_from_sidebar(page, t("nav_recruitment", "en"), "recruitment")
        page.get_by_role("heading", name=t("recruit_funnel_title", "en")).wait_for()
        # The requisition list (open ones by default) as its CSV download gives it.
        with page.expect_download() as caught:
            page.get_by_test_id("stDownloadButton").filter(has_text=t("download_csv", "en")).nth(4).click()
        assert caught.value.suggested_filename == "csdata-requisitions.csv"
        listed = pd.read_csv(caught.value.path(), encoding="utf-8-sig")
        assert set(listed[t("col_requisition_id", "en")]) == open_ones
        screenshot(page, ARTIFACTS / "recruitment-en.png", QUIET)

        page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
        page.get_by_role("heading", name=t("nav_recruitment", "zh"), exact=True).wait_for()
        page.get_by_role("heading", name=t("recruit_funnel_title", "zh")).wait_for()
        page.get_by_role("tab", name=t("recruit_tab_hire", "zh"), exact=True).click()
        assert page.get_by_role("button", name=t("recruit_hire", "zh"), exact=True).count() == 1
        screenshot(page, ARTIFACTS / "recruitment-zh.png", QUIET)
        assert not errors, errors

        reader = signed_in(browser, errors, served.url, "exec")
        open_from_sidebar(reader, t("nav_recruitment", "en"), "recruitment")
        reader.get_by_text(t("recruit_read_only", "en")).wait_for()
        assert reader.get_by_role("button", name=t("recruit_hire", "en"), exact=True).count() == 0

        client = signed_in(browser, errors, served.url, "client")
        nav = client.get_by_test_id("stSidebarNav")
        assert nav.get_by_role("link", name=re.compile(t("nav_overview", "en"))).count() >= 1
        assert nav.get_by_role("link", name=t("nav_recruitment", "en"), exact=True).count() == 0
        assert not errors, errors
