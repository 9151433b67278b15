"""The Pay page and a recognition in a real browser, moving between pages by the navigation: the
June payroll of `test_payroll`'s warehouse (totals as worked out there), and an award recorded on
the Agent page that then stands beside the person among the People page's top performers.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from conftest import build_tiny
from served import ARTIFACTS, new_page, open_from_sidebar, screenshot, serve, sign_in
from test_payroll import PASSWORD, build

from csdata.access import auth


def choose(page, label: str, option: str) -> None:
    """Pick `option` of the select box labelled `label`, as a person does: open it, type, Enter."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    box.click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")


def test_pay_page_and_a_recognition_in_the_browser(browser, tmp_path):
    source = tmp_path / "source" / "pay.duckdb"
    source.parent.mkdir()
    build(source).close()
    errors: list[str] = []
    with serve(source, tmp_path) as served:
        page = new_page(browser, errors)
        page.goto(served.url)
        sign_in(page, "admin", PASSWORD)
        page.get_by_role("heading", name="Overview").wait_for()

        open_from_sidebar(page, "Pay", "pay")
        choose(page, "Month", "2026-06")
        page.get_by_text("¥25,783.33").wait_for()  # the hand-worked total of June
        page.get_by_text("¥833.33").wait_for()  # seniority
        page.get_by_text("awaiting HR's confirmation").wait_for()  # L1's appraisal
        screenshot(page, ARTIFACTS / "pay-month.png")

    assert not errors, errors


def test_a_recognition_recorded_on_the_agent_page_stands_among_the_top_performers(browser, tmp_path):
    # The tiny warehouse: A1 is the best of 2026-Q1 (see test_recognition).
    source = tmp_path / "source" / "tiny.duckdb"
    source.parent.mkdir()
    wh = build_tiny(source)
    auth.add_user(wh, "test", "hr1", "hr", PASSWORD)
    wh.close()
    errors: list[str] = []
    with serve(source, tmp_path) as served:
        page = new_page(browser, errors)
        page.goto(f"{served.url}/?from=2026-01-01&to=2026-03-31")
        sign_in(page, "hr1", PASSWORD)
        page.get_by_role("heading", name="Overview").wait_for()
        open_from_sidebar(page, "Agent", "agent")
        page.get_by_text("Record a recognition").click()
        page.get_by_label("Award", exact=True).fill("Star of the quarter")
        page.get_by_label("Reason", exact=True).fill("Best CSAT of Q1")
        page.get_by_role("button", name="Save recognition").click()
        page.get_by_text("Recognition 1 recorded.").wait_for()
        screenshot(page, ARTIFACTS / "agent-recognition.png")

        open_from_sidebar(page, "People", "people")
        page.get_by_text("Top performers, 2026-Q1").wait_for()
        page.locator("th", has_text="Awards").first.wait_for(state="attached")
        screenshot(page, ARTIFACTS / "people-awards.png")
    assert not errors, errors
