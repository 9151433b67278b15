"""The PwC call-centre workbook ("PhoneNow", 5,000 real-looking calls) through the real `csdata`
command with the shipped mapping `sample_data/mappings/pwc_call_center.toml`: every call lands,
unanswered ones included, and `csdata kpi` agrees with figures this test works out from the
workbook itself with openpyxl (no csdata code in the expected values).

The workbook is public data that is not ours to ship: it is read from ../shared/data/public and
copied to a temporary folder; without that folder the tests skip.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import stat

import pytest
from conftest import ROOT, SHARED_DATA, run_cli

from csdata.store.warehouse import Warehouse

WORKBOOK = SHARED_DATA / "pwc_call_center" / "01 Call-Center-Dataset.xlsx"
MAPPING = ROOT / "sample_data" / "mappings" / "pwc_call_center.toml"
PHONE_SLA_SECONDS = 20  # the policy's default phone threshold

pytestmark = pytest.mark.skipif(
    not WORKBOOK.is_file(),
    reason=f"public test data absent: {WORKBOOK} (the shared data folder is not part of the project)",
)


def _seconds(value) -> float | None:
    """A cell that Excel shows as h:mm:ss (openpyxl gives datetime.time) or plain seconds."""
    if value is None:
        return None
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return float(value)


def workbook_calls(path) -> list[dict]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = list(next(rows))
        calls = [dict(zip(header, row, strict=False)) for row in rows if any(c is not None for c in row)]
    finally:
        book.close()
    return calls


def expected_kpis(calls: list[dict]) -> dict[str, float]:
    """The dashboard's phone metrics, worked out directly from the workbook's cells."""
    offered = len(calls)
    answered = [c for c in calls if c["Answered (Y/N)"] == "Y"]
    speeds = [_seconds(c["Speed of answer in seconds"]) for c in answered]
    talks = [s for s in (_seconds(c["AvgTalkDuration"]) for c in answered) if s is not None]
    ratings = [c["Satisfaction rating"] for c in calls if c["Satisfaction rating"] is not None]
    return {
        "offered": offered,
        "answer_rate": len(answered) / offered,
        "abandon_rate": 1 - len(answered) / offered,
        "service_level": sum(s <= PHONE_SLA_SECONDS for s in speeds) / offered,
        "asa": sum(speeds) / len(speeds),
        "aht": sum(talks) / len(talks),
        "resolution_rate": sum(c["Resolved"] == "Y" for c in answered) / len(answered),
        "csat_avg": sum(ratings) / len(ratings),
        "csat_pct": sum(r >= 4 for r in ratings) / len(ratings),
    }


def import_workbook(book, db):
    """`csdata import` of the workbook with the shipped mapping, as a user would run it."""
    return run_cli(
        "import",
        "tickets",
        str(book),
        "--mapping",
        str(MAPPING),
        "--create-missing",
        "--db",
        str(db),
        "--json",
    )


@pytest.fixture(scope="module")
def pwc(tmp_path_factory):
    """A fresh warehouse with the workbook imported once; yields (db, workbook copy, report)."""
    before = hashlib.sha256(WORKBOOK.read_bytes()).hexdigest()
    folder = tmp_path_factory.mktemp("pwc")
    book = folder / WORKBOOK.name
    shutil.copyfile(WORKBOOK, book)
    book.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # importing only reads the file
    db = folder / "pwc.duckdb"
    init = run_cli("init", "--db", str(db), env={"CSDATA_ADMIN_PASSWORD": "pwc-Test-password-2021"})
    assert init.returncode == 0, init.stderr
    result = import_workbook(book, db)
    assert result.returncode == 0, result.stderr
    yield db, book, json.loads(result.stdout)
    assert hashlib.sha256(WORKBOOK.read_bytes()).hexdigest() == before  # the source is untouched


def test_every_call_imported_without_rejects(pwc):
    _db, _book, report = pwc
    assert (report["rows"], report["imported"], report["duplicates"]) == (5000, 5000, 0)
    assert (report["rejected"], report["rejects"]) == (0, [])


def test_kpis_match_the_workbook(pwc):
    db, book, _report = pwc
    expected = expected_kpis(workbook_calls(book))
    assert expected["offered"] == 5000
    result = run_cli("kpi", "--db", str(db), "--client", "PhoneNow", "--json")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert {k: values[k] for k in expected} == pytest.approx(expected, rel=1e-9)


def test_calls_land_as_phone_consultations_of_phonenow(pwc):
    db, book, _report = pwc
    calls = {c["Call Id"]: c for c in workbook_calls(book)}
    wh = Warehouse(db, read_only=True)
    try:
        tickets = {
            r[0]: r[1:]
            for r in wh.rows(
                "SELECT ticket_id, client, channel, type, agent_id, opened_at, first_response_at,"
                " handle_seconds, resolved, csat, category FROM tickets"
            )
        }
        agents = set(wh.column("SELECT employee_id FROM employees"))
    finally:
        wh.close()
    assert tickets.keys() == calls.keys()
    assert agents == {c["Agent"] for c in calls.values()} and len(agents) == 8
    for call_id, call in calls.items():
        client, channel, kind, agent, opened, first_response, handle, resolved, csat, category = tickets[
            call_id
        ]
        assert (client, channel, kind, agent, category) == (
            "PhoneNow",
            "phone",
            "consultation",
            call["Agent"],
            call["Topic"],
        )
        assert opened == dt.datetime.combine(dt.date.fromisoformat(call["Date"]), call["Time"])
        speed = call["Speed of answer in seconds"]
        if call["Answered (Y/N)"] == "N":
            # An unanswered call has no first response, talk time or rating.
            assert (first_response, handle, csat) == (None, None, None), call_id
        else:
            assert first_response == opened + dt.timedelta(seconds=speed), call_id
            assert handle == _seconds(call["AvgTalkDuration"])
            assert csat == call["Satisfaction rating"]
        assert resolved is (call["Resolved"] == "Y")


def test_importing_again_adds_nothing(pwc):
    db, book, _report = pwc
    before = run_cli("kpi", "--db", str(db), "--client", "PhoneNow", "--json")
    again = import_workbook(book, db)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert (report["rows"], report["imported"], report["duplicates"], report["rejected"]) == (
        5000,
        0,
        5000,
        0,
    )
    after = run_cli("kpi", "--db", str(db), "--client", "PhoneNow", "--json")
    assert json.loads(after.stdout) == json.loads(before.stdout)
    wh = Warehouse(db, read_only=True)
    try:
        assert wh.scalar("SELECT count(*) FROM tickets") == 5000
        assert wh.scalar("SELECT count(*) FROM employees") == 8
    finally:
        wh.close()
