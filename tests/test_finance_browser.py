"""The Finance page in a real browser, in both languages, over the hand-worked month of
`test_finance` (its figures as worked out there), reached by the navigation as a finance account;
an HR account is offered no such page. Screenshots go to test-artifacts/."""

from __future__ import annotations

from served import ARTIFACTS, new_page, open_from_sidebar, screenshot, serve, sign_in
from test_finance import build_month

from csdata.access import auth
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t

PASSWORD = "finance-test-pass-1"


def test_the_finance_page_in_both_languages(browser, tmp_path):
    source = tmp_path / "source" / "month.duckdb"
    source.parent.mkdir()
    wh = Warehouse(build_month(source))
    auth.add_user(wh, "test", "fin1", "finance", PASSWORD)
    auth.add_user(wh, "test", "hr1", "hr", PASSWORD)
    auth.add_user(wh, "test", "adm1", "admin", PASSWORD)
    wh.close()
    errors: list[str] = []
    with serve(source, tmp_path) as served:
        page = new_page(browser, errors)
        page.goto(served.url)
        sign_in(page, "fin1", PASSWORD)
        page.get_by_role("heading", name="Overview").wait_for()
        open_from_sidebar(page, "Finance", "finance")
        # The default period runs to the last complete day of data, so it holds March 2026.
        page.get_by_text("Alpha 2026-03").wait_for()  # over its budget in the hand-worked month
        page.get_by_test_id("stDataFrame").wait_for()
        screenshot(page, ARTIFACTS / "finance-en.png")

        page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
        page.get_by_role("heading", name=t("nav_finance", "zh")).wait_for()
        page.get_by_text(t("finance_trend_title", "zh")).first.wait_for(state="attached")
        screenshot(page, ARTIFACTS / "finance-zh.png")

        other = new_page(browser, errors)
        other.goto(served.url)
        sign_in(other, "hr1", PASSWORD)
        other.get_by_role("heading", name="Overview").wait_for()
        assert other.get_by_test_id("stSidebarNav").get_by_role("link", name="Finance").count() == 0
        other.goto(f"{served.url}/finance")  # the address typed: the app opens no Finance page
        other.get_by_role("heading", name="Overview").wait_for()
        assert other.get_by_role("heading", name="Finance").count() == 0
        assert other.get_by_text("Alpha 2026-03").count() == 0
        screenshot(other, ARTIFACTS / "finance-hr-refused.png")
        admin = new_page(browser, errors)
        admin.goto(served.url)
        sign_in(admin, "adm1", PASSWORD)
        admin.get_by_role("heading", name="Overview").wait_for()
        open_from_sidebar(admin, "Policy", "policy")
        admin.get_by_text(t("finance_contract_prices", "en")).wait_for()  # the contracts' prices, editable
        admin.get_by_text(t("finance_contract_prices_help", "en")).wait_for()
        ready = "() => document.querySelectorAll('[data-testid=\"stDataFrame\"]').length >= 12"
        screenshot(admin, ARTIFACTS / "finance-policy-prices.png", ready=ready)
    assert not errors, errors
