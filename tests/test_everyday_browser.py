"""A first week of real use, in a real browser (`streamlit run` + Chromium, see `served.py`), as
the roles would walk it: an admin goes from an admin page back to a dashboard, a colleague opens
the admin's link in another browser, the link opened in the admin's own tab opens signed in, the
next person signs in in the same tab; a supervisor logs a complaint with a double click on Save,
follows the link the form gives and finds the ticket by its id (on a DuckDB file and on
PostgreSQL); a client account reads its own
contract's target on the card. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from served import (
    ARTIFACTS,
    PAGE_TIMEOUT_MS,
    SETTLED,
    new_page,
    open_from_sidebar,
    screenshot,
    serve,
    serve_on,
    sign_in,
)

from csdata.analytics import exports
from csdata.analytics.metrics import CATALOG
from csdata.pages import PAGES
from csdata.policy import load_policy
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t

pytestmark = pytest.mark.browser

CARDS_DRAWN = """() => !document.querySelector('[data-testid="stSkeleton"]')
    && document.querySelectorAll('[data-testid="stMetricValue"]').length >= 6"""
QUIET = "() => !document.querySelector('[data-stale=\"true\"]')"


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _overview_is_whole(page) -> None:
    """Cards drawn, a period of two dates in the URL, and no request for dates."""
    page.get_by_role("heading", name=t("overview_title", "en")).wait_for()
    page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
    query = _query(page)
    assert query.get("from") and query.get("to"), page.url
    assert query["from"][0] < query["to"][0], page.url
    assert page.get_by_text(t("period_needs_two_dates", "en")).count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0


def _choose(page, label: str, option: str) -> None:
    """A Streamlit selectbox, as a person uses it: open it, type, take the option."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True)).first
    box.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def _signed_in(browser, errors: list[str], url: str, user: str):
    """A fresh browser session at `url`, signed in as the demo account `user`."""
    page = new_page(browser, errors)
    page.goto(url, wait_until="domcontentloaded")
    sign_in(page, user, "demo")
    return page


def _ticket_chosen(page, ticket_id: str) -> None:
    """The follow-up shows its steps (a ticket is chosen), and the ticket chosen is this one."""
    page.get_by_text(t("fu_action", "en"), exact=True).wait_for()
    picker = page.get_by_test_id("stSelectbox").filter(has_text=t("fu_ticket", "en")).last
    assert ticket_id in picker.inner_html()  # the value is drawn in the picker's input


def test_admin_page_then_dashboard_second_tab_and_next_user(browser, sample_db, tmp_path):
    errors: list[str] = []
    with serve(sample_db, tmp_path) as served:
        page = _signed_in(browser, errors, served.url, "admin")
        _overview_is_whole(page)
        first = _query(page)
        open_from_sidebar(page, t("nav_users", "en"), "users")
        # The overview is the default page, served at the root address.
        page.get_by_test_id("stSidebarNav").get_by_role(
            "link", name=t("nav_overview", "en"), exact=True
        ).click()
        _overview_is_whole(page)
        assert {k: first[k] for k in ("from", "to")} == {k: _query(page)[k] for k in ("from", "to")}
        screenshot(page, ARTIFACTS / "everyday-admin-back-to-overview.png", SETTLED)

        # A link with a client chosen, opened by a colleague in another browser (signed out).
        link = f"{served.url}/service?from={first['from'][0]}&to={first['to'][0]}&client=Harbor+Trust+Bank"
        second = new_page(browser, errors)  # a browser context of its own: no session cookie
        second.goto(link, wait_until="domcontentloaded")
        sign_in(second, "exec", "demo")
        second.get_by_role("heading", name=t("nav_service", "en"), exact=True).wait_for()
        second.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
        assert _query(second).get("client") == ["Harbor Trust Bank"], second.url
        assert second.get_by_text(t("period_needs_two_dates", "en")).count() == 0
        second.close()

        # The link opened in the admin's own tab opens signed in (the session cookie); the admin
        # signs out, and the next person in this tab starts clean.
        page.goto(link.replace("/service?", "/overview?"), wait_until="domcontentloaded")
        page.get_by_role("heading", name=t("overview_title", "en")).wait_for()
        page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
        assert _query(page).get("client") == ["Harbor Trust Bank"]
        page.get_by_test_id("stSidebar").get_by_role("button", name=t("sign_out", "en")).click()
        sign_in(page, "qa", "demo")
        _overview_is_whole(page)
        assert "client" not in _query(page), page.url
    assert not errors, errors


def test_supervisor_logs_a_complaint_with_a_double_click_and_follows_it_up(
    browser, sample_db, tmp_path, request, engine
):
    errors: list[str] = []
    started = dt.datetime.now().replace(microsecond=0)
    with serve_on(request, engine, sample_db, tmp_path) as served:
        page = _signed_in(browser, errors, served.url, "supervisor")
        page.get_by_role("heading", name=t("overview_title", "en")).wait_for()
        open_from_sidebar(page, t("nav_tickets", "en"), "tickets")
        _choose(page, t("client", "en"), "Harbor Trust Bank")
        _choose(page, t("f_type", "en"), t("choice_complaint", "en"))
        agent_box = page.get_by_test_id("stSelectbox").filter(
            has=page.get_by_text(t("f_agent", "en"), exact=True)
        )
        agent_box.first.click()
        page.get_by_role("option").first.click()
        page.get_by_test_id("stFormSubmitButton").get_by_role("button", name=t("save", "en")).dblclick()
        saved = page.get_by_test_id("stAlertContentSuccess")
        saved.wait_for()
        ticket_id = re.search(r"F\d{14}[0-9A-F]{8}", saved.inner_text()).group(0)
        page.wait_for_function(QUIET)
        page.wait_for_timeout(1500)  # let a second run, if any, finish before the count below
        screenshot(page, ARTIFACTS / "everyday-ticket-saved.png")

        # The form's link opens the ticket on the follow-up tab, chosen and ready for a step.
        page.get_by_role("button", name=t("entry_open_tickets", "en")).click()
        page.wait_for_url(re.compile(rf"ticket={ticket_id}"))
        page.wait_for_function(QUIET)
        _ticket_chosen(page, ticket_id)
        screenshot(page, ARTIFACTS / "everyday-ticket-follow-up.png")

        # The same ticket found by typing its id, in a fresh page load (still signed in: the cookie).
        page.goto(f"{served.url}/tickets", wait_until="domcontentloaded")
        page.get_by_role("tab", name=t("tickets_follow_up", "en")).click()
        find = page.get_by_label(t("fu_find", "en"))
        find.fill(ticket_id.lower())
        find.press("Enter")
        _ticket_chosen(page, ticket_id)
        assert page.locator('[data-testid="stException"]').count() == 0
    assert not errors, errors

    # After the server has let the file go: the double click saved one ticket, logged once.
    wh = Warehouse(served.db, read_only=True)
    try:
        assert wh.scalar("SELECT count(*) FROM tickets WHERE ticket_id = ?", [ticket_id]) == 1
        forms_today = wh.rows(
            "SELECT at_time, rows, imported, duplicates, rejected FROM import_log WHERE kind = 'tickets' "
            "AND file_name = 'form' AND actor = 'supervisor' AND at_time >= ?",
            [started],
        )
        assert len(forms_today) == 1, forms_today
    finally:
        wh.close()


def test_a_client_account_reads_its_own_contract_on_the_card(browser, sample_db, tmp_path):
    wh = Warehouse(sample_db, read_only=True)
    try:
        client = wh.scalar("SELECT value FROM user_scopes WHERE username = 'client' AND kind = 'client'")
        target = load_policy(wh)[1].target("csat_pct", client=client)
        company = load_policy(wh)[1].target("csat_pct")
    finally:
        wh.close()
    assert target != company  # the demo's client has a contract of its own
    errors: list[str] = []
    with serve(sample_db, tmp_path) as served:
        page = _signed_in(browser, errors, served.url, "client")
        page.get_by_role("heading", name=t("overview_title", "en")).wait_for()
        page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
        # Every card drawn (no placeholder left), then the CSAT card: its own contract's target.
        page.wait_for_function(CARDS_DRAWN, timeout=PAGE_TIMEOUT_MS)
        label = page.get_by_test_id("stMetricLabel").filter(has_text=CATALOG["csat_pct"].short_label("en"))
        card = page.locator("div", has=label).filter(has=page.get_by_test_id("stCaptionContainer")).last
        text = card.inner_text()
        assert f"{t('target', 'en')} {100 * target:.1f}%" in text, text
        assert f"{t('target', 'en')} {100 * company:.1f}%" not in text, text
        screenshot(page, ARTIFACTS / "everyday-client-overview.png", SETTLED)
    assert not errors, errors


def test_an_exec_drills_by_a_clients_name_and_downloads_its_teams_in_numbers(browser, sample_db, tmp_path):
    """A click on a client's name (not the row's box) opens that client's teams; their CSV holds
    numbers (counts whole, rates in percent) under headings with their units, in a file named for
    the table, the period and the client."""
    errors: list[str] = []
    with serve(sample_db, tmp_path) as served:
        page = _signed_in(browser, errors, served.url, "exec")
        _overview_is_whole(page)
        query = _query(page)
        page.get_by_role("heading", name=t("drill_client_title", "en")).wait_for()
        grid = page.locator('[data-testid="stDataFrame"]').last
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 90, box["y"] + 35 + 17)  # the name cell of the first data row
        page.get_by_role("heading", name=t("drill_team_title", "en")).wait_for()
        page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
        [client] = _query(page).get("client")

        with page.expect_download() as caught:
            page.get_by_test_id("stDownloadButton").filter(has_text=t("download_csv", "en")).last.click()
        download = caught.value
        assert download.suggested_filename == (
            f"csdata-teams-{query['from'][0]}_{query['to'][0]}-{exports.slug(client)}.csv"
        )
        table = pd.read_csv(download.path(), encoding="utf-8-sig")
        offered = CATALOG["offered"].short_label("en")
        level = f"{CATALOG['service_level'].short_label('en')} (%)"
        assert pd.api.types.is_integer_dtype(table[offered]), table.dtypes
        assert pd.api.types.is_float_dtype(table[level]) and table[level].between(0, 100).all()
        screenshot(page, ARTIFACTS / "everyday-drill-teams.png", SETTLED)
    assert not errors, errors


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_of_the_admin_draws_in_both_languages(browser, sample_db, tmp_path, lang):
    """Each page the admin may open, reached through the navigation, draws without an exception;
    screenshots of all of them for a person to look at (test-artifacts/page-*-LANG.png)."""
    errors: list[str] = []
    with serve(sample_db, tmp_path) as served:
        page = _signed_in(browser, errors, served.url, "admin")
        page.get_by_role("heading", name=t("overview_title", "en")).wait_for()
        if lang == "zh":
            page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
            page.get_by_role("heading", name=t("overview_title", "zh")).wait_for()
        for key, title in ((k, p.title) for k, p in PAGES.items()):
            if key != "overview":  # (a page's own title may differ from its name in the navigation)
                page.get_by_test_id("stSidebarNav").get_by_role(
                    "link", name=t(title, lang), exact=True
                ).click()
                page.wait_for_url(re.compile(rf"/{key}(\?.*)?$"))
            page.wait_for_function(QUIET)
            page.wait_for_timeout(500)
            assert page.locator('[data-testid="stException"]').count() == 0, key
            screenshot(page, ARTIFACTS / f"page-{key}-{lang}.png")
    assert not errors, errors
