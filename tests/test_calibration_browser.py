"""QA calibration in a real browser (`served.py`): the demo's QA account opens Quality from the
navigation and finds the Calibration section with the harsh and the lenient auditor flagged. The
screenshot goes to test-artifacts/."""

from __future__ import annotations

import pytest
from served import ARTIFACTS, SETTLED, new_page, open_from_sidebar, screenshot, serve, sign_in

from csdata.demo import sample
from csdata.text.i18n import t

pytestmark = pytest.mark.browser


def test_the_qa_account_sees_the_demos_calibration(sample_db, tmp_path, browser):
    with serve(sample_db, tmp_path) as app:
        errors: list[str] = []
        page = new_page(browser, errors)
        page.goto(app.url)
        sign_in(page, "qa", sample.DEMO_PASSWORD)
        open_from_sidebar(page, t("nav_quality", "en"), "quality")
        heading = page.get_by_role("heading", name=t("calib_title", "en"))
        heading.wait_for()
        heading.scroll_into_view_if_needed()
        page.get_by_text(t("calib_flag_harsh", "en")).first.wait_for()
        screenshot(page, ARTIFACTS / "calibration-quality.png", SETTLED)
        alerts = page.get_by_role("alert").all_inner_texts()
        assert any(sample.HARSH_AUDITOR in a and t("calib_flag_harsh", "en") in a for a in alerts), alerts
        assert any(sample.LENIENT_AUDITOR in a and t("calib_flag_lenient", "en") in a for a in alerts), alerts
        assert not errors
