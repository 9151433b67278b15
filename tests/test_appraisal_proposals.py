"""Appraisal in two steps: a supervisor proposes teamwork (and a comment) for the agents of their
own teams; HR reviews it beside the indicators proposed from the data, changes any of them only
with a reason, and confirms. A proposal counts for nothing (grades, People page, pay) until then.

The engine (`csdata.records.entry`) on the tiny warehouse, with every expected value worked out by
hand from conftest's fixture; the pages through AppTest are in `test_appraisal_proposals_page.py`.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from csdata.access.scope import scope_for
from csdata.analytics import compiler, lookups, payroll
from csdata.analytics.compiler import Filters
from csdata.imports import ingest
from csdata.policy import default_policy
from csdata.records import entry
from csdata.text.i18n import Problem, t

Q2 = Filters(dt.date(2026, 4, 1), dt.date(2026, 6, 30))
# The supervisor of Acme-1 (A1, A2, S1) and an HR account, as `Scope.of` makes them.
ACME_SUP = scope_for("supervisor", (), ("Acme-1",))
HR = scope_for("hr", (), ())


@pytest.fixture
def q2(tiny):
    with tiny.transaction("test", "fixture") as w:
        w.execute("INSERT INTO appraisal_periods VALUES ('2026-Q2', '2026-04-01', '2026-06-30', 'open')")
    return tiny


def _written(wh) -> tuple[int, int, int]:
    """Proposals, their trail rows and the audit-log rows about them."""
    return (
        wh.scalar("SELECT count(*) FROM appraisal_proposals"),
        wh.scalar("SELECT count(*) FROM record_changes WHERE kind = 'appraisal_proposals'"),
        wh.scalar("SELECT count(*) FROM audit_log WHERE entity LIKE 'appraisal_proposals:%'"),
    )


def _grades(wh) -> list[tuple]:
    sql, params = compiler.listing_sql("grades", Q2, compiler.EVERYTHING, default_policy())
    return [tuple(r) for r in wh.rows(sql, params)]


def _appraised(wh) -> list[str]:
    sql, params = compiler.listing_sql("appraised", Q2, compiler.EVERYTHING, default_policy())
    return [r["employee_id"] for r in wh.df(sql, params).to_dict("records")]


def test_a_supervisor_proposes_and_changes_teamwork_each_change_kept(q2):
    assert entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q2", "A1", 80, " helps new colleagues ")
    assert q2.rows("SELECT teamwork, comment, proposed_by, used_at FROM appraisal_proposals") == [
        (80.0, "helps new colleagues", "acme_sup", None)
    ]
    assert entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q2", "A1", 85, "helps new colleagues")
    assert q2.rows("SELECT teamwork FROM appraisal_proposals") == [(85.0,)]
    trail = q2.rows(
        "SELECT record_id, change, CAST(before AS VARCHAR), CAST(after AS VARCHAR) FROM record_changes"
        " WHERE kind = 'appraisal_proposals' ORDER BY id"
    )
    assert [(r, c, b and json.loads(b), json.loads(a)) for r, c, b, a in trail] == [
        ("2026-Q2/A1", "create", None, {"teamwork": 80.0, "comment": "helps new colleagues"}),
        ("2026-Q2/A1", "update", {"teamwork": 80.0, "comment": "helps new colleagues"},
         {"teamwork": 85.0, "comment": "helps new colleagues"}),
    ]  # fmt: skip
    logged = q2.rows(
        "SELECT l.action, l.entity, l.actor FROM audit_log l JOIN record_changes r ON r.audit_log_id = l.id"
        " WHERE r.kind = 'appraisal_proposals' ORDER BY l.id"
    )
    assert logged == [("appraisal_proposals.save", "appraisal_proposals:2026-Q2/A1", "acme_sup")] * 2


def test_the_same_proposal_saved_twice_is_one_proposal_and_writes_nothing_more(q2):
    # A second tab, or a second click whose run overlaps the first: the same values again.
    assert entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q2", "A2", 70, "")
    assert not entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q2", "A2", 70, None)
    assert _written(q2) == (1, 1, 1)


@pytest.mark.parametrize(
    "employee,teamwork,key",
    [
        ("B1", 80, "entry_agent_out_of_scope"),  # Beta-1's agent, not Acme-1's
        ("S1", 80, "entry_agent_out_of_scope"),  # Acme-1's supervisor: not an agent
        ("ZZ", 80, "entry_agent_out_of_scope"),  # nobody
        ("A1", 100.5, "appr_teamwork_range"),
        ("A1", -1, "appr_teamwork_range"),
        ("A1", math.nan, "appr_teamwork_range"),
        ("A1", None, "appr_teamwork_range"),
    ],
)
def test_a_proposal_out_of_scope_or_range_is_refused_with_nothing_written(q2, employee, teamwork, key):
    with pytest.raises(Problem) as refused:
        entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q2", employee, teamwork, "x")
    assert refused.value.key == key
    for lang in ("en", "zh"):  # a message in each language, with its values filled in
        text = t(refused.value.key, lang, **refused.value.params)
        assert text and "{" not in text
    assert _written(q2) == (0, 0, 0)


def test_a_closed_period_an_unknown_one_or_an_account_that_does_not_propose_is_refused(q2):
    entry.set_period_status(q2, "hr", "2026-Q2", "closed")
    with pytest.raises(Problem) as closed:
        entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q2", "A1", 80)
    assert closed.value.key == "appr_period_closed"
    assert "2026-Q2" in t(closed.value.key, "en", **closed.value.params)
    with pytest.raises(Problem) as unknown:
        entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q9", "A1", 80)
    assert unknown.value.key == "entry_unknown_period"
    entry.set_period_status(q2, "hr", "2026-Q2", "open", "late proposals")
    with pytest.raises(Problem) as not_theirs:
        entry.propose_teamwork(q2, "hr", HR, "2026-Q2", "A1", 80)
    assert not_theirs.value.key == "appr_propose_not_allowed"
    with pytest.raises(Problem) as long:
        entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q2", "A1", 80, "x" * 501)
    assert long.value.key == "appr_comment_too_long"
    assert _written(q2) == (0, 0, 0)


def test_hr_reviews_the_proposal_changes_it_only_with_a_reason_and_confirms(q2):
    entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q2", "A1", 80, "helps new colleagues")
    proposal = entry.propose(q2, "2026-Q2", "A1")
    # From the tiny warehouse's Q2 (2026-04-01 to 06-30): A1's only ticket T9 is rated 1, so the
    # share of 4-5 ratings is 0 %; A1's only audit AU4 scores attitude 100 alone, so QA 100; A1 is
    # the only Acme-1 agent with tickets in Q2, so the team median AHT is A1's own 100 s: 100 × 100
    # ÷ 100 = 100. Teamwork: the supervisor's 80.
    assert proposal.values() == {"satisfaction": 0.0, "quality": 100.0, "efficiency": 100.0, "teamwork": 80.0}
    assert (proposal.teamwork_by, proposal.teamwork_comment) == ("acme_sup", "helps new colleagues")
    # Nothing counts yet: no grade, no appraisal score, no pay row, no one on the People page.
    assert _grades(q2) == [] and _appraised(q2) == []
    assert compiler.metric_values(q2, ["appraisal_score"], Q2)["appraisal_score"] is None
    june = payroll.payroll(q2, "2026-06").set_index("employee_id")  # the period's last month
    assert june.loc["A1", ["appraisal_grade", "performance_pay"]].isna().all()

    values = {"period": "2026-Q2", "employee_id": "A1", "satisfaction": 0.0, "quality": 100.0,
              "efficiency": 100.0, "teamwork": 90.0, "reviewer": "S1", "comment": "helps new colleagues"}  # fmt: skip
    assert entry.changed_without_reason(proposal, values, "  ") == ["teamwork"]
    with pytest.raises(Problem) as refused:
        entry.save_appraisal(q2, "hr", values, proposal, "", HR)
    assert refused.value.key == "entry_reason_required"
    assert q2.scalar("SELECT count(*) FROM appraisals WHERE period = '2026-Q2'") == 0

    report = entry.save_appraisal(q2, "hr", values, proposal, "led the team's onboarding in May", HR)
    assert report.imported == 1
    # 30 % × 0 + 30 % × 100 + 25 % × 100 + 15 % × 90 = 0 + 30 + 25 + 13.5 = 68.5: below 70, grade D,
    # coefficient 0.5 of the G1 performance-pay base 1,000 = 500.
    row = q2.rows(
        "SELECT score, grade, confirmed_by, comment FROM appraisals WHERE period = '2026-Q2' AND employee_id = 'A1'"
    )[0]
    assert row[:3] == (pytest.approx(68.5), "D", "hr")
    assert "teamwork 80.0→90" in row[3] and "led the team's onboarding" in row[3]
    assert q2.rows("SELECT used_by, used_at IS NOT NULL FROM appraisal_proposals") == [("hr", True)]
    assert _grades(q2) == [("2026-Q2", "D", 1)]
    assert compiler.metric_values(q2, ["appraisal_score"], Q2)["appraisal_score"] == pytest.approx(68.5)
    pay = payroll.payroll(q2, "2026-06").set_index("employee_id")
    assert pay.loc["A1", "coefficient"] == 0.5 and pay.loc["A1", "performance_pay"] == pytest.approx(500.0)
    assert lookups.teamwork_proposals(q2, "2026-Q2", waiting_only=True).empty

    # Confirmed: the supervisor can no longer change it.
    with pytest.raises(Problem) as locked:
        entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q2", "A1", 60)
    assert locked.value.key == "appr_proposal_confirmed"
    assert q2.rows("SELECT teamwork FROM appraisal_proposals") == [(80.0,)]


def test_the_proposal_unchanged_needs_no_reason(q2):
    entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q2", "A1", 80)
    proposal = entry.propose(q2, "2026-Q2", "A1")
    values = {"period": "2026-Q2", "employee_id": "A1", **proposal.values()}
    entry.save_appraisal(q2, "hr", values, proposal, None, HR)
    # 0 + 30 + 25 + 15 % × 80 = 12 → 67.0.
    assert q2.scalar("SELECT score FROM appraisals WHERE period = '2026-Q2'") == pytest.approx(67.0)


def test_a_proposal_that_came_after_hr_opened_the_form_is_not_confirmed_unseen(q2):
    seen = entry.propose(q2, "2026-Q2", "A1")  # HR's form, drawn before the supervisor proposes
    assert seen.teamwork is None
    entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q2", "A1", 40)
    values = {"period": "2026-Q2", "employee_id": "A1", **seen.values(), "teamwork": 95.0}
    with pytest.raises(Problem) as refused:
        entry.save_appraisal(q2, "hr", values, seen, None, HR)
    assert refused.value.key == "appr_proposal_changed"
    assert q2.scalar("SELECT count(*) FROM appraisals WHERE period = '2026-Q2'") == 0
    assert q2.rows("SELECT used_at FROM appraisal_proposals") == [(None,)]


def test_what_waits_for_hr_lists_imports_and_proposals_and_bulk_confirming_uses_them(q2):
    data = "period,employee_id,satisfaction,quality,efficiency,teamwork,reviewer\n2026-Q2,A1,95,95,95,95,S1\n"
    assert ingest.import_file(q2, "appraisals", data.encode(), "a.csv", "hr").imported == 1
    entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q2", "A1", 70)
    entry.propose_teamwork(q2, "acme_sup", ACME_SUP, "2026-Q2", "A2", 75, "calm on the phone")
    waiting = entry.waiting_appraisals(q2, "2026-Q2", HR)
    assert waiting[["employee_id", "waiting", "teamwork", "proposed_by"]].values.tolist() == [
        ["A1", "both", 70.0, "acme_sup"],
        ["A2", "proposed", 75.0, "acme_sup"],
    ]
    # A supervisor of Beta-1 sees none of Acme-1's.
    beta = scope_for("supervisor", (), ("Beta-1",))
    assert entry.waiting_appraisals(q2, "2026-Q2", beta).empty
    assert lookups.teamwork_proposals(q2, "2026-Q2", beta).empty
    assert list(lookups.teamwork_proposals(q2, "2026-Q2", ACME_SUP)["employee_id"]) == ["A1", "A2"]

    assert entry.confirm_appraisals(q2, "hr", "2026-Q2", scope=HR) == ["A1"]
    waiting = entry.waiting_appraisals(q2, "2026-Q2", HR)
    assert waiting[["employee_id", "waiting"]].values.tolist() == [["A2", "proposed"]]
    # A2's proposal alone still counts for nothing.
    assert _grades(q2) == [("2026-Q2", "A", 1)]  # A1's import: 95 on every indicator
