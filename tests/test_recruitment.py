"""Recruitment from files and on its page: a hand-worked example imported into a fresh warehouse
(funnel, conversion, time to fill, open seats, each channel's hires afterwards), a hire on the page
creating the employee in the same transaction, a hire without a passed background check refused
with nothing written, and who may open the page and use its forms.

Every expected figure is worked out by hand in the comments from the files written here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, point_app_at, sign_in_as
from streamlit.testing.v1 import AppTest

from csdata import pages
from csdata.access import auth
from csdata.access.scope import scope_for
from csdata.analytics import compiler, lookups
from csdata.analytics.compiler import Filters
from csdata.analytics.funnel import FUNNEL_METRICS, funnel
from csdata.imports.ingest import import_file
from csdata.policy import default_policy
from csdata.records import corrections, hiring
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem, t
from csdata.ui import core

SAMPLE = ROOT / "sample_data"
PASSWORD = "recruit-secret-42"
JANUARY = Filters(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
FEBRUARY = Filters(dt.date(2026, 2, 1), dt.date(2026, 2, 28))

# Two requisitions: RA, 3 agents for Harbor 1 (Harbor Trust Bank) opened 5 January; RB, 2 agents for
# Nebula 1 (Nebula Games) opened 12 January.
REQUISITIONS = """requisition_id,position,client,team,headcount,opened_on,needed_by,status,requirements
RA,agent,Harbor Trust Bank,Harbor 1,3,2026-01-05,2026-02-15,open,Mandarin and typing
RB,agent,,Nebula 1,2,2026-01-12,2026-03-01,open,Gaming knowledge
"""
HEAD = (
    "candidate_id,requisition_id,channel,applied_on,screened_on,screen_passed,interviewed_on,interview_passed,"
    "test_on,test_score,checked_on,check_passed,offered_on,offer_accepted,hired_on,employee_id,rejected_on,reason"
)
CANDIDATES = f"""{HEAD}
C1,RA,job_site,2026-01-06,2026-01-07,yes,2026-01-09,yes,2026-01-10,82,2026-01-14,yes,2026-01-16,yes,2026-02-02,E9001,,
C2,RA,referral,2026-01-06,2026-01-08,yes,2026-01-12,yes,2026-01-13,90,2026-01-19,yes,2026-01-20,yes,2026-02-16,E9002,,
C3,RA,job_site,2026-01-07,2026-01-08,no,,,,,,,,,,,2026-01-08,no experience
C4,RA,campus,2026-01-08,2026-01-09,yes,2026-01-13,no,,,,,,,,,2026-01-13,interview
C5,RA,social_media,2026-01-09,2026-01-10,yes,2026-01-14,yes,2026-01-15,65,2026-01-20,no,,,,,2026-01-21,background check
C6,RB,referral,2026-01-13,2026-01-14,yes,2026-01-16,yes,2026-01-17,88,2026-01-22,yes,2026-01-23,no,,,,took another offer
C7,RB,job_site,2026-01-15,2026-01-16,yes,2026-01-19,yes,2026-01-20,77,2026-01-26,yes,2026-01-27,yes,2026-02-09,E9003,,
C8,RB,job_site,2026-01-20,,,,,,,,,,,,,,
C9,RB,referral,2026-02-02,2026-02-03,yes,2026-02-05,yes,2026-02-06,84,2026-02-10,yes,2026-02-11,yes,,,,
C10,RB,agency,2026-02-03,2026-02-04,yes,2026-02-06,yes,2026-02-09,80,,,,,,,,
"""
# Onboarding first attempts of the hires: E9001 85 (passes the mark of 80), E9002 90, E9003 70 then 85.
TRAINING = """employee_id,course,kind,taken_on,score,hours,attempt
E9001,Onboarding,onboarding,2026-02-05,85,16,1
E9002,Onboarding,onboarding,2026-02-18,90,16,1
E9003,Onboarding,onboarding,2026-02-12,70,16,1
E9003,Onboarding,onboarding,2026-02-19,85,8,2
"""


def _import(wh: Warehouse, kind: str, text: str | bytes) -> None:
    data = text if isinstance(text, bytes) else text.encode()
    report = import_file(wh, kind, data, f"{kind}.csv", "hr1", strict=True)
    assert report.committed and not report.rejects, (kind, report.rejects)


def build(db: Path) -> Warehouse:
    """A fresh warehouse: the sample master data, two accounts, the files above."""
    wh = Warehouse(db, create=True)
    for kind in ("clients", "departments", "pay_grades", "teams"):
        _import(wh, kind, (SAMPLE / f"{kind}.csv").read_bytes())
    for name, role, clients, teams in (
        ("hr1", "hr", (), ()),
        ("hr_harbor", "hr", ("Harbor Trust Bank",), ()),
        ("exec1", "exec", (), ()),
        ("client1", "client", ("Harbor Trust Bank",), ()),
        ("sup1", "supervisor", (), ("Harbor 1",)),
    ):
        auth.add_user(wh, "test", name, role, PASSWORD, clients, teams)
    _import(wh, "requisitions", REQUISITIONS)
    _import(wh, "candidates", CANDIDATES)
    _import(wh, "training", TRAINING)
    with wh.transaction("test", "fixture") as w:
        # QA audits and rated tickets of the hires: E9001 90 on 1 March (within 90 days of 2 February)
        # and 50 on 1 June (after them); E9003 80 on 20 February. Tickets: E9001 rated 5, E9003 3.
        for audit_id, day, agent, score in (
            ("Q1", "2026-03-01", "E9001", 90),
            ("Q2", "2026-06-01", "E9001", 50),
            ("Q3", "2026-02-20", "E9003", 80),
        ):
            w.execute(
                "INSERT INTO audits (audit_id, audited_at, agent_id, source, score) VALUES (?, ?, ?, 'recording', ?)",
                [audit_id, day, agent, score],
            )
        for ticket_id, agent, client, team, opened, csat in (
            ("T1", "E9001", "Harbor Trust Bank", "Harbor 1", "2026-02-10 10:00:00", 5),
            ("T2", "E9003", "Nebula Games", "Nebula 1", "2026-02-12 11:00:00", 3),
        ):
            w.execute(
                "INSERT INTO tickets (ticket_id, client, channel, type, agent_id, team, opened_at, first_response_at,"
                " csat) VALUES (?, ?, 'phone', 'consultation', ?, ?, ?, ?, ?)",
                [ticket_id, client, agent, team, opened, opened, csat],
            )
    return wh


@pytest.fixture
def wh(tmp_path):
    found = build(tmp_path / "recruit.duckdb")
    yield found
    found.close()


def test_hires_by_import_create_their_employees(wh):
    people = wh.df("SELECT employee_id, team, client, position, grade, hire_date FROM employees ORDER BY 1")
    assert list(people["employee_id"]) == ["E9001", "E9002", "E9003"]
    # RA's team and client; RB names no client: its team's (Nebula 1 serves Nebula Games)
    assert list(people["team"]) == ["Harbor 1", "Harbor 1", "Nebula 1"]
    assert list(people["client"]) == ["Harbor Trust Bank", "Harbor Trust Bank", "Nebula Games"]
    assert [d.date() for d in people["hire_date"]] == [
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 16),
        dt.date(2026, 2, 9),
    ]
    # each with its history from the hire day and a trail row, as an employees import makes them
    assert wh.scalar("SELECT count(*) FROM employee_history WHERE valid_to IS NULL") == 3
    assert (
        wh.scalar("SELECT count(*) FROM record_changes WHERE kind = 'employees' AND change = 'create'") == 3
    )
    # importing the file again adds nothing
    again = import_file(wh, "candidates", CANDIDATES.encode(), "candidates.csv", "hr1")
    assert again.imported == 0 and again.duplicates == 10
    assert wh.scalar("SELECT count(*) FROM employees") == 3


def test_hand_worked_funnel_time_to_fill_and_seats(wh):
    values = compiler.metric_values(
        wh, [*FUNNEL_METRICS, "recruit_hire_rate", "recruit_offer_acceptance"], JANUARY
    )
    # January's applicants: C1-C8. Passed screening: all but C3 (failed) and C8 (not screened) = 6;
    # passed the interview: not C4 = 5; tested: the same 5; passed the check: not C5 = 4; offered:
    # C1, C2, C6, C7 = 4; accepted: C6 declined = 3; hired: C1, C2, C7 = 3.
    counts = [values[m] for m in FUNNEL_METRICS]
    assert counts == [8, 6, 5, 5, 4, 4, 3, 3]
    assert values["recruit_hire_rate"] == pytest.approx(3 / 8)
    assert values["recruit_offer_acceptance"] == pytest.approx(3 / 4)
    rows = funnel(values)
    assert list(rows["of_previous"][1:]) == pytest.approx([6 / 8, 5 / 6, 5 / 5, 4 / 5, 4 / 4, 3 / 4, 3 / 3])
    assert pd.isna(rows["of_previous"][0])  # the applicants have no stage before them
    assert list(rows["of_applied"]) == pytest.approx([n / 8 for n in counts])
    fill = compiler.metric_values(
        wh, ["recruit_hires", "recruit_fill_days_median", "recruit_fill_days_p90"], FEBRUARY
    )
    # Hired in February: C1 on 2 Feb (RA opened 5 Jan: 26 + 2 = 28 days), C2 on 16 Feb (42 days),
    # C7 on 9 Feb (RB opened 12 Jan: 19 + 9 = 28 days). Median of 28, 28, 42 = 28; the 90th
    # percentile (linear) at rank 0.9 × 2 = 1.8: 28 + 0.8 × (42 − 28) = 39.2.
    assert fill == {
        "recruit_hires": 3,
        "recruit_fill_days_median": 28,
        "recruit_fill_days_p90": pytest.approx(39.2),
    }
    # Open seats: RA 3 − 2 hires = 1, RB 2 − 1 hire = 1.
    seats = compiler.metric_table(wh, ["recruit_open_seats"], FEBRUARY, ("client", "team"))
    assert dict(zip(seats["key2"], seats["recruit_open_seats"], strict=True)) == {
        "Harbor 1": 1,
        "Nebula 1": 1,
    }


def test_channels_and_how_their_hires_did(wh):
    metrics = ["recruit_applied", "recruit_hired", "recruit_hire_rate"]
    by = compiler.metric_table(wh, metrics, JANUARY, "recruit_channel").set_index("key")
    # January: job_site C1 C3 C7 C8 (hired C1, C7), referral C2 C6 (hired C2), campus C4, social_media C5
    assert by["recruit_applied"].to_dict() == {"campus": 1, "job_site": 4, "referral": 2, "social_media": 1}
    assert by["recruit_hired"].to_dict() == {"campus": 0, "job_site": 2, "referral": 1, "social_media": 0}
    assert by.loc["job_site", "recruit_hire_rate"] == pytest.approx(2 / 4)
    after = ["recruit_first_pass_rate", "recruit_qa_score", "recruit_csat_pct", "recruit_retention_180"]
    hires = compiler.metric_table(wh, after, FEBRUARY, "recruit_channel").set_index("key")
    # job_site's hires E9001 (first attempt 85: passed) and E9003 (70: not); referral's E9002 (90)
    assert hires.loc["job_site", "recruit_first_pass_rate"] == pytest.approx(1 / 2)
    assert hires.loc["referral", "recruit_first_pass_rate"] == pytest.approx(1)
    # QA in the first 90 days: E9001's 90 (its 50 of June is later), E9003's 80: mean 85
    assert hires.loc["job_site", "recruit_qa_score"] == pytest.approx(85)
    # ratings in the first 90 days: 5 (top box) and 3: 1 of 2
    assert hires.loc["job_site", "recruit_csat_pct"] == pytest.approx(1 / 2)
    # all three were hired more than 180 days before today and none has left
    assert hires["recruit_retention_180"].to_dict() == {"job_site": 1, "referral": 1}


def test_scope_limited_to_a_client_sees_its_requisitions(wh):
    harbor = auth.load_user(wh, "hr_harbor").scope
    sql, params = compiler.listing_sql("recruit_requisitions", FEBRUARY, harbor, default_policy())
    assert list(wh.df(sql, params)["requisition_id"]) == ["RA"]
    assert list(lookups.records(wh, "requisitions", harbor)["requisition_id"]) == ["RA"]  # the form's choices
    applied = compiler.metric_values(wh, ["recruit_applied"], JANUARY, harbor)["recruit_applied"]
    assert applied == 5  # C1-C5 applied for RA
    with pytest.raises(Problem):  # a candidate of another client's requisition is not theirs to hire
        hiring.hire(wh, "hr_harbor", "C9", dt.date(2026, 2, 20), "E9009", harbor)
    client = scope_for("client", ("Harbor Trust Bank",))
    assert compiler.metric_values(wh, ["recruit_applied"], JANUARY, client)["recruit_applied"] is None


def test_corrections_keep_a_trail_and_a_requisition_with_candidates_stays(wh):
    after = corrections.correct(wh, "hr1", "requisitions", "RB", {"headcount": 3}, "one more seat")
    assert after["headcount"] == 3
    trail = wh.rows(
        "SELECT change, reason FROM record_changes WHERE kind = 'requisitions' AND record_id = 'RB'"
    )
    assert trail == [("create", None), ("update", "one more seat")]
    with pytest.raises(Problem) as refused:
        corrections.void(wh, "hr1", "requisitions", "RB", "opened by mistake")
    assert refused.value.key == "recruit_requisition_has_candidates"
    corrections.void(wh, "hr1", "candidates", "C8", "applied twice")
    assert wh.scalar("SELECT count(*) FROM candidates WHERE candidate_id = 'C8'") == 0


def test_a_hire_without_a_passed_check_is_refused_and_writes_nothing(wh):
    before = [
        wh.scalar(f"SELECT count(*) FROM {table}") for table in ("employees", "audit_log", "record_changes")
    ]
    for lang in ("en", "zh"):
        with pytest.raises(Problem) as refused:
            hiring.hire(wh, "hr1", "C10", dt.date(2026, 2, 20), "E9010")
        assert refused.value.text(lang) == t("recruit_hire_needs_check", lang)
    # by file too: the import refuses the row (strict: nothing lands)
    row = f"{HEAD}\nC10,RB,agency,2026-02-03,2026-02-04,yes,2026-02-06,yes,2026-02-09,80,,,,,2026-02-20,E9010,,\n"
    report = import_file(wh, "candidates", row.encode(), "c.csv", "hr1", update=True, strict=True)
    assert not report.committed
    assert {r.key for r in report.rejects} >= {"recruit_hire_needs_check"}
    after = [
        wh.scalar(f"SELECT count(*) FROM {table}") for table in ("employees", "audit_log", "record_changes")
    ]
    assert after == before
    assert wh.scalar("SELECT hired_on FROM candidates WHERE candidate_id = 'C10'") is None


# -- the page ---------------------------------------------------------------------------------------


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    db = tmp_path / "recruit_app.duckdb"
    build(db).close()
    point_app_at(monkeypatch, db)
    return db


def _page(user: str, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    sign_in_as(at, user)
    at.run()
    at.switch_page(pages.PAGES["recruitment"].file).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_hiring_on_the_page_creates_the_employee(app_db):
    at = _page("hr1")
    at.selectbox(key="rh_candidate").set_value("C9")
    at.date_input(key="rh_day").set_value(dt.date(2026, 2, 23))
    at.text_input(key="rh_employee").input("E9009")
    at.button(key="rh_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("E9009" in s.value for s in at.success)
    wh = core._open(str(app_db))
    person = wh.rows(
        "SELECT team, client, position, grade, hire_date FROM employees WHERE employee_id = 'E9009'"
    )
    assert person == [("Nebula 1", "Nebula Games", "agent", None, dt.date(2026, 2, 23))]
    # the hire and the employee landed in one transaction: one audit-log row names them both
    (detail,) = wh.column("SELECT detail FROM audit_log WHERE entity = 'candidates:C9'")
    assert '"hired": ["E9009"]' in detail


def test_hire_without_a_check_on_the_page_says_why(app_db):
    at = _page("hr1", "zh")
    at.selectbox(key="rh_candidate").set_value("C10")
    at.button(key="rh_save").click().run()
    assert not at.exception
    assert any(t("recruit_hire_needs_check", "zh") in e.value for e in at.error)
    assert core._open(str(app_db)).scalar("SELECT count(*) FROM employees") == 3


def test_exec_reads_without_forms_and_others_cannot_open(app_db):
    at = _page("exec1")
    assert at.metric  # the cards
    assert not [b for b in at.button if b.key and b.key.startswith(("rh_", "rs_", "rr_", "rq_", "rc_"))]
    assert any(t("recruit_read_only", "en") in i.value for i in at.info)
    for user in ("client1", "sup1"):  # not in their navigation; the view itself refuses them
        refused = AppTest.from_file(str(ROOT / pages.PAGES["recruitment"].file), default_timeout=60)
        refused.session_state["lang"] = "en"
        sign_in_as(refused, user)
        refused.run()
        assert [e.value for e in refused.error] == [t("not_allowed", "en")], user
        assert not refused.metric and not refused.dataframe and not refused.button


def test_a_stage_and_a_rejection_on_the_page_each_land_once(app_db):
    at = _page("hr1")
    # Nothing chosen: the form says so and writes nothing.
    at.button(key="rr_save").click().run()
    assert any(t("recruit_choose_candidate", "en") in e.value for e in at.error)
    # C8 applied on 20 January and was never screened: screened on the 22nd, passed.
    at.selectbox(key="rs_candidate").set_value("C8")
    at.selectbox(key="rs_stage").set_value("screening")
    at.date_input(key="rs_day").set_value(dt.date(2026, 1, 22))
    at.radio(key="rs_passed").set_value(True)
    at.button(key="rs_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # C10 (tested, never checked) turned away on 12 February.
    at.selectbox(key="rr_candidate").set_value("C10")
    at.date_input(key="rr_day").set_value(dt.date(2026, 2, 12))
    at.text_area(key="rr_reason").input("withdrew")
    at.button(key="rr_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # Saved, the form is drawn afresh and empty: a second click finds no candidate chosen.
    at.button(key="rr_save~1").click().run()
    assert any(t("recruit_choose_candidate", "en") in e.value for e in at.error)
    wh = core._open(str(app_db))
    assert wh.rows("SELECT screened_on, screen_passed FROM candidates WHERE candidate_id = 'C8'") == [
        (dt.date(2026, 1, 22), True)
    ]
    assert wh.rows("SELECT rejected_on, reason FROM candidates WHERE candidate_id = 'C10'") == [
        (dt.date(2026, 2, 12), "withdrew")
    ]
    changes = "SELECT count(*) FROM record_changes WHERE kind = 'candidates' AND record_id = ? AND change = 'update'"
    assert wh.scalar(changes, ["C8"]) == 1
    assert wh.scalar(changes, ["C10"]) == 1
