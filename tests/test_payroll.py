"""The monthly payroll (policy 六) on a small warehouse built here, every figure worked out by hand:
the look-up, the CLI (`csdata payroll`, its XLSX read back with pandas), the Pay page and its
downloads, the seniority steps of the policy (edited on the Policy page: a new version that
changes the next payroll), and pay only within a scope that sees it.

The warehouse, June 2026 (30 days); pay grades G1 (base 5,000, performance base 1,000) and G2
(8,000 and 2,000); default seniority steps 1 year: 100, 3 years: 300, 5 years: 500; appraisal
period 2026-Q2 (April–June), grade coefficients A 1.2, B 1.0, C 0.8:

- P4 (Acme, G2), hired 2022-03-15: 4 completed years on 1 June -> step 3 years: 300. Appraisal
  A confirmed -> 2,000 × 1.2 = 2,400. Bonuses in June 500 + 250 = 750 (May's 300 is not June's).
  Total 8,000 + 300 + 2,400 + 750 = 11,450.00.
- J1 (Acme, G1) joins 2026-06-17: employed 17..30 June = 14 days. Base 5,000 × 14/30 =
  2,333.333… -> 2,333.33; 0 years -> no seniority; no appraisal. Total 2,333.33.
- L1 (Beta, G1), hired 2024-01-10, leaves 2026-06-10 (last day employed): 10 days. Base 5,000 ×
  10/30 = 1,666.666… -> 1,666.67; 2 years -> 100 × 10/30 = 33.333… -> 33.33; appraisal B not
  confirmed -> no performance pay, awaiting confirmation; June bonus 200, not prorated. Total
  1,666.67 + 33.33 + 200 = 1,900.00.
- U1 (Beta), hired 2021-06-01: exactly 5 years on 1 June -> 500. G1 until 19 June, G2 from 20
  June: the grade on the month's last employed day (30 June) is G2 -> base 8,000, performance
  2,000 × 0.8 (C, confirmed) = 1,600. Total 8,000 + 500 + 1,600 = 10,100.00.
- X1 left 2026-05-31 and F1 joins 2026-07-01: not on June's payroll.

Totals: base 8,000 + 2,333.33 + 1,666.67 + 8,000 = 20,000.00; seniority 300 + 33.33 + 500 =
833.33; performance 2,400 + 1,600 = 4,000.00; bonus 750 + 200 = 950.00; total 25,783.33.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import download, open_page, point_app_at, run_cli, shown

from csdata.access import auth
from csdata.access.scope import scope_for
from csdata.analytics import payroll
from csdata.imports.ingest import backfill_history
from csdata.policy import Policy, SeniorityStep, default_policy, load_policy, save_policy
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t

PASSWORD = "long enough password"
NAMES = {"P4": "Four Years", "J1": "June Joiner", "L1": "June Leaver", "U1": "Up Grade", "X1": "May Leaver",
         "F1": "July Joiner"}  # fmt: skip

# The June payroll by hand (see the module notes), in `payroll.COLUMNS` order after the month;
# rows by team, then employee id.
E = None  # a part that does not apply
JUNE = [
    # id, name, team, client, grade, days, of, base, years, seniority, period, appraisal, coef,
    # performance, bonus, total, prorated, awaiting
    ("J1", "June Joiner", "T-A", "Acme", "G1", 14, 30, 2333.33, 0, 0.00, "2026-Q2", E, E, E, 0.00, 2333.33,
     True, False),
    ("P4", "Four Years", "T-A", "Acme", "G2", 30, 30, 8000.00, 4, 300.00, "2026-Q2", "A", 1.2, 2400.00,
     750.00, 11450.00, False, False),
    ("L1", "June Leaver", "T-B", "Beta", "G1", 10, 30, 1666.67, 2, 33.33, "2026-Q2", "B", E, E, 200.00,
     1900.00, True, True),
    ("U1", "Up Grade", "T-B", "Beta", "G2", 30, 30, 8000.00, 5, 500.00, "2026-Q2", "C", 0.8, 1600.00, 0.00,
     10100.00, False, False),
]  # fmt: skip
TOTALS = {"base_pay": 20000.00, "seniority_pay": 833.33, "performance_pay": 4000.00, "bonus": 950.00,
          "total": 25783.33}  # fmt: skip


def expected_rows() -> list[dict]:
    return [dict(zip(payroll.COLUMNS, ("2026-06", *row), strict=True)) for row in JUNE]


def build(path: Path) -> Warehouse:
    wh = Warehouse(path, create=True)
    save_policy(wh, default_policy(), "test")  # effective 2020-01-01: steps 1: 100, 3: 300, 5: 500
    auth.add_user(wh, "test", "admin", "admin", PASSWORD)
    with wh.transaction("test", "fixture") as w:
        w.execute("INSERT INTO clients (name, industry) VALUES ('Acme', 'retail'), ('Beta', 'bank')")
        w.execute("INSERT INTO departments VALUES ('customer_service', '客服部')")
        w.execute("INSERT INTO pay_grades VALUES ('G1', 5000, 1000), ('G2', 8000, 2000)")
        w.execute(
            "INSERT INTO teams VALUES ('T-A', 'customer_service', 'Acme', NULL),"
            " ('T-B', 'customer_service', 'Beta', NULL)"
        )
        people = [  # id, team, client, grade (current), hired, left
            ("P4", "T-A", "Acme", "G2", "2022-03-15", None),
            ("J1", "T-A", "Acme", "G1", "2026-06-17", None),
            ("L1", "T-B", "Beta", "G1", "2024-01-10", "2026-06-10"),
            ("U1", "T-B", "Beta", "G1", "2021-06-01", None),
            ("X1", "T-B", "Beta", "G1", "2023-01-01", "2026-05-31"),
            ("F1", "T-A", "Acme", "G1", "2026-07-01", None),
        ]
        for eid, team, client, grade, hired, left in people:
            w.execute(
                "INSERT INTO employees (employee_id, name, department, team, client, position, grade,"
                " hire_date, status, left_on) VALUES (?, ?, 'customer_service', ?, ?, 'agent', ?, ?, ?, ?)",
                [eid, NAMES[eid], team, client, grade, hired, "left" if left else "active", left],
            )
        backfill_history(w, "test")
        # U1 moves to G2 from 20 June: the open period closes, a new one opens.
        w.execute("UPDATE employee_history SET valid_to = DATE '2026-06-20' WHERE employee_id = 'U1'")
        w.execute(
            "INSERT INTO employee_history (employee_id, valid_from, team, client, position, grade, status, actor)"
            " VALUES ('U1', DATE '2026-06-20', 'T-B', 'Beta', 'agent', 'G2', 'active', 'test')"
        )
        w.execute("UPDATE employees SET grade = 'G2' WHERE employee_id = 'U1'")
        w.execute(
            "INSERT INTO appraisal_periods VALUES ('2026-Q2', '2026-04-01', '2026-06-30', 'open'),"
            " ('2026-Q3', '2026-07-01', '2026-09-30', 'open')"
        )
        for eid, score, grade, confirmed in (
            ("P4", 93, "A", True),
            ("L1", 84, "B", False),
            ("U1", 75, "C", True),
        ):
            w.execute(
                "INSERT INTO appraisals (period, employee_id, score, grade, policy_version, confirmed_by,"
                " confirmed_at) VALUES ('2026-Q2', ?, ?, ?, 1, ?, ?)",
                [eid, score, grade, "hr" if confirmed else None, "2026-07-02 10:00" if confirmed else None],
            )
        for eid, month, amount in (("P4", "2026-06", 500), ("P4", "2026-06", 250), ("P4", "2026-05", 300),
                                   ("L1", "2026-06", 200), ("J1", "2026-07", 400)):  # fmt: skip
            w.execute(
                "INSERT INTO bonuses (employee_id, month, amount, reason) VALUES (?, ?, ?, 'test')",
                [eid, month, amount],
            )
    return wh


@pytest.fixture
def small(tmp_path) -> Warehouse:
    wh = build(tmp_path / "pay.duckdb")
    yield wh
    wh.close()


@pytest.fixture
def small_path(tmp_path) -> Path:
    build(tmp_path / "pay.duckdb").close()
    return tmp_path / "pay.duckdb"


def same(value, wanted) -> bool:
    """A cell as read back equals the hand-worked value (empty for None; numbers to the cent)."""
    if wanted is None:
        return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""
    if isinstance(wanted, bool):
        return value in (wanted, str(wanted), str(wanted).upper())
    if isinstance(wanted, int | float):
        return round(float(value), 2) == round(float(wanted), 2)
    return str(value) == wanted


def assert_june(frame: pd.DataFrame) -> None:
    """Every cell of a June payroll (a frame, a file read back) is the hand-worked one."""
    assert list(frame.columns) == list(payroll.COLUMNS)
    assert len(frame) == len(JUNE)
    for got, wanted in zip(frame.to_dict("records"), expected_rows(), strict=True):
        for column in payroll.COLUMNS:
            assert same(got[column], wanted[column]), (
                wanted["employee_id"],
                column,
                got[column],
                wanted[column],
            )


def test_june_payroll_by_hand(small):
    frame = payroll.payroll(small, "2026-06")
    assert_june(frame)
    assert payroll.totals(frame) == TOTALS


def test_july_and_may(small):
    july = payroll.payroll(small, "2026-07").set_index("employee_id")
    # L1 left in June and X1 in May; F1 joins 1 July: all 31 days, base 5,000, no seniority.
    assert sorted(july.index) == ["F1", "J1", "P4", "U1"]
    assert (july.loc["F1", "days_employed"], july.loc["F1", "base_pay"]) == (31, 5000.0)
    # J1 in July: whole month, base 5,000; bonus 400; the Q3 appraisal does not exist yet.
    assert july.loc["J1", "bonus"] == 400.0 and july.loc["J1", "total"] == 5400.0
    assert july.loc["P4", "appraisal_period"] == "2026-Q3" and pd.isna(july.loc["P4", "performance_pay"])
    # P4 in July: 8,000 + 300 (4 years) + nothing for Q3 yet + no bonus = 8,300.
    assert july.loc["P4", "total"] == 8300.0
    may = payroll.payroll(small, "2026-05").set_index("employee_id")
    # May: U1 was G1 then (5,000; 4 years on 1 May -> 300); P4's May bonus 300 is May's.
    assert sorted(may.index) == ["L1", "P4", "U1", "X1"]
    assert (may.loc["U1", "pay_grade"], may.loc["U1", "base_pay"], may.loc["U1", "seniority_pay"]) == (
        "G1",
        5000.0,
        300.0,
    )
    assert may.loc["P4", "bonus"] == 300.0
    # X1 left on 31 May, the month's last day: a whole month, not prorated.
    assert may.loc["X1", "days_employed"] == 31 and not may.loc["X1", "prorated"]


def test_months_offered_newest_first(small):
    months = payroll.months(small, today=dt.date(2026, 8, 15))
    assert months[0] == "2026-08" and months[-1] == "2021-06"  # U1, the first hire, June 2021
    assert len(months) == 5 * 12 + 3  # June 2021 .. August 2026


def test_a_bad_month_is_refused():
    for bad in ("2026-13", "2026-6", "June", ""):
        with pytest.raises(Exception) as caught:
            payroll.parse_month(bad)
        assert caught.value.key == "payroll_bad_month"


def test_pay_only_within_a_scope_that_sees_it(small):
    finance_beta = scope_for("finance", ("Beta",))
    assert list(payroll.payroll(small, "2026-06", finance_beta)["employee_id"]) == ["L1", "U1"]
    for role, clients, teams in (("client", ("Acme",), ()), ("supervisor", (), ("T-A",)), ("qa", (), ())):
        assert payroll.payroll(small, "2026-06", scope_for(role, clients, teams)).empty, role


# -- the seniority steps ---------------------------------------------------------------------------


def test_seniority_steps_are_checked_and_kept_sorted():
    policy = default_policy()
    assert [(s.years, s.amount) for s in policy.seniority] == [(1, 100), (3, 300), (5, 500)]
    # 0 years -> 0; 1-2 -> 100; 3-4 -> 300; 5 and more -> 500.
    assert [policy.seniority_pay(y) for y in (0, 1, 2, 3, 4, 5, 30)] == [0, 100, 100, 300, 300, 500, 500]
    body = policy.model_dump(mode="json")
    body["seniority"] = [{"years": 5, "amount": 600}, {"years": 2, "amount": 150}]
    assert [s.years for s in Policy.model_validate(body).seniority] == [2, 5]
    from csdata import policy as pol

    body["seniority"] = [{"years": 2, "amount": 150}, {"years": 2, "amount": 200}]
    with pytest.raises(Exception) as caught:
        Policy.model_validate(body)
    assert pol.messages(caught.value, body, "en") == [
        "Seniority steps: each number of years of service may have one seniority step only (twice: 2)"
    ]
    body["seniority"] = [{"years": -1, "amount": 100}, {"years": 3, "amount": -5}]
    with pytest.raises(Exception) as caught:
        Policy.model_validate(body)
    lines = pol.messages(caught.value, body, "zh")
    assert len(lines) == 2 and lines[0].startswith("工龄工资档") and lines[1].startswith("工龄工资档")


def test_a_version_stored_before_the_seniority_table_reads_with_the_defaults(small):
    body = default_policy().model_dump(mode="json")
    del body["seniority"]
    with small.transaction("test", "old version") as w:
        w.execute(
            "INSERT INTO policy_versions (version, effective_from, body, created_by) VALUES (9, '2026-09-01', ?, 'old')",
            [json.dumps(body)],
        )
    version, policy = load_policy(small, dt.date(2026, 9, 1))
    assert version == 9 and [s.amount for s in policy.seniority] == [100, 300, 500]


def test_a_new_seniority_version_changes_the_payroll_from_its_date(small):
    policy = default_policy()
    policy.seniority = [SeniorityStep(years=1, amount=100), SeniorityStep(years=3, amount=450)]
    policy.effective_from = dt.date(2026, 7, 1)
    save_policy(small, policy, "test")
    june = payroll.payroll(small, "2026-06").set_index("employee_id")
    july = payroll.payroll(small, "2026-07").set_index("employee_id")
    assert june.loc["P4", "seniority_pay"] == 300.0  # June keeps the rules in force on 1 June
    assert july.loc["P4", "seniority_pay"] == 450.0  # 4 years -> the 3-year step, now 450
    assert july.loc["U1", "seniority_pay"] == 450.0  # 5 years: no 5-year step any more


# -- the command line --------------------------------------------------------------------------------


def test_cli_payroll_xlsx_read_back_cell_by_cell(small_path, tmp_path):
    out = tmp_path / "june.xlsx"
    done = run_cli(
        "payroll", "2026-06", "--xlsx", str(out), "--db", str(small_path), env={"CSDATA_LANG": "en"}
    )
    assert done.returncode == 0, done.stderr
    assert t("cli_exported", "en", rows="4", path=out) in done.stderr
    assert t("cli_payroll_totals", "en", people=4, total="25,783.33") in done.stderr
    assert_june(pd.read_excel(out, engine="openpyxl", dtype={"month": str}))


def test_cli_payroll_json(small_path):
    done = run_cli("payroll", "2026-06", "--json", "--db", str(small_path))
    assert done.returncode == 0, done.stderr
    assert_june(pd.DataFrame(json.loads(done.stdout)))


def test_cli_payroll_problems_are_one_line(small_path, tmp_path):
    bad = run_cli("payroll", "2026-13", "--db", str(small_path), env={"CSDATA_LANG": "en"})
    assert bad.returncode == 2
    assert bad.stderr == "csdata: " + t("payroll_bad_month", "en", value="2026-13") + "\n"
    zh = run_cli("payroll", "June", "--db", str(small_path), env={"CSDATA_LANG": "zh"})
    assert zh.stderr == "csdata: " + t("payroll_bad_month", "zh", value="June") + "\n"
    nowhere = tmp_path / "missing" / "june.xlsx"
    unwritable = run_cli("payroll", "2026-06", "--xlsx", str(nowhere), "--db", str(small_path))
    assert unwritable.returncode == 2
    assert (
        unwritable.stderr.startswith(f"csdata: cannot write {nowhere}: ")
        and "Traceback" not in unwritable.stderr
    )
    assert not nowhere.parent.exists()
    empty = run_cli("payroll", "2019-01", "--db", str(small_path), env={"CSDATA_LANG": "en"})
    assert empty.returncode == 0 and t("payroll_nobody", "en", month="2019-01") in empty.stderr


# -- the Pay page ---------------------------------------------------------------------------------


def test_pay_page_shows_the_month_and_downloads_it(small_path, monkeypatch, served):
    point_app_at(monkeypatch, small_path)
    at = open_page("pay")
    [month] = [s for s in at.selectbox if s.key == "payroll_month"]
    assert month.value == month.options[0]  # the newest month first
    month.set_value("2026-06").run()
    assert not at.exception
    cards = {m.label: m.value for m in at.metric}
    assert cards == {
        t("pay_people", "en"): "4",
        t("pay_base_total", "en"): "¥20,000.00",
        t("pay_seniority_total", "en"): "¥833.33",
        t("pay_performance_total", "en"): "¥4,000.00",
        t("pay_bonus_total", "en"): "¥950.00",
        t("pay_total", "en"): "¥25,783.33",
    }
    assert [w.value for w in at.warning] == [t("pay_awaiting", "en", n=1, ids="L1")]
    assert [i.value for i in at.info] == [t("pay_prorated_note", "en", n=2)]
    table = at.dataframe[0].value
    assert list(table[t("col_employee_id", "en")]) == ["J1", "P4", "L1", "U1"]
    assert list(table[t("col_total", "en")]) == [2333.33, 11450.0, 1900.0, 10100.0]
    book = pd.read_excel(
        io.BytesIO(download(at, "dl_pay_xlsx", served)), engine="openpyxl", dtype={"month": str}
    )
    assert_june(book)
    csv = pd.read_csv(
        io.BytesIO(download(at, "dl_pay_csv", served)), encoding="utf-8-sig", dtype={"month": str}
    )
    assert_june(csv)


def test_policy_page_seniority_edit_makes_a_version_that_changes_the_next_payroll(small_path, monkeypatch):
    point_app_at(monkeypatch, small_path)
    at = open_page("policy")
    [key] = [d.key for d in at.data_editor if d.key and d.key.startswith("policy_seniority_")]
    assert list(at.data_editor(key=key).value["amount"]) == [100.0, 300.0, 500.0]
    at.date_input(key="policy_from").set_value(dt.date(2026, 7, 1))
    # The 3-year step raised from 300 to 350.
    at.session_state[key] = {"edited_rows": {1: {"amount": 350.0}}, "added_rows": [], "deleted_rows": []}
    at.button(key="policy_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [t("policy_saved", "en", version=2)]
    wh = Warehouse(small_path)
    try:
        assert wh.scalar("SELECT count(*) FROM policy_versions") == 2
        june = payroll.payroll(wh, "2026-06").set_index("employee_id")
        july = payroll.payroll(wh, "2026-07").set_index("employee_id")
    finally:
        wh.close()
    assert june.loc["P4", "seniority_pay"] == 300.0  # before the new version: unchanged
    assert july.loc["P4", "seniority_pay"] == 350.0  # P4, 4 years: the 3-year step, now 350


def test_policy_page_refuses_a_seniority_step_twice(small_path, monkeypatch):
    point_app_at(monkeypatch, small_path)
    at = open_page("policy")
    [key] = [d.key for d in at.data_editor if d.key and d.key.startswith("policy_seniority_")]
    at.session_state[key] = {"edited_rows": {2: {"years": 3}}, "added_rows": [], "deleted_rows": []}
    at.button(key="policy_save").click().run()
    [message] = [shown(e.value) for e in at.error]
    assert (
        "Seniority steps: each number of years of service may have one seniority step only (twice: 3)"
        in message
    )
    wh = Warehouse(small_path)
    try:
        assert wh.scalar("SELECT count(*) FROM policy_versions") == 1
    finally:
        wh.close()


def test_pay_page_in_chinese(small_path, monkeypatch):
    point_app_at(monkeypatch, small_path)
    at = open_page("pay", lang="zh")
    [month] = [s for s in at.selectbox if s.key == "payroll_month"]
    month.set_value("2026-06").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}[t("pay_total", "zh")] == "¥25,783.33"
    table = at.dataframe[0].value
    assert t("col_seniority_pay", "zh") in table.columns and t("col_prorated", "zh") in table.columns
    assert [w.value for w in at.warning] == [t("pay_awaiting", "zh", n=1, ids="L1")]


def test_cli_payroll_as_an_account_and_the_policy_shows_its_steps(small_path):
    wh = Warehouse(small_path)
    try:
        auth.add_user(wh, "test", "fin_beta", "finance", PASSWORD, ["Beta"])
        auth.add_user(wh, "test", "acme_sup", "supervisor", PASSWORD, teams=["T-A"])
    finally:
        wh.close()
    beta = run_cli("payroll", "2026-06", "--json", "--as", "fin_beta", "--db", str(small_path))
    assert beta.returncode == 0, beta.stderr
    # Beta's people in June: L1 1,900.00 + U1 10,100.00 = 12,000.00.
    assert [(r["employee_id"], r["total"]) for r in json.loads(beta.stdout)] == [
        ("L1", 1900.0),
        ("U1", 10100.0),
    ]
    assert t("cli_payroll_totals", "en", people=2, total="12,000.00") in beta.stderr
    sup = run_cli("payroll", "2026-06", "--json", "--as", "acme_sup", "--db", str(small_path))
    assert json.loads(sup.stdout) == [] and t("payroll_nobody", "en", month="2026-06") in sup.stderr
    shown_policy = run_cli("policy", "show", "--db", str(small_path), env={"CSDATA_LANG": "en"}).stdout
    steps = shown_policy.split(t("policy_seniority", "en"))[1].split("\n\n")[0].splitlines()[1:]
    assert [s.strip() for s in steps] == ["≥ 1  + 100.00", "≥ 3  + 300.00", "≥ 5  + 500.00"]
