"""The data-entry forms through AppTest, and the engine behind them (`csdata.records.entry`).

Each form saves a valid record and refuses an invalid one with the field's message; the ticket
workflow refuses impossible steps; the live QA score is the hand-computed one; the appraisal
proposals equal values computed here, independently, with pandas over the exported tables.
Saved rows are read back through the app's own cached warehouse.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import ROOT, shown, sign_in_as
from streamlit.testing.v1 import AppTest

from csdata.access.auth import load_user
from csdata.analytics import lookups
from csdata.records import entry
from csdata.text.i18n import Problem, t

APP = ROOT / "app.py"


def page(name: str, user: str, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state["lang"] = lang
    sign_in_as(at, user)
    at.run()
    at.switch_page(f"views/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]


def clean(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def w(at: AppTest, kind: str, key: str):
    """The form widget `key` of any generation (a saved form draws its widgets under new keys)."""
    [found] = [x for x in getattr(at, kind) if x.key and x.key.split("~")[0] == key]
    return found


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


# -- every page runs in both languages, titled as the navigation says ------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "name,user", [("tickets", "supervisor"), ("audits", "qa"), ("training", "hr"), ("appraisals", "hr")]
)
def test_pages_run(app_wh, name, user, lang):
    at = page(name, user, lang)
    assert at.title[0].value == t(f"nav_{name}", lang)


# -- tickets -------------------------------------------------------------------------------------


def _supervisor(app_wh):
    return load_user(app_wh, "supervisor")


def test_supervisor_picks_only_agents_of_their_teams(app_wh):
    sup = _supervisor(app_wh)
    at = page("tickets", "supervisor")
    offered = set(at.selectbox(key="tk_agent").options)
    teams = dict(app_wh.rows("SELECT employee_id, team FROM employees WHERE position = 'agent'"))
    mine = {e for e, team in teams.items() if team in sup.teams}
    assert offered and {o.split(" · ")[0] for o in offered} <= mine
    assert set(at.selectbox(key="tk_client").options) == set(lookups.clients(app_wh, sup.scope))
    # The engine refuses an agent of another team even when asked directly.
    other = next(e for e, team in teams.items() if team not in sup.teams)
    with pytest.raises(Problem) as refused:
        entry.save_ticket(
            app_wh,
            "supervisor",
            sup.scope,
            {
                "client": "Harbor Trust Bank",
                "channel": "phone",
                "type": "complaint",
                "agent_id": other,
                "opened_at": dt.datetime(2026, 10, 1, 9),
            },
        )
    assert refused.value.key == "entry_agent_out_of_scope"


def _fill_ticket(at: AppTest, app_wh, ticket_id: str, kind: str = "complaint") -> AppTest:
    sup = _supervisor(app_wh)
    agent = lookups.agents(app_wh, sup.scope)["employee_id"].iloc[0]
    w(at, "text_input", "tk_id").input(ticket_id)
    w(at, "selectbox", "tk_client").set_value("Harbor Trust Bank")
    w(at, "selectbox", "tk_type").set_value(kind)
    w(at, "selectbox", "tk_agent").set_value(agent)
    w(at, "datetime_input", "tk_opened").set_value(dt.datetime(2026, 10, 20, 9, 30))
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ticket_form_refuses_a_response_before_opening(app_wh, lang):
    at = _fill_ticket(page("tickets", "supervisor", lang), app_wh, f"FORM-BAD-{lang}")
    at.datetime_input(key="tk_first").set_value(dt.datetime(2026, 10, 20, 9, 0))
    clean(at.button(key="tk_save").click().run())
    # The reason shows the opening time it was compared with (09:30, set by _fill_ticket).
    opened = "2026-10-20 09:30:00"
    assert t("rule_before_opened", lang, field="first_response_at", against=opened) in errors(at)
    assert not app_wh.scalar("SELECT count(*) FROM tickets WHERE ticket_id = ?", [f"FORM-BAD-{lang}"])


def test_ticket_form_puts_an_unanswered_ticket_in_one_of_the_supervisors_queues(app_wh):
    sup = _supervisor(app_wh)
    at = page("tickets", "supervisor")
    assert sorted(at.selectbox(key="tk_team").options) == sorted(sup.teams)
    at.selectbox(key="tk_client").set_value("Harbor Trust Bank")
    at.datetime_input(key="tk_opened").set_value(dt.datetime(2026, 10, 21, 9, 30))
    # No agent and no team: Harbor has two teams, so the queue cannot be told.
    at.text_input(key="tk_id").input("FORM-Q0")
    clean(at.button(key="tk_save").click().run())
    assert t("imp_team_needed", "en") in errors(at)
    team = sorted(sup.teams)[-1]
    at.text_input(key="tk_id").input("FORM-Q1")
    at.selectbox(key="tk_team").set_value(team)
    clean(at.button(key="tk_save").click().run())
    assert not errors(at)
    saved = app_wh.rows(
        "SELECT ticket_id, agent_id, team, first_response_at FROM tickets WHERE ticket_id LIKE 'FORM-Q%'"
    )
    assert saved == [("FORM-Q1", None, team, None)]


def test_ticket_form_saves_and_the_workflow_runs(app_wh):
    at = _fill_ticket(page("tickets", "supervisor"), app_wh, "FORM-T1")
    at.datetime_input(key="tk_first").set_value(dt.datetime(2026, 10, 20, 9, 31))
    clean(at.button(key="tk_save").click().run())
    assert not errors(at)
    assert shown(at.success[0].value) == t("entry_ticket_saved", "en", id="FORM-T1")
    row = app_wh.rows("SELECT client, type, channel FROM tickets WHERE ticket_id = 'FORM-T1'")
    assert row == [("Harbor Trust Bank", "complaint", "phone")]
    assert app_wh.scalar("SELECT count(*) FROM import_log WHERE file_name = 'form' AND kind = 'tickets'") >= 1

    scope = _supervisor(app_wh).scope
    opened = dt.datetime(2026, 10, 20, 9, 30)

    def refused(step, *args) -> str:
        with pytest.raises(Problem) as exc:
            step(app_wh, "supervisor", "FORM-T1", *args, scope=scope)
        return exc.value.key

    assert refused(entry.feedback, opened + dt.timedelta(hours=1)) == "wf_feedback_before_route"
    assert refused(entry.accept) == "wf_answer_before_feedback"
    assert refused(entry.route, "billing", opened - dt.timedelta(minutes=1)) == "wf_time_before"
    assert refused(entry.callback_done, opened) == "wf_no_callback"
    assert refused(entry.adopt_suggestion, True, 10.0) == "wf_suggestion_only"
    entry.route(app_wh, "supervisor", "FORM-T1", "billing", opened + dt.timedelta(minutes=5), scope)
    assert refused(entry.feedback, opened + dt.timedelta(minutes=1)) == "wf_time_before"
    entry.feedback(app_wh, "supervisor", "FORM-T1", opened + dt.timedelta(hours=3), scope)
    entry.reopen(app_wh, "supervisor", "FORM-T1", scope)
    assert refused(entry.accept) == "wf_already_answered"
    entry.feedback(app_wh, "supervisor", "FORM-T1", opened + dt.timedelta(hours=6), scope)
    entry.accept(app_wh, "supervisor", "FORM-T1", scope)
    got = app_wh.rows(
        "SELECT department, routed_at, feedback_at, customer_accepted, reopened FROM tickets "
        "WHERE ticket_id = 'FORM-T1'"
    )[0]
    assert got == ("billing", opened + dt.timedelta(minutes=5), opened + dt.timedelta(hours=6), True, True)
    actions = app_wh.column("SELECT action FROM audit_log WHERE entity = 'FORM-T1' ORDER BY id")
    assert actions == ["ticket.route", "ticket.feedback", "ticket.reopen", "ticket.feedback", "ticket.accept"]
    assert refused(entry.route, "billing", opened + dt.timedelta(days=1)) == "wf_closed"

    # Outside the supervisor's teams: refused, whatever the step.
    foreign = app_wh.scalar(
        "SELECT ticket_id FROM tickets WHERE type = 'complaint' AND NOT list_contains(?, team) LIMIT 1",
        [list(scope.teams)],
    )
    with pytest.raises(Problem) as exc:
        entry.accept(app_wh, "supervisor", foreign, scope)
    assert exc.value.key == "wf_out_of_scope"


def test_callback_and_suggestion_steps(app_wh):
    ticket, opened = app_wh.rows(
        "SELECT ticket_id, opened_at FROM tickets WHERE callback_promised_at IS NOT NULL "
        "AND callback_done_at IS NULL LIMIT 1"
    )[0]
    entry.callback_done(app_wh, "admin", ticket, opened + dt.timedelta(hours=2))
    with pytest.raises(Problem) as exc:
        entry.callback_done(app_wh, "admin", ticket, opened + dt.timedelta(hours=3))
    assert exc.value.key == "wf_callback_done_already"

    suggestion = app_wh.scalar(
        "SELECT ticket_id FROM tickets WHERE type = 'suggestion' AND department IS NOT NULL LIMIT 1"
    )
    with pytest.raises(Problem) as exc:
        entry.adopt_suggestion(app_wh, "admin", suggestion, False, 50.0)
    assert exc.value.key == "wf_reward_needs_adoption"
    entry.adopt_suggestion(app_wh, "admin", suggestion, True, 50.0)
    assert app_wh.rows(
        "SELECT suggestion_adopted, CAST(reward_amount AS DOUBLE) FROM tickets WHERE ticket_id = ?",
        [suggestion],
    ) == [(True, 50.0)]


def test_follow_up_in_the_page(app_wh):
    at = page("tickets", "supervisor")
    listed = at.selectbox(key="fu_ticket").options
    assert listed
    scope = _supervisor(app_wh).scope
    complaint = app_wh.scalar(
        "SELECT ticket_id FROM tickets "
        "WHERE type = 'complaint' AND feedback_at IS NULL AND list_contains(?, team) LIMIT 1",
        [list(scope.teams)],
    )
    assert complaint in listed
    clean(at.selectbox(key="fu_ticket").set_value(complaint).run())
    clean(at.radio(key="fu_action").set_value("accept").run())
    clean(at.button(key="fu_apply").click().run())
    assert t("wf_answer_before_feedback", "en") in errors(at)


# -- QA audits -----------------------------------------------------------------------------------


def _score_audit(at: AppTest, agent: str) -> AppTest:
    w(at, "selectbox", "qa_agent").set_value(agent)
    w(at, "date_input", "qa_date").set_value(dt.date(2026, 10, 15))
    w(at, "number_input", "qa_score_attitude").set_value(90)
    w(at, "checkbox", "qa_na_responsiveness").check()
    w(at, "number_input", "qa_score_accuracy").set_value(80)
    w(at, "number_input", "qa_score_communication").set_value(70)
    w(at, "number_input", "qa_score_compliance").set_value(100)
    return clean(at.run())


def test_audit_live_score_and_save_with_action(app_wh):
    agent = lookups.agents(app_wh)["employee_id"].iloc[3]
    at = _score_audit(page("audits", "qa"), agent)
    # Hand-computed on the default scorecard, responsiveness not applicable:
    # (25×90 + 30×80 + 15×70 + 10×100) ÷ (25 + 30 + 15 + 10) = 6700 ÷ 80 = 83.75, below 85.
    assert metric(at, t("qa_live_score", "en")) == "83.8"
    assert metric(at, t("qa_result", "en")) == t("qa_fail", "en")
    at.selectbox(key="qa_critical").set_value("privacy_breach")
    clean(at.run())
    assert metric(at, t("qa_live_score", "en")) == "0.0"
    at.selectbox(key="qa_critical").set_value(None)
    at.text_input(key="qa_id").input("FORM-AU1")
    at.text_input(key="qa_finding").input("accuracy")
    at.toggle(key="qa_add_action").set_value(True)
    clean(at.run())
    owner = at.selectbox(key="qa_action_owner").options[0].split(" · ")[0]
    at.selectbox(key="qa_action_kind").set_value("coaching")
    at.selectbox(key="qa_action_owner").set_value(owner)
    at.date_input(key="qa_action_due").set_value(dt.date(2026, 10, 29))
    clean(at.button(key="qa_save").click().run())
    assert not errors(at), errors(at)
    assert app_wh.rows("SELECT agent_id, score, critical_error FROM audits WHERE audit_id = 'FORM-AU1'") == [
        (agent, pytest.approx(83.75), False)
    ]
    assert app_wh.scalar("SELECT count(*) FROM audit_scores WHERE audit_id = 'FORM-AU1'") == 4
    assert app_wh.rows(
        "SELECT agent_id, kind, owner_id, due_on, status FROM corrective_actions WHERE audit_id = 'FORM-AU1'"
    ) == [(agent, "coaching", owner, dt.date(2026, 10, 29), "open")]
    # One transaction: the import's audit-log row names the action it wrote.
    detail = json.loads(
        app_wh.scalar("SELECT detail FROM audit_log WHERE action = 'import.audits' ORDER BY id DESC LIMIT 1")
    )
    assert detail["corrective_action"].startswith("CA") and detail["imported"] == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_audit_refuses_a_blank_criterion(app_wh, lang):
    at = page("audits", "qa", lang)
    at.selectbox(key="qa_agent").set_value(lookups.agents(app_wh)["employee_id"].iloc[0])
    at.number_input(key="qa_score_attitude").set_value(90)
    before = app_wh.scalar("SELECT count(*) FROM audits")
    clean(at.button(key="qa_save").click().run())
    assert t("qa_score_or_na", lang) in errors(at)
    assert app_wh.scalar("SELECT count(*) FROM audits") == before


def test_audit_action_is_rolled_back_with_a_refused_audit(app_wh):
    agent = lookups.agents(app_wh)["employee_id"].iloc[0]
    action = entry.CorrectiveAction(kind="training", due_on=dt.date(2026, 12, 1))
    before = app_wh.scalar("SELECT count(*) FROM corrective_actions")
    report = entry.save_audit(
        app_wh,
        "qa",
        {"audited_at": dt.date(2026, 11, 1), "agent_id": "NOBODY", "source": "recording", "attitude": 90},
        action,
    )
    assert [r.column for r in report.rejects] == ["agent_id"] and not report.imported
    assert app_wh.scalar("SELECT count(*) FROM corrective_actions") == before
    report = entry.save_audit(
        app_wh,
        "qa",
        {"audited_at": dt.date(2026, 11, 1), "agent_id": agent, "source": "recording", "attitude": 90},
    )
    assert report.imported == 1 and report.rejects == []


# -- training ------------------------------------------------------------------------------------


def test_training_next_attempt_pass_mark_and_save(app_wh):
    employee, course, attempt = app_wh.rows(
        "SELECT employee_id, course, max(attempt) FROM training_results r WHERE kind = 'onboarding' "
        "AND employee_id IN (SELECT employee_id FROM employees WHERE status = 'active') GROUP BY ALL LIMIT 1"
    )[0]
    at = page("training", "hr")
    at.selectbox(key="tr_employee").set_value(employee)
    at.selectbox(key="tr_course").set_value(course)
    clean(at.run())
    assert at.number_input(key=f"tr_attempt_{employee}_{course}").value == attempt + 1
    mark = app_wh.scalar("SELECT pass_mark FROM courses WHERE course = ?", [course])
    at.number_input(key="tr_score").set_value(mark - 1)
    at.number_input(key="tr_hours").set_value(4)
    clean(at.run())
    assert any(t("qa_fail", "en") in m.value for m in at.markdown)
    clean(at.button(key="tr_save").click().run())
    assert not errors(at), errors(at)
    assert app_wh.rows(
        "SELECT score, hours FROM training_results WHERE employee_id = ? AND course = ? AND attempt = ?",
        [employee, course, attempt + 1],
    ) == [(mark - 1, 4.0)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_training_refuses_an_attempt_already_recorded(app_wh, lang):
    employee, course = app_wh.rows(
        "SELECT employee_id, course FROM training_results WHERE attempt = 1 LIMIT 1"
    )[0]
    at = page("training", "hr", lang)
    at.selectbox(key="tr_employee").set_value(employee)
    at.selectbox(key="tr_course").set_value(course)
    clean(at.run())
    at.number_input(key=f"tr_attempt_{employee}_{course}").set_value(1)
    clean(at.button(key="tr_save").click().run())
    assert t("entry_exists", lang) in errors(at)


def test_training_needs_an_employee(app_wh):
    at = page("training", "hr")
    at.selectbox(key="tr_course").set_value(lookups.courses(app_wh)["course"].iloc[0])
    clean(at.button(key="tr_save").click().run())
    assert "is required" in errors(at)


# -- appraisals ----------------------------------------------------------------------------------


def _independent_proposal(app_wh, period: str, employee: str) -> dict[str, float]:
    """From whole tables, in pandas: not through the query layer."""
    start, end = app_wh.rows("SELECT starts_on, ends_on FROM appraisal_periods WHERE period = ?", [period])[0]
    tickets = app_wh.df("SELECT * FROM tickets")
    audits = app_wh.df("SELECT * FROM audits WHERE source <> 'calibration'")  # they measure auditors
    people = app_wh.df("SELECT employee_id, team FROM employees")
    day = tickets["opened_at"].dt.date
    in_period = tickets[(day >= start) & (day <= end)]
    mine = in_period[in_period["agent_id"] == employee]
    rated = mine["csat"].dropna()
    answered = in_period[in_period["first_response_at"].notna()]
    aht = answered.groupby("agent_id")["handle_seconds"].mean().dropna()
    team = people.set_index("employee_id")["team"][employee]
    mates = set(people.loc[people["team"] == team, "employee_id"])
    median = aht[aht.index.isin(mates)].median()
    qa = audits[(audits["audited_at"].dt.date >= start) & (audits["audited_at"].dt.date <= end)]
    return {
        "satisfaction": 100 * (rated >= 4).sum() / len(rated),
        "quality": qa.loc[qa["agent_id"] == employee, "score"].mean(),
        "efficiency": min(100.0, 100 * median / aht[employee]),
    }


def _unappraised(app_wh) -> tuple[str, str]:
    return app_wh.rows(
        "SELECT p.period, e.employee_id FROM appraisal_periods p, employees e "
        "WHERE e.position = 'agent' AND e.status = 'active' AND p.status = 'open' "
        "AND NOT EXISTS (SELECT 1 FROM appraisals a WHERE a.period = p.period AND a.employee_id = e.employee_id) "
        "AND EXISTS (SELECT 1 FROM tickets t WHERE t.agent_id = e.employee_id AND t.opened_at >= p.starts_on "
        "AND t.csat IS NOT NULL) ORDER BY e.employee_id LIMIT 1"
    )[0]


def test_appraisal_proposals_match_an_independent_computation(app_wh):
    period, employee = _unappraised(app_wh)
    proposal = entry.propose(app_wh, period, employee)
    expected = _independent_proposal(app_wh, period, employee)
    for key, value in expected.items():
        assert getattr(proposal, key) == pytest.approx(value), key


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_appraisal_needs_a_reason_for_a_change_then_confirms(app_wh, lang):
    period, employee = _unappraised(app_wh)
    proposal = entry.propose(app_wh, period, employee)
    at = page("appraisals", "hr", lang)
    at.selectbox(key="ap_period").set_value(period)
    at.selectbox(key="ap_employee").set_value(employee)
    clean(at.run())
    assert at.number_input(key=f"ap_quality_{period}_{employee}").value == round(proposal.quality, 1)
    at.number_input(key=f"ap_teamwork_{period}_{employee}").set_value(90)
    at.number_input(key=f"ap_satisfaction_{period}_{employee}").set_value(99)
    clean(at.run())
    values = {**{k: round(v, 1) for k, v in proposal.values().items()}, "satisfaction": 99, "teamwork": 90}
    pol = entry.policy_on(
        app_wh, app_wh.scalar("SELECT ends_on FROM appraisal_periods WHERE period = ?", [period])
    )
    outcome = entry.outcome(app_wh, pol, employee, values)
    assert metric(at, t("ap_score", lang)) == f"{outcome.score:.1f}"
    assert metric(at, t("ap_grade", lang)) == outcome.grade
    base = app_wh.scalar(
        "SELECT CAST(g.performance_base AS DOUBLE) FROM employees e JOIN pay_grades g USING (grade) "
        "WHERE employee_id = ?",
        [employee],
    )
    band = next(b for b in pol.appraisal.bands if outcome.score >= b.min_score)
    assert metric(at, t("performance_pay_label", lang)) == f"¥{base * band.coefficient:,.0f}"
    clean(at.button(key="ap_confirm").click().run())
    assert t("entry_reason_required", lang) in errors(at)
    if lang == "zh":
        return
    at.text_input(key=f"ap_reason_{period}_{employee}").input("many complaints resolved after survey")
    clean(at.button(key="ap_confirm").click().run())
    assert not errors(at), errors(at)
    row = app_wh.rows(
        "SELECT score, grade, confirmed_by, confirmed_at IS NOT NULL, comment FROM appraisals "
        "WHERE period = ? AND employee_id = ?",
        [period, employee],
    )[0]
    assert row[:4] == (pytest.approx(outcome.score), outcome.grade, "hr", True)
    assert "many complaints resolved" in row[4]
    scores = dict(
        app_wh.rows(
            "SELECT indicator, score FROM appraisal_scores WHERE period = ? AND employee_id = ?",
            [period, employee],
        )
    )
    assert scores["satisfaction"] == 99 and scores["teamwork"] == 90


# -- a save happens once, says what it saved, and clears the form ------------------------------


def _page_links(at: AppTest) -> list:
    return list(at.page_link)


def test_ticket_saved_twice_is_one_ticket_with_a_link_to_follow_it_up(app_wh):
    at = _fill_ticket(page("tickets", "supervisor"), app_wh, "")
    before = app_wh.scalar("SELECT count(*) FROM tickets")
    clean(w(at, "button", "tk_save").click().run())
    saved = app_wh.column("SELECT ticket_id FROM tickets ORDER BY rowid DESC LIMIT 1")[0]
    assert app_wh.scalar("SELECT count(*) FROM tickets") == before + 1
    assert saved.startswith("F")
    assert shown(at.success[0].value) == t("entry_ticket_saved", "en", id=saved)
    # The page on screen takes the ticket into its address (a link to itself would not navigate).
    clean(at.button(key="_open_ticket").click().run())
    assert at.query_params["ticket"] in (saved, [saved])
    assert at.selectbox(key="fu_ticket").value == saved
    assert (
        w(at, "text_input", "tk_id").value == "" and w(at, "selectbox", "tk_agent").value is None
    )  # cleared
    # The same values a second time (a second click that raced the first): nothing more is saved.
    at = _fill_ticket(at, app_wh, "")
    clean(w(at, "button", "tk_save").click().run())
    assert app_wh.scalar("SELECT count(*) FROM tickets") == before + 1
    assert shown(at.info[0].value) == t("entry_already_saved", "en", id=saved)


def test_audit_saved_twice_is_one_audit_and_the_form_fills_in_auditor_and_client(app_wh):
    qa_employee = app_wh.scalar("SELECT employee_id FROM users WHERE username = 'qa'")
    assert app_wh.scalar("SELECT position FROM employees WHERE employee_id = ?", [qa_employee]) == "qa"
    agent, client = app_wh.rows(
        "SELECT employee_id, client FROM employees WHERE position = 'agent' AND status = 'active' "
        "AND client IS NOT NULL ORDER BY employee_id DESC LIMIT 1"
    )[0]
    at = page("audits", "qa")
    assert w(at, "selectbox", "qa_auditor").value == qa_employee
    at = _score_audit(at, agent)
    assert w(at, "selectbox", "qa_client").value == client
    before = app_wh.scalar("SELECT count(*) FROM audits WHERE agent_id = ?", [agent])
    clean(w(at, "button", "qa_save").click().run())
    assert not errors(at), errors(at)
    saved = app_wh.scalar(
        "SELECT audit_id FROM audits WHERE agent_id = ? ORDER BY rowid DESC LIMIT 1", [agent]
    )
    assert shown(at.success[0].value) == t("qa_saved", "en", id=saved, score="83.8")
    link = _page_links(at)[0]
    assert link.proto.page.endswith("agent") and f"agent={agent}" in link.proto.query_string
    assert (
        w(at, "selectbox", "qa_agent").value is None and w(at, "selectbox", "qa_auditor").value == qa_employee
    )
    at = _score_audit(at, agent)
    clean(w(at, "button", "qa_save").click().run())
    assert app_wh.scalar("SELECT count(*) FROM audits WHERE agent_id = ?", [agent]) == before + 1
    assert shown(at.info[0].value) == t("entry_already_saved", "en", id=saved)


def test_training_saved_twice_is_one_attempt(app_wh):
    employee, course = app_wh.rows(
        "SELECT employee_id, course FROM training_results WHERE kind = 'in_service' AND employee_id IN "
        "(SELECT employee_id FROM employees WHERE status = 'active') ORDER BY employee_id DESC LIMIT 1"
    )[0]
    attempts = app_wh.scalar(
        "SELECT count(*) FROM training_results WHERE employee_id = ? AND course = ?", [employee, course]
    )

    def fill(at: AppTest) -> AppTest:
        w(at, "selectbox", "tr_employee").set_value(employee)
        w(at, "selectbox", "tr_course").set_value(course)
        w(at, "number_input", "tr_score").set_value(91)
        w(at, "number_input", "tr_hours").set_value(2)
        return clean(at.run())

    at = fill(page("training", "hr"))
    clean(w(at, "button", "tr_save").click().run())
    assert not errors(at), errors(at)
    assert w(at, "selectbox", "tr_employee").value is None
    at = fill(at)
    clean(w(at, "button", "tr_save").click().run())
    count = app_wh.scalar(
        "SELECT count(*) FROM training_results WHERE employee_id = ? AND course = ?", [employee, course]
    )
    assert count == attempts + 1
    assert at.info and "already" in shown(at.info[0].value).lower()


# -- follow-up: any ticket by its id, and the lists of what is due ------------------------------


def test_a_ticket_just_logged_is_found_by_its_id_and_by_a_colleagues_link(app_wh):
    at = _fill_ticket(page("tickets", "supervisor"), app_wh, "")
    clean(at.button(key="tk_save").click().run())
    saved = app_wh.column("SELECT ticket_id FROM tickets ORDER BY rowid DESC LIMIT 1")[0]
    # Typed (in lower case, with spaces) into the find box of the follow-up tab.
    at.text_input(key="fu_find").input(f"  {saved.lower()} ")
    clean(at.run())
    assert at.selectbox(key="fu_ticket").value == saved
    assert t("fu_accept", "en") in at.radio(key="fu_action").options
    # A colleague's link opens on it in a new session.
    linked = AppTest.from_file(str(APP), default_timeout=90)
    sign_in_as(linked, "supervisor")
    linked.query_params["ticket"] = saved
    linked.run()
    linked.switch_page("views/tickets.py").run()
    clean(linked)
    assert linked.selectbox(key="fu_ticket").value == saved
    # A ticket outside the supervisor's teams is not found, and the page says so.
    foreign = app_wh.scalar(
        "SELECT t.ticket_id FROM tickets t WHERE NOT list_contains(?, t.team) LIMIT 1",
        [list(_supervisor(app_wh).scope.teams)],
    )
    at.text_input(key="fu_find").input(foreign)
    clean(at.run())
    assert t("fu_not_found", "en", id=foreign) in [shown(w.value) for w in at.warning]


def test_follow_up_lists_hold_what_is_due(app_wh):
    """Counted here with pandas over the supervisor's tickets, not through the query layer."""
    teams = list(_supervisor(app_wh).scope.teams)
    frame = app_wh.df(
        "SELECT t.* FROM tickets t WHERE list_contains(?, t.team)",  # a ticket's team: its queue
        [teams],
    )
    complaint = frame["type"] == "complaint"
    reopened = frame["customer_accepted"].astype("boolean").eq(False).fillna(False)
    tomorrow = pd.Timestamp(dt.date.today() + dt.timedelta(days=1))
    expected = {
        "awaiting_feedback": complaint & (frame["feedback_at"].isna() | reopened),
        "awaiting_acceptance": complaint & frame["feedback_at"].notna() & frame["customer_accepted"].isna(),
        "callbacks_due": (frame["callback_promised_at"] < tomorrow) & frame["callback_done_at"].isna(),
        "suggestions": (frame["type"] == "suggestion") & frame["suggestion_adopted"].isna(),
    }
    counts = lookups.follow_up_counts(app_wh, _supervisor(app_wh).scope)
    for name, mask in expected.items():
        assert counts[name] == int(mask.sum()), name
    at = page("tickets", "supervisor")
    at.segmented_control(key="fu_list").set_value("callbacks_due")
    at.toggle(key="fu_newest").set_value(True)
    clean(at.run())
    listed = at.selectbox(key="fu_ticket").options
    due = frame[expected["callbacks_due"]].sort_values(["opened_at", "ticket_id"], ascending=False)
    assert listed == list(due["ticket_id"][:500])
