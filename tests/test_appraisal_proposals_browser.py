"""The two steps of an appraisal in a real browser (`streamlit run` + Chromium, see `served.py`): a
supervisor proposes teamwork for an agent of their team with a double click on the button; HR,
signed in next in the same tab, finds the proposal waiting on "To confirm", opens it on "Enter"
with the teamwork and comment proposed, and confirms. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from served import ARTIFACTS, open_from_sidebar, screenshot, serve, sign_in, signed_in

from csdata.access.auth import load_user
from csdata.analytics import lookups
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t

pytestmark = pytest.mark.browser

QUIET = "() => !document.querySelector('[data-stale=\"true\"]')"


def _choose(page, label: str, option: str) -> None:
    """A Streamlit selectbox, as a person uses it: open it, type, take the option."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True)).first
    box.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()
    page.wait_for_function(QUIET)


def test_supervisor_proposes_teamwork_and_hr_confirms_it(browser, sample_db, tmp_path):
    wh = Warehouse(sample_db, read_only=True)
    try:
        period = wh.scalar(
            "SELECT period FROM appraisal_periods WHERE status = 'open' ORDER BY ends_on DESC LIMIT 1"
        )
        agent = lookups.agents(wh, load_user(wh, "supervisor").scope)["employee_id"].iloc[0]
    finally:
        wh.close()
    errors: list[str] = []
    with serve(sample_db, tmp_path) as served:
        page = signed_in(browser, errors, served.url, "supervisor")
        open_from_sidebar(page, t("nav_appraisals", "en"), "appraisals")
        assert page.get_by_role("tab").all_inner_texts() == [t("ap_tab_teamwork", "en")]
        _choose(page, t("f_employee", "en"), agent)
        teamwork = page.get_by_label(t("tw_teamwork", "en"))
        teamwork.fill("80")
        teamwork.press("Tab")
        page.get_by_label(t("f_comment", "en")).fill("helps new colleagues")
        page.get_by_label(t("f_comment", "en")).press("Tab")
        page.wait_for_function(QUIET)
        page.get_by_role("button", name=t("tw_save", "en")).dblclick()
        page.get_by_test_id("stAlertContentSuccess").wait_for()
        page.wait_for_function(QUIET)
        page.wait_for_timeout(1500)  # let a second run, if any, finish
        screenshot(page, ARTIFACTS / "appraisal-teamwork-proposed.png")
        assert page.get_by_test_id("stAlertContentSuccess").count() == 1

        # HR signs in next in the same tab (back on the page the supervisor left).
        page.get_by_test_id("stSidebar").get_by_role("button", name=t("sign_out", "en")).click()
        sign_in(page, "hr", "demo")
        page.get_by_test_id("stSidebarNav").wait_for()
        open_from_sidebar(page, t("nav_appraisals", "en"), "appraisals")
        page.get_by_role("tab", name=t("ap_tab_confirm", "en")).click()
        page.get_by_text(t("ap_proposed_review", "en")).wait_for()
        screenshot(page, ARTIFACTS / "appraisal-to-confirm.png")

        page.get_by_role("tab", name=t("ap_tab_enter", "en")).click()
        _choose(page, t("f_employee", "en"), agent)
        page.get_by_text(t("ap_proposed_by", "en", who="supervisor", value="80.0")).wait_for()
        assert page.get_by_label(t("f_comment", "en")).first.input_value() == "helps new colleagues"
        screenshot(page, ARTIFACTS / "appraisal-hr-review.png")
        page.get_by_role("button", name=t("ap_confirm", "en")).click()
        page.get_by_test_id("stAlertContentSuccess").wait_for()
        page.wait_for_function(QUIET)
        screenshot(page, ARTIFACTS / "appraisal-hr-confirmed.png")
        assert page.locator('[data-testid="stException"]').count() == 0
    assert not errors, errors

    # After the server has let the file go: one proposal (the double click wrote once), used by
    # HR's confirmation, and the appraisal confirmed with the proposed teamwork.
    wh = Warehouse(served.db, read_only=True)
    try:
        assert wh.rows(
            "SELECT teamwork, comment, proposed_by, used_by FROM appraisal_proposals WHERE period = ?",
            [period],
        ) == [(80.0, "helps new colleagues", "supervisor", "hr")]
        assert wh.scalar("SELECT count(*) FROM record_changes WHERE kind = 'appraisal_proposals'") == 1
        assert wh.rows(
            "SELECT a.confirmed_by, s.score FROM appraisals a JOIN appraisal_scores s USING (period, employee_id)"
            " WHERE a.period = ? AND a.employee_id = ? AND s.indicator = 'teamwork'",
            [period, agent],
        ) == [("hr", 80.0)]
    finally:
        wh.close()
