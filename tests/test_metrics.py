"""Every metric of the catalog on the tiny warehouse of conftest.py, against values worked out by
hand from the rows listed there (the arithmetic is written out beside each expectation)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from conftest import near

from csdata.analytics import compiler, lookups
from csdata.analytics.compiler import Filters, Scope
from csdata.analytics.metrics import CATALOG, check_catalog, meets

MARCH = Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31))

# March: T1..T8 offered (T9 is 1 April 00:00:00, T10 is 28 February). Answered: T1 T2 T4 T5 T6 T7.
EXPECTED_MARCH = {
    "offered": 8,
    "answer_rate": 6 / 8,
    "abandon_rate": 2 / 8,
    # within threshold: T1 (8 s, Acme phone contract 10 s), T4 (chat 50 s <= 60), T5 (email 3 h <= 8 h);
    # not: T2 (15 s > Acme's 10 s), T6 (9 h > 8 h), T7 (chat 70 s > 60), T3 and T8 (abandoned)
    "service_level": 3 / 8,
    "asa": (8 + 15 + 50 + 3 * 3600 + 9 * 3600 + 70) / 6,
    # T5 was answered but has no handle time: (300 + 200 + 600 + 900 + 400) / 5
    "aht": 2400 / 5,
    "resolution_rate": 5 / 6,  # T1 T2 T4 T6 T7
    "fcr_rate": 3 / 6,  # T1 T6 T7
    "csat_pct": 3 / 5,  # ratings 5 3 2 4 4: three of five are 4 or 5
    "csat_avg": (5 + 3 + 2 + 4 + 4) / 5,
    "csat_response_rate": 5 / 6,
    "complaint_acceptance_rate": 1 / 2,  # complaints fed back: T4 (accepted) and T5 (not); T6 never
    "complaint_feedback_hours": (10 + 30) / 2,  # median of 10 h and 30 h
    # answered waits sorted: 8 15 50 70 10800 32400; median between 50 and 70; the 90th percentile
    # (linear) sits at position 0.9 x 5 = 4.5, halfway between 10800 and 32400
    "wait_median": (50 + 70) / 2,
    "wait_p90": 10800 + 0.5 * (32400 - 10800),
    # handle times sorted: 200 300 400 600 900; p90 at position 0.9 x 4 = 3.6
    "handle_median": 400,
    "handle_p90": 600 + 0.6 * (900 - 600),
    "callbacks_promised": 3,  # T1 (never made), T2 (kept), T6 (late); T9 is April
    "callback_kept_rate": 1 / 3,
    "complaints": 3,  # T4 T5 T6
    # complaints with a round of feedback: T4 (round 1 reopened, round 2 accepted) and T5 (round 1
    # reopened); neither accepted the first feedback
    "complaint_first_accept_rate": 0 / 2,
    "complaint_rounds_to_accept": 2,  # only T4 was accepted, in its second round
    "suggestions": 1,  # T7
    "suggestion_adoption_rate": 1 / 1,
    "suggestion_rewards": 50,
    "audits": 3,  # AU1 AU2 AU3
    # sample standard deviation of 85, 83.75 and 0 (mean 56.25)
    "qa_score_spread": math.sqrt(((85 - 56.25) ** 2 + (83.75 - 56.25) ** 2 + (0 - 56.25) ** 2) / 2),
    # every criterion score of AU1 (400 over 5), AU2 (320 over 4), AU3 (500 over 5)
    "criterion_score": (400 + 320 + 500) / 14,
    "onboarding_attempts": 1,  # N2 and N3 sat once each in March (N1 first sat in February)
    # AU1 = (25*90 + 20*80 + 30*100 + 15*70 + 10*60) / 100 = 85
    # AU2 (responsiveness not applicable) = (25*80 + 30*90 + 15*100 + 10*50) / 80 = 83.75
    # AU3 has a critical error = 0; AU4 is in April
    "qa_score": (85 + 83.75 + 0) / 3,
    "qa_pass_rate": 1 / 3,  # only AU1 reaches 85
    "qa_critical_rate": 1 / 3,
    # first attempts in March: N2 (60, never passes) and N3 (80, exactly the pass mark)
    "onboarding_pass_rate": 1 / 2,
    # in-service hours in March: A1 4 + B1 2.5; headcount: A1 A2 S1 B1 N1 N2 N3 (L1 left in
    # January, Q1 is in no team)
    "training_hours": 6.5 / 7,
    # 2026-Q1 ends in March: A1 (30*90 + 30*85 + 25*80 + 15*100)/100 = 87.5, B1 = 66.5
    "appraisal_score": (87.5 + 66.5) / 2,
    # Recruitment. Open requisitions opened by March's end: RQ1 4 seats − 2 hires (N1, N2) = 2,
    # RQ3 1 seat, none hired (RQ2 is filled, not open).
    "recruit_open_seats": 3,
    # Applied in March: K4 (passed screening, failed the interview), K5 (as far as an offer, which
    # was declined) and K6 (nothing yet).
    "recruit_applied": 3,
    "recruit_screened": 2,
    "recruit_interviewed": 1,
    "recruit_tested": 1,
    "recruit_checked": 1,
    "recruit_offered": 1,
    "recruit_accepted": 0,
    "recruit_hired": 0,
    "recruit_hire_rate": 0 / 3,
    "recruit_offer_acceptance": 0 / 1,
    # Hired in March: N2 (against RQ1) and N3 (against RQ2).
    "recruit_hires": 2,
    # N2: 10 January to 1 March = 21 days of January + 28 of February = 50 days (datediff counts
    # day boundaries); N3: 1 February to 1 March = 28. Median of 28 and 50 = 39; the 90th
    # percentile (linear) = 28 + 0.9 × 22 = 47.8.
    "recruit_fill_days_median": 39,
    "recruit_fill_days_p90": 28 + 0.9 * 22,
    # first onboarding attempts: N2 60 (below 80), N3 80 (the pass mark)
    "recruit_first_pass_rate": 1 / 2,
    # N2 and N3 have no audits and no rated tickets yet
    "recruit_qa_score": None,
    "recruit_csat_pct": None,
    # both hired 1 March 2026, 180 days before today, and neither has left
    "recruit_retention_180": 2 / 2,
}


def test_catalog_rules():
    check_catalog()
    assert set(EXPECTED_MARCH) == set(CATALOG), "every metric needs a hand-worked expectation"


@pytest.mark.parametrize("metric", list(CATALOG))
def test_metric_by_hand(tiny, metric):
    facts = compiler.row_values(compiler.metric_table(tiny, [metric], MARCH, rollups=False))[metric]
    value = compiler.metric_values(tiny, [metric], MARCH)[metric]
    if EXPECTED_MARCH[metric] is None:  # nothing to measure: undefined, not 0
        assert facts is None and value is None
        return
    assert facts == pytest.approx(EXPECTED_MARCH[metric], rel=1e-12)
    assert value == near(metric, EXPECTED_MARCH[metric])


def test_all_metrics_in_one_query_agree_with_one_by_one(tiny):
    values = compiler.metric_values(tiny, list(CATALOG), MARCH)
    assert set(values) == set(EXPECTED_MARCH)
    for metric, expected in EXPECTED_MARCH.items():
        assert values[metric] == (None if expected is None else near(metric, expected)), metric


def test_client_filter_and_grouping(tiny):
    acme = compiler.metric_values(
        tiny,
        ["offered", "answer_rate", "service_level", "csat_avg"],
        Filters(MARCH.start, MARCH.end, clients=("Acme",)),
    )
    # Acme in March: T1 T2 T3 T4; answered T1 T2 T4; within SLA T1 (8 <= 10) and T4 (50 <= 60)
    assert acme == pytest.approx(
        {"offered": 4, "answer_rate": 3 / 4, "service_level": 2 / 4, "csat_avg": (5 + 3 + 2) / 3}
    )
    by_client = compiler.metric_table(tiny, ["offered", "qa_score"], MARCH, by="client").set_index("key")
    assert by_client.loc["Acme", "offered"] == 4
    assert by_client.loc["Beta", "offered"] == 4
    assert by_client.loc["Acme", "qa_score"] == pytest.approx((85 + 83.75) / 2)
    assert by_client.loc["Beta", "qa_score"] == 0


def test_channel_filter_leaves_sources_without_channel_alone(tiny):
    phone = compiler.metric_values(
        tiny,
        ["offered", "answer_rate", "training_hours"],
        Filters(MARCH.start, MARCH.end, channels=("phone",)),
    )
    # phone in March: T1 T2 T3 T8; answered T1 T2. Training has no channel: unchanged.
    assert phone == pytest.approx({"offered": 4, "answer_rate": 2 / 4, "training_hours": 6.5 / 7})


def test_grouping_by_channel_empties_metrics_that_have_no_channel(tiny):
    frame = compiler.metric_table(tiny, ["offered", "training_hours"], MARCH, by="channel").set_index("key")
    assert frame["offered"].to_dict() == {"chat": 2, "email": 2, "phone": 4}
    assert frame["training_hours"].isna().all()


def test_weekly_grouping_sums_to_the_period(tiny):
    frame = compiler.metric_table(tiny, ["offered"], MARCH, by="week")
    assert frame["offered"].sum() == 8
    assert all(d.weekday() == 0 for d in frame["key"])  # ISO weeks start on Monday


def test_empty_period_gives_nulls_not_errors(tiny):
    values = compiler.metric_values(tiny, list(CATALOG), Filters(dt.date(2020, 1, 1), dt.date(2020, 1, 31)))
    counts = {"offered", "callbacks_promised", "complaints", "suggestions", "audits", "suggestion_rewards"}
    counts |= {m for m in CATALOG if m.startswith("recruit_") and CATALOG[m].unit == "count"}
    assert all(values[m] == 0 for m in counts)
    assert all(values[m] is None for m in CATALOG if m not in counts)


def test_february_onboarding_counts_first_attempt(tiny):
    feb = compiler.metric_values(
        tiny, ["onboarding_pass_rate", "offered"], Filters(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    )
    # N1 first sat in February (70) and passed on the retake in March (85): passed, counted in February
    assert feb == {"onboarding_pass_rate": 1.0, "offered": 1}
    attempts = compiler.metric_values(
        tiny, ["onboarding_attempts"], Filters(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    )
    assert attempts == {"onboarding_attempts": 2}  # both of N1's sittings


def test_scope_limits_every_number(tiny):
    scope = Scope(clients=("Beta",))
    everything = compiler.metric_values(tiny, ["offered"], MARCH, scope)
    asked_for_acme = compiler.metric_values(
        tiny, ["offered"], Filters(MARCH.start, MARCH.end, ("Acme",)), scope
    )
    assert everything == {"offered": 4}
    assert asked_for_acme == {"offered": 0}
    assert lookups.clients(tiny, scope) == ["Beta"]


def test_previous_period_has_the_same_length():
    prev = MARCH.previous()
    assert (prev.start, prev.end) == (dt.date(2026, 1, 29), dt.date(2026, 2, 28))
    assert prev.days == MARCH.days == 31


@pytest.mark.parametrize(
    ("metric", "value", "target", "expected"),
    [
        ("service_level", 0.8, 0.8, True),
        ("service_level", 0.79, 0.8, False),
        ("asa", 21, 20, False),
        ("asa", 20, 20, True),
        ("offered", 5, 3, None),
        ("csat_pct", None, 0.9, None),
    ],
)
def test_meets_follows_direction(metric, value, target, expected):
    assert meets(metric, value, target) is expected


def test_sql_is_parameterised(tiny):
    sql, params = compiler.build_sql(
        ["offered"],
        Filters(MARCH.start, MARCH.end, ("x'; DROP TABLE tickets; --",)),
        None,
        compiler.EVERYTHING,
        tiny_policy_for(tiny),
    )
    assert "DROP TABLE" not in sql
    assert ["x'; DROP TABLE tickets; --"] in params.values()
    hostile = Filters(MARCH.start, MARCH.end, ("x'; DROP TABLE tickets; --",))
    assert compiler.metric_values(tiny, ["offered"], hostile) == {"offered": 0}
    assert tiny.scalar("SELECT count(*) FROM tickets") == 10


def tiny_policy_for(wh):
    from csdata.policy import load_policy

    return load_policy(wh)[1]


def test_resolution_unknown_when_no_ticket_records_it(tiny):
    # A call log without resolution columns: the rates are unknown, not 0 %.
    with tiny.transaction("test", "fixture") as w:
        w.execute("UPDATE tickets SET resolved = NULL, first_contact_resolved = NULL")
    values = compiler.metric_values(tiny, ["resolution_rate", "fcr_rate", "answer_rate"], MARCH)
    assert values == {"resolution_rate": None, "fcr_rate": None, "answer_rate": 6 / 8}
    # One answered ticket recording a "no" is a known 0 %.
    with tiny.transaction("test", "fixture") as w:
        w.execute("UPDATE tickets SET resolved = FALSE WHERE ticket_id = 'T1'")
    assert compiler.metric_values(tiny, ["resolution_rate"], MARCH) == {"resolution_rate": 0.0}


def test_two_groupings_at_once(tiny):
    frame = compiler.metric_table(tiny, ["offered"], MARCH, by=("week", "channel"))
    assert list(frame.columns) == ["key", "key2", "offered"]
    cells = {(_day(k), c): n for k, c, n in frame.itertuples(index=False)}
    assert cells[("2026-03-02", "phone")] == 3  # T1 T2 T3 (Monday 2 March)
    assert cells[("2026-03-02", "chat")] == 1  # T4
    assert cells[("2026-03-30", "phone")] == 1  # T8, the last second of March
    assert sum(cells.values()) == 8


def test_headcount_repeats_in_every_week_of_a_split_by_client(tiny):
    frame = compiler.metric_table(tiny, ["training_hours"], MARCH, by=("week", "client"))
    cells = {(_day(k), c): v for k, c, v in frame.itertuples(index=False)}
    assert cells[("2026-03-09", "Acme")] == pytest.approx(4 / 3)  # A1's 4 h; Acme: A1 A2 S1
    assert cells[("2026-03-16", "Beta")] == pytest.approx(2.5 / 4)  # B1's 2.5 h; Beta: B1 N1 N2 N3


def test_groupings_of_one_source(tiny):
    criteria = compiler.metric_table(tiny, ["criterion_score"], MARCH, by="criterion").set_index("key")
    assert criteria["criterion_score"].to_dict() == pytest.approx(
        {
            "attitude": (90 + 80 + 100) / 3,
            "responsiveness": (80 + 100) / 2,  # AU2 did not score it
            "accuracy": (100 + 90 + 100) / 3,
            "communication": (70 + 100 + 100) / 3,
            "compliance": (60 + 50 + 100) / 3,
        }
    )
    hours = compiler.metric_table(tiny, ["offered"], MARCH, by="hour").set_index("key")["offered"]
    assert hours.to_dict() == {8: 1, 9: 2, 10: 1, 11: 1, 12: 1, 14: 1, 23: 1}
    weekdays = compiler.metric_table(tiny, ["offered"], MARCH, by="weekday").set_index("key")["offered"]
    # ISO weekday: Monday 2 March (T1 T2 T3), Tuesdays 10 and 31 (T5 T8), Thursdays 5 and 12 (T4 T6),
    # Friday 20 (T7)
    assert weekdays.to_dict() == {1: 3, 2: 2, 4: 2, 5: 1}
    departments = compiler.metric_table(tiny, ["complaints", "suggestions"], MARCH, by="department")
    got = {r.key: (r.complaints, r.suggestions) for r in departments.itertuples()}
    assert got == {"billing": (2, 0), "logistics": (1, 0), "product": (0, 1)}
    auditors = compiler.metric_table(tiny, ["audits", "qa_score"], MARCH, by="auditor")
    assert auditors.to_dict("records") == [
        {"key": "Q1", "audits": 3, "qa_score": pytest.approx((85 + 83.75) / 3)}
    ]


def test_splitting_by_a_dimension_a_source_lacks_leaves_it_empty(tiny):
    frame = compiler.metric_table(tiny, ["offered", "qa_score"], MARCH, by="criterion")
    assert frame.empty or frame["offered"].isna().all()


def _day(value) -> str:
    return pd.Timestamp(value).date().isoformat()


def test_scaled_audits_keep_every_qa_figure(tiny):
    from csdata.demo.sample import scale_audits

    before = compiler.metric_values(tiny, ["audits", "qa_score", "qa_pass_rate", "criterion_score"], MARCH)
    assert scale_audits(tiny, 3) == 3 * 4  # AU1..AU4, three times
    assert tiny.scalar("SELECT count(*) FROM audit_scores") == 3 * (5 + 4 + 5 + 1)
    after = compiler.metric_values(tiny, ["audits", "qa_score", "qa_pass_rate", "criterion_score"], MARCH)
    assert after == pytest.approx({**before, "audits": 3 * before["audits"]})


def test_an_agents_history_keeps_to_the_scope(tiny):
    from csdata.analytics.page_queries import Request, fetch

    a1 = Filters(MARCH.start, MARCH.end, agents=("A1",))
    training = fetch(tiny, Request(a1, listing="agent_training"))
    assert list(training["course"]) == ["Complaint handling"]  # A1's one course (10 March)
    assert list(fetch(tiny, Request(a1, listing="agent_appraisals"))["score"]) == [87.5]
    beta_only = Scope(clients=("Beta",))  # A1 works for Acme
    assert fetch(tiny, Request(a1, listing="agent_training"), beta_only).empty
    assert fetch(tiny, Request(a1, listing="agent_appraisals"), beta_only).empty
