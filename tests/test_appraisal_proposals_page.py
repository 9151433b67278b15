"""The Appraisals page in two steps, through AppTest on the demo warehouse: the supervisor proposes
teamwork for an agent of their team on the "Teamwork" tab; HR finds it waiting on "To confirm",
sees it proposed on "Enter", is refused a change without a reason and confirms with one; the score,
grade and pay are worked out here by hand from the values on the form."""

from __future__ import annotations

import pytest
from conftest import open_page, shown

from csdata.access.auth import load_user
from csdata.analytics import lookups, payroll
from csdata.text.i18n import t


def clean(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def w(at, kind: str, key: str):
    """The form widget `key` of any generation (a saved form draws its widgets under new keys)."""
    [found] = [x for x in getattr(at, kind) if x.key and x.key.split("~")[0] == key]
    return found


def _open_period(app_wh) -> str:
    return app_wh.scalar(
        "SELECT period FROM appraisal_periods WHERE status = 'open' ORDER BY ends_on DESC LIMIT 1"
    )


def _their_agent(app_wh, period: str, nth: int = 0) -> str:
    """An active agent of the demo supervisor's teams with rated tickets in the period and no
    appraisal in it yet (so every indicator has a value proposed from the data)."""
    teams = load_user(app_wh, "supervisor").teams
    return app_wh.column(
        "SELECT e.employee_id FROM employees e, appraisal_periods p WHERE p.period = ? AND e.position = 'agent'"
        " AND e.status = 'active' AND list_contains(?, e.team)"
        " AND NOT EXISTS (SELECT 1 FROM appraisals a WHERE a.period = p.period AND a.employee_id = e.employee_id)"
        " AND NOT EXISTS (SELECT 1 FROM appraisal_proposals x WHERE x.period = p.period AND x.employee_id = e.employee_id)"
        " AND EXISTS (SELECT 1 FROM tickets t WHERE t.agent_id = e.employee_id AND t.opened_at >= p.starts_on"
        " AND t.csat IS NOT NULL) ORDER BY e.employee_id",
        [period, list(teams)],
    )[nth]


def _propose(at, period: str, agent: str, teamwork: float, comment: str):
    at.selectbox(key="tw_period").set_value(period)
    w(at, "selectbox", "tw_employee").set_value(agent)
    clean(at.run())
    w(at, "number_input", f"tw_teamwork_{period}_{agent}").set_value(teamwork)
    w(at, "text_input", f"tw_comment_{period}_{agent}").input(comment)
    return clean(w(at, "button", "tw_save").click().run())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_supervisor_sees_only_the_teamwork_tab_with_their_agents_and_open_periods(app_wh, lang):
    at = open_page("appraisals", lang, user="supervisor")
    assert [tab.label for tab in at.tabs] == [t("ap_tab_teamwork", lang)]
    assert at.title[0].value == t("nav_appraisals", lang)
    open_periods = app_wh.column(
        "SELECT period FROM appraisal_periods WHERE status = 'open' ORDER BY ends_on DESC"
    )
    assert open_periods and at.selectbox(key="tw_period").options == open_periods
    teams = load_user(app_wh, "supervisor").teams
    mine = set(app_wh.column("SELECT employee_id FROM employees WHERE list_contains(?, team)", [list(teams)]))
    offered = {o.split(" · ")[0] for o in w(at, "selectbox", "tw_employee").options}
    assert offered and offered <= mine
    assert not [s for s in at.selectbox if s.key == "status_period"]  # closing periods is HR's


def test_hr_and_admin_see_their_tabs(app_wh):
    hr = open_page("appraisals", user="hr")
    assert [tab.label for tab in hr.tabs] == [
        t("ap_tab_enter", "en"), t("ap_tab_confirm", "en"), t("fix_tab", "en")
    ]  # fmt: skip
    admin = open_page("appraisals", user="admin")
    assert [tab.label for tab in admin.tabs] == [
        t("ap_tab_enter", "en"), t("ap_tab_confirm", "en"), t("fix_tab", "en"), t("ap_tab_teamwork", "en")
    ]  # fmt: skip


def test_supervisor_proposes_then_hr_reviews_changes_with_a_reason_and_confirms(app_wh):
    period = _open_period(app_wh)
    agent = _their_agent(app_wh, period)
    sup = load_user(app_wh, "supervisor")

    # 1. The supervisor proposes teamwork 80 with a comment.
    at = _propose(open_page("appraisals", user="supervisor"), period, agent, 80, "helps new colleagues")
    assert shown(at.success[0].value) == shown(t("tw_saved", "en", employee=agent, period=period))
    assert app_wh.rows(
        "SELECT teamwork, comment, proposed_by FROM appraisal_proposals WHERE period = ? AND employee_id = ?",
        [period, agent],
    ) == [(80.0, "helps new colleagues", "supervisor")]
    # The same again from a second tab: one proposal, one trail row.
    again = _propose(open_page("appraisals", user="supervisor"), period, agent, 80, "helps new colleagues")
    assert shown(again.info[0].value) == shown(t("tw_unchanged", "en", employee=agent))
    assert app_wh.scalar(
        "SELECT count(*) FROM record_changes WHERE kind = 'appraisal_proposals' AND record_id = ?",
        [f"{period}/{agent}"],
    ) == 1  # fmt: skip
    # Nothing counts yet: no appraisal row, so no grade, no People-page entry and no pay.
    assert lookups.appraisal_of(app_wh, period, agent) is None
    month = lookups.period_bounds(app_wh, period)[1].strftime("%Y-%m")  # the period's last month
    paid = payroll.payroll(app_wh, month).set_index("employee_id")
    assert paid.loc[agent, ["appraisal_grade", "performance_pay"]].isna().all()
    assert sup.scope.proposes

    # 2. HR sees it waiting on "To confirm", beside the imported appraisals.
    hr = open_page("appraisals", user="hr")
    hr.selectbox(key="confirm_period").set_value(period)
    clean(hr.run())
    listed = hr.dataframe[0].value
    row = listed[listed[t("col_employee_id", "en")] == agent]
    assert row[t("col_waiting", "en")].tolist() == [t("ap_waiting_proposed", "en")]
    assert row[t("col_teamwork", "en")].tolist() == [80.0]
    assert row[t("col_proposed_by", "en")].tolist() == ["supervisor"]
    # ... and filtered to imports only, it is not there.
    hr.selectbox(key="confirm_which").set_value("imported")
    clean(hr.run())
    assert all(agent not in str(d.value) for d in hr.dataframe)

    # 3. On "Enter" the supervisor's teamwork is the proposed one, with who proposed it.
    hr.selectbox(key="ap_period").set_value(period)
    hr.selectbox(key="ap_employee").set_value(agent)
    clean(hr.run())
    teamwork = hr.number_input(key=f"ap_teamwork_{period}_{agent}")
    assert teamwork.value == 80.0
    assert t("ap_proposed_by", "en", who="supervisor", value="80.0") in [shown(c.value) for c in hr.caption]
    assert hr.text_input(key=f"ap_comment_{period}_{agent}").value == "helps new colleagues"
    teamwork.set_value(70)
    clean(hr.button(key="ap_confirm").click().run())
    assert t("entry_reason_required", "en") in [shown(e.value) for e in hr.error]
    assert lookups.appraisal_of(app_wh, period, agent) is None

    hr.text_input(key=f"ap_reason_{period}_{agent}").input("two missed handovers in October")
    values = {
        k: hr.number_input(key=f"ap_{k}_{period}_{agent}").value
        for k in ("satisfaction", "quality", "efficiency")
    }
    clean(hr.button(key="ap_confirm").click().run())
    assert not hr.error, [e.value for e in hr.error]

    # 4. Confirmed with the hand-worked score: weights 30, 30, 25, 15 of the default policy.
    score = (30 * values["satisfaction"] + 30 * values["quality"] + 25 * values["efficiency"] + 15 * 70) / 100
    grade = "A" if score >= 90 else "B" if score >= 80 else "C" if score >= 70 else "D"
    coefficient = {"A": 1.2, "B": 1.0, "C": 0.8, "D": 0.5}[grade]
    saved = lookups.appraisal_of(app_wh, period, agent)
    assert saved["score"] == pytest.approx(score, abs=1e-9)
    assert (saved["grade"], saved["confirmed_by"]) == (grade, "hr")
    assert app_wh.rows(
        "SELECT used_by FROM appraisal_proposals WHERE period = ? AND employee_id = ?", [period, agent]
    ) == [("hr",)]
    base = app_wh.scalar(
        "SELECT CAST(g.performance_base AS DOUBLE) FROM employees e JOIN pay_grades g USING (grade)"
        " WHERE employee_id = ?",
        [agent],
    )
    pay = payroll.payroll(app_wh, month).set_index("employee_id")
    assert pay.loc[agent, "appraisal_grade"] == grade
    assert pay.loc[agent, "performance_pay"] == pytest.approx(base * coefficient)

    # 5. The supervisor can no longer change it: a clear message, nothing written.
    late = _propose(open_page("appraisals", user="supervisor"), period, agent, 90, "")
    assert shown(t("tw_used", "en", who="hr")) in [shown(i.value) for i in late.info]
    assert shown(t("appr_proposal_confirmed", "en", employee=agent, period=period)) in [
        shown(e.value) for e in late.error
    ]
    assert (
        app_wh.scalar(
            "SELECT teamwork FROM appraisal_proposals WHERE period = ? AND employee_id = ?", [period, agent]
        )
        == 80.0
    )


def test_a_supervisor_cannot_propose_for_another_teams_agent(app_wh):
    from csdata.records import entry
    from csdata.text.i18n import Problem

    period = _open_period(app_wh)
    sup = load_user(app_wh, "supervisor")
    other = app_wh.scalar(
        "SELECT employee_id FROM employees WHERE position = 'agent' AND status = 'active'"
        " AND NOT list_contains(?, team) ORDER BY employee_id LIMIT 1",
        [list(sup.teams)],
    )
    with pytest.raises(Problem) as refused:
        entry.propose_teamwork(app_wh, "supervisor", sup.scope, period, other, 80)
    assert refused.value.key == "entry_agent_out_of_scope"
    assert not app_wh.scalar("SELECT count(*) FROM appraisal_proposals WHERE employee_id = ?", [other])


def test_the_to_confirm_list_filters_by_team_and_downloads_its_rows_as_numbers(app_wh, served):
    import io

    import pandas as pd
    from conftest import download

    from csdata.records import entry

    period = _open_period(app_wh)
    sup = load_user(app_wh, "supervisor")
    agent = _their_agent(app_wh, period)
    team = app_wh.scalar("SELECT team FROM employees WHERE employee_id = ?", [agent])
    entry.propose_teamwork(app_wh, "supervisor", sup.scope, period, agent, 77.5, "=SUM(A1)")
    other_team = app_wh.scalar(
        "SELECT name FROM teams WHERE name <> ? AND NOT list_contains(?, name) ORDER BY name LIMIT 1",
        [team, list(sup.teams)],
    )
    hr = open_page("appraisals", user="hr")
    hr.selectbox(key="confirm_period").set_value(period)
    clean(hr.run())
    hr.multiselect(key="confirm_teams").set_value([team])
    clean(hr.run())
    csv = pd.read_csv(io.BytesIO(download(hr, "dl_to_confirm_csv", served)), dtype={"Employee ID": str})
    mine = csv[csv[t("col_employee_id", "en")] == agent]
    assert mine[t("col_teamwork", "en")].tolist() == [77.5]  # a number a spreadsheet sums
    assert mine[t("col_comment", "en")].tolist() == ["'=SUM(A1)"]  # a formula made inert
    assert set(csv[t("col_team", "en")]) == {team}
    # Another team's filter: nothing of this team.
    if other_team is not None:
        hr.multiselect(key="confirm_teams").set_value([other_team])
        clean(hr.run())
        assert t("ap_nothing_waiting", "en") in [shown(i.value) for i in hr.info]
