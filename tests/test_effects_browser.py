"""What worked, in a real browser (`served.py`): the Quality page of the warehouse of
`test_effects.acted` over June to September 2026 shows the effects by kind and finding with their
intervals, and the agent page, reached through the navigation, each of the agent's actions with
its before and after. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from served import ARTIFACTS, SETTLED, new_page, open_from_sidebar, screenshot, serve, sign_in
from test_effects import acted  # noqa: F401  (the fixture)

from csdata.access.auth import add_user
from csdata.text.i18n import t

pytestmark = pytest.mark.browser

PASSWORD = "long enough password"


def test_what_worked_in_the_browser(acted, tmp_path, browser):  # noqa: F811
    add_user(acted, "test", "boss", "admin", PASSWORD)
    path = acted.path
    acted.close()
    with serve(path, tmp_path) as app:
        errors: list[str] = []
        page = new_page(browser, errors)
        page.goto(f"{app.url}/quality?from=2026-06-01&to=2026-09-30")
        sign_in(page, "boss", PASSWORD)
        page.get_by_role("heading", name=t("eff_title", "en")).wait_for()
        page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
        page.get_by_role("heading", name=t("eff_title", "en")).scroll_into_view_if_needed()
        screenshot(page, ARTIFACTS / "effects-quality.png", SETTLED)
        assert page.get_by_text(t("eff_by_kind", "en")).count() == 2  # over its chart and its table
        open_from_sidebar(page, t("nav_agent", "en"), "agent")
        page.get_by_role("heading", name=t("eff_agent_title", "en")).wait_for()
        screenshot(page, ARTIFACTS / "effects-agent.png", SETTLED)
        assert not errors


def test_the_demo_shows_what_worked(sample_db, tmp_path, browser):
    """The demo's default period holds its planted coaching sessions (see README)."""
    from csdata.demo.sample import DEMO_PASSWORD

    with serve(sample_db, tmp_path) as app:
        errors: list[str] = []
        page = new_page(browser, errors)
        page.goto(app.url)
        sign_in(page, "admin", DEMO_PASSWORD)
        open_from_sidebar(page, t("nav_quality", "en"), "quality")
        page.get_by_role("heading", name=t("eff_title", "en")).wait_for()
        screenshot(page, ARTIFACTS / "effects-demo-quality.png", SETTLED)
        assert page.get_by_text(t("eff_by_kind", "en")).count() == 2
        assert not errors
