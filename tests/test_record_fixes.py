"""Correcting and voiding a record by the role that owns it, and undoing a ticket's last step
(`csdata.records.corrections`, `csdata void`, the "Correct or void" part of the pages).

Scores worked by hand from the default scorecard's weights (attitude 25, responsiveness 20,
accuracy 30, communication 15, compliance 10): score = Σ weight × score ÷ Σ weight over the
criteria scored. The tiny warehouse's audits (conftest.AUDITS): AU1 on 2026-03-03 (A1), AU2 on
2026-03-04 (A2), AU3 on 2026-03-15 (B1, critical), AU4 on 2026-04-02.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import build_tiny, private_copy, run_cli, shown, sign_in_as
from streamlit.testing.v1 import AppTest

from csdata.access.auth import load_user
from csdata.access.scope import scope_for
from csdata.analytics import compiler, lookups
from csdata.analytics.compiler import Filters
from csdata.records import corrections, entry, history
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem, t

QA = scope_for("qa")
HR = scope_for("hr")
BETA_SUP = scope_for("supervisor", teams=("Beta-1",))

# AU1: attitude 90, responsiveness 80, accuracy 100, communication 70, compliance 60.
AU1_BEFORE = (25 * 90 + 20 * 80 + 30 * 100 + 15 * 70 + 10 * 60) / 100  # 8500 / 100 = 85.0
# Its accuracy corrected to 40: 2250 + 1600 + 1200 + 1050 + 600 = 6700 / 100 = 67.0
AU1_AFTER = (25 * 90 + 20 * 80 + 30 * 40 + 15 * 70 + 10 * 60) / 100


def changes(wh) -> int:
    return wh.scalar("SELECT count(*) FROM record_changes")


def log_rows(wh) -> int:
    return wh.scalar("SELECT count(*) FROM audit_log")


def qa_on(wh, day: str) -> float | None:
    on = dt.date.fromisoformat(day)
    return compiler.metric_values(wh, ["qa_score"], Filters(on, on))["qa_score"]


# -- corrections through the engine ------------------------------------------------------------


def test_correcting_an_audit_criterion_rescores_it_and_the_qa_score_follows(tiny):
    assert AU1_BEFORE == 85.0 and AU1_AFTER == 67.0
    # AU1 is the only audit of 2026-03-03: that day's QA score is its score.
    assert qa_on(tiny, "2026-03-03") == pytest.approx(AU1_BEFORE)
    after = corrections.correct(tiny, "qa.lead", "audits", "AU1", {"accuracy": 40}, "misheard the call", QA)
    assert after["accuracy"] == 40 and after["score"] == pytest.approx(AU1_AFTER)
    assert (
        tiny.scalar("SELECT score FROM audit_scores WHERE audit_id = 'AU1' AND criterion = 'accuracy'") == 40
    )
    assert qa_on(tiny, "2026-03-03") == pytest.approx(AU1_AFTER)
    [version] = history.versions(tiny, "audits", "AU1")
    assert version["change"] == "update" and version["actor"] == "qa.lead"
    assert version["reason"] == "misheard the call"
    assert version["changes"] == {"accuracy": [100, 40], "score": [AU1_BEFORE, AU1_AFTER]}
    # The audit-log row names the record.
    assert tiny.scalar("SELECT entity FROM audit_log ORDER BY id DESC LIMIT 1") == "audits:AU1"


def test_voiding_an_audit_cancels_its_open_actions_and_keeps_it_in_the_history(tiny):
    with tiny.transaction("test", "fixture") as w:
        w.execute(
            "INSERT INTO corrective_actions (action_id, audit_id, agent_id, kind, status) VALUES "
            "('CA1', 'AU1', 'A1', 'coaching', 'open'), ('CA2', 'AU1', 'A1', 'training', 'done')"
        )
    kept = corrections.void(tiny, "qa.lead", "audits", "AU1", "scored the wrong agent", QA)
    assert kept["cancelled_actions"] == ["CA1"]
    # One audit-log row names the record, keeps it as it was and says why.
    entity, detail = tiny.rows(
        "SELECT entity, CAST(detail AS VARCHAR) FROM audit_log ORDER BY id DESC LIMIT 1"
    )[0]
    detail = json.loads(detail)
    assert entity == "audits:AU1" and detail["reason"] == "scored the wrong agent"
    assert detail["before"]["accuracy"] == 100 and detail["cancelled_actions"] == ["CA1"]
    assert tiny.scalar("SELECT count(*) FROM audits WHERE audit_id = 'AU1'") == 0
    assert tiny.scalar("SELECT count(*) FROM audit_scores WHERE audit_id = 'AU1'") == 0
    # The open action is cancelled with the void's reason as its step; the done one stays done.
    assert tiny.rows("SELECT action_id, status FROM corrective_actions ORDER BY 1") == [
        ("CA1", "cancelled"),
        ("CA2", "done"),
    ]
    assert tiny.rows("SELECT action_id, status, note, actor FROM action_steps") == [
        ("CA1", "cancelled", "scored the wrong agent", "qa.lead")
    ]
    # Out of the metrics (no audit left on 2026-03-03) and of the listings.
    assert qa_on(tiny, "2026-03-03") is None
    assert "AU1" not in corrections.choices(tiny, "audits", QA)
    assert "AU1" not in lookups.audits_of(tiny, "A1")
    [version] = history.versions(tiny, "audits", "AU1")
    assert version["change"] == "void" and version["reason"] == "scored the wrong agent"
    # Its history is QA's to read, and not that of a QA lead for Beta only (AU1 was A1's, of Acme).
    assert corrections.voided_in_scope(tiny, "audits", "AU1", QA)
    assert not corrections.voided_in_scope(tiny, "audits", "AU1", scope_for("qa", clients=("Beta",)))
    assert version["changes"]["accuracy"] == [100, None] and version["changes"]["score"] == [85, None]


def test_a_training_score_is_corrected_and_a_result_voided_by_hr(tiny):
    # N1's first onboarding attempt: 70 → 75.
    corrections.correct(tiny, "hr1", "training", "N1/Onboarding/1", {"score": 75}, "typo", HR)
    assert tiny.scalar("SELECT score FROM training_results WHERE employee_id = 'N1' AND attempt = 1") == 75
    corrections.void(tiny, "hr1", "training", "N1/Onboarding/2", "entered twice", HR)
    assert tiny.column("SELECT attempt FROM training_results WHERE employee_id = 'N1'") == [1]


def test_hr_cannot_correct_or_void_an_appraisal_of_a_closed_period(tiny):
    # While open, A1's quality 85 → 95 re-scores it (tiny policy weights read back from the
    # policy are not needed: only that it changed and was kept).
    corrections.correct(tiny, "hr1", "appraisals", "2026-Q1/A1", {"quality": 95}, "wrong sheet", HR)
    entry.set_period_status(tiny, "hr1", "2026-Q1", "closed", scope=HR)
    before, logged = changes(tiny), log_rows(tiny)
    for attempt in (
        lambda: corrections.correct(tiny, "hr1", "appraisals", "2026-Q1/A1", {"quality": 50}, "again", HR),
        lambda: corrections.void(tiny, "hr1", "appraisals", "2026-Q1/A1", "again", HR),
    ):
        with pytest.raises(Problem) as refused:
            attempt()
        assert refused.value.key == "appr_period_closed"
    assert changes(tiny) == before and log_rows(tiny) == logged
    assert (
        tiny.scalar("SELECT score FROM appraisal_scores WHERE employee_id = 'A1' AND indicator = 'quality'")
        == 95
    )


def test_only_the_owning_role_and_scope_may_correct_or_void(tiny):
    before, logged = changes(tiny), log_rows(tiny)
    for role in ("client", "exec", "finance"):  # roles that write no records
        with pytest.raises(Problem) as refused:
            corrections.void(tiny, role, "tickets", "T4", "x", scope_for(role, clients=("Acme",)))
        assert refused.value.key == "fix_not_yours"
    with pytest.raises(Problem) as refused:  # T4 is Acme-1's ticket
        corrections.void(tiny, "beta.sup", "tickets", "T4", "not ours", BETA_SUP)
    assert refused.value.key == "fix_out_of_scope"
    with pytest.raises(Problem) as refused:  # QA does not own training results
        corrections.correct(tiny, "qa.lead", "training", "N1/Onboarding/1", {"score": 1}, "x", QA)
    assert refused.value.key == "fix_not_yours"
    assert tiny.scalar("SELECT count(*) FROM tickets WHERE ticket_id = 'T4'") == 1
    assert changes(tiny) == before and log_rows(tiny) == logged
    # Their own team's ticket is theirs: T5 is Beta-1's.
    corrections.correct(
        tiny, "beta.sup", "tickets", "T5", {"csat": 2}, "customer's survey came late", BETA_SUP
    )
    assert tiny.scalar("SELECT csat FROM tickets WHERE ticket_id = 'T5'") == 2


def test_a_ticket_correction_leaves_its_workflow_columns_to_the_workflow(tiny):
    corrections.correct(
        tiny, "beta.sup", "tickets", "T5", {"csat": 4, "customer_accepted": True}, "x", BETA_SUP
    )
    assert tiny.rows("SELECT csat, customer_accepted FROM tickets WHERE ticket_id = 'T5'") == [(4, False)]


@pytest.mark.parametrize(
    "call, key",
    [
        (
            lambda wh: corrections.correct(wh, "qa", "audits", "AU1", {"accuracy": 40}, "  ", QA),
            "fix_reason_required",
        ),
        (lambda wh: corrections.void(wh, "qa", "audits", "AU1", None, QA), "fix_reason_required"),
        (lambda wh: corrections.void(wh, "qa", "audits", "NOPE", "why", QA), "hist_unknown_record"),
        (lambda wh: corrections.void(wh, "qa", "people", "AU1", "why", QA), "fix_unknown_kind"),
        (
            lambda wh: corrections.correct(wh, "qa", "audits", "AU1", {"accuracy": 400}, "why", QA),
            "fix_rejected",
        ),
        (
            lambda wh: corrections.correct(wh, "qa", "audits", "AU1", {"accuracy": 100}, "why", QA),
            "fix_nothing_changed",
        ),
        (lambda wh: corrections.undo_step(wh, "s", "T5", "why", BETA_SUP), "undo_nothing"),
        (lambda wh: corrections.undo_step(wh, "s", "T5", "", BETA_SUP), "fix_reason_required"),
    ],
)
def test_bad_input_is_a_clear_message_and_writes_nothing(tiny, call, key):
    before, logged = changes(tiny), log_rows(tiny)
    with pytest.raises(Problem) as refused:
        call(tiny)
    assert refused.value.key == key
    assert refused.value.text("en") and refused.value.text("zh")
    assert changes(tiny) == before and log_rows(tiny) == logged
    assert tiny.scalar("SELECT score FROM audits WHERE audit_id = 'AU1'") == AU1_BEFORE


# -- undoing a workflow step ------------------------------------------------------------------


def acceptance(wh) -> float | None:
    # Beta's complaints of March fed back: T5 (and T6 never fed back).
    filters = Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31), clients=("Beta",))
    return compiler.metric_values(wh, ["complaint_acceptance_rate"], filters)["complaint_acceptance_rate"]


def test_undoing_an_accept_reopens_the_complaint_and_the_acceptance_follows(tiny):
    # T5 was reopened after its first feedback: Beta's acceptance is 0 accepted ÷ 1 fed back = 0.
    assert acceptance(tiny) == 0
    entry.feedback(tiny, "beta.sup", "T5", dt.datetime(2026, 3, 12, 9), BETA_SUP)
    entry.accept(tiny, "beta.sup", "T5", BETA_SUP, at=dt.datetime(2026, 3, 12, 10))
    assert acceptance(tiny) == 1  # 1 accepted ÷ 1 fed back
    assert corrections.undo_step(tiny, "beta.sup", "T5", "clicked the wrong button", BETA_SUP) == "accept"
    assert acceptance(tiny) == 0  # 0 accepted ÷ 1 fed back: round 2 awaits the answer again
    assert tiny.rows("SELECT round, answer FROM complaint_rounds WHERE ticket_id = 'T5' ORDER BY round") == [
        (1, "reopened"),
        (2, None),
    ]
    assert lookups.ticket(tiny, "T5")["customer_accepted"] is None
    # The complaint is open again: the customer may now reopen it (or accept) as usual.
    entry.reopen(tiny, "beta.sup", "T5", BETA_SUP, at=dt.datetime(2026, 3, 12, 11))
    assert tiny.rows("SELECT round, answer FROM complaint_rounds WHERE ticket_id = 'T5' ORDER BY round") == [
        (1, "reopened"),
        (2, "reopened"),
    ]
    # The undo is in the trail, with the ticket before and after, and logged naming the ticket.
    [undo] = [v for v in history.versions(tiny, "tickets", "T5") if v["reason"] == "clicked the wrong button"]
    assert undo["changes"]["customer_accepted"] == [True, None]
    entity, detail = tiny.rows(
        "SELECT entity, CAST(detail AS VARCHAR) FROM audit_log WHERE action = 'ticket.undo'"
    )[0]
    assert entity == "tickets:T5"
    detail = json.loads(detail)
    assert detail["step"] == "accept" and detail["reason"] == "clicked the wrong button"
    assert detail["before"] == {"customer_accepted": True} and detail["after"] == {"customer_accepted": None}


def test_undoing_feedback_and_route_puts_back_what_they_found(tiny):
    entry.route(tiny, "beta.sup", "T5", "logistics", dt.datetime(2026, 3, 11, 9), BETA_SUP)
    entry.feedback(tiny, "beta.sup", "T5", dt.datetime(2026, 3, 12, 9), BETA_SUP)
    assert corrections.undo_step(tiny, "beta.sup", "T5", "not yet", BETA_SUP) == "feedback"
    # Back to round 1 only: the summary is round 1's (fed back 30 h after opening, reopened).
    assert tiny.rows(
        "SELECT feedback_at, customer_accepted, reopened FROM tickets WHERE ticket_id = 'T5'"
    ) == [(dt.datetime(2026, 3, 11, 14), False, True)]
    assert corrections.undo_step(tiny, "beta.sup", "T5", "wrong department", BETA_SUP) == "route"
    assert tiny.rows("SELECT department, routed_at FROM tickets WHERE ticket_id = 'T5'") == [
        ("billing", None)
    ]
    # A step shown on a page and undone already is not undone a second time (a double click).
    entry.route(tiny, "beta.sup", "T5", "logistics", dt.datetime(2026, 3, 11, 9), BETA_SUP)
    shown_step = corrections.last_step(tiny, "T5")["id"]
    corrections.undo_step(tiny, "beta.sup", "T5", "again", BETA_SUP, expected=shown_step)
    with pytest.raises(Problem) as refused:
        corrections.undo_step(tiny, "beta.sup", "T5", "again", BETA_SUP, expected=shown_step)
    assert refused.value.key == "undo_nothing"


def test_a_supervisor_cannot_undo_another_teams_step(tiny):
    with pytest.raises(Problem) as refused:
        corrections.undo_step(tiny, "beta.sup", "T4", "x", BETA_SUP)
    assert refused.value.key == "wf_out_of_scope"


# -- the command line ---------------------------------------------------------------------------

AUDIT = {  # a QA lead's audit saved in a form, so its history starts with its creation
    "audit_id": "FX1", "audited_at": "2026-03-21", "agent_id": "A2", "source": "spot_check",
    "attitude": 80, "accuracy": 90, "communication": 100, "compliance": 50,
}  # fmt: skip


def cli(*args: str, actor: str = "qa.lead"):
    return run_cli(*args, env={"LOGNAME": actor, "USER": actor, "CSDATA_LANG": "en"})


def test_csdata_void_takes_an_audit_out_of_kpi_and_history_shows_create_then_void(tmp_path):
    db = tmp_path / "void.duckdb"
    wh = build_tiny(db)
    entry.save(wh, "audits", AUDIT, "qa.lead", scope=QA)
    wh.close()
    kpi = ["kpi", "--db", str(db), "--from", "2026-03-21", "--to", "2026-03-21", "--json"]
    before = json.loads(cli(*kpi, "--metric", "qa_score", "--metric", "audits").stdout)
    # FX1 alone on that day: (25×80 + 30×90 + 15×100 + 10×50) ÷ 80 = 6700 ÷ 80 = 83.75.
    assert before == {"qa_score": pytest.approx(83.75), "audits": 1}
    done = cli("void", "audits", "FX1", "--db", str(db), "--reason", "duplicate of AU2", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["voided"]["score"] == pytest.approx(83.75)
    after = json.loads(cli(*kpi, "--metric", "qa_score", "--metric", "audits").stdout)
    assert after == {"qa_score": None, "audits": 0}
    listed = cli("export", "audits", "--db", str(db), "--out", "-")
    assert listed.returncode == 0, listed.stderr
    assert "FX1" not in listed.stdout and "AU2" in listed.stdout
    versions = json.loads(cli("history", "audits", "FX1", "--db", str(db), "--json").stdout)
    assert [(v["change"], v["actor"]) for v in versions] == [("create", "qa.lead"), ("void", "cli:qa.lead")]
    assert versions[0]["reason"] == t("hist_form", "en")
    assert versions[1]["reason"] == "duplicate of AU2"
    assert versions[1]["changes"]["accuracy"] == [90, None]


@pytest.mark.parametrize(
    "args, message",
    [
        (("void", "audits", "AU1"), t("fix_reason_required", "en")),
        (("void", "audits", "NOPE", "--reason", "x"), "no audits record NOPE"),
        (("void", "people", "AU1", "--reason", "x"), "Unknown record kind people"),
    ],
)
def test_csdata_void_refuses_bad_input_in_one_line_with_exit_2(tmp_path, args, message):
    db = tmp_path / "bad.duckdb"
    build_tiny(db).close()
    done = cli(*args, "--db", str(db))
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    wh = Warehouse(db)
    assert wh.scalar("SELECT count(*) FROM audits WHERE audit_id = 'AU1'") == 1
    assert changes(wh) == 0
    wh.close()


# -- the pages -----------------------------------------------------------------------------------

PAGE_AUDIT = {  # saved into the page's warehouse before the page corrects it
    "audit_id": "FX-PAGE", "audited_at": "2026-03-21", "agent_id": None, "source": "recording",
    "attitude": 90, "responsiveness": 80, "accuracy": 100, "communication": 70, "compliance": 60,
}  # fmt: skip


@pytest.fixture(scope="module")
def page_db(sample_db, tmp_path_factory) -> Path:
    return private_copy(sample_db, tmp_path_factory, "fixes")


@pytest.fixture
def app_wh(page_db, monkeypatch):
    from conftest import point_app_at

    from csdata.ui.core import _open

    point_app_at(monkeypatch, page_db)
    return _open(str(page_db))


def page(name: str, user: str) -> AppTest:
    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=90)
    at.session_state["lang"] = "en"
    sign_in_as(at, user)
    at.run()
    at.switch_page(f"views/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def widget(at: AppTest, kind: str, ending: str):
    return next(x for x in getattr(at, kind) if x.key and x.key.endswith(ending))


def test_qa_corrects_an_audit_on_the_page_with_its_history_beside_it(app_wh):
    agent = lookups.agents(app_wh)["employee_id"].iloc[0]
    entry.save(app_wh, "audits", {**PAGE_AUDIT, "agent_id": agent}, "qa", scope=QA)
    day = dt.date(2026, 3, 21)
    n = app_wh.scalar("SELECT count(*) FROM audits WHERE audited_at = ?", [day])
    qa_before = compiler.metric_values(app_wh, ["qa_score"], Filters(day, day))["qa_score"]
    at = page("audits", "qa")
    at.text_input(key="fx_audits_id").input("FX-PAGE").run()
    assert not at.exception
    # The form holds the stored values; the history beside it its creation.
    assert widget(at, "text_input", "_accuracy").value == "100"
    assert t("hist_change_create", "en") in [shown(m.value) for m in at.markdown][-1] or any(
        t("hist_change_create", "en") in shown(m.value) for m in at.markdown
    )
    widget(at, "text_input", "_accuracy").input("40")
    widget(at, "text_input", "_reason").input("misheard the call")
    save = next(b for b in at.button if b.label == t("fix_save", "en"))
    save.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    # Saved at (25×90 + 20×80 + 30×100 + 15×70 + 10×60) ÷ 100 = 85.0; corrected:
    # (25×90 + 20×80 + 30×40 + 15×70 + 10×60) ÷ 100 = 6700 ÷ 100 = 67.0
    assert app_wh.scalar("SELECT score FROM audits WHERE audit_id = 'FX-PAGE'") == pytest.approx(67.0)
    # The day's QA score (the mean of its n audits) moves by FX-PAGE's change over n: (67 − 85) ÷ n.
    qa_after = compiler.metric_values(app_wh, ["qa_score"], Filters(day, day))["qa_score"]
    assert qa_after == pytest.approx(qa_before + (67.0 - 85.0) / n)
    assert any(
        t("fix_corrected", "en", kind=t("imp_kind_audits", "en"), id="FX-PAGE") in shown(s.value)
        for s in at.success
    )
    assert any(shown(m.value) == "misheard the call" for m in at.caption)
    # A second submission of the same correction (a double click) corrects nothing more.
    widget(at, "text_input", "_accuracy").input("40")
    widget(at, "text_input", "_reason").input("misheard the call")
    next(b for b in at.button if b.label == t("fix_save", "en")).click().run()
    assert (
        app_wh.scalar("SELECT count(*) FROM record_changes WHERE record_id = 'FX-PAGE' AND change = 'update'")
        == 1
    )
    assert not at.exception


def test_qa_voids_an_audit_on_the_page_after_confirming(app_wh):
    agent = lookups.agents(app_wh)["employee_id"].iloc[0]
    entry.save(app_wh, "audits", {**PAGE_AUDIT, "audit_id": "FX-VOID", "agent_id": agent}, "qa", scope=QA)
    at = page("audits", "qa")
    at.text_input(key="fx_audits_id").input("FX-VOID").run()
    next(b for b in at.button if b.label == t("fix_void", "en")).click().run()
    assert any(t("fix_reason_required", "en") in shown(e.value) for e in at.error)
    widget(at, "text_input", "_reason").input("wrong recording")
    next(b for b in at.button if b.label == t("fix_void", "en")).click().run()
    assert app_wh.scalar("SELECT count(*) FROM audits WHERE audit_id = 'FX-VOID'") == 1  # not yet: it asks
    assert at.warning and t("fix_void_yes", "en") in [b.label for b in at.button]
    next(b for b in at.button if b.label == t("fix_void_yes", "en")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert app_wh.scalar("SELECT count(*) FROM audits WHERE audit_id = 'FX-VOID'") == 0
    assert (
        app_wh.scalar("SELECT count(*) FROM record_changes WHERE record_id = 'FX-VOID' AND change = 'void'")
        == 1
    )


def test_the_supervisor_undoes_an_accept_on_the_follow_up(app_wh):
    teams = app_wh.column("SELECT value FROM user_scopes WHERE username = 'supervisor' AND kind = 'team'")
    sup = scope_for("supervisor", teams=tuple(teams))
    # A complaint of theirs reopened by the customer: fed back again, then (by mistake) accepted.
    waiting = lookups.follow_ups(app_wh, sup, which="awaiting_feedback")
    ticket_id = waiting[waiting["customer_accepted"].eq(False)]["ticket_id"].iloc[0]
    entry.feedback(app_wh, "supervisor", ticket_id, dt.datetime.now().replace(microsecond=0), sup)
    entry.accept(app_wh, "supervisor", ticket_id, sup)
    at = page("tickets", "supervisor")
    at.text_input(key="fu_find").input(ticket_id).run()
    widget(at, "text_input", f"fu_undo_reason_{corrections.last_step(app_wh, ticket_id)['id']}").input(
        "customer called back: not accepted"
    )
    next(b for b in at.button if b.label == t("undo_button", "en")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert lookups.ticket(app_wh, ticket_id)["customer_accepted"] is None
    assert lookups.last_round(app_wh, ticket_id)["answer"] is None


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "name, user, kind",
    [("audits", "qa", "audits"), ("training", "hr", "training"), ("appraisals", "hr", "appraisals"),
     ("tickets", "supervisor", "tickets")],
)  # fmt: skip
def test_each_page_draws_the_newest_record_of_its_scope_with_its_form_and_history(
    app_wh, name, user, kind, lang
):
    if kind == "appraisals" and not corrections.choices(app_wh, kind, HR):
        # The demo's periods are all closed: HR reopens the latest (as it would, with a reason).
        latest = app_wh.scalar("SELECT max(period) FROM appraisals")
        entry.set_period_status(app_wh, "hr", latest, "open", "a late correction", scope=HR)
    at = page(name, user)
    at.session_state["lang"] = lang
    at.run()
    newest = next(iter(corrections.choices(app_wh, kind, load_user(app_wh, user).scope)))
    at.selectbox(key=f"fx_{kind}_pick").set_value(newest).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, [w.value for w in at.warning]  # in scope, an open period
    assert any(b.label == t("fix_save", lang) for b in at.button)
    assert any(shown(m.value) == f"**{t('fix_history', lang)}**" or t("fix_history", lang) in shown(m.value)
               for m in at.markdown)  # fmt: skip


def test_hr_is_told_on_the_page_that_an_appraisal_of_a_closed_period_is_locked(app_wh):
    closed = app_wh.scalar(
        "SELECT a.period || '/' || a.employee_id FROM appraisals a JOIN appraisal_periods p USING (period)"
        " WHERE p.status = 'closed' ORDER BY 1 LIMIT 1"
    )
    assert closed not in corrections.choices(app_wh, "appraisals", HR)  # not offered
    at = page("appraisals", "hr")
    at.text_input(key="fx_appraisals_id").input(closed).run()
    assert not at.exception
    period = closed.split("/")[0]
    assert [shown(w.value) for w in at.warning] == [t("appr_period_closed", "en", period=period)]
    assert t("fix_save", "en") not in [b.label for b in at.button]
