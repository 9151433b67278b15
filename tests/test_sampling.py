"""The QA sampling plan, the agents below it, the ranking by QA score with intervals, and the
compliance rule set by the plan.

Hand-worked on the tiny warehouse (`conftest.build_tiny`), whose four audits score, by the
default scorecard (attitude 25, responsiveness 20, accuracy 30, communication 15, compliance 10):

  AU1  2026-03-03  A1 (Acme)  (25·90 + 20·80 + 30·100 + 15·70 + 10·60) / 100 = 8500 / 100 = 85
  AU2  2026-03-04  A2 (Acme)  (25·80 + 30·90 + 15·100 + 10·50) / 80       = 6700 / 80  = 83.75
  AU3  2026-03-15  B1 (Beta)  a critical error                               = 0
  AU4  2026-04-02  A1 (Acme)  attitude 100 alone                             = 100

As of 2026-04-30 the 90 days (2026-01-31 – 04-30) hold all four. Σx = 268.75, Σx² = 7225 +
7014.0625 + 0 + 10000 = 24239.0625, so Σ(x − x̄)² = 24239.0625 − 268.75² / 4 = 6182.421875 and
σ² = 6182.421875 / 3 = 2060.807291…; with E = 5, (1.96 / 5)² · σ² = 0.153664 · 2060.807291… =
316.67…, so n = 317. Acme's account sees AU1, AU2, AU4: Σ(x − x̄)² = 24239.0625 − 268.75² / 3 =
163.541666…, σ² = 81.770833…, n = ⌈0.153664 · 81.770833…⌉ = ⌈12.565…⌉ = 13. Beta's supervisor
sees AU3 alone: no plan. Over the 30 days to 04-30 only AU4: no plan.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO_AS_OF, open_page, run_cli, shown
from scipy import stats as sps

from csdata.access.scope import scope_for
from csdata.analytics import compliance, page_queries, sampling, stats
from csdata.analytics.compiler import Filters
from csdata.analytics.metrics import CATALOG
from csdata.policy import load_policy, save_policy
from csdata.text.i18n import column_label, t

D = dt.date.fromisoformat
APRIL_END = D("2026-04-30")
SIGMA2 = 6182.421875 / 3  # see the module's note
LAST = DEMO_AS_OF - dt.timedelta(days=1)  # the demo's last day of data


def _with(policy, **statistics):
    return policy.model_copy(update={"statistics": policy.statistics.model_copy(update=statistics)})


# -- the plan by hand --------------------------------------------------------------------------


def test_the_plan_by_hand(tiny):
    found = sampling.plan(tiny, APRIL_END)
    assert (found.start, found.end, found.audits, found.margin) == (D("2026-01-31"), APRIL_END, 4, 5.0)
    assert found.sd == pytest.approx(math.sqrt(SIGMA2), abs=1e-9)
    assert found.n == 317
    # A margin of ±20 points: (1.96 / 20)² · σ² = 0.009604 · 2060.807… = 19.79…
    wide = sampling.plan(tiny, APRIL_END, policy=_with(load_policy(tiny)[1], sample_margin=20.0))
    assert wide.n == 20


def test_the_plan_within_a_scope_and_with_too_few_audits(tiny):
    acme = sampling.plan(tiny, APRIL_END, scope_for("exec", ("Acme",), ()))
    assert (acme.audits, acme.n) == (3, 13)
    assert acme.sd == pytest.approx(math.sqrt(163.5416666666667 / 2), abs=1e-9)
    beta = sampling.plan(tiny, APRIL_END, scope_for("supervisor", (), ("Beta-1",)))
    assert (beta.audits, beta.sd, beta.n) == (1, None, None)
    month = sampling.plan(tiny, APRIL_END, policy=_with(load_policy(tiny)[1], sample_days=30))
    assert (month.start, month.audits, month.sd, month.n) == (D("2026-04-01"), 1, None, None)
    assert sampling.below_plan(tiny, month).empty  # no plan, nobody below it


def test_who_is_below_the_plan_by_hand(tiny):
    """April: A1 has AU4; A2, B1, N1, N2, N3 none; L1 left in January, S1 and Q1 are no agents."""
    below = sampling.below_plan(tiny, sampling.plan(tiny, APRIL_END))
    assert below.to_dict("records") == [
        {"employee_id": e, "name": name, "client": c, "team": team, "audits": a, "shortfall": 317 - a}
        for e, name, c, team, a in [
            ("A2", "白云", "Acme", "Acme-1", 0),
            ("B1", "包贝", "Beta", "Beta-1", 0),
            ("N1", "牛新", "Beta", "Beta-1", 0),
            ("N2", "倪二", "Beta", "Beta-1", 0),
            ("N3", "聂三", "Beta", "Beta-1", 0),
            ("A1", "安娜", "Acme", "Acme-1", 1),
        ]
    ]
    # Mid-month, the month so far: 04-01 (AU4 is 04-02) leaves A1 with none too.
    early = sampling.below_plan(tiny, sampling.plan(tiny, D("2026-04-01")))
    assert set(early["employee_id"]) == {"A1", "A2", "B1", "N1", "N2", "N3"} and set(early["audits"]) == {0}
    acme = scope_for("exec", ("Acme",), ())
    assert list(sampling.below_plan(tiny, sampling.plan(tiny, APRIL_END, acme), acme)["employee_id"]) == [
        "A2",
        "A1",
    ]


# -- the plan against numpy on the demo ---------------------------------------------------------


def _scores(db, start: dt.date, end: dt.date) -> np.ndarray:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT score FROM audits WHERE audited_at BETWEEN ? AND ? AND score IS NOT NULL"
            " AND source <> 'calibration'",
            [start, end],
        ).fetchall()
    return np.array([r[0] for r in rows], dtype=float)


def _expected_n(scores: np.ndarray, margin: float = 5.0) -> int:
    return math.ceil((1.96 * np.std(scores, ddof=1) / margin) ** 2)


def test_the_plan_and_who_is_below_it_against_the_raw_demo(sample_db):
    scores = _scores(sample_db, LAST - dt.timedelta(days=89), LAST)
    assert len(scores) > 100
    n = _expected_n(scores)
    result = run_cli("plan", "--db", str(sample_db), "--to", LAST.isoformat(), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["plan"]["sd"] == pytest.approx(np.std(scores, ddof=1), rel=1e-9)
    assert (out["plan"]["n"], out["plan"]["audits"], out["plan"]["margin"]) == (n, len(scores), 5.0)
    assert out["month"] == {"from": "2026-10-01", "to": LAST.isoformat()}
    # Who is below it, from the raw tables with pandas: agents live on 10-01 and employed
    # through 10-31 with fewer than n audits in October.
    import duckdb

    with duckdb.connect(str(sample_db), read_only=True) as con:
        people = con.execute("SELECT * FROM employees").df()
        audits = con.execute(
            "SELECT agent_id FROM audits WHERE audited_at BETWEEN '2026-10-01' AND '2026-10-31'"
            " AND source <> 'calibration'"
        ).df()
    live = pd.to_datetime(people["go_live_date"].fillna(people["hire_date"])) <= pd.Timestamp("2026-10-01")
    left = pd.to_datetime(people["left_on"])
    stays = (left > pd.Timestamp("2026-10-31")).where(left.notna(), people["status"] == "active")
    agents = people[(people["position"] == "agent") & live & stays.astype(bool)]
    counts = audits["agent_id"].value_counts()
    expected = {e: int(counts.get(e, 0)) for e in agents["employee_id"] if counts.get(e, 0) < n}
    assert {r["employee_id"]: r["audits"] for r in out["below_plan"]} == expected
    assert all(r["shortfall"] == n - r["audits"] for r in out["below_plan"])
    assert [r["audits"] for r in out["below_plan"]] == sorted(r["audits"] for r in out["below_plan"])


def test_the_cli_says_so_in_words(sample_db):
    result = run_cli("plan", "--db", str(sample_db), "--to", LAST.isoformat(), env={"CSDATA_LANG": "zh"})
    assert result.returncode == 0, result.stderr
    assert t("cli_plan_header", "zh", end=LAST) in result.stdout
    bad = run_cli("plan", "--db", str(sample_db), "--to", "2026-13-01")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# -- the ranking: only narrow intervals -------------------------------------------------------

WIDE = [40, 55, 70, 85, 100]  # A1: scattered from 40 to 100
NARROW = [88, 89, 90, 91, 92]  # A2: close together
MAY = Filters(D("2026-05-01"), D("2026-05-31"))


def _add_audits(wh, agent: str, scores: list[float]) -> None:
    with wh.transaction("test", "audits") as w:
        for i, score in enumerate(scores, 1):
            w.execute(
                "INSERT INTO audits (audit_id, audited_at, agent_id, auditor_id, source, critical_error, score)"
                " VALUES (?, ?, ?, 'Q1', 'recording', FALSE, ?)",
                [f"M{agent}{i}", dt.date(2026, 5, i), agent, score],
            )


def _t_width(scores: list[float]) -> float:
    low, high = sps.t.interval(0.95, len(scores) - 1, loc=np.mean(scores), scale=sps.sem(scores))
    return high - low


def test_the_ranking_leaves_out_a_wide_interval_and_keeps_a_narrow_one(tiny):
    _add_audits(tiny, "A1", WIDE)
    _add_audits(tiny, "A2", NARROW)
    _add_audits(tiny, "B1", [90, 91])  # too few audits to rank
    assert _t_width(WIDE) > 20 > _t_width(NARROW)  # ≈ 58.9 and ≈ 3.9 points
    frame = page_queries.fetch(tiny, page_queries.requests("quality", MAY)["agents"])
    found = sampling.ranked(frame, 5, 20.0)
    assert list(found.ranked["key"]) == ["A2"]
    assert (found.few, found.wide) == (1, 1)
    shown = stats.with_intervals(found.ranked)
    assert shown["qa_score_low"].iloc[0] == pytest.approx(90 - _t_width(NARROW) / 2, abs=1e-9)
    assert shown["qa_score_high"].iloc[0] == pytest.approx(90 + _t_width(NARROW) / 2, abs=1e-9)
    # A widest interval of 60 points takes A1 in, below A2 (mean 70 < 90).
    assert list(sampling.ranked(frame, 5, 60.0).ranked["key"]) == ["A2", "A1"]


# -- the compliance rule set by the plan ----------------------------------------------------------


def test_the_audits_rule_uses_the_plan_when_the_policy_says_so(tiny):
    """As of 2026-05-20 the month measured is April (A1 one audit, A2, B1, N1, N2, N3 none). The
    rule's own 4 catches all six; the plan with E = 100 points, ⌈(1.96 / 100)² · σ²⌉ =
    ⌈0.00038416 · 2060.807…⌉ = ⌈0.79…⌉ = 1, catches the five with none."""
    as_of = D("2026-05-20")
    policy = _with(load_policy(tiny, as_of)[1], sample_margin=100.0)
    own = compliance.breaches(tiny, as_of=as_of, rules=("audits_below_plan",), policy=policy)
    assert sorted(own["subject_id"]) == ["A1", "A2", "B1", "N1", "N2", "N3"]
    planned = _with(policy, plan_sets_audit_rule=True)
    used = compliance.audit_number(tiny, planned, as_of)
    assert (used.n, used.month_start, used.month_end) == (1, D("2026-04-01"), APRIL_END)
    assert used.plan is not None and used.plan.sd == pytest.approx(math.sqrt(SIGMA2), abs=1e-9)
    found = compliance.breaches(tiny, as_of=as_of, policy=planned)
    assert sorted(found.loc[found["rule"] == "audits_below_plan", "subject_id"]) == [
        "A2",
        "B1",
        "N1",
        "N2",
        "N3",
    ]
    # No plan (no audit in the 7 days to 04-30): the rule keeps its own number.
    none = compliance.audit_number(tiny, _with(planned, sample_days=7), as_of)
    assert (none.n, none.plan) == (4, None)


# -- the pages -------------------------------------------------------------------------------------


# The pages run over the app's own warehouse (`app_wh`, a copy of the demo); the raw scores are
# read from the demo itself (`sample_db`), the app holding its copy open.


def test_the_quality_page_shows_the_plan_and_the_ranking_with_intervals(app_wh, sample_db):
    start, end = D("2026-08-03"), LAST
    at = open_page("quality", user="qa", query={"from": start.isoformat(), "to": end.isoformat()})
    assert t("plan_title", "en") in [h.value for h in at.subheader]
    scores = _scores(sample_db, end - dt.timedelta(days=89), end)
    n, sd = _expected_n(scores), f"{np.std(scores, ddof=1):.2f}"
    plan = " ".join(shown(m.value) for m in at.markdown)
    assert f"{t('plan_sd', 'en')}: {t('plan_points', 'en', value=sd)}." in plan
    assert f"{t('plan_n', 'en')}: {n}. {t('plan_n_text', 'en', margin='5', n=n, sd=sd)}" in plan
    captions = " ".join(shown(c.value) for c in at.caption)
    below = at.dataframe[
        [column_label("shortfall", "en") in d.value.columns for d in at.dataframe].index(True)
    ].value
    assert (below[column_label("shortfall", "en")] > 0).all()
    # The ranking: each agent's interval beside the score; only ≥ 5 audits and width ≤ 20, by scipy
    # over the raw scores of the period.
    ranked = at.dataframe(key="t_agent-ranking").value
    heading = f"{CATALOG['qa_score'].short_label('en')} · {t('ci_95', 'en')}"
    assert heading in ranked.columns and ranked[heading].str.contains("–").all()
    import duckdb

    with duckdb.connect(str(sample_db), read_only=True) as con:
        raw = con.execute(
            "SELECT agent_id, score FROM audits WHERE audited_at BETWEEN ? AND ? AND source <> 'calibration'",
            [start, end],
        ).df()
    expected = {
        agent
        for agent, group in raw.groupby("agent_id")["score"]
        if len(group) >= 5 and _t_width(list(group)) <= 20
    }
    assert set(ranked[column_label("employee_id", "en")]) == expected
    left_out = sum(1 for _, g in raw.groupby("agent_id")["score"] if len(g) >= 5) - len(expected)
    assert left_out > 0, "the demo's period has agents with too wide an interval"
    assert t("ranking_wide_caption", "en", wide=left_out, width="20") in captions


def test_the_compliance_page_states_the_number_the_plan_sets(app_wh, sample_db):
    policy = load_policy(app_wh)[1].model_copy(update={"effective_from": D("2026-01-01")})
    save_policy(app_wh, _with(policy, plan_sets_audit_rule=True), "test")
    at = open_page("compliance", user="admin")
    as_of = at.date_input(key="compliance_as_of").value
    m_start, m_end = compliance.last_month(as_of)
    scores = _scores(sample_db, m_end - dt.timedelta(days=89), m_end)
    n = _expected_n(scores)
    captions = [shown(c.value) for c in at.caption]
    expected = t(
        "compliance_audit_plan_sampling", "en", start=m_start, end=m_end, n=n,
        sd=f"{np.std(scores, ddof=1):.2f}", from_=m_end - dt.timedelta(days=89), to=m_end, margin="5",
    )  # fmt: skip
    assert expected in captions


# -- in a real browser ------------------------------------------------------------------------------


def test_the_plan_and_ranking_in_the_browser(sample_db, tmp_path, browser):
    from served import ARTIFACTS, SETTLED, new_page, screenshot, serve, sign_in

    from csdata.demo.sample import DEMO_PASSWORD

    with serve(sample_db, tmp_path) as app:
        errors: list[str] = []
        page = new_page(browser, errors)
        page.goto(f"{app.url}/quality?from=2026-08-03&to={LAST.isoformat()}")
        sign_in(page, "qa", DEMO_PASSWORD)
        page.get_by_role("heading", name=t("plan_title", "en")).wait_for()
        page.get_by_role("heading", name=t("ranking_title", "en")).wait_for()
        page.get_by_role("heading", name=t("eff_title", "en")).wait_for()
        page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
        screenshot(page, ARTIFACTS / "sampling-quality.png", SETTLED)
        title = t("plan_below_title", "en", start=D("2026-10-01"), end=LAST)
        assert page.get_by_text(title).count() == 1
        assert not errors
