"""The Organisation page: a new company set up on pages alone (master data by the administrator,
staff by HR, a QA sheet uploaded), and a page change of a person equal to the import's
`--update --effective`, refusals that write nothing, HR's read-only tabs, a record's history."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, point_app_at, run_cli, shown, sign_in_as
from streamlit.testing.v1 import AppTest

from csdata import pages
from csdata.access import auth
from csdata.access.scope import scope_for
from csdata.analytics import lookups
from csdata.imports.ingest import ImportError_, import_file
from csdata.records import master_data
from csdata.records.models import MASTER_KINDS
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t
from csdata.ui import core

SAMPLE = ROOT / "sample_data"
PASSWORD = "set-up-secret-42"
ACCOUNTS = (("hr1", "hr"), ("qa1", "qa"))


def _init(db: Path) -> None:
    """`csdata init` without the sample: an empty warehouse with its administrator, `admin`."""
    done = run_cli("init", "--db", str(db), env={"CSDATA_ADMIN_PASSWORD": PASSWORD})
    assert done.returncode == 0, done.stderr
    wh = Warehouse(db)
    try:
        for name, role in ACCOUNTS:
            auth.add_user(wh, "admin", name, role, PASSWORD)
    finally:
        wh.close()


def page(user: str, lang: str = "en", key: str = "organisation") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    sign_in_as(at, user)
    at.run()
    at.switch_page(pages.PAGES[key].file).run()
    return clean(at)


def clean(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def fill(at: AppTest, kind: str, /, **values) -> AppTest:
    """Types `values` into the add form of `kind` (text, choices, dates, numbers, ticks)."""
    for name, value in values.items():
        key = f"oa_{kind}_{name}"
        for widget in (at.text_input, at.selectbox, at.date_input, at.number_input, at.checkbox):
            found = [w for w in widget if _is(w.key, key)]
            if found:
                found[0].set_value(value)
                break
        else:
            raise AssertionError(f"no field {key}")
    at.run()
    return clean(at)


def add(at: AppTest, kind: str, /, **values) -> AppTest:
    fill(at, kind, **values)
    next(b for b in at.button if _is(b.key, f"oa_{kind}_save")).click().run()
    return clean(at)


def _is(key: str | None, name: str) -> bool:
    """Whether a widget's key is `name` in some generation of its form (a saved form's widgets
    take new keys: `name~1`, ...)."""
    return key is not None and key.split("~")[0] == name


def successes(at: AppTest) -> list[str]:
    return [shown(s.value) for s in at.success]


def errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]


# -- a new company, on pages -----------------------------------------------------------------------

# The QA sheet as a Chinese office saves it: GB18030, Chinese headings and choices (the scorecard of
# the default policy: 服务态度 25, 响应时效 20, 解答准确性 30, 沟通表达 15, 合规规范 10).
AUDIT_SHEET = [
    "质检编号,质检日期,工号,质检员,工单号,客户,渠道,来源,服务态度,响应时效,解答准确性,沟通表达,合规规范,致命错误,问题类别,备注",
    "QN1,2026-11-02,N001,,,Northwind Bank,电话,录音,90,80,85,88,100,否,,语气友好",
    "QN2,2026-11-03,N002,,,Northwind Bank,在线,抽查,95,,70,80,90,否,解答不完整,",
    "QN3,2026-11-04,N001,,,Northwind Bank,邮件,客户反馈,100,100,100,100,100,是,泄露隐私,",
]
# By hand, each audit's score is the weighted mean over the criteria it scores, 0 with a critical error:
QN1 = (25 * 90 + 20 * 80 + 30 * 85 + 15 * 88 + 10 * 100) / 100  # 8720 / 100 = 87.2
QN2 = (25 * 95 + 30 * 70 + 15 * 80 + 10 * 90) / (25 + 30 + 15 + 10)  # 6575 / 80 = 82.1875
QN3 = 0.0  # 泄露隐私 is a critical error
QA_SCORE = (QN1 + QN2 + QN3) / 3  # 169.3875 / 3 = 56.4625


def test_a_new_company_is_set_up_on_pages(tmp_path, monkeypatch):
    db = tmp_path / "new.duckdb"
    _init(db)
    point_app_at(monkeypatch, db)

    admin = page("admin")
    add(admin, "clients", client="Northwind Bank", name_zh="北风银行", industry="banking")
    add(admin, "departments", department="customer_service", name_zh="客服部")
    add(admin, "teams", team="Northwind 1", client="Northwind Bank", department="customer_service")
    add(admin, "pay_grades", grade="G1", base_pay=4500.0, performance_pay_base=800.0)
    add(admin, "courses", course="Onboarding basics", kind="onboarding", pass_mark=80.0, hours=16.0)
    add(admin, "periods", period="2026-Q4", starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31))
    # Each tab says what it last saved.
    assert successes(admin) == [
        t("org_added", "en", kind=t(f"imp_kind_{kind}", "en"), id=rid)
        for kind, rid in (("clients", "Northwind Bank"), ("departments", "customer_service"),
                          ("teams", "Northwind 1"), ("pay_grades", "G1"), ("courses", "Onboarding basics"),
                          ("periods", "2026-Q4"))
    ]  # fmt: skip
    assert not errors(admin)

    hr = page("hr1")
    for eid, name in (("N001", "林小雨"), ("N002", "周明")):
        add(hr, "employees", employee_id=eid, name=name, department="customer_service", team="Northwind 1",
            client="Northwind Bank", position="agent", grade="G1", hire_date=dt.date(2026, 10, 8))  # fmt: skip
        assert successes(hr) == [t("org_added", "en", kind=t("imp_kind_employees", "en"), id=eid)]

    qa = page("qa1", key="imports")
    sheet = ("\r\n".join(AUDIT_SHEET) + "\r\n").encode("gb18030")
    qa.file_uploader(key="imp_file").set_value(("质检.csv", sheet, "text/csv")).run()
    clean(qa)
    qa.button(key="imp_commit").click().run()
    clean(qa)

    wh = core._open(str(db))
    assert wh.rows("SELECT name, name_zh, industry, active FROM clients") == [
        ("Northwind Bank", "北风银行", "banking", True)
    ]
    assert wh.rows("SELECT name, client, department FROM teams") == [
        ("Northwind 1", "Northwind Bank", "customer_service")
    ]
    assert wh.rows("SELECT period, starts_on, ends_on, status FROM appraisal_periods") == [
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "open")
    ]
    assert wh.rows("SELECT employee_id, team, grade, status FROM employees ORDER BY 1") == [
        ("N001", "Northwind 1", "G1", "active"),
        ("N002", "Northwind 1", "G1", "active"),
    ]
    # Each page save is one audit-log row naming its record.
    assert wh.column("SELECT entity FROM audit_log WHERE action LIKE 'import.%' ORDER BY id") == [
        "clients:Northwind Bank", "departments:customer_service", "teams:Northwind 1", "pay_grades:G1",
        "courses:Onboarding basics", "periods:2026-Q4", "employees:N001", "employees:N002", "audits",
    ]  # fmt: skip
    assert wh.column("SELECT audit_id FROM audits ORDER BY 1") == ["QN1", "QN2", "QN3"]
    wh.close()
    core._open.clear()

    kpi = run_cli(
        "kpi", "--db", str(db), "--from", "2026-11-01", "--to", "2026-11-30", "--json",
        "--metric", "audits", "--metric", "qa_score",
    )  # fmt: skip
    assert kpi.returncode == 0, kpi.stderr
    figures = json.loads(kpi.stdout)
    assert figures["audits"] == 3
    assert figures["qa_score"] == pytest.approx(QA_SCORE)


# -- changing a person, refusals, scope --------------------------------------------------------------


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> Path:
    """A new company with the example files imported, and an HR and a QA account."""
    db = tmp_path_factory.mktemp("org") / "company.duckdb"
    _init(db)
    wh = Warehouse(db)
    try:
        for kind in (*MASTER_KINDS, "employees"):
            path = SAMPLE / f"{kind}.csv"
            report = import_file(wh, kind, path.read_bytes(), path.name, "setup")
            assert report.committed and not report.rejects, (kind, report.rejects)
    finally:
        wh.close()
    return db


@pytest.fixture
def db(company, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "org.duckdb"
    shutil.copyfile(company, path)
    point_app_at(monkeypatch, path)
    return path


HISTORY = "SELECT employee_id, valid_from, valid_to, team, client, position, grade, status, reason " \
    "FROM employee_history WHERE employee_id = 'E00034' ORDER BY valid_from"  # fmt: skip
REASON = "Moved to the gaming account"
WRITES = "SELECT count(*) FROM audit_log WHERE action NOT LIKE 'auth.%'"  # what was written, not signed in


def test_a_transfer_on_the_page_equals_the_import_with_effective(db, company, tmp_path):
    at = page("hr1")
    at.selectbox(key="oe_employees_choice").set_value("E00034").run()
    at.selectbox(key="oe_employees_team_E00034").set_value("Nebula 1")
    at.selectbox(key="oe_employees_client_E00034").set_value("Nebula Games")
    at.selectbox(key="oe_employees_grade_E00034").set_value("G2")
    at.date_input(key="oe_employees_effective_E00034").set_value(dt.date(2026, 11, 1))
    at.text_input(key="oe_employees_reason_E00034").input(REASON).run()
    at.button(key="oe_employees_save_E00034").click().run()
    clean(at)
    assert successes(at) == [t("org_changed", "en", id="E00034")]
    wh = core._open(str(db))
    by_page = wh.rows(HISTORY)
    logged = wh.rows("SELECT actor, action, entity FROM audit_log ORDER BY id DESC LIMIT 1")

    # The same change as a file, on a copy of the same company, through the command line.
    other = tmp_path / "by-import.duckdb"
    shutil.copyfile(company, other)
    row = tmp_path / "E00034.csv"
    row.write_text(
        "employee_id,name,department,team,client,position,grade,hire_date,go_live_date,status,left_on\n"
        "E00034,金海涛,customer_service,Nebula 1,Nebula Games,agent,G2,2025-02-16,2025-02-26,active,\n",
        encoding="utf-8",
    )
    done = run_cli("import", "employees", str(row), "--db", str(other), "--update", "--effective", "2026-11-01",
                   "--reason", REASON)  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    imported = Warehouse(other, read_only=True)
    try:
        by_import = imported.rows(HISTORY)
    finally:
        imported.close()

    # By hand: the period from the hire day closes on the day the move takes effect, and the new
    # one (Nebula 1, Nebula Games, G2) runs from that day, with the reason given.
    assert by_page == by_import == [
        ("E00034", dt.date(2025, 2, 16), dt.date(2026, 11, 1), "Harbor 1", "Harbor Trust Bank", "agent", "G1",
         "active", None),
        ("E00034", dt.date(2026, 11, 1), None, "Nebula 1", "Nebula Games", "agent", "G2", "active", REASON),
    ]  # fmt: skip
    assert logged == [("hr1", "import.employees", "employees:E00034")]

    # Beside the person: the periods, and the change before → after with its reason, latest first.
    texts = [shown(m.value) for m in at.markdown]
    team, client, grade = (t(f"col_{c}", "en") for c in ("team", "client", "grade"))
    changed = next(
        i for i, text in enumerate(texts) if text.endswith(f"· hr1 · {t('org_change_update', 'en')}")
    )
    assert texts[changed + 1] == (
        f"{team}: Harbor 1 → Nebula 1 {client}: Harbor Trust Bank → Nebula Games {grade}: G1 → G2"
    )  # one line each on screen
    assert t("org_why", "en", reason=REASON) in [shown(c.value) for c in at.caption]
    frames = [d.value for d in at.dataframe]
    periods = next(f for f in frames if t("col_valid_from", "en") in f.columns)
    assert list(periods[t("col_team", "en")]) == ["Harbor 1", "Nebula 1"]
    assert list(periods[t("col_valid_to", "en")]) == ["2026-11-01", ""]


def test_a_change_without_a_reason_is_refused_and_writes_nothing(db):
    at = page("hr1")
    at.selectbox(key="oe_employees_choice").set_value("E00035").run()
    at.selectbox(key="oe_employees_grade_E00035").set_value("G2").run()
    wh = core._open(str(db))
    before = wh.scalar("SELECT count(*) FROM audit_log")
    at.button(key="oe_employees_save_E00035").click().run()
    clean(at)
    assert errors(at) == [t("org_reason_required", "en")]
    assert wh.scalar("SELECT count(*) FROM audit_log") == before
    assert wh.scalar("SELECT grade FROM employees WHERE employee_id = 'E00035'") == "G1"


def test_a_rejected_add_names_the_problem_and_writes_nothing(db):
    wh = core._open(str(db))
    before = (wh.scalar(WRITES), wh.scalar("SELECT count(*) FROM teams"))
    # A team of a client that does not exist: the import's message says how to create it.
    report = master_data.add(
        wh, "admin", "teams", {"team": "Ghost 1", "client": "Nobody Ltd", "department": "customer_service"}
    )
    assert not report.committed and report.imported == 0
    assert [(r.column, r.reason("en")) for r in report.rejects] == [
        ("client", t("imp_ref_missing_clients", "en", value="Nobody Ltd"))
    ]
    # On the page: a period that ends before it starts, refused under its end (the browser test
    # types a client that does not exist, which AppTest cannot).
    at = page("admin")
    add(at, "periods", period="2027-Q1", starts_on=dt.date(2027, 3, 31), ends_on=dt.date(2027, 1, 1))
    assert errors(at) == [t("rule_ends_before_starts", "en", field="ends_on", against="2027-03-31")]
    assert not successes(at)
    after = (wh.scalar(WRITES), wh.scalar("SELECT count(*) FROM teams"))
    assert after == before
    assert wh.scalar("SELECT count(*) FROM appraisal_periods WHERE period = '2027-Q1'") == 0


def test_hr_may_not_change_clients(db):
    at = page("hr1")
    keys = {w.key for w in (*at.text_input, *at.selectbox, *at.button)}
    assert {"oa_clients_save", "oe_clients_choice", "oa_teams_save", "oe_departments_choice"}.isdisjoint(keys)
    assert {"oa_employees_save", "oe_employees_choice", "oa_pay_grades_save", "oa_periods_save"} <= keys
    assert [shown(i.value) for i in at.info].count(
        t("org_read_only", "en")
    ) == 3  # clients, departments, teams
    wh = core._open(str(db))
    before = wh.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(ImportError_) as refused:
        master_data.add(wh, "hr1", "clients", {"client": "Sneaky Co"}, scope_for("hr"))
    assert refused.value.key == "imp_kind_not_yours"
    with pytest.raises(ImportError_):
        master_data.edit(
            wh, "hr1", "clients", {"client": "Nebula Games", "industry": "toys"}, "why", scope_for("hr")
        )
    assert wh.scalar("SELECT count(*) FROM audit_log") == before
    assert wh.scalar("SELECT industry FROM clients WHERE name = 'Nebula Games'") == "gaming"
    # The pay grades' amounts are listed only to a scope that sees pay.
    assert list(lookups.records(wh, "pay_grades", scope_for("hr"))["grade"]) == ["G1", "G2", "G3", "G4", "G5"]
    assert lookups.records(wh, "pay_grades", scope_for("qa")).empty


def test_the_same_values_saved_twice_are_saved_once(db):
    at = page("admin")
    add(at, "departments", department="quality_2", name_zh="质检二部")
    assert successes(at) == [t("org_added", "en", kind=t("imp_kind_departments", "en"), id="quality_2")]
    # The form is empty again; the same values once more are the same submission, not a new one.
    add(at, "departments", department="quality_2", name_zh="质检二部")
    assert [shown(i.value) for i in at.info][:1] == [t("entry_already_saved", "en", id="quality_2")]
    wh = core._open(str(db))
    assert wh.scalar("SELECT count(*) FROM audit_log WHERE entity = 'departments:quality_2'") == 1


def test_a_person_without_an_id_gets_one_made_and_is_saved_once(db):
    at = page("hr1")
    person = dict(name="韩梅", department="customer_service", team="Skyline 1", client="Skyline Mobile",
                  position="agent", grade="G1", hire_date=dt.date(2026, 11, 16))  # fmt: skip
    add(at, "employees", **person)
    wh = core._open(str(db))
    [made] = wh.column("SELECT employee_id FROM employees WHERE name = '韩梅'")
    assert (
        made.startswith(f"E{dt.date.today():%Y}") and len(made) == len("E") + 14 + 8
    )  # E, the moment, 8 hex digits
    assert successes(at) == [t("org_added", "en", kind=t("imp_kind_employees", "en"), id=made)]
    add(at, "employees", **person)
    assert t("entry_already_saved", "en", id=made) in [shown(i.value) for i in at.info]
    assert wh.scalar("SELECT count(*) FROM employees WHERE name = '韩梅'") == 1
    assert wh.rows("SELECT valid_from, team, grade FROM employee_history WHERE employee_id = ?", [made]) == [
        (dt.date(2026, 11, 16), "Skyline 1", "G1")
    ]


def test_a_records_values_show_as_text(db):
    """A name that reads as markdown (a link) shows as its own text in the record's changes."""
    wh = core._open(str(db))
    name = "[Win a prize](https://example.com/x) **now**"
    report = master_data.add(wh, "admin", "clients", {"client": "Link Co", "industry": name})
    assert report.imported == 1
    at = page("admin")
    at.selectbox(key="oe_clients_choice").set_value("Link Co").run()
    clean(at)
    texts = [m.value for m in at.markdown]
    line = next(text for text in texts if "Win a prize" in text)
    assert "](" not in line and "**now" not in line, line  # every mark escaped
    # (an address gets an invisible word joiner, so that it is not linked either)
    assert (
        shown(line)
        .replace("\u2060", "")
        .endswith(f"{t('col_industry', 'en')}: {name} {t('col_active', 'en')}: True")
    )


def test_an_admin_corrects_a_course_with_its_reason_in_the_trail(db):
    at = page("admin")
    course = "Complaint handling refresher"  # in_service, pass mark 70, 4 hours
    at.selectbox(key="oe_courses_choice").set_value(course).run()
    clean(at)
    at.number_input(key=f"oe_courses_pass_mark_{course}").set_value(75.0)
    at.text_input(key=f"oe_courses_reason_{course}").input("New exam from December").run()
    at.button(key=f"oe_courses_save_{course}").click().run()
    clean(at)
    assert successes(at) == [t("org_changed", "en", id=course)]
    wh = core._open(str(db))
    assert wh.rows("SELECT kind, pass_mark, hours FROM courses WHERE course = ?", [course]) == [
        ("in_service", 75.0, 4.0)
    ]
    [(before, after, reason, entity)] = wh.rows(
        "SELECT CAST(r.before AS VARCHAR), CAST(r.after AS VARCHAR), r.reason, l.entity FROM record_changes r "
        "JOIN audit_log l ON l.id = r.audit_log_id WHERE r.kind = 'courses' AND r.change = 'update'"
    )
    assert (json.loads(before)["pass_mark"], json.loads(after)["pass_mark"]) == (70.0, 75.0)
    assert (reason, entity) == ("New exam from December", f"courses:{course}")
