"""People over time: a change of an employee's team (client, position, grade, status) is kept in
`employee_history` with the day it takes effect, and a record about a person counts for the team
the person was in on the record's day.

Scores worked by hand from the tiny warehouse's audits (conftest) under the default scorecard
(attitude 25, responsiveness 20, accuracy 30, communication 15, compliance 10; a critical error
scores 0):
- AU1, 2026-03-03, A1 (Acme-1): (25*90 + 20*80 + 30*100 + 15*70 + 10*60) / 100 = 85.0
- AU2, 2026-03-04, A2 (Acme-1): (25*80 + 30*90 + 15*100 + 10*50) / 80 = 83.75
- AU3, 2026-03-15, B1 (Beta-1): critical error, 0
- AU4, 2026-04-02, A1: attitude 100 alone, 100.0
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import build_tiny, run_cli

from csdata.access.scope import Scope
from csdata.analytics import compiler, lookups
from csdata.store.warehouse import Warehouse

HEADER = "employee_id,name,department,team,client,position,grade,hire_date,go_live_date,status,left_on"
A1_TO_BETA = "A1,安娜,customer_service,Beta-1,Beta,agent,G1,2024-01-10,,active,"
A1_RENAMED = "A1,安娜娜,customer_service,Acme-1,Acme,agent,G1,2024-01-10,,active,"
Q1 = compiler.Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
APRIL = compiler.Filters(dt.date(2026, 4, 1), dt.date(2026, 4, 30))


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "people.duckdb"
    build_tiny(path).close()
    return path


def import_update(tmp_path, db, row: str, *extra: str) -> None:
    path = tmp_path / "employees.csv"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    done = run_cli(
        "import", "employees", str(path), "--db", str(db), "--update", *extra,
        env={"LOGNAME": "hr.lead", "USER": "hr.lead", "CSDATA_LANG": "en"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout


def by_team(db, filters) -> dict[str, tuple[float, float]]:
    wh = Warehouse(db)
    try:
        table = compiler.metric_table(wh, ["audits", "qa_score"], filters, by="team")
    finally:
        wh.close()
    return {r.key: (r.audits, r.qa_score) for r in table.itertuples()}


def history(db, employee_id: str) -> list[tuple]:
    wh = Warehouse(db)
    try:
        return wh.rows(
            "SELECT valid_from, valid_to, team, client, actor FROM employee_history "
            "WHERE employee_id = ? ORDER BY valid_from",
            [employee_id],
        )
    finally:
        wh.close()


def test_a_transfer_moves_no_past_figures(tmp_path, db):
    q1_before = by_team(db, Q1)
    assert q1_before == {"Acme-1": (2, pytest.approx((85.0 + 83.75) / 2)), "Beta-1": (1, 0.0)}
    assert by_team(db, APRIL) == {"Acme-1": (1, 100.0)}

    import_update(tmp_path, db, A1_TO_BETA, "--effective", "2026-04-01")

    # Last quarter is as it was: A1's March audit stays with Acme-1.
    assert by_team(db, Q1) == q1_before
    # The audit after the transfer counts for the new team.
    assert by_team(db, APRIL) == {"Beta-1": (1, 100.0)}

    rows = history(db, "A1")
    assert rows == [
        (dt.date(2024, 1, 10), dt.date(2026, 4, 1), "Acme-1", "Acme", "test"),
        (dt.date(2026, 4, 1), None, "Beta-1", "Beta", "cli:hr.lead"),
    ]
    wh = Warehouse(db)
    try:  # `employees` keeps the current values
        assert wh.rows("SELECT team, client FROM employees WHERE employee_id = 'A1'") == [("Beta-1", "Beta")]
    finally:
        wh.close()


def test_a_change_of_name_only_opens_no_period(tmp_path, db):
    import_update(tmp_path, db, A1_RENAMED, "--effective", "2026-04-01")
    assert history(db, "A1") == [(dt.date(2024, 1, 10), None, "Acme-1", "Acme", "test")]


def test_a_change_effective_on_the_periods_first_day_corrects_it(tmp_path, db):
    import_update(tmp_path, db, A1_TO_BETA, "--effective", "2024-01-10")
    assert history(db, "A1") == [(dt.date(2024, 1, 10), None, "Beta-1", "Beta", "cli:hr.lead")]


def test_the_migration_backfills_an_existing_warehouse(db):
    wh = Warehouse(db)
    try:  # as a warehouse made before 009: no history, then the migration applied on opening
        wh.cursor().execute("DROP VIEW employee_periods")
        wh.cursor().execute("DROP TABLE employee_history")
        wh.cursor().execute("DELETE FROM schema_migrations WHERE version = 9")
    finally:
        wh.close()
    wh = Warehouse(db)
    try:
        rows = wh.rows(
            "SELECT employee_id, valid_from, valid_to, team, actor FROM employee_history ORDER BY employee_id"
        )
        employees = wh.rows("SELECT employee_id, hire_date, team FROM employees ORDER BY employee_id")
    finally:
        wh.close()
    assert rows == [(eid, hire, None, team, "migration") for eid, hire, team in employees]
    assert len(rows) == 9


def test_the_agent_page_lists_a_persons_periods_within_the_scope(tmp_path, db):
    import_update(tmp_path, db, A1_TO_BETA, "--effective", "2026-04-01")
    wh = Warehouse(db)
    try:
        periods = lookups.employee_history(wh, "A1")
        other_team = lookups.employee_history(wh, "A1", Scope(clients=("Acme",), teams=("Acme-1",)))
    finally:
        wh.close()
    assert list(periods.columns) == ["team", "client", "position", "grade", "valid_from", "valid_to"]
    assert [tuple(r) for r in periods[["team", "client", "position", "grade"]].itertuples(index=False)] == [
        ("Acme-1", "Acme", "agent", "G1"),
        ("Beta-1", "Beta", "agent", "G1"),
    ]
    assert [d.date() for d in periods["valid_from"]] == [dt.date(2024, 1, 10), dt.date(2026, 4, 1)]
    assert periods["valid_to"].iloc[0].date() == dt.date(2026, 4, 1) and pd.isna(periods["valid_to"].iloc[1])
    assert other_team.empty  # A1 is now in Beta-1: the scope follows the current team
