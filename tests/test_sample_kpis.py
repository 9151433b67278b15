"""`csdata kpi --json` on the sample warehouse, checked against an independent computation.

Every metric of the README's metric table is recomputed here with pandas from what
`csdata export` writes (tickets, audits, training, appraisals, employees), following the written
definitions, and compared with what the real CLI prints for several filter sets, on the DuckDB
file and on the same records moved into PostgreSQL (`csdata copy`). Nothing from
`csdata` is imported: the code under test is reached only through the command line.

What the exports do not carry is read as raw stored data through a read-only DuckDB connection:
the policy JSON (service-level thresholds per client and channel, checked to hold the README's
default weights and pass marks) and, for the training-hours headcount, `employees.left_on`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import engines
import numpy as np
import pandas as pd
import pytest
from conftest import near, run_cli

METRICS = (
    "offered", "answer_rate", "abandon_rate", "service_level", "asa", "aht", "resolution_rate",
    "fcr_rate", "csat_pct", "csat_avg", "csat_response_rate", "complaint_acceptance_rate",
    "complaint_feedback_hours", "qa_score", "qa_pass_rate", "qa_critical_rate",
    "onboarding_pass_rate", "training_hours", "appraisal_score",
    "wait_median", "wait_p90", "handle_median", "handle_p90", "callbacks_promised", "callback_kept_rate",
    "complaints", "complaint_first_accept_rate", "complaint_rounds_to_accept", "suggestions", "suggestion_adoption_rate",
    "suggestion_rewards", "audits", "qa_score_spread", "criterion_score", "onboarding_attempts",
    "recruit_open_seats", "recruit_applied", "recruit_screened", "recruit_interviewed", "recruit_tested",
    "recruit_checked", "recruit_offered", "recruit_accepted", "recruit_hired", "recruit_hire_rate",
    "recruit_offer_acceptance", "recruit_hires", "recruit_fill_days_median", "recruit_fill_days_p90",
    "recruit_first_pass_rate", "recruit_qa_score", "recruit_csat_pct", "recruit_retention_180",
)  # fmt: skip

# The README's policy defaults, which the sample warehouse uses.
DEFAULT_SLA = {"phone": 20, "chat": 60, "email": 8 * 3600}
QA_WEIGHTS = {"attitude": 25, "responsiveness": 20, "accuracy": 30, "communication": 15, "compliance": 10}
QA_PASS_MARK = 85
ONBOARDING_PASS_MARK = 80
APPRAISAL_WEIGHTS = {"satisfaction": 30, "quality": 30, "efficiency": 25, "teamwork": 15}

EXPORTS = ("tickets", "audits", "training", "appraisals", "employees")


# ---------------------------------------------------------------- reading the exports


def _read(path: Path) -> pd.DataFrame:
    # Everything as text first, so that nothing is guessed ("NA" stays a name, blank stays blank).
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _timestamps(col: pd.Series) -> pd.Series:
    return pd.to_datetime(col.replace("", None), format="%Y-%m-%d %H:%M:%S")


def _dates(col: pd.Series) -> pd.Series:
    return pd.to_datetime(col.replace("", None), format="%Y-%m-%d").dt.date


def _numbers(col: pd.Series) -> pd.Series:
    return pd.to_numeric(col.replace("", None)).astype(float)


def _flags(col: pd.Series) -> pd.Series:
    assert set(col) <= {"True", "False", ""}, set(col)
    return col.map({"True": True, "False": False, "": None})


def _quarter_end(period: str) -> dt.date:
    """`2026-Q1` -> 2026-03-31."""
    year, quarter = period.split("-Q")
    year, quarter = int(year), int(quarter)
    assert 1 <= quarter <= 4, period
    first_of_next = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, quarter * 3 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


@dataclass
class Data:
    db: Path
    tickets: pd.DataFrame
    audits: pd.DataFrame
    training: pd.DataFrame
    appraisals: pd.DataFrame
    employees: pd.DataFrame
    policies: list[tuple[dt.date, dict]]  # (effective_from, body), oldest first
    rounds: pd.DataFrame  # a complaint's rounds: ticket_id, round, answer
    requisitions: pd.DataFrame  # read from the warehouse (no export has them)
    candidates: pd.DataFrame

    def policy_on(self, day: dt.date) -> dict:
        in_force = [body for start, body in self.policies if start <= day]
        assert in_force, f"no policy in force on {day}"
        return in_force[-1]


@pytest.fixture(scope="module")
def data(sample_db, tmp_path_factory) -> Data:
    out = tmp_path_factory.mktemp("kpi_exports")
    frames = {}
    for table in EXPORTS:
        path = out / f"{table}.csv"
        done = run_cli("export", table, "--db", str(sample_db), "--out", str(path))
        assert done.returncode == 0, done.stderr
        frames[table] = _read(path)

    # Not in the exports (or not reliably): the stored policy, the employees' leaving dates and the
    # rounds of each complaint.
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        policies = [
            (start, json.loads(body))
            for start, body in con.execute(
                "SELECT effective_from, body FROM policy_versions ORDER BY effective_from, version"
            ).fetchall()
        ]
        left_on = dict(con.execute("SELECT employee_id, left_on FROM employees").fetchall())
        rounds = pd.DataFrame(
            con.execute("SELECT ticket_id, round, answer FROM complaint_rounds").fetchall(),
            columns=["ticket_id", "round", "answer"],
        )
        requisitions = con.execute("SELECT * FROM requisitions").df()
        candidates = con.execute("SELECT * FROM candidates").df()
    finally:
        con.close()

    t = frames["tickets"]
    for col in ("opened_at", "first_response_at", "feedback_at", "callback_promised_at", "callback_done_at"):
        t[col] = _timestamps(t[col])
    for col in ("handle_seconds", "csat", "reward_amount"):
        t[col] = _numbers(t[col])
    for col in ("resolved", "first_contact_resolved", "customer_accepted", "reopened", "suggestion_adopted"):
        t[col] = _flags(t[col])
    t["day"] = t["opened_at"].dt.date

    # The export keeps calibration audits (source `calibration`: auditors scoring one ticket to
    # compare themselves); the README's QA metrics are about agents and leave them out.
    a = frames["audits"]
    assert (a["source"] == "calibration").any()
    a = frames["audits"] = a[a["source"] != "calibration"].copy()
    for col in QA_WEIGHTS:
        a[col] = _numbers(a[col])
    a["critical_error"] = _flags(a["critical_error"])
    assert a["critical_error"].notna().all()
    a["critical_error"] = a["critical_error"].astype(bool)
    a["day"] = _dates(a["audited_at"])

    tr = frames["training"]
    tr["taken_on"] = _dates(tr["taken_on"])
    tr["score"] = _numbers(tr["score"])
    tr["hours"] = _numbers(tr["hours"])

    ap = frames["appraisals"]
    for col in APPRAISAL_WEIGHTS:
        ap[col] = _numbers(ap[col])
    ap["period_end"] = ap["period"].map(_quarter_end)

    e = frames["employees"]
    e["hire_date"] = _dates(e["hire_date"])
    assert set(left_on) == set(e["employee_id"])
    e["left_on_db"] = e["employee_id"].map(left_on)
    if "left_on" in e.columns:  # if the export carries it after all, it must say the same
        exported = _dates(e["left_on"])
        assert (exported.isna() == e["left_on_db"].isna()).all()
        assert (exported.dropna() == e["left_on_db"].dropna()).all()

    for frame in (requisitions, candidates):
        for col in frame.columns:
            if col.endswith("_on") or col == "needed_by":
                frame[col] = _dates(frame[col].astype("string"))
    return Data(sample_db, t, a, tr, ap, e, policies, rounds, requisitions, candidates)


# ---------------------------------------------------------------- the independent computation


def _ratio(numerator, denominator):
    return None if denominator == 0 else numerator / denominator


def _value(x):
    return None if x is None or pd.isna(x) else float(x)


def _sla_threshold(policy: dict, client: str, channel: str) -> float:
    for contract in policy["contracts"]:
        if contract["client"] == client and channel in contract.get("sla_seconds", {}):
            return contract["sla_seconds"][channel]
    return policy["sla_seconds"][channel]


def _audit_score(a: pd.DataFrame) -> pd.Series:
    """Each audit's score: weighted mean over the criteria scored, 0 on a critical error."""
    weights = pd.Series(QA_WEIGHTS, dtype=float)
    scores = a[list(QA_WEIGHTS)]
    audit_score = (scores.fillna(0) * weights).sum(axis=1) / (scores.notna() * weights).sum(axis=1)
    return audit_score.where(~a["critical_error"], 0.0)


def expected(d: Data, start: dt.date, end: dt.date, client: str | None, channel: str | None) -> dict:
    policy = d.policy_on(end)
    t = d.tickets[(d.tickets["day"] >= start) & (d.tickets["day"] <= end)]
    a = d.audits[(d.audits["day"] >= start) & (d.audits["day"] <= end)]
    staff = d.employees
    if client is not None:  # tickets and audits by their own client; people by the employee's
        t, a = t[t["client"] == client], a[a["client"] == client]
        staff = staff[staff["client"] == client]
    if channel is not None:  # tickets and audits only
        t, a = t[t["channel"] == channel], a[a["channel"] == channel]
    out: dict[str, float | None] = {}

    # Tickets.
    offered = len(t)
    answered = t[t["first_response_at"].notna()]
    out["offered"] = offered
    out["answer_rate"] = _ratio(len(answered), offered)
    out["abandon_rate"] = None if out["answer_rate"] is None else 1 - out["answer_rate"]
    wait = (answered["first_response_at"] - answered["opened_at"]).dt.total_seconds()
    thresholds = [
        _sla_threshold(policy, c, ch) for c, ch in zip(answered["client"], answered["channel"], strict=True)
    ]
    out["service_level"] = _ratio(int((wait.to_numpy() <= np.array(thresholds)).sum()), offered)
    out["asa"] = _value(wait.mean())
    out["aht"] = _value(answered["handle_seconds"].dropna().mean())
    out["resolution_rate"] = _ratio(int((answered["resolved"] == True).sum()), len(answered))  # noqa: E712
    out["fcr_rate"] = _ratio(int((answered["first_contact_resolved"] == True).sum()), len(answered))  # noqa: E712
    rated = t[t["csat"].notna()]
    out["csat_pct"] = _ratio(int(rated["csat"].isin([4.0, 5.0]).sum()), len(rated))
    out["csat_avg"] = _value(rated["csat"].mean())
    out["csat_response_rate"] = _ratio(int(answered["csat"].notna().sum()), len(answered))
    fed_back = t[(t["type"] == "complaint") & t["feedback_at"].notna()]
    accepted = int((fed_back["customer_accepted"] == True).sum())  # noqa: E712
    out["complaint_acceptance_rate"] = _ratio(accepted, len(fed_back))
    hours = (fed_back["feedback_at"] - fed_back["opened_at"]).dt.total_seconds() / 3600
    out["complaint_feedback_hours"] = _value(hours.median())
    first_time = fed_back[(fed_back["customer_accepted"] == True) & (fed_back["reopened"] != True)]  # noqa: E712
    out["complaint_first_accept_rate"] = _ratio(len(first_time), len(fed_back))
    # the round in which each complaint of the period was accepted, from its rounds
    mine = d.rounds[d.rounds["ticket_id"].isin(fed_back["ticket_id"]) & (d.rounds["answer"] == "accepted")]
    out["complaint_rounds_to_accept"] = _value(mine.groupby("ticket_id")["round"].min().mean())
    out["complaints"] = int((t["type"] == "complaint").sum())

    # Distributions: median and 90th percentile with linear interpolation between ranks.
    out["wait_median"] = _value(wait.median())
    out["wait_p90"] = _value(wait.quantile(0.9))
    handled = answered["handle_seconds"].dropna()
    out["handle_median"] = _value(handled.median())
    out["handle_p90"] = _value(handled.quantile(0.9))

    # Callbacks: kept when made no later than the time promised.
    promised = t[t["callback_promised_at"].notna()]
    kept = promised["callback_done_at"].notna() & (
        promised["callback_done_at"] <= promised["callback_promised_at"]
    )
    out["callbacks_promised"] = len(promised)
    out["callback_kept_rate"] = _ratio(int(kept.sum()), len(promised))

    # Suggestions: adoption among those decided; rewards of the suggestions.
    suggestions = t[t["type"] == "suggestion"]
    decided = suggestions[suggestions["suggestion_adopted"].notna()]
    out["suggestions"] = len(suggestions)
    out["suggestion_adoption_rate"] = _ratio(int((decided["suggestion_adopted"] == True).sum()), len(decided))  # noqa: E712
    out["suggestion_rewards"] = float(suggestions["reward_amount"].fillna(0).sum())

    audit_score = _audit_score(a)
    out["qa_score"] = _value(audit_score.mean())
    out["qa_pass_rate"] = _ratio(int((audit_score >= QA_PASS_MARK).sum()), len(a))
    out["qa_critical_rate"] = _ratio(int(a["critical_error"].sum()), len(a))
    out["audits"] = len(a)
    out["qa_score_spread"] = _value(audit_score.std(ddof=1)) if len(a) > 1 else None
    every_score = a[list(QA_WEIGHTS)].to_numpy(dtype=float).ravel()
    every_score = every_score[~np.isnan(every_score)]
    out["criterion_score"] = _value(every_score.mean()) if len(every_score) else None

    # Onboarding: the cohort is who sat their first attempt in the period; passing is any attempt.
    tr = d.training[d.training["employee_id"].isin(staff["employee_id"])]
    onboarding = tr[tr["kind"] == "onboarding"]
    first_attempt = onboarding.groupby("employee_id")["taken_on"].min()
    cohort = first_attempt[(first_attempt >= start) & (first_attempt <= end)].index
    passed = set(onboarding.loc[onboarding["score"] >= ONBOARDING_PASS_MARK, "employee_id"])
    out["onboarding_pass_rate"] = _ratio(sum(eid in passed for eid in cohort), len(cohort))
    sittings = onboarding.groupby("employee_id").size()
    out["onboarding_attempts"] = _value(sittings[cohort].mean()) if len(cohort) else None

    # In-service hours of staff in a team ÷ staff in a team employed at some time in the period.
    in_team = staff[staff["team"] != ""]
    headcount = in_team[
        (in_team["hire_date"] <= end) & (in_team["left_on_db"].isna() | (in_team["left_on_db"] >= start))
    ]
    taken = tr[
        (tr["kind"] == "in_service")
        & (tr["taken_on"] >= start)
        & (tr["taken_on"] <= end)
        & tr["employee_id"].isin(in_team["employee_id"])
    ]
    out["training_hours"] = _ratio(float(taken["hours"].sum()), len(headcount))

    # Appraisals whose period ends within the range.
    ap = d.appraisals[d.appraisals["employee_id"].isin(staff["employee_id"])]
    ap = ap[(ap["period_end"] >= start) & (ap["period_end"] <= end)]
    appraisal = (ap[list(APPRAISAL_WEIGHTS)] * pd.Series(APPRAISAL_WEIGHTS, dtype=float)).sum(axis=1) / 100
    out["appraisal_score"] = _value(appraisal.mean())

    out.update(_recruitment(d, start, end, client))
    assert set(out) == set(METRICS)
    return out


def _recruitment(d: Data, start: dt.date, end: dt.date, client: str | None) -> dict:
    """The README's recruitment figures from the requisitions and candidates (a candidate's client
    is its requisition's; the ticket channel filters none of them)."""
    q = d.requisitions if client is None else d.requisitions[d.requisitions["client"] == client]
    c = d.candidates.merge(q[["requisition_id", "opened_on"]], on="requisition_id")
    out: dict[str, float | None] = {}
    open_q = q[(q["status"] == "open") & (q["opened_on"] <= end)]
    hired_per = d.candidates[d.candidates["hired_on"].notna()].groupby("requisition_id").size()
    still = [
        n - int(hired_per.get(r, 0))
        for n, r in zip(open_q["headcount"], open_q["requisition_id"], strict=True)
    ]
    out["recruit_open_seats"] = float(sum(max(n, 0) for n in still))
    cohort = c[(c["applied_on"] >= start) & (c["applied_on"] <= end)]
    yes = {col: cohort[col].astype("boolean").fillna(False) for col in ("screen_passed", "interview_passed",
                                                                        "check_passed", "offer_accepted")}  # fmt: skip
    out["recruit_applied"] = len(cohort)
    out["recruit_screened"] = int(yes["screen_passed"].sum())
    out["recruit_interviewed"] = int(yes["interview_passed"].sum())
    out["recruit_tested"] = int(cohort["test_score"].notna().sum())
    out["recruit_checked"] = int(yes["check_passed"].sum())
    out["recruit_offered"] = int(cohort["offered_on"].notna().sum())
    out["recruit_accepted"] = int(yes["offer_accepted"].sum())
    out["recruit_hired"] = int(cohort["hired_on"].notna().sum())
    out["recruit_hire_rate"] = _ratio(out["recruit_hired"], len(cohort))
    out["recruit_offer_acceptance"] = _ratio(
        out["recruit_accepted"], int(cohort["offer_accepted"].notna().sum())
    )
    hires = c[(c["hired_on"] >= start) & (c["hired_on"] <= end)]
    out["recruit_hires"] = len(hires)
    fill = [(h - o).days for h, o in zip(hires["hired_on"], hires["opened_on"], strict=True)]
    out["recruit_fill_days_median"] = float(np.percentile(fill, 50)) if fill else None
    out["recruit_fill_days_p90"] = float(np.percentile(fill, 90)) if fill else None
    tr = d.training[(d.training["kind"] == "onboarding") & (d.training["attempt"].astype(int) == 1)]
    firsts = [tr.loc[tr["employee_id"] == e, "score"] for e in hires["employee_id"]]
    sat = [f for f in firsts if len(f)]
    out["recruit_first_pass_rate"] = _ratio(
        sum(bool((f >= ONBOARDING_PASS_MARK).all()) for f in sat), len(sat)
    )
    scores, ratings = [], []
    for e, h in zip(hires["employee_id"], hires["hired_on"], strict=True):
        until = h + dt.timedelta(days=90)
        mine = d.audits[(d.audits["agent_id"] == e) & (d.audits["day"] >= h) & (d.audits["day"] < until)]
        scores += list(_audit_score(mine))
        rated = d.tickets[(d.tickets["agent_id"] == e) & (d.tickets["day"] >= h) & (d.tickets["day"] < until)]
        ratings += list(rated["csat"].dropna())
    out["recruit_qa_score"] = _value(np.mean(scores)) if scores else None
    out["recruit_csat_pct"] = _ratio(sum(r >= 4 for r in ratings), len(ratings))
    known, kept = 0, 0
    for e, h in zip(hires["employee_id"], hires["hired_on"], strict=True):
        day180 = h + dt.timedelta(days=180)
        if day180 <= dt.date.today():
            left = d.employees.loc[d.employees["employee_id"] == e, "left_on_db"].iloc[0]
            known += 1
            kept += bool(pd.isna(left) or left >= day180)
    out["recruit_retention_180"] = _ratio(kept, known)
    return out


# ---------------------------------------------------------------- the checks


def test_sample_policy_holds_the_documented_defaults(data):
    for _, body in data.policies:
        assert body["sla_seconds"] == DEFAULT_SLA
        criteria = {c["key"]: c["weight"] for c in body["scorecard"]["criteria"]}
        assert criteria == QA_WEIGHTS
        assert body["scorecard"]["pass_mark"] == QA_PASS_MARK
        assert body["onboarding_pass_mark"] == ONBOARDING_PASS_MARK
        indicators = {i["key"]: i["weight"] for i in body["appraisal"]["indicators"]}
        assert indicators == APPRAISAL_WEIGHTS
    # Some contract overrides a threshold, so the per-client lookup is actually exercised.
    assert any(c.get("sla_seconds") for _, body in data.policies for c in body["contracts"])


def _span(d: Data) -> tuple[dt.date, dt.date]:
    return d.tickets["day"].min(), d.tickets["day"].max()


# name -> (data -> (start, end, client, channel))
CASES = {
    "whole_span": lambda d: (*_span(d), None, None),
    "quarter_2026_q2": lambda d: (dt.date(2026, 4, 1), dt.date(2026, 6, 30), None, None),
    "harbor_last_90_days": lambda d: (
        _span(d)[1] - dt.timedelta(days=89),
        _span(d)[1],
        "Harbor Trust Bank",
        None,
    ),
    "phone_august_2026": lambda d: (dt.date(2026, 8, 1), dt.date(2026, 8, 31), None, "phone"),
    "cartwell_chat_2026_q3": lambda d: (dt.date(2026, 7, 1), dt.date(2026, 9, 30), "Cartwell Online", "chat"),
}


@pytest.fixture(scope="module")
def on_postgres(request, sample_db) -> str:
    """The same sample warehouse moved into a new PostgreSQL database (`csdata copy`): its address."""
    url = engines.new_database(request, migrated=False)
    done = run_cli("copy", url, "--db", str(sample_db))
    assert done.returncode == 0, done.stderr
    return url


@pytest.mark.parametrize("case", list(CASES))
def test_kpi_json_matches_independent_computation(data, case, engine, request):
    """On the DuckDB file, and on the same records in PostgreSQL."""
    start, end, client, channel = CASES[case](data)
    db = str(data.db) if engine == "duckdb" else request.getfixturevalue("on_postgres")
    args = ["kpi", "--db", db, "--from", start.isoformat(), "--to", end.isoformat(), "--json"]
    if client is not None:
        args += ["--client", client]
    if channel is not None:
        args += ["--channel", channel]
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert set(got) == set(METRICS)

    want = expected(data, start, end, client, channel)
    assert want["offered"] > 0, "the filter set should select some tickets"
    wrong = {}
    for metric in METRICS:
        if want[metric] is None:
            ok = got[metric] is None
        else:
            ok = got[metric] is not None and got[metric] == near(metric, want[metric], rel=1e-9)
        if not ok:
            wrong[metric] = {"cli": got[metric], "expected": want[metric]}
    assert not wrong, wrong
