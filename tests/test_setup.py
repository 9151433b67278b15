"""Setting up a new company from nothing: `csdata init` without the sample, the master data by
import (README "Setting up a new company"), then the staff, then the records."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

import pytest
from conftest import ROOT, run_cli

from csdata.imports.ingest import import_file
from csdata.records.models import MASTER_KINDS
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t

SAMPLE = ROOT / "sample_data"
ACTOR = "test"

# A QA sheet as a Chinese office saves it: GB18030, Chinese headings and choices.
AUDIT_HEADER = "质检编号,质检日期,工号,质检员,工单号,客户,渠道,来源,服务态度,响应时效,解答准确性,沟通表达,合规规范,致命错误,问题类别,备注"
AUDIT_ROWS = [
    "Q1,2026-11-02,E00034,E00012,,Harbor Trust Bank,电话,录音,90,80,85,88,100,否,,语气友好",
    "Q2,2026-11-03,E00035,E00012,,Harbor Trust Bank,在线,抽查,95,,70,80,90,否,解答不完整,",
    "Q3,2026-11-04,E00036,E00012,,Harbor Trust Bank,邮件,客户反馈,100,100,100,100,100,是,泄露隐私,",
]
# By hand, weights 25/20/30/15/10 over the criteria scored, 0 with a critical error.
Q1 = (25 * 90 + 20 * 80 + 30 * 85 + 15 * 88 + 10 * 100) / 100  # 87.2
Q2 = (25 * 95 + 30 * 70 + 15 * 80 + 10 * 90) / (25 + 30 + 15 + 10)  # responsiveness not applicable: 82.1875
Q3 = 0.0


def _import(db, kind: str, path, *extra: str) -> tuple[int, dict]:
    result = run_cli("import", kind, str(path), "--db", str(db), "--json", *extra)
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """A warehouse set up from nothing with the example files, as the README says."""
    folder = tmp_path_factory.mktemp("setup")
    db = folder / "new.duckdb"
    init = run_cli("init", "--db", str(db), env={"CSDATA_ADMIN_PASSWORD": "set-up-secret"})
    assert init.returncode == 0, init.stderr
    reports = {}
    for kind in (*MASTER_KINDS, "employees"):
        code, report = _import(db, kind, SAMPLE / f"{kind}.csv")
        assert code == 0, report
        reports[kind] = report
    audits = folder / "质检.csv"
    audits.write_bytes(("\r\n".join([AUDIT_HEADER, *AUDIT_ROWS]) + "\r\n").encode("gb18030"))
    code, report = _import(db, "audits", audits)
    assert code == 0, report
    reports["audits"] = report
    return db, reports


def test_a_new_company_loads_its_master_data_staff_and_audits(company):
    db, reports = company
    for kind, report in reports.items():
        assert report["rejected"] == 0 and report["rejects"] == [], (kind, report)
        assert report["imported"] == report["rows"] > 0, (kind, report)
    wh = Warehouse(db, read_only=True)
    try:
        assert wh.rows(
            "SELECT name, name_zh, industry, active FROM clients WHERE name = 'Velocar Motors'"
        ) == [("Velocar Motors", "维乐汽车", "automotive", False)]
        assert wh.rows("SELECT grade, base_pay, performance_base FROM pay_grades WHERE grade = 'G2'") == [
            ("G2", Decimal("5200.00"), Decimal("1000.00"))
        ]
        assert wh.rows("SELECT name, department, client, supervisor_id FROM teams ORDER BY name")[0] == (
            "Harbor 1", "customer_service", "Harbor Trust Bank", "E00020"
        )  # fmt: skip
        assert wh.rows(
            "SELECT course, kind, pass_mark, hours FROM courses WHERE course = 'Handling abusive customers'"
        ) == [("Handling abusive customers", "in_service", None, 2.0)]
        assert wh.rows("SELECT period, status FROM appraisal_periods ORDER BY period")[-1] == (
            "2026-Q4",
            "open",
        )
        assert (
            wh.scalar("SELECT count(*) FROM employees WHERE grade IS NOT NULL")
            == reports["employees"]["rows"]
        )
        scores = dict(wh.rows("SELECT audit_id, score FROM audits"))
        assert scores == pytest.approx({"Q1": Q1, "Q2": Q2, "Q3": Q3})
        assert wh.scalar("SELECT count(*) FROM import_log") == len(reports)
        logged = dict(
            wh.rows("SELECT action, count(*) FROM audit_log WHERE starts_with(action, 'import.') GROUP BY 1")
        )
        assert logged == {f"import.{kind}": 1 for kind in reports}
    finally:
        wh.close()


def test_kpi_of_the_imported_audits_is_the_hand_computed_one(company):
    db, _ = company
    result = run_cli("kpi", "--json", "--db", str(db), "--from", "2026-11-01", "--to", "2026-11-30")
    assert result.returncode == 0, result.stderr
    kpi = json.loads(result.stdout)
    assert kpi["audits"] == 3
    assert kpi["qa_score"] == pytest.approx((Q1 + Q2 + Q3) / 3)  # 56.4625


def test_importing_the_same_files_again_adds_nothing(company):
    db, reports = company
    for kind in (*MASTER_KINDS, "employees"):
        code, report = _import(db, kind, SAMPLE / f"{kind}.csv")
        assert code == 0
        assert (report["imported"], report["duplicates"], report["rejected"]) == (0, report["rows"], 0), kind


@pytest.fixture
def wh(company, tmp_path):
    """A copy of the set-up warehouse, opened in this process."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(company[0], copy)
    opened = Warehouse(copy)
    try:
        yield opened
    finally:
        opened.close()


def _rejects(wh, kind: str, text: str, **options) -> list[tuple]:
    report = import_file(wh, kind, text.encode("utf-8"), f"{kind}.csv", ACTOR, **options)
    return [(r.row, r.column, r.reason("en")) for r in report.rejects]


BAD_ROWS = {
    "clients": ("client,name_zh,industry,active\n,无名,banking,true\nAcme,,retail,maybe\n", [
        (2, "client", t("imp_required", "en")),
        (3, "active", t("imp_bool", "en")),
    ]),
    "departments": ("department,name_zh\nfinance,财务部\nfinance,财务\n", [
        (3, "department", t("imp_duplicate_in_file", "en")),
    ]),
    "teams": ("team,client,supervisor_id,department\nMoon 1,Moon Travel,,customer_service\nHarbor 9,Harbor Trust Bank,,sales\n", [
        (2, "client", t("imp_ref_missing_clients", "en", value="Moon Travel")),
        (3, "department", t("imp_ref_missing_departments", "en", value="sales")),
    ]),
    "pay_grades": ("grade,base_pay,performance_pay_base\nG9,-100,500\nG8,6000,abc\n", [
        (2, "base_pay", t("imp_at_least", "en", n="0")),
        (3, "performance_pay_base", t("imp_number", "en")),
    ]),
    "courses": ("course,kind,pass_mark,hours\nUpselling,webinar,80,2\nEscalations,in_service,120,2\n", [
        (2, "kind", t("imp_choice", "en", choices="onboarding, in_service")),
        (3, "pass_mark", t("imp_at_most", "en", n="100")),
    ]),
    "periods": ("period,starts_on,ends_on,status\n2027-H1,2026-06-30,2026-01-01,open\n2026-M11,2026-11-01,2026-11-30,pending\n", [
        (2, "ends_on", t("rule_ends_before_starts", "en", against="2026-06-30")),
        (3, "status", t("imp_choice", "en", choices="open, closed")),
    ]),
}  # fmt: skip


@pytest.mark.parametrize("kind", MASTER_KINDS)
def test_a_bad_row_of_each_kind_is_rejected_with_its_reason(wh, kind):
    text, expected = BAD_ROWS[kind]
    assert _rejects(wh, kind, text) == expected


def test_an_unknown_pay_grade_is_never_created(wh):
    staff = (
        "employee_id,name,department,team,client,position,grade,hire_date,go_live_date,status,left_on\n"
        "E09001,王芳,customer_service,Harbor 1,Harbor Trust Bank,agent,G2,2026-10-01,,active,\n"
        "E09002,李强,customer_service,Harbor 1,Harbor Trust Bank,agent,G7,2026-10-01,,active,\n"
    )
    for create_missing in (False, True):
        report = import_file(
            wh, "employees", staff.encode(), "staff.csv", ACTOR, create_missing=create_missing
        )
        assert [(r.row, r.column) for r in report.rejects] == [(3, "grade")]
        assert "import pay_grades" in report.rejects[0].reason("en")
        assert "pay_grades" in report.rejects[0].reason("zh") and "G7" in report.rejects[0].reason("zh")
    assert wh.scalar("SELECT count(*) FROM pay_grades WHERE grade = 'G7'") == 0
    assert wh.scalar("SELECT count(*) FROM employees WHERE employee_id IN ('E09001', 'E09002')") == 1


def test_an_unknown_pay_grade_from_the_command_line(company, tmp_path):
    db = tmp_path / "cli.duckdb"
    shutil.copy(company[0], db)
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "工号,姓名,部门,团队,客户,岗位,职级,入职日期\nE09003,赵敏,customer_service,Harbor 1,Harbor Trust Bank,agent,G2X,2026-10-01\n",
        encoding="utf-8",
    )
    code, report = _import(db, "employees", staff, "--create-missing")
    assert code == 1 and report["imported"] == 0
    assert report["rejects"] == [
        {"line": 2, "column": "grade", "reason": t("imp_ref_missing_pay_grades", "en", value="G2X")}
    ]


def test_a_team_with_create_missing_makes_its_client_and_department(wh):
    text = "团队,客户,主管工号,部门\nMoon 1,Moon Travel,,sales\n"
    report = import_file(wh, "teams", text.encode("gb18030"), "teams.csv", ACTOR, create_missing=True)
    assert (report.imported, report.rejected) == (1, 0)
    assert report.created == {"clients": ["Moon Travel"], "departments": ["sales"]}
    assert wh.rows("SELECT name, client, department FROM teams WHERE name = 'Moon 1'") == [
        ("Moon 1", "Moon Travel", "sales")
    ]


def test_who_may_import_master_data():
    from csdata.access.scope import scope_for

    for kind in MASTER_KINDS:
        assert scope_for("admin", (), ()).may_write(kind)
        assert scope_for("hr", (), ()).may_write(kind) == (kind in ("pay_grades", "courses", "periods"))
        for role in ("exec", "qa", "finance", "supervisor", "client"):
            assert not scope_for(role, ("Harbor Trust Bank",), ("Harbor 1",)).may_write(kind)


def test_the_migration_gives_an_old_warehouse_its_courses_hours(tmp_path, monkeypatch):
    from csdata.store import warehouse

    every = warehouse._migrations()
    before = [m for m in every if m[1] < "006"]
    assert "006_master_data.sql" in [name for _, name, _ in every]
    monkeypatch.setattr(warehouse, "_migrations", lambda: before)
    path = tmp_path / "old.duckdb"
    old = Warehouse(path, create=True)
    with old.transaction("test", "fixture") as w:
        w.execute("INSERT INTO clients (name, industry) VALUES ('Acme', 'retail')")
        w.execute(
            "INSERT INTO courses VALUES ('Onboarding', 'onboarding', 80), ('Huddle', 'in_service', NULL)"
        )
        w.execute(
            "INSERT INTO training_results (employee_id, course, kind, taken_on, score, hours, attempt) VALUES"
            " ('E1', 'Onboarding', 'onboarding', DATE '2026-01-05', 70, 40, 1),"
            " ('E1', 'Onboarding', 'onboarding', DATE '2026-01-09', 85, 8, 2),"
            " ('E2', 'Onboarding', 'onboarding', DATE '2026-01-05', 90, 40, 1),"
            " ('E3', 'Onboarding', 'onboarding', DATE '2026-01-05', 90, 8, 1)"
        )
    old.close()
    monkeypatch.setattr(warehouse, "_migrations", lambda: every)
    new = Warehouse(path)
    try:
        assert new.rows("SELECT course, hours FROM courses ORDER BY course") == [
            ("Huddle", None),
            ("Onboarding", 40.0),
        ]
        assert new.rows("SELECT name, name_zh, industry, active FROM clients") == [
            ("Acme", None, "retail", True)
        ]
    finally:
        new.close()


def test_master_data_is_corrected_by_reimport_with_update(wh):
    """A client's Chinese name and a pay grade's performance-pay base (a column stored under
    another name) corrected by a file imported again with `update`, each with its trail."""
    report = import_file(
        wh,
        "clients",
        "client,name_zh\nHarbor Trust Bank,海港银行\n".encode(),
        "clients.csv",
        ACTOR,
        update=True,
    )
    assert (report.imported, report.updated, report.rejected) == (0, 1, 0)
    assert wh.scalar("SELECT name_zh FROM clients WHERE name = 'Harbor Trust Bank'") == "海港银行"
    report = import_file(
        wh,
        "pay_grades",
        b"grade,base_pay,performance_pay_base\nG1,4500,950\n",
        "grades.csv",
        ACTOR,
        update=True,
    )
    assert (report.imported, report.updated, report.rejected) == (0, 1, 0)
    assert wh.rows("SELECT base_pay, performance_base FROM pay_grades WHERE grade = 'G1'") == [
        (Decimal("4500.00"), Decimal("950.00"))
    ]
    changes = wh.rows(
        "SELECT kind, record_id, CAST(before AS VARCHAR), CAST(after AS VARCHAR) FROM record_changes "
        "WHERE change = 'update' ORDER BY id"
    )
    assert [(k, r) for k, r, _, _ in changes] == [("clients", "Harbor Trust Bank"), ("pay_grades", "G1")]
    assert "800" in changes[1][2] and "950" in changes[1][3]
