"""Public call-centre files beside the project, imported through the real `csdata` command as a
new user would, each checked against figures worked out with pandas from the raw file (no csdata
code in the expected values):

- the restaurant-booking call log with `sample_data/mappings/call_log.toml`: every call lands,
  the unanswered ones as offered and not answered;
- the helpdesk tickets with `sample_data/mappings/support_tickets.toml`: day-first dates, no
  opening time (the first response stands in), resolution stamps before the first response
  rejected with reasons that say so;
- the PwC workbook saved as CSV (times as Excel shows them, `9:12:58`) with the workbook's own
  mapping `sample_data/mappings/pwc_call_center.toml` (`test_pwc.py` covers the workbook);
- the daily aggregate file, which the tickets format cannot hold: refused, nothing written.

The files are public data that are not ours to ship: they are read from ../shared/data/public;
without that folder the tests skip.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import ROOT, SHARED_DATA, near, run_cli

from csdata.store.warehouse import Warehouse

CALL_LOG = SHARED_DATA / "call_log" / "Call Center Data.csv"
SUPPORT = SHARED_DATA / "support_tickets" / "customer_support_tickets.csv"
PWC_CSV = SHARED_DATA / "pwc_call_center" / "call_center_pwc.csv"
DAILY = SHARED_DATA / "daily_calls" / "Call Center Data.csv"
MAPPINGS = ROOT / "sample_data" / "mappings"
PHONE_SLA_SECONDS = 20  # the policy's default phone threshold


def needs(path):
    return pytest.mark.skipif(
        not path.is_file(),
        reason=f"public test data absent: {path} (the shared data folder is not part of the project)",
    )


def fresh_warehouse(folder):
    db = folder / "public.duckdb"
    init = run_cli("init", "--db", str(db), env={"CSDATA_ADMIN_PASSWORD": "public-Test-password-1"})
    assert init.returncode == 0, init.stderr
    return db


def import_tickets(path, db, *options: str):
    """`csdata import tickets FILE ... --json`, as a user would run it."""
    return run_cli("import", "tickets", str(path), *options, "--db", str(db), "--json")


def warehouse_rows(db, sql: str) -> list[tuple]:
    wh = Warehouse(db, read_only=True)
    try:
        return wh.rows(sql)
    finally:
        wh.close()


# -- the call log ------------------------------------------------------------------------------


def raw_calls() -> pd.DataFrame:
    """The call log as the file has it: every cell as text, blank cells as ''."""
    calls = pd.read_csv(CALL_LOG, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    calls = calls.apply(lambda column: column.str.strip())
    calls["opened"] = pd.to_datetime(calls["Call Date"] + " " + calls["Call Time"])
    answered = calls["Time Answered"] != ""
    calls["answered_at"] = pd.to_datetime(calls["Call Date"] + " " + calls["Time Answered"].where(answered))
    calls["wait"] = (calls["answered_at"] - calls["opened"]).dt.total_seconds()
    return calls


@pytest.fixture(scope="module")
def call_log(tmp_path_factory):
    """A fresh warehouse with the call log imported once; yields (db, report)."""
    db = fresh_warehouse(tmp_path_factory.mktemp("call_log"))
    result = import_tickets(CALL_LOG, db, "--mapping", str(MAPPINGS / "call_log.toml"), "--create-missing")
    assert result.returncode == 0, result.stdout + result.stderr
    return db, json.loads(result.stdout)


@needs(CALL_LOG)
def test_every_call_of_the_log_lands(call_log):
    _db, report = call_log
    calls = raw_calls()
    assert len(calls) == 25_100
    assert (report["rows"], report["imported"], report["duplicates"]) == (len(calls), len(calls), 0)
    assert (report["rejected"], report["rejects"]) == (0, [])


@needs(CALL_LOG)
def test_unanswered_calls_are_offered_and_not_answered(call_log):
    db, _report = call_log
    calls = raw_calls()
    stored = warehouse_rows(
        db, "SELECT ticket_id, opened_at, first_response_at, agent_id, category FROM tickets"
    )
    got = pd.DataFrame(stored, columns=["id", "opened", "answered_at", "agent", "category"]).set_index("id")
    want = calls.set_index("Call ID")
    assert sorted(got.index) == sorted(want.index)
    got = got.loc[want.index]
    unanswered = set(want.index[want["Time Answered"] == ""])
    assert len(unanswered) == 369
    assert set(got.index[got["answered_at"].isna()]) == unanswered
    assert (got["opened"] == want["opened"]).all()
    both = got["answered_at"].notna()
    assert (got.loc[both, "answered_at"] == want.loc[both, "answered_at"]).all()
    assert (got["agent"] == want["Agent ID"]).all() and (got["category"] == want["Call Outcome"]).all()


@needs(CALL_LOG)
def test_call_log_kpis_match_the_file(call_log):
    db, _report = call_log
    calls = raw_calls()
    waits = calls["wait"].dropna()
    expected = {
        "offered": len(calls),
        "answer_rate": len(waits) / len(calls),
        "abandon_rate": 1 - len(waits) / len(calls),
        "service_level": (waits <= PHONE_SLA_SECONDS).sum() / len(calls),
        "asa": waits.mean(),
        "wait_median": waits.median(),
    }
    assert round(expected["answer_rate"], 4) == 0.9853  # the 98.53 % the file's own figures give
    result = run_cli("kpi", "--db", str(db), "--client", "Restaurant bookings", "--json")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    for metric, want in expected.items():
        assert values[metric] == near(metric, want, rel=1e-9), metric
    # Nothing in the file says how long a call took, whether it was resolved or how it was rated.
    assert [values[k] for k in ("aht", "resolution_rate", "fcr_rate", "csat_avg")] == [None] * 4


# -- the support tickets -------------------------------------------------------------------------


def raw_tickets() -> pd.DataFrame:
    """The ticket export as the file has it, with its day-first stamps read by pandas."""
    tickets = pd.read_csv(SUPPORT, dtype=str, keep_default_na=False)
    for column, name in (("FirstResponseTime", "responded"), ("TimetoResolution", "resolved_at")):
        tickets[name] = pd.to_datetime(tickets[column], format="%d-%m-%Y %H:%M", errors="coerce")
    tickets["no_time"] = tickets["FirstResponseTime"] == ""
    tickets["resolved_first"] = tickets["resolved_at"] < tickets["responded"]
    return tickets


@pytest.fixture(scope="module")
def support(tmp_path_factory):
    """A fresh warehouse the ticket export is imported into, first as a new user would try it
    (without --day-first), then as the mapping says; yields (db, first report, report)."""
    db = fresh_warehouse(tmp_path_factory.mktemp("support"))
    options = ("--mapping", str(MAPPINGS / "support_tickets.toml"), "--create-missing")
    first = import_tickets(SUPPORT, db, *options)
    result = import_tickets(SUPPORT, db, *options, "--day-first")
    assert (first.returncode, result.returncode) == (1, 1), first.stderr + result.stderr
    return db, json.loads(first.stdout), json.loads(result.stdout)


@needs(SUPPORT)
def test_day_first_stamps_without_day_first_are_all_rejected_saying_why(support):
    _db, first, _report = support
    tickets = raw_tickets()
    assert (first["rows"], first["imported"], first["rejected"]) == (len(tickets), 0, len(tickets))
    day_first = (
        "must be a date and time such as 2026-03-05 14:30; this one is written day first"
        " (31-12-2026 14:30): import with dates day first (--day-first)"
    )
    # Every listed reject is either a day-first stamp or an open ticket's missing time.
    raw = tickets.set_index(tickets.index + 2)  # the header is row 1
    for reject in first["rejects"]:
        blank = raw.loc[reject["line"], "no_time"] and reject["column"] == "opened_at"
        assert reject["reason"] == ("is required" if blank else day_first), reject


@needs(SUPPORT)
def test_support_tickets_land_or_are_rejected_with_their_reason(support):
    db, _first, report = support
    tickets = raw_tickets()
    rejected = tickets["no_time"] | tickets["resolved_first"]
    assert (tickets["no_time"].sum(), tickets["resolved_first"].sum()) == (2819, 1365)
    assert (report["rows"], report["imported"], report["duplicates"]) == (len(tickets), (~rejected).sum(), 0)
    assert report["rejected"] == rejected.sum()
    # The first rejects as listed (the report lists at most 1,000), each worked out from the file.
    raw = tickets.set_index(tickets.index + 2)
    expected = [
        {"line": line, "column": "opened_at", "reason": "is required"}
        if row["no_time"]
        else {
            "line": line,
            "column": "resolved_at",
            "reason": f"resolved_at is before opened_at ({row['FirstResponseTime']})",
        }
        for line, row in raw[rejected.to_numpy()].iterrows()
    ]
    assert report["rejects"] == expected[: len(report["rejects"])] and len(report["rejects"]) == 1000
    stored = warehouse_rows(db, "SELECT ticket_id, opened_at, channel, category, resolved, csat FROM tickets")
    assert sorted(r[0] for r in stored) == sorted(tickets.loc[~rejected, "TicketID"])
    kept = tickets[~rejected].set_index("TicketID")
    channels = kept["TicketChannel"].replace({"Social media": "Chat"}).str.lower()
    for ticket_id, opened, channel, category, resolved, csat in stored:
        row = kept.loc[ticket_id]
        assert (opened, channel, category) == (row["responded"], channels[ticket_id], row["TicketType"])
        assert resolved is (row["TicketStatus"] == "Closed")
        assert csat == (int(row["CustomerSatisfactionRating"]) if row["CustomerSatisfactionRating"] else None)


@needs(SUPPORT)
def test_support_kpis_match_the_tickets_kept(support):
    db, _first, _report = support
    tickets = raw_tickets()
    kept = tickets[~(tickets["no_time"] | tickets["resolved_first"])]
    ratings = pd.to_numeric(kept["CustomerSatisfactionRating"], errors="coerce").dropna()
    expected = {
        "offered": len(kept),
        "answer_rate": 1.0,  # the first response stands in for the opening: answered by construction
        "asa": 0.0,
        "resolution_rate": (kept["TicketStatus"] == "Closed").sum() / len(kept),
        "csat_avg": ratings.mean(),
        "csat_pct": (ratings >= 4).sum() / len(ratings),
    }
    result = run_cli("kpi", "--db", str(db), "--client", "Support desk", "--json")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert {k: values[k] for k in expected} == pytest.approx(expected, rel=1e-9)


# -- the PwC workbook as CSV --------------------------------------------------------------------


@needs(PWC_CSV)
def test_pwc_csv_lands_with_the_workbooks_mapping(tmp_path):
    calls = pd.read_csv(PWC_CSV, dtype=str, keep_default_na=False)
    answered = calls[calls["Answered (Y/N)"] == "Y"]
    speeds = pd.to_numeric(answered["Speed of answer in seconds"])
    talks = pd.to_timedelta(answered["AvgTalkDuration"]).dt.total_seconds()
    ratings = pd.to_numeric(calls["Satisfaction rating"].replace("", None)).dropna()
    expected = {
        "offered": len(calls),
        "answer_rate": len(answered) / len(calls),
        "service_level": (speeds <= PHONE_SLA_SECONDS).sum() / len(calls),
        "asa": speeds.mean(),
        "aht": talks.mean(),
        "resolution_rate": (answered["Resolved"] == "Y").sum() / len(answered),
        "csat_avg": ratings.mean(),
    }
    db = fresh_warehouse(tmp_path)
    result = import_tickets(
        PWC_CSV, db, "--mapping", str(MAPPINGS / "pwc_call_center.toml"), "--create-missing"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert (report["rows"], report["imported"], report["rejected"]) == (5000, 5000, 0)
    values = json.loads(run_cli("kpi", "--db", str(db), "--client", "PhoneNow", "--json").stdout)
    assert {k: values[k] for k in expected} == pytest.approx(expected, rel=1e-9)
    first = calls.iloc[0]
    opened = pd.Timestamp(f"{first['Date']} {first['Time']}")
    assert warehouse_rows(db, f"SELECT opened_at FROM tickets WHERE ticket_id = '{first['Call Id']}'") == [
        (opened,)
    ]


# -- the daily aggregates ------------------------------------------------------------------------


@needs(DAILY)
def test_daily_aggregates_are_not_tickets(tmp_path):
    """One row per day (calls offered, answered, ...) is no ticket: the import says which ticket
    columns are missing and writes nothing."""
    db = fresh_warehouse(tmp_path)
    header = pd.read_csv(DAILY, nrows=0).columns
    assert "Incoming Calls" in header and "opened_at" not in header
    result = import_tickets(DAILY, db)
    assert result.returncode == 2
    assert "required columns missing: client, channel, type, opened_at" in result.stderr
    assert f"the file has {', '.join(header)}: map them to ours with --mapping FILE" in result.stderr
    assert warehouse_rows(db, "SELECT count(*) FROM tickets") == [(0,)]
