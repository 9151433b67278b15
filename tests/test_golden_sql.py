"""Golden files of the SQL the compiler writes, for a representative set of requests.

Each case's statement and parameters are kept in `tests/golden_sql/<case>.sql`, so a change to
generated SQL shows in review as a change of these files, not only as a passing test. After a
deliberate change, write them anew with `CSDATA_UPDATE_GOLDEN=1 make test` (or this file alone)
and read the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from conftest import ROOT

from csdata.analytics import compiler, compliance, exports, page_queries
from csdata.analytics.compiler import EVERYTHING, Filters, Scope
from csdata.analytics.metrics import HEADLINE
from csdata.analytics.page_queries import QUALITY_TREND
from csdata.policy import default_policy

GOLDEN = ROOT / "tests" / "golden_sql"
APRIL = Filters(dt.date(2026, 4, 1), dt.date(2026, 4, 30))
CLIENT = Scope(clients=("Beta",), external=True)
SUPERVISOR = Scope(teams=("Beta-1",))

# case -> (metrics, filters, grouping, scope)
METRIC_CASES = {
    "overview_cards": (list(HEADLINE), APRIL, None, EVERYTHING),
    "service_wait_by_channel": (["asa", "aht", "wait_p90"], APRIL, "channel", EVERYTHING),
    "answer_rate_week_by_channel": (["answer_rate", "service_level"], APRIL, ("week", "channel"), EVERYTHING),
    "qa_by_agent_one_team": (
        ["audits", "qa_score", "qa_pass_rate"],
        Filters(APRIL.start, APRIL.end, teams=("Alpha-1",)),
        "agent",
        EVERYTHING,
    ),
    "training_per_head_by_team": (["training_hours", "onboarding_pass_rate"], APRIL, "team", EVERYTHING),
    "client_account_csat_by_day": (["csat_pct", "complaints"], APRIL, "day", CLIENT),
    "supervisor_criteria": (["criterion_score"], APRIL, "criterion", SUPERVISOR),
    "complaint_rounds_by_department": (
        ["complaint_first_accept_rate", "complaint_rounds_to_accept"],
        APRIL,
        "department",
        EVERYTHING,
    ),
}
# Metric cases asked with each metric's sample (`detail`), as the pages' cards ask.
DETAILED = {"overview_cards"}
# The weekly trends ask for each metric's sample too (its band and control chart).
DETAIL_CASES = {
    "quality_trend_week_detail": (list(QUALITY_TREND), APRIL, "week", EVERYTHING),
    "asa_week_by_channel_detail": (["asa", "aht"], APRIL, ("week", "channel"), SUPERVISOR),
}
LISTING_CASES = {
    "listing_complaint_path_supervisor": ("complaint_path", SUPERVISOR),
    "listing_open_complaints_client": ("open_complaints", CLIENT),
    "listing_agent_audits": ("agent_audits", EVERYTHING),
}
EXPORT_CASES = {f"export_{table}_client": (table, Scope(clients=("Beta",))) for table in exports.EXPORTS}
# The agents' ranking as the Quality page asks for it: with each metric's sample, for its interval.
# The agents below the sampling plan in a supervisor's teams (n = 20 audits in April).
PLAN_CASES = ("quality_agents_with_intervals", "below_plan_supervisor")


def _text(sql: str, params: dict) -> str:
    shown = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in sorted(params.items())}
    lines = [line.rstrip() for line in sql.strip().splitlines()]
    return (
        "-- params: " + json.dumps(shown, ensure_ascii=False, sort_keys=True) + "\n" + "\n".join(lines) + "\n"
    )


def _generated(case: str) -> str:
    policy = default_policy()
    if case in METRIC_CASES:
        metrics, filters, by, scope = METRIC_CASES[case]
        return _text(*compiler.build_sql(metrics, filters, by, scope, policy, case in DETAILED))
    if case in DETAIL_CASES:
        metrics, filters, by, scope = DETAIL_CASES[case]
        return _text(*compiler.build_sql(metrics, filters, by, scope, policy, detail=True))
    if case in LISTING_CASES:
        name, scope = LISTING_CASES[case]
        filters = Filters(APRIL.start, APRIL.end, agents=("A1",)) if name.startswith("agent_") else APRIL
        return _text(*compiler.listing_sql(name, filters, scope, policy))
    if case == "quality_agents_with_intervals":
        return _text(*page_queries.requests("quality", APRIL)["agents"].sql(EVERYTHING, policy))
    if case == "below_plan_supervisor":
        return _text(*compliance.below_plan_sql(SUPERVISOR, APRIL.start, APRIL.end, 20))
    table, scope = EXPORT_CASES[case]
    return _text(*exports.export_sql(table, policy, scope))


CASES = [*METRIC_CASES, *DETAIL_CASES, *LISTING_CASES, *EXPORT_CASES, *PLAN_CASES]


@pytest.mark.parametrize("case", CASES)
def test_generated_sql_matches_its_golden_file(case):
    path = GOLDEN / f"{case}.sql"
    got = _generated(case)
    if os.environ.get("CSDATA_UPDATE_GOLDEN") == "1":
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"no golden file for {case}: write it with CSDATA_UPDATE_GOLDEN=1"
    assert got == path.read_text(encoding="utf-8"), (
        f"the SQL of {case} changed: if meant, write the golden files anew (CSDATA_UPDATE_GOLDEN=1) "
        "and review their diff"
    )


def test_every_golden_file_has_a_case():
    assert sorted(p.stem for p in GOLDEN.glob("*.sql")) == sorted(CASES)
