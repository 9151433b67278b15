"""The Organisation page in a real browser (`streamlit run` + Chromium, see `served.py`): on a new
warehouse the administrator adds a client, a department and a team as a person would, and finds
them listed; the page in English and in Chinese. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import run_cli
from served import ARTIFACTS, new_page, open_from_sidebar, screenshot, serve, sign_in

from csdata.text.i18n import t

pytestmark = pytest.mark.browser

PASSWORD = "set-up-secret-42"
QUIET = "() => !document.querySelector('[data-stale=\"true\"]')"


def _panel(page):
    """The tab on screen (the others are drawn but hidden)."""
    return page.get_by_role("tabpanel")


def _type(page, label: str, text: str) -> None:
    field = _panel(page).get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")
    page.wait_for_function(QUIET)


def _choose(page, label: str, option: str) -> None:
    """A selectbox of the tab on screen, as a person uses it: open it, type, take the option."""
    box = _panel(page).get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True)).first
    box.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()
    page.wait_for_function(QUIET)


def _add(page, tab: str, saved: str) -> None:
    _panel(page).get_by_role("button", name=t("org_add_save", "en"), exact=True).click()
    _panel(page).get_by_text(saved, exact=True).wait_for()
    page.wait_for_function(QUIET)
    assert page.locator('[data-testid="stException"]').count() == 0, tab


def _listed(page, kind: str) -> pd.DataFrame:
    """The tab's list, as its CSV download gives it."""
    with page.expect_download() as caught:
        _panel(page).get_by_test_id("stDownloadButton").filter(has_text=t("download_csv", "en")).last.click()
    assert caught.value.suggested_filename == f"csdata-{kind}.csv"
    return pd.read_csv(caught.value.path(), encoding="utf-8-sig")


def test_an_admin_adds_a_client_and_a_team_and_sees_them_listed(browser, tmp_path):
    source = tmp_path / "new.duckdb"
    done = run_cli("init", "--db", str(source), env={"CSDATA_ADMIN_PASSWORD": PASSWORD})
    assert done.returncode == 0, done.stderr
    errors: list[str] = []
    with serve(source, tmp_path) as served:
        page = new_page(browser, errors)
        page.goto(served.url, wait_until="domcontentloaded")
        sign_in(page, "admin", PASSWORD)
        page.get_by_test_id("stSidebarNav").wait_for()
        open_from_sidebar(page, t("nav_organisation", "en"), "organisation")

        _type(page, t("col_client", "en"), "Northwind Bank")
        _type(page, t("col_name_zh", "en"), "北风银行")
        _add(page, "clients", t("org_added", "en", kind=t("imp_kind_clients", "en"), id="Northwind Bank"))
        clients = _listed(page, "clients")
        assert list(clients[t("col_client", "en")]) == ["Northwind Bank"]
        assert list(clients[t("col_name_zh", "en")]) == ["北风银行"]

        page.get_by_role("tab", name=t("imp_kind_departments", "en")).click()
        _type(page, t("col_department", "en"), "customer_service")
        _add(
            page,
            "departments",
            t("org_added", "en", kind=t("imp_kind_departments", "en"), id="customer_service"),
        )

        page.get_by_role("tab", name=t("imp_kind_teams", "en")).click()
        _type(page, t("col_team", "en"), "Northwind 1")
        _choose(page, t("col_department", "en"), "customer_service")
        # A client typed that does not exist: the import's own message, and nothing written.
        box = (
            _panel(page)
            .get_by_test_id("stSelectbox")
            .filter(has=page.get_by_text(t("col_client", "en"), exact=True))
        )
        box.first.click()
        page.keyboard.type("Nobody Ltd")
        page.keyboard.press("Enter")
        page.wait_for_function(QUIET)
        _panel(page).get_by_role("button", name=t("org_add_save", "en"), exact=True).click()
        refusal = t("imp_ref_missing_clients", "en", value="Nobody Ltd")
        _panel(page).get_by_test_id("stAlertContentError").filter(has_text=refusal).wait_for()
        screenshot(page, ARTIFACTS / "organisation-team-refused-en.png", QUIET)
        _choose(page, t("col_client", "en"), "Northwind Bank")
        _add(page, "teams", t("org_added", "en", kind=t("imp_kind_teams", "en"), id="Northwind 1"))
        teams = _listed(page, "teams")
        assert [
            tuple(r) for r in teams[[t("col_team", "en"), t("col_client", "en")]].itertuples(index=False)
        ] == [("Northwind 1", "Northwind Bank")]
        screenshot(page, ARTIFACTS / "organisation-teams-en.png", QUIET)

        page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
        page.get_by_role("heading", name=t("org_title", "zh")).wait_for()
        page.get_by_role("tab", name=t("imp_kind_clients", "zh")).click()
        page.wait_for_function(QUIET)
        assert _panel(page).get_by_role("button", name=t("org_add_save", "zh"), exact=True).count() == 1
        screenshot(page, ARTIFACTS / "organisation-clients-zh.png", QUIET)
        # A choice drawn before the switch shows its value in the new language: a period's status.
        page.get_by_role("tab", name=t("imp_kind_periods", "zh")).click()
        status = (
            _panel(page)
            .get_by_test_id("stSelectbox")
            .filter(has=page.get_by_text(t("col_status", "zh"), exact=True))
        )
        assert t("org_value_open", "zh") in status.first.inner_html()  # the value drawn in the picker
        assert page.locator('[data-testid="stException"]').count() == 0
    assert not errors, errors
