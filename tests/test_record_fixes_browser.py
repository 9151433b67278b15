"""A QA lead corrects an audit in a real browser (`streamlit run` + Chromium, see `served.py`):
Audits › Correct or void, the audit typed by its id, its accuracy changed with a reason, saved;
the history beside it then shows the correction with who and why, and the warehouse holds the
audit scored again. On a DuckDB file and on PostgreSQL (the demo copied into a new database,
served by `csdata serve`). Screenshots go to test-artifacts/ (fixes-audit-*.png)."""

from __future__ import annotations

import pytest
from served import ARTIFACTS, open_from_sidebar, screenshot, serve_on, signed_in

from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t

pytestmark = pytest.mark.browser

# The default scorecard's weights; score = Σ weight × score ÷ Σ weight (all five scored here).
WEIGHTS = {"attitude": 25, "responsiveness": 20, "accuracy": 30, "communication": 15, "compliance": 10}
QUIET = "() => !document.querySelector('[data-stale=\"true\"]')"


def by_hand(scores: dict[str, float]) -> float:
    return sum(WEIGHTS[c] * s for c, s in scores.items()) / sum(WEIGHTS.values())


def test_qa_corrects_an_audit_and_sees_its_history_beside_it(browser, sample_db, tmp_path, request, engine):
    wh = Warehouse(sample_db, read_only=True)
    try:  # the newest audit without a critical error, every criterion scored
        audit_id, stored = wh.rows(
            "SELECT a.audit_id, a.score FROM audits a JOIN audit_scores s USING (audit_id) "
            "WHERE NOT a.critical_error AND a.source <> 'calibration' GROUP BY a.audit_id, a.score, a.audited_at HAVING count(*) = 5 ORDER BY a.audited_at DESC, 1 LIMIT 1"
        )[0]
        scores = dict(wh.rows("SELECT criterion, score FROM audit_scores WHERE audit_id = ?", [audit_id]))
    finally:
        wh.close()
    assert by_hand(scores) == pytest.approx(stored)  # the weights above are the ones it was scored with
    new_accuracy = 10 if scores["accuracy"] != 10 else 20
    expected = by_hand({**scores, "accuracy": new_accuracy})

    errors: list[str] = []
    with serve_on(request, engine, sample_db, tmp_path) as served:
        page = signed_in(browser, errors, served.url, "qa")
        open_from_sidebar(page, t("nav_audits", "en"), "audits")
        page.get_by_role("tab", name=t("fix_tab", "en")).click()
        find = page.get_by_label(t("fix_by_id", "en"))
        find.fill(audit_id)
        find.press("Enter")
        page.get_by_text(t("fix_history", "en"), exact=True).wait_for()
        page.wait_for_function(QUIET)
        accuracy = page.get_by_role("textbox", name=t("policy_label_accuracy", "en"), exact=True)
        assert accuracy.input_value() == f"{scores['accuracy']:g}"
        screenshot(page, ARTIFACTS / "fixes-audit-chosen.png")

        accuracy.fill(str(new_accuracy))
        page.get_by_label(t("fix_reason", "en")).fill("accuracy misread from the recording")
        page.get_by_role("button", name=t("fix_save", "en")).click()
        page.get_by_test_id("stAlertContentSuccess").wait_for()
        page.wait_for_function(QUIET)
        # The history beside the record: the correction, who made it and why, before → after.
        page.get_by_text("accuracy misread from the recording").wait_for()
        assert page.get_by_text(t("hist_change_update", "en"), exact=True).count() >= 1
        assert page.locator('[data-testid="stException"]').count() == 0
        screenshot(page, ARTIFACTS / "fixes-audit-corrected.png")
    assert not errors, errors

    wh = Warehouse(served.db, read_only=True)
    try:
        assert wh.scalar("SELECT score FROM audits WHERE audit_id = ?", [audit_id]) == pytest.approx(expected)
        assert wh.rows(
            "SELECT actor, change, reason FROM record_changes WHERE record_id = ? AND kind = 'audits'",
            [audit_id],
        ) == [("qa", "update", "accuracy misread from the recording")]
    finally:
        wh.close()
