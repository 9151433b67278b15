"""Appraisals count once HR confirms them: an imported appraisal arrives unconfirmed and brings no
grade, no appraisal score and no performance pay until it is confirmed, on the Appraisals page or
with `csdata appraisals confirm`."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from csdata.analytics import compiler, payroll
from csdata.analytics.compiler import Filters
from csdata.imports import ingest
from csdata.policy import default_policy
from csdata.records import entry
from csdata.text.i18n import Problem, t
from tests.conftest import build_tiny, run_cli

Q2 = Filters(dt.date(2026, 4, 1), dt.date(2026, 6, 30))
HEADER = "period,employee_id,satisfaction,quality,efficiency,teamwork,reviewer,comment\n"
# A1 scores 95 on every indicator (grade A), B1 75 (grade C); both are on pay grade G1, whose
# monthly performance-pay base is 1,000.
ROWS = "2026-Q2,A1,95,95,95,95,S1,\n2026-Q2,B1,75,75,75,75,S1,\n"


def _with_q2(wh) -> None:
    with wh.transaction("test", "fixture") as w:
        w.execute("INSERT INTO appraisal_periods VALUES ('2026-Q2', '2026-04-01', '2026-06-30', 'open')")


def _import(wh) -> ingest.Report:
    return ingest.import_file(wh, "appraisals", (HEADER + ROWS).encode(), "appraisals.csv", "hr")


def _grades(wh) -> list[tuple]:
    sql, params = compiler.listing_sql("grades", Q2, compiler.EVERYTHING, default_policy())
    return [tuple(r) for r in wh.rows(sql, params)]


def _score(wh):
    return compiler.metric_values(wh, ["appraisal_score"], Q2)["appraisal_score"]


@pytest.fixture
def q2(tiny):
    _with_q2(tiny)
    return tiny


def test_an_imported_appraisal_is_unconfirmed_and_does_not_count(q2):
    report = _import(q2)
    assert report.imported == 2 and report.rejected == 0
    assert q2.scalar("SELECT count(*) FROM appraisals WHERE period = '2026-Q2' AND confirmed_at IS NULL") == 2
    assert list(entry.unconfirmed_appraisals(q2, "2026-Q2")["employee_id"]) == ["A1", "B1"]
    assert _grades(q2) == []
    assert _score(q2) is None
    pay = payroll.payroll(q2, "2026-06").set_index("employee_id").loc[["A1", "B1"]]  # June is in Q2
    assert pay["awaiting_confirmation"].all()
    assert pay["performance_pay"].isna().all() and pay["coefficient"].isna().all()


def test_confirmed_appraisals_count_with_the_bands_coefficient(q2):
    _import(q2)
    assert entry.confirm_appraisals(q2, "hr", "2026-Q2", ["A1"]) == ["A1"]
    assert _grades(q2) == [("2026-Q2", "A", 1)]
    assert _score(q2) == pytest.approx(95.0)
    pay = payroll.payroll(q2, "2026-06").set_index("employee_id")
    # A (score ≥ 90): coefficient 1.2 × the G1 base 1,000.
    assert pay.loc["A1", "performance_pay"] == pytest.approx(1200.0)
    assert not pay.loc["A1", "awaiting_confirmation"]
    assert pay.loc["B1", "awaiting_confirmation"] and pd.isna(pay.loc["B1", "performance_pay"])

    assert entry.confirm_appraisals(q2, "hr", "2026-Q2") == ["B1"]
    pay = payroll.payroll(q2, "2026-06").set_index("employee_id")
    # C (70 ≤ score < 80): coefficient 0.8 × 1,000.
    assert pay.loc["B1", "performance_pay"] == pytest.approx(800.0)
    assert sorted(_grades(q2)) == [("2026-Q2", "A", 1), ("2026-Q2", "C", 1)]
    assert _score(q2) == pytest.approx(85.0)

    logged = q2.rows(
        "SELECT actor, entity, CAST(detail AS VARCHAR) FROM audit_log WHERE action = 'appraisals.confirm' ORDER BY id"
    )
    assert [(a, e, json.loads(d)["employees"]) for a, e, d in logged] == [
        ("hr", "2026-Q2", ["A1"]),
        ("hr", "2026-Q2", ["B1"]),
    ]


def test_nothing_to_confirm_is_refused_and_confirms_nothing(q2):
    _import(q2)
    with pytest.raises(Problem) as refused:
        entry.confirm_appraisals(q2, "hr", "2026-Q2", ["A1", "Z9"])
    assert refused.value.key == "appr_nothing_to_confirm"
    assert q2.scalar("SELECT count(*) FROM appraisals WHERE period = '2026-Q2' AND confirmed_at IS NULL") == 2
    with pytest.raises(Problem) as unknown:
        entry.confirm_appraisals(q2, "hr", "2026-Q9")
    assert unknown.value.key == "entry_unknown_period"


def test_an_appraisal_saved_by_the_form_is_confirmed_on_save(q2):
    values = {
        "period": "2026-Q2",
        "employee_id": "A1",
        "satisfaction": 95,
        "quality": 95,
        "efficiency": 95,
        "teamwork": 95,
        "reviewer": "S1",
    }
    report = entry.save_appraisal(q2, "hr", values)
    assert report.imported == 1
    assert q2.rows("SELECT confirmed_by FROM appraisals WHERE period = '2026-Q2'") == [("hr",)]
    assert _grades(q2) == [("2026-Q2", "A", 1)]


def test_cli_confirms_a_period(tmp_path):
    path = tmp_path / "tiny.duckdb"
    wh = build_tiny(path)
    _with_q2(wh)
    wh.close()
    file = tmp_path / "appraisals.csv"
    file.write_text(HEADER + ROWS, encoding="utf-8")
    imported = run_cli("import", "appraisals", str(file), "--db", str(path))
    assert imported.returncode == 0, imported.stderr
    one = run_cli("appraisals", "confirm", "2026-Q2", "--employee", "B1", "--db", str(path))
    assert one.returncode == 0, one.stderr
    assert one.stdout.strip() == t("cli_appraisals_confirmed", "en", count=1, period="2026-Q2")
    again = run_cli("appraisals", "confirm", "2026-Q2", "--employee", "B1", "--db", str(path))
    assert again.returncode == 2 and "Traceback" not in again.stderr
    rest = run_cli("appraisals", "confirm", "2026-Q2", "--db", str(path))
    assert rest.returncode == 0, rest.stderr
    assert "1" in rest.stdout


def test_a_closed_period_refuses_save_import_and_confirm_until_reopened(q2):
    _import(q2)
    entry.set_period_status(q2, "hr", "2026-Q2", "closed")
    assert q2.scalar("SELECT status FROM appraisal_periods WHERE period = '2026-Q2'") == "closed"
    with pytest.raises(Problem) as refused:
        entry.confirm_appraisals(q2, "hr", "2026-Q2")
    assert refused.value.key == "appr_period_closed"
    assert "closed" in t(refused.value.key, "en", **refused.value.params)

    values = {
        "period": "2026-Q2",
        "employee_id": "A2",
        "satisfaction": 80,
        "quality": 80,
        "efficiency": 80,
        "teamwork": 80,
        "reviewer": "S1",
    }
    saved = entry.save_appraisal(q2, "hr", values)
    assert saved.imported == 0 and [r.key for r in saved.rejects] == ["imp_period_closed"]
    assert "2026-Q2 is closed" in saved.rejects[0].reason("en")
    again = ingest.import_file(
        q2, "appraisals", (HEADER + "2026-Q2,A2,80,80,80,80,S1,\n").encode(), "a.csv", "hr"
    )
    assert again.imported == 0 and again.rejected == 1

    with pytest.raises(Problem) as no_reason:
        entry.set_period_status(q2, "hr", "2026-Q2", "open", "  ")
    assert no_reason.value.key == "appr_reopen_reason"
    entry.set_period_status(q2, "hr", "2026-Q2", "open", "late import from the Beta site")
    logged = q2.rows(
        "SELECT action, CAST(detail AS VARCHAR) FROM audit_log WHERE action LIKE 'periods.%' ORDER BY id"
    )
    assert [(a, json.loads(d)["reason"]) for a, d in logged] == [
        ("periods.close", None),
        ("periods.reopen", "late import from the Beta site"),
    ]
    assert entry.confirm_appraisals(q2, "hr", "2026-Q2") == ["A1", "B1"]


def test_cli_closes_and_reopens_a_period(tmp_path):
    path = tmp_path / "tiny.duckdb"
    wh = build_tiny(path)
    _with_q2(wh)
    wh.close()
    closed = run_cli("appraisals", "close", "2026-Q2", "--db", str(path))
    assert closed.returncode == 0, closed.stderr
    refused = run_cli("appraisals", "confirm", "2026-Q2", "--db", str(path))
    assert refused.returncode == 2 and "2026-Q2" in refused.stderr and "closed" in refused.stderr
    no_reason = run_cli("appraisals", "reopen", "2026-Q2", "--db", str(path))
    assert no_reason.returncode == 2
    reopened = run_cli("appraisals", "reopen", "2026-Q2", "--reason", "correction", "--db", str(path))
    assert reopened.returncode == 0, reopened.stderr
    assert reopened.stdout.strip() == t("cli_period_reopened", "en", period="2026-Q2")


def test_bonuses_import_with_chinese_headers_and_count_in_their_month(q2):
    _import(q2)
    entry.confirm_appraisals(q2, "hr", "2026-Q2")
    data = "工号,月份,金额,原因\nA1,2026-05,300,双十一加班\nA1,2026-06,200,全勤\nB1,2026-13,100,错\nZ9,2026-05,50,无此人\n"
    report = ingest.import_file(q2, "bonuses", data.encode(), "奖金.csv", "hr")
    assert (report.imported, report.rejected) == (2, 2)
    assert {r.column for r in report.rejects} == {"month", "employee_id"}
    assert q2.rows("SELECT month, CAST(amount AS DOUBLE) FROM bonuses ORDER BY month") == [
        ("2026-05", 300.0),
        ("2026-06", 200.0),
    ]
    again = ingest.import_file(q2, "bonuses", data.encode(), "奖金.csv", "hr")
    assert again.imported == 0 and again.duplicates == 2
    # Each month's payroll pays that month's bonuses: A1 300 in May, 200 in June; B1's was rejected.
    may = payroll.payroll(q2, "2026-05").set_index("employee_id")
    june = payroll.payroll(q2, "2026-06").set_index("employee_id")
    assert may.loc["A1", "bonus"] == pytest.approx(300.0) and june.loc["A1", "bonus"] == pytest.approx(200.0)
    assert may.loc["B1", "bonus"] == 0 and june.loc["B1", "bonus"] == 0


def test_cli_imports_the_bonus_template(tmp_path):
    from pathlib import Path

    path = tmp_path / "tiny.duckdb"
    build_tiny(path).close()
    template = Path(__file__).resolve().parent.parent / "sample_data" / "bonuses.csv"
    result = run_cli("import", "bonuses", str(template), "--db", str(path), "--json")
    # The template's employee is the demo company's, not the tiny warehouse's: refused by name.
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["rejects"][0]["column"] == "employee_id"
