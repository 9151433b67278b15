"""The generated demo company: deterministic, consistent with itself and with the policy, and
carrying the planted breaches its docstring promises. Every property is recomputed here from the
tables with SQL or pandas, not taken from the generator."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from csdata.analytics import compiler
from csdata.analytics.compiler import Filters
from csdata.analytics.metrics import CATALOG
from csdata.demo import sample
from csdata.policy import default_policy, load_policy
from csdata.store.warehouse import Warehouse

TICKETS = 20_000
END = dt.date(2026, 10, 31)
START = END - dt.timedelta(days=364)
TABLES = (
    "tickets", "complaint_rounds", "employees", "teams", "clients", "audits", "audit_scores", "corrective_actions",
    "training_results", "courses", "appraisals", "appraisal_scores", "bonuses", "appraisal_periods",
)  # fmt: skip


def _build(path, **kwargs) -> Warehouse:
    wh = Warehouse(path, create=True)
    sample.build_sample(wh, tickets=TICKETS, as_of=END + dt.timedelta(days=1), **kwargs)
    return wh


def _fingerprint(wh: Warehouse, table: str) -> tuple:
    return tuple(wh.rows(f"SELECT count(*), sum(hash(t)) FROM {table} t")[0])


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    wh = _build(tmp_path_factory.mktemp("sample") / "a.duckdb")
    yield wh
    wh.close()


def test_counts_and_demo_flag(wh, tmp_path):
    assert wh.scalar("SELECT count(*) FROM tickets") == TICKETS
    assert wh.meta("demo") == "true"
    other = Warehouse(tmp_path / "c.duckdb", create=True)
    counts = sample.build_sample(other, tickets=1_000, seed=3)
    for table, n in counts.items():
        assert other.scalar(f"SELECT count(*) FROM {table}") == n, table
    assert counts["tickets"] == 1_000
    other.close()


def test_same_seed_same_data_other_seed_other_data(wh, tmp_path):
    again = _build(tmp_path / "b.duckdb")
    for table in TABLES:
        assert _fingerprint(again, table) == _fingerprint(wh, table), table
    again.close()
    other = _build(tmp_path / "d.duckdb", seed=8)
    assert _fingerprint(other, "tickets") != _fingerprint(wh, "tickets")
    assert _fingerprint(other, "employees") != _fingerprint(wh, "employees")
    # The layout, and so the planted ids, do not depend on the seed.
    ids = "SELECT list(employee_id ORDER BY employee_id) FROM employees"
    assert other.scalar(ids) == wh.scalar(ids)
    other.close()


def test_refuses_a_warehouse_with_data(wh):
    with pytest.raises(ValueError):
        sample.build_sample(wh, tickets=1_000)


def test_tickets_span_the_year_in_id_order(wh):
    first, last = wh.rows("SELECT min(opened_at), max(opened_at) FROM tickets")[0]
    assert first.date() == START and last.date() == END
    assert wh.scalar("SELECT count(*) FROM tickets WHERE NOT regexp_full_match(ticket_id, 'T[0-9]{9}')") == 0
    out_of_order = wh.scalar(
        "SELECT count(*) FROM (SELECT opened_at < lag(opened_at) OVER (ORDER BY ticket_id) AS back FROM tickets)"
        " WHERE back"
    )
    assert out_of_order == 0


def test_every_ticket_is_in_a_queue_of_its_client_answered_or_not(wh):
    tickets = wh.df(
        "SELECT t.client, t.team, t.first_response_at IS NOT NULL AS answered, e.team AS agent_team,"
        " m.client AS team_client FROM tickets t LEFT JOIN employees e ON e.employee_id = t.agent_id"
        " LEFT JOIN teams m ON m.name = t.team"
    )
    assert tickets["team"].notna().all() and (tickets["team_client"] == tickets["client"]).all()
    answered = tickets[tickets["answered"]]
    assert (answered["team"] == answered["agent_team"]).all()  # answered in the queue it was offered to
    # Abandoned tickets are spread over the teams' queues, so no team answers all of its tickets.
    rates = tickets.groupby("team")["answered"].mean()
    assert len(rates) == 14 and (rates < 1).all()


def test_answered_by_a_live_agent_of_a_team_serving_the_client(wh):
    bad = wh.df(
        """SELECT t.ticket_id FROM tickets t
           LEFT JOIN employees e ON e.employee_id = t.agent_id
           LEFT JOIN teams m ON m.name = e.team
           WHERE t.first_response_at IS NOT NULL
             AND (e.employee_id IS NULL OR e.position <> 'agent' OR m.client IS DISTINCT FROM t.client
                  OR e.client IS DISTINCT FROM t.client
                  OR e.go_live_date IS NULL OR CAST(t.opened_at AS DATE) < e.go_live_date
                  OR CAST(t.opened_at AS DATE) > e.left_on)"""
    )
    assert bad.empty
    # Leavers stop getting tickets, and there are some.
    assert wh.scalar("SELECT count(*) FROM employees WHERE status = 'left' AND position = 'agent'") >= 5
    assert (
        wh.scalar(
            "SELECT count(*) FROM tickets t JOIN employees e ON e.employee_id = t.agent_id"
            " WHERE CAST(t.opened_at AS DATE) > e.left_on"
        )
        == 0
    )


def test_abandoned_tickets_carry_nothing(wh):
    row = wh.rows(
        """SELECT count(*), count(agent_id), count(handle_seconds), count(csat), count(resolved),
                  count(category), count_if(type <> 'consultation')
           FROM tickets WHERE first_response_at IS NULL"""
    )[0]
    assert row[0] > 0 and row[1:] == (0, 0, 0, 0, 0, 0)
    answered = wh.rows(
        """SELECT count(*), count(agent_id), count(handle_seconds), count(resolved),
                  count_if(first_contact_resolved AND NOT resolved), count_if(first_response_at < opened_at),
                  count_if(resolved AND resolved_at IS NULL), count_if(NOT resolved AND resolved_at IS NOT NULL)
           FROM tickets WHERE first_response_at IS NOT NULL"""
    )[0]
    assert answered[0] == answered[1] == answered[2] == answered[3]
    assert answered[4:] == (0, 0, 0, 0)


def test_channels_and_types_look_like_a_contact_centre(wh):
    mix = wh.df(
        """SELECT channel, median(epoch(first_response_at - opened_at)) AS wait, median(handle_seconds) AS aht
           FROM tickets GROUP BY channel"""
    ).set_index("channel")
    assert mix.loc["phone", "wait"] < mix.loc["chat", "wait"] < 120 < 3600 < mix.loc["email", "wait"]
    assert 180 < mix.loc["phone", "aht"] < mix.loc["chat", "aht"] < mix.loc["email", "aht"] < 1200
    types = wh.df("SELECT type, count(*) / sum(count(*)) OVER () AS share FROM tickets GROUP BY type")
    share = dict(zip(types["type"], types["share"], strict=True))
    assert 0.04 < share["complaint"] < 0.10 and 0.01 < share["suggestion"] < 0.04
    by_hour = wh.df("SELECT hour(opened_at) AS h, count(*) AS n FROM tickets GROUP BY h").set_index("h")["n"]
    assert by_hour.loc[10] > 5 * by_hour.loc[3]
    rated = wh.scalar("SELECT count(csat) / count(first_response_at) FROM tickets")
    assert 0.25 < rated < 0.45


def test_double_eleven_spike(wh):
    client = next(c.name for c in sample.CLIENTS if c.industry == "e-commerce")
    daily = wh.df(
        "SELECT CAST(opened_at AS DATE) AS day, count(*) AS n FROM tickets"
        " WHERE client = ? AND month(opened_at) = 11 GROUP BY day",
        [client],
    ).set_index("day")["n"]
    assert daily.loc[pd.Timestamp(2025, 11, 11)] > 3 * daily.median()


def test_every_metric_has_a_meaningful_value(wh):
    values = compiler.metric_values(wh, list(CATALOG), Filters(START, END))
    assert all(v is not None for v in values.values()), values
    for rate in ("answer_rate", "service_level", "resolution_rate", "fcr_rate", "csat_pct", "qa_pass_rate",
                 "complaint_acceptance_rate", "onboarding_pass_rate"):  # fmt: skip
        assert 0.5 < values[rate] < 1.0, rate
    assert 0 < values["qa_critical_rate"] < 0.05
    assert 3.5 < values["csat_avg"] < 4.8
    assert 70 < values["qa_score"] < 95 and 70 < values["appraisal_score"] < 95
    assert 15 < values["training_hours"] < 45  # a year: about 8 hours a quarter
    by_client = compiler.metric_table(wh, ["service_level", "csat_pct"], Filters(START, END), by="client")
    assert len(by_client) == 8 and by_client["service_level"].nunique() == 8


def test_clients_and_their_contracts(wh):
    clients = wh.df("SELECT name, industry FROM clients")
    assert len(clients) == 8 and clients["industry"].nunique() == 8 and clients["industry"].notna().all()
    version, policy = load_policy(wh, on=START)
    assert version == 1 and policy.effective_from < START
    assert {c.client for c in policy.contracts} == set(clients["name"])
    assert len({tuple(sorted(c.targets.items())) for c in policy.contracts}) == 8
    assert policy.sla("Harbor Trust Bank", "phone") == 15
    assert sum(bool(c.sla_seconds) for c in policy.contracts) >= 3
    assert policy.scorecard == default_policy().scorecard


def test_roster(wh):
    emp = wh.df("SELECT * FROM employees")
    agents = emp[emp["position"] == "agent"]
    assert 140 <= len(agents) <= 170
    assert emp["employee_id"].str.fullmatch(r"E\d{5}").all()
    assert emp["name"].is_unique and emp["name"].str.len().between(2, 3).all()
    assert set(emp["department"]) == {"customer_service", "gm_office", "technical", "hr", "finance"}
    assert (emp.loc[emp["position"] == "qa", "client"].isna()).all() and (emp["position"] == "qa").sum() == 6
    teams = wh.df(
        "SELECT m.name, m.client, e.position, e.team FROM teams m LEFT JOIN employees e ON e.employee_id = m.supervisor_id"
    )
    assert (
        len(teams) == 14
        and (teams["position"] == "supervisor").all()
        and (teams["team"] == teams["name"]).all()
    )
    new_hires = agents[pd.to_datetime(agents["hire_date"]) >= pd.Timestamp(START)]
    assert len(new_hires) >= 10
    assert (agents["go_live_date"].isna() == (agents["employee_id"] == sample.FAILED_ONBOARDING_LEFT)).all()


def test_audit_score_is_the_weighted_rule(wh):
    weights = {c.key: c.weight for c in default_policy().scorecard.criteria}
    marks = wh.df("SELECT audit_id, criterion, score FROM audit_scores")
    assert set(marks["criterion"]) == set(weights)
    marks["w"] = marks["criterion"].map(weights)
    marks["ws"] = marks["w"] * marks["score"]
    sums = marks.groupby("audit_id")[["ws", "w"]].sum()
    audits = wh.df("SELECT audit_id, score, critical_error, policy_version FROM audits").set_index("audit_id")
    assert set(audits.index) == set(sums.index)  # every audit has at least one criterion scored
    expected = (sums["ws"] / sums["w"]).where(~audits["critical_error"], 0.0)
    assert (audits["score"] - expected.loc[audits.index]).abs().max() < 1e-9
    assert (audits["policy_version"] == 1).all()
    assert 0 < audits["critical_error"].mean() < 0.03
    assert marks.groupby("audit_id").size().lt(5).any()  # some criteria were not applicable
    by_auditor = wh.df("SELECT auditor_id, avg(score) AS mean FROM audits GROUP BY 1").set_index(
        "auditor_id"
    )["mean"]
    assert by_auditor.idxmin() == sample.HARSH_AUDITOR and by_auditor.idxmax() == sample.LENIENT_AUDITOR


def test_appraisal_score_and_grade_follow_the_scheme(wh):
    scheme = default_policy().appraisal
    marks = wh.df("SELECT period, employee_id, indicator, score FROM appraisal_scores")
    table = marks.pivot_table(index=["period", "employee_id"], columns="indicator", values="score")
    appraisals = wh.df("SELECT * FROM appraisals").set_index(["period", "employee_id"])
    assert set(table.index) == set(appraisals.index)
    for key, row in appraisals.iterrows():
        values = table.loc[key].to_dict()
        assert row["score"] == pytest.approx(scheme.score(values), abs=1e-9)
        assert row["grade"] == scheme.band(row["score"]).grade
    closed = wh.column("SELECT period FROM appraisal_periods WHERE status = 'closed' ORDER BY period")
    assert set(appraisals.index.get_level_values(0)) == set(closed)
    assert appraisals["grade"].value_counts().get("A", 0) > 0


def test_training(wh):
    kinds = wh.scalar(
        "SELECT count(*) FROM training_results r JOIN courses c USING (course) WHERE r.kind <> c.kind"
    )
    assert kinds == 0
    missing = wh.scalar(
        """SELECT count(*) FROM employees e WHERE position = 'agent' AND hire_date >= ?
           AND NOT EXISTS (SELECT 1 FROM training_results r WHERE r.employee_id = e.employee_id
                           AND r.kind = 'onboarding')""",
        [START],
    )
    assert missing == 0
    assert wh.scalar("SELECT max(attempt) FROM training_results WHERE kind = 'onboarding'") >= 3


# -- the planted breaches --------------------------------------------------------------------


def test_planted_went_live_before_passing_onboarding(wh):
    found = wh.df(
        """WITH passed AS (SELECT employee_id, min(taken_on) AS day FROM training_results
                           WHERE kind = 'onboarding' AND score >= 80 GROUP BY 1),
                first_ticket AS (SELECT agent_id, CAST(min(opened_at) AS DATE) AS day FROM tickets
                                 WHERE agent_id IS NOT NULL GROUP BY 1)
           SELECT f.agent_id, p.day AS passed, f.day AS first_ticket FROM first_ticket f
           LEFT JOIN passed p ON p.employee_id = f.agent_id
           WHERE p.day IS NULL OR p.day > f.day ORDER BY 1"""
    )
    assert set(found["agent_id"]) == {*sample.EARLY_GO_LIVE, sample.NEVER_PASSED}
    never = found.set_index("agent_id").loc[sample.NEVER_PASSED]
    assert pd.isna(never["passed"])
    attempts = wh.df(
        "SELECT employee_id, attempt, score FROM training_results WHERE kind = 'onboarding'"
        " AND list_contains(?, employee_id)",
        [list(sample.EARLY_GO_LIVE)],
    )
    assert set(attempts.loc[attempts["score"] >= 80, "attempt"]) == {2}


def test_planted_complaints_without_feedback_or_acceptance(wh):
    row = wh.rows(
        """SELECT count_if(feedback_at IS NULL AND opened_at < ? ),
                  count_if(feedback_at IS NOT NULL AND NOT customer_accepted),
                  count_if(reopened),
                  count_if(feedback_at IS NOT NULL AND customer_accepted IS NULL AND feedback_at < ?)
           FROM tickets WHERE type = 'complaint'""",
        [END - dt.timedelta(days=30), END - dt.timedelta(days=7)],
    )[0]
    # only feedback of the last days may still await the customer's answer
    assert row[0] > 0 and row[1] > 0 and row[2] > 0 and row[3] == 0
    assert (
        wh.scalar("SELECT count(*) FROM tickets WHERE feedback_at IS NOT NULL AND type <> 'complaint'") == 0
    )


def test_planted_overdue_open_actions(wh):
    overdue = wh.scalar(
        "SELECT count(*) FROM corrective_actions WHERE status = 'open' AND due_on < ?",
        [END - dt.timedelta(days=30)],
    )
    assert overdue == sample.OVERDUE_OPEN_ACTIONS
    owners = wh.scalar(
        """SELECT count(*) FROM corrective_actions a JOIN employees e ON e.employee_id = a.agent_id
           JOIN teams m ON m.name = e.team WHERE a.owner_id <> m.supervisor_id"""
    )
    assert owners == 0


def test_planted_two_d_grades_in_a_row(wh):
    runs = wh.df(
        """SELECT employee_id, period FROM (
               SELECT employee_id, period, grade,
                      lag(grade) OVER (PARTITION BY employee_id ORDER BY period) AS previous
               FROM appraisals) WHERE grade = 'D' AND previous = 'D'"""
    )
    closed = wh.column("SELECT period FROM appraisal_periods WHERE status = 'closed' ORDER BY period")
    assert runs.values.tolist() == [[sample.TWO_QUARTERS_D, closed[-1]]]
