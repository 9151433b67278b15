"""The Imports page, in-process through Streamlit's AppTest: each role uploads the kinds it may
import, as CSV and as Excel; the preview counts what a commit would do, the commit lands the rows
and the import log lists them, a second upload of the same file adds nothing; rejected rows are
listed (and handed back to fix) in the reader's language; all-or-nothing lands nothing; a file
that cannot be read gives one message and writes nothing; a saved column mapping is used; a
supervisor cannot import tickets of other teams' agents; large files get a progress bar.

Every test that writes gets its own copy of the demo warehouse and reads back what the app wrote
through the app's own cached `Warehouse` (`csdata.ui._open`), whose lock keeps others out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import ROOT, download, shown, sign_in_as
from streamlit.testing.v1 import AppTest

from csdata import pages
from csdata.imports import ingest
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t
from csdata.ui import core

APP = ROOT / "app.py"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AUDIT_COLUMNS = [
    "audit_id", "audited_at", "agent_id", "auditor_id", "ticket_id", "client", "channel", "source",
    "attitude", "responsiveness", "accuracy", "communication", "compliance", "critical_error",
    "finding_category", "comment",
]  # fmt: skip


# -- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def people(sample_db) -> dict[str, object]:
    """Who is who in the demo warehouse: agents in and outside the supervisor's teams, a QA
    auditor, a client, a team, a pay grade."""
    wh = Warehouse(sample_db, read_only=True)
    try:
        teams = wh.column(
            "SELECT value FROM user_scopes WHERE username = 'supervisor' AND kind = 'team' ORDER BY 1"
        )
        own = wh.rows(
            "SELECT employee_id, client FROM employees WHERE position = 'agent' AND list_contains(?, team) "
            "ORDER BY employee_id LIMIT 3",
            [teams],
        )
        other = wh.rows(
            "SELECT employee_id, client FROM employees WHERE position = 'agent' AND NOT list_contains(?, team) "
            "AND client NOT IN (SELECT client FROM teams WHERE list_contains(?, name)) ORDER BY employee_id LIMIT 1",
            [teams, teams],
        )
        agents = wh.column("SELECT employee_id FROM employees WHERE position = 'agent' ORDER BY 1 LIMIT 5")
        auditor = wh.scalar("SELECT min(employee_id) FROM employees WHERE position = 'qa'")
        team, client = wh.rows("SELECT name, client FROM teams ORDER BY name LIMIT 1")[0]
    finally:
        wh.close()
    return {
        "own": own,
        "other": other[0],
        "agents": agents,
        "auditor": auditor,
        "team": team,
        "client": client,
        "own_teams": teams,
    }


@pytest.fixture
def fresh_db(sample_db, tmp_path) -> Path:
    path = tmp_path / "imports.duckdb"
    shutil.copyfile(sample_db, path)
    return path


@pytest.fixture
def app_env(monkeypatch, fresh_db):
    monkeypatch.chdir(ROOT)
    for name in ("CSDATA_LANG", "CSDATA_IDLE_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CSDATA_DB", str(fresh_db))
    return fresh_db


def imports_page(user: str, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["lang"] = lang
    sign_in_as(at, user)
    at.run()
    at.switch_page(pages.PAGES["imports"].file).run()
    assert_clean(at)
    assert [e.value for e in at.title] == [t("nav_imports", lang)]
    return at


def assert_clean(at: AppTest) -> None:
    errors = [e.value for e in at.exception]
    assert not errors, f"the page raised: {errors}"


def choose(at: AppTest, kind: str) -> AppTest:
    box = at.selectbox(key="imp_kind")
    if box.value != kind:
        box.set_value(kind).run()
    assert_clean(at)
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    mime = XLSX_MIME if name.endswith(".xlsx") else "text/csv"
    at.file_uploader(key="imp_file").set_value((name, data, mime)).run()
    assert_clean(at)
    return at


def metrics(at: AppTest, lang: str = "en") -> dict[str, int]:
    names = {
        t("imp_m_rows", lang): "rows",
        t("imp_m_new", lang): "new",
        t("imp_m_imported", lang): "imported",
        t("imp_m_present", lang): "present",
        t("imp_m_rejected", lang): "rejected",
    }
    return {names[m.label]: int(m.value.replace(",", "")) for m in at.metric if m.label in names}


def commit(at: AppTest) -> AppTest:
    button = at.button(key="imp_commit")
    assert not button.disabled
    button.click().run()
    assert_clean(at)
    return at


def writes(db: Path) -> tuple[int, int]:
    """Written (non sign-in) audit-log rows and import-log rows, through the app's warehouse."""
    wh = core._open(str(db))
    return (
        wh.scalar("SELECT count(*) FROM audit_log WHERE action NOT LIKE 'auth.%'"),
        wh.scalar("SELECT count(*) FROM import_log"),
    )


def history(at: AppTest, lang: str = "en") -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if t("imp_h_sha256", lang) in d.value.columns]
    assert len(frames) == 1, [list(d.value.columns) for d in at.dataframe]
    return frames[0]


def rejects_table(at: AppTest, lang: str = "en") -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if t("imp_col_reason", lang) in d.value.columns]
    assert len(frames) == 1
    return frames[0]


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def xlsx_bytes(frame: pd.DataFrame, typed: bool = True) -> bytes:
    """A workbook built with openpyxl, cells typed as a person's Excel would type them: dates as
    dates, numbers as numbers, blanks empty."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
                cells.append(None)
            else:
                cells.append(_typed_cell(value) if typed else value)
        sheet.append(cells)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _typed_cell(value):
    """Dates and times as Excel keeps them; text that is no real date (2026-02-30) stays text."""
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value)
            if len(value) == 19:
                return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    return value


def to_file(frame: pd.DataFrame, fmt: str) -> tuple[str, bytes]:
    return (f"upload.{fmt}", csv_bytes(frame) if fmt == "csv" else xlsx_bytes(frame))


def audits(people, prefix: str, n: int = 4) -> pd.DataFrame:
    rows = []
    for i in range(n):
        rows.append(
            {
                "audit_id": f"{prefix}{i:04d}",
                "audited_at": "2026-03-0" + str(1 + i % 9),
                "agent_id": people["agents"][i % len(people["agents"])],
                "auditor_id": people["auditor"],
                "ticket_id": None,
                "client": people["client"],
                "channel": "phone",
                "source": "recording",
                "attitude": 90.0,
                "responsiveness": 80.0,
                "accuracy": 85.0,
                "communication": 95.0,
                "compliance": 100.0,
                "critical_error": False,
                "finding_category": None,
                "comment": "ok",
            }
        )
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def count_audits(db: Path, prefix: str) -> int:
    return core._open(str(db)).scalar("SELECT count(*) FROM audits WHERE starts_with(audit_id, ?)", [prefix])


# -- QA: audits, CSV and Excel, preview, commit, history, the same file again ----------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_qa_imports_audits_and_the_same_file_adds_nothing(app_env, people, fmt):
    db = app_env
    frame = audits(people, f"TQ{fmt.upper()}", 5)
    name, data = to_file(frame, fmt)
    at = imports_page("qa")
    assert at.selectbox(key="imp_kind").options == [t("imp_kind_audits", "en"), t("imp_kind_actions", "en")]
    before = writes(db)

    upload(at, name, data)
    assert not at.error
    assert metrics(at) == {"rows": 5, "new": 5, "present": 0, "rejected": 0}
    assert writes(db) == before, "a preview writes nothing"
    assert count_audits(db, f"TQ{fmt.upper()}") == 0

    commit(at)
    assert [shown(s.value) for s in at.success] == [
        t("imp_done", "en", imported="5", file=name, duplicates="0", rejected="0")
    ]
    assert metrics(at) == {"rows": 5, "imported": 5, "present": 0, "rejected": 0}
    wh = core._open(str(db))
    assert count_audits(db, f"TQ{fmt.upper()}") == 5
    scores = wh.scalar(
        "SELECT count(*) FROM audit_scores WHERE starts_with(audit_id, ?)", [f"TQ{fmt.upper()}"]
    )
    assert scores == 25
    log = wh.rows(
        "SELECT actor, kind, file_name, sha256, rows, imported, duplicates, rejected FROM import_log"
    )
    assert log == [("qa", "audits", name, hashlib.sha256(data).hexdigest(), 5, 5, 0, 0)]
    logged = history(at)
    assert list(logged[t("imp_h_file_name", "en")]) == [name]
    assert list(logged[t("imp_h_sha256", "en")]) == [hashlib.sha256(data).hexdigest()]
    assert list(logged[t("imp_h_kind", "en")]) == [t("imp_kind_audits", "en")]
    assert list(logged[t("imp_h_imported", "en")]) == [5]

    # The same file once more: nothing new, all five already present, nothing to commit.
    upload(at, name, data)
    assert not at.success
    assert metrics(at) == {"rows": 5, "new": 0, "present": 5, "rejected": 0}
    assert [i.value for i in at.info] == [t("imp_nothing_new", "en")]
    assert at.button(key="imp_commit").disabled
    assert count_audits(db, f"TQ{fmt.upper()}") == 5


def test_preview_is_not_checked_twice(app_env, people, monkeypatch):
    calls = []
    real = ingest.import_file

    def counting(*args, **kwargs):
        calls.append(kwargs["dry_run"])
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest, "import_file", counting)
    at = imports_page("qa")
    upload(at, "a.csv", csv_bytes(audits(people, "TC", 3)))
    at.sidebar.radio(key="_lang_choice").set_value("zh").run()
    assert_clean(at)
    assert metrics(at, "zh") == {"rows": 3, "new": 3, "present": 0, "rejected": 0}
    assert calls == [True], "a rerun (the language switch) reused the preview"
    at.checkbox(key="imp_day_first").check().run()
    assert calls == [True, True], "a changed option checks the file again"
    commit(at)
    assert calls == [True, True, False], "the commit runs the real import"


def test_an_upload_is_read_once(app_env, people, monkeypatch):
    """Headings, preview, rejected rows, commit and the rows to fix: one read of the workbook."""
    calls: list[str] = []
    load, read = openpyxl.load_workbook, ingest.read_xlsx

    def loading(*args, **kwargs):
        calls.append("load_workbook")
        return load(*args, **kwargs)

    def reading(*args, **kwargs):
        calls.append("read_xlsx")
        return read(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", loading)
    monkeypatch.setattr(ingest, "read_xlsx", reading)
    at = imports_page("qa")
    upload(at, "bad.xlsx", xlsx_bytes(bad_audits(people)))
    assert metrics(at) == {"rows": 4, "new": 2, "present": 0, "rejected": 2}
    at.sidebar.radio(key="_lang_choice").set_value("zh").run()
    assert_clean(at)
    commit(at)
    assert metrics(at, "zh") == {"rows": 4, "imported": 2, "present": 0, "rejected": 2}
    assert len(rejects_table(at, "zh")) == 3
    assert calls == ["read_xlsx", "load_workbook"]


# -- rejected rows -----------------------------------------------------------------------------------


def bad_audits(people) -> pd.DataFrame:
    frame = audits(people, "TR", 4)
    frame.loc[1, "attitude"] = 101.0  # row 3 of the file
    frame.loc[2, "audited_at"] = "2026-02-30"  # row 4
    frame.loc[2, "agent_id"] = None
    return frame


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rejects_listed_with_row_column_and_reason(app_env, people, served, lang):
    db = app_env
    at = imports_page("qa", lang)
    upload(at, "bad.csv", csv_bytes(bad_audits(people)))
    assert metrics(at, lang) == {"rows": 4, "new": 2, "present": 0, "rejected": 2}
    table = rejects_table(at, lang)
    row, column, value, reason = (t(f"imp_col_{c}", lang) for c in ("row", "column", "value", "reason"))
    listed = [(r[row], r[column], r[value], r[reason]) for _, r in table.iterrows()]
    assert listed == [
        (3, "attitude", "101.0", t("imp_at_most", lang, n="100")),
        (4, "agent_id", "", t("imp_required", lang)),
        (4, "audited_at", "2026-02-30", t("imp_date", lang)),
    ]
    assert (3, "attitude", "101.0", "不能大于 100" if lang == "zh" else "must be at most 100") == listed[0]

    # The list and the rows to fix, both as CSV and Excel.
    listed_csv = pd.read_csv(io.BytesIO(download(at, "dl_imp_rejects_csv", served)), encoding="utf-8-sig")
    assert list(listed_csv.columns) == [row, column, value, reason]
    assert len(listed_csv) == 3
    fix = pd.read_csv(
        io.BytesIO(download(at, "imp_fix_csv", served)),
        encoding="utf-8-sig",
        dtype=str,
        keep_default_na=False,
    )
    assert list(fix.columns) == [row, *AUDIT_COLUMNS, reason]
    assert list(fix[row]) == ["3", "4"]
    assert list(fix["audit_id"]) == ["TR0001", "TR0002"]
    assert fix[reason][0] == f"attitude: {t('imp_at_most', lang, n='100')}"
    fix_xlsx = pd.read_excel(io.BytesIO(download(at, "imp_fix_xlsx", served)), dtype=str)
    assert list(fix_xlsx.columns) == list(fix.columns)
    assert list(fix_xlsx["audit_id"]) == ["TR0001", "TR0002"]

    # Commit: the valid rows land, the rejected do not.
    commit(at)
    assert metrics(at, lang) == {"rows": 4, "imported": 2, "present": 0, "rejected": 2}
    wh = core._open(str(db))
    assert wh.column("SELECT audit_id FROM audits WHERE starts_with(audit_id, 'TR') ORDER BY 1") == [
        "TR0000",
        "TR0003",
    ]

    # The fixed rows, uploaded again (the row and reason columns are simply not used).
    fixed = fix.copy()
    fixed["attitude"] = ["99.0", "99.0"]
    fixed["audited_at"] = ["2026-02-27", "2026-02-28"]
    fixed["agent_id"] = [people["agents"][0]] * 2
    upload(at, "fixed.csv", csv_bytes(fixed))
    assert metrics(at, lang) == {"rows": 2, "new": 2, "present": 0, "rejected": 0}
    assert t("imp_ignored", lang, columns=f"{row}, {reason}") in [c.value for c in at.caption]


def test_strict_imports_nothing(app_env, people):
    db = app_env
    at = imports_page("qa")
    at.checkbox(key="imp_strict").check().run()
    before = writes(db)
    upload(at, "bad.xlsx", xlsx_bytes(bad_audits(people)))
    assert metrics(at) == {"rows": 4, "new": 2, "present": 0, "rejected": 2}
    assert [w.value for w in at.warning] == [t("imp_strict_blocked", "en", n="2")]
    assert at.button(key="imp_commit").disabled
    assert writes(db) == before
    assert count_audits(db, "TR") == 0
    # All or nothing off: the two valid rows may go.
    at.checkbox(key="imp_strict").uncheck().run()
    assert not at.warning
    commit(at)
    assert count_audits(db, "TR") == 2


def test_update_changed_rows_corrects_present_audits(app_env, people):
    db = app_env
    frame = audits(people, "TU", 4)
    at = imports_page("qa")
    upload(at, "qa.csv", csv_bytes(frame))
    commit(at)
    assert count_audits(db, "TU") == 4
    frame.loc[1, "accuracy"] = 40.0  # a typo fixed in the sheet
    fixed = csv_bytes(frame)

    # Without the option the changed row is already present: nothing to commit, as before.
    upload(at, "qa-fixed.csv", fixed)
    assert metrics(at) == {"rows": 4, "new": 0, "present": 4, "rejected": 0}
    assert at.button(key="imp_commit").disabled

    at.checkbox(key="imp_update").check().run()
    assert_clean(at)
    assert metrics(at) == {"rows": 4, "new": 0, "present": 3, "rejected": 0}
    assert t("imp_updated_rows", "en", n="1") in [c.value for c in at.caption]
    commit(at)
    wh = core._open(str(db))
    # (25×90 + 20×80 + 30×40 + 15×95 + 10×100) / 100
    assert wh.scalar("SELECT score FROM audits WHERE audit_id = 'TU0001'") == pytest.approx(74.75)
    trail = wh.rows(
        "SELECT actor, change, json_extract(before, '$.accuracy'), json_extract(after, '$.accuracy') "
        "FROM record_changes WHERE record_id = 'TU0001' ORDER BY id"
    )
    assert [(a, c) for a, c, _, _ in trail] == [("qa", "create"), ("qa", "update")]
    assert [float(v) for v in trail[1][2:]] == [85.0, 40.0]
    logged = history(at)
    assert list(logged[t("imp_h_file_name", "en")]) == ["qa-fixed.csv", "qa.csv"]
    assert list(logged[t("imp_h_updated", "en")]) == [1, 0]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.xlsx", b"PK\x03\x04 this is not a workbook", ("imp_bad_xlsx", {})),
        ("empty.csv", b"", ("imp_empty", {})),
        ("header-only.csv", b"audit_id,audited_at\n", ("imp_empty", {})),
        (
            "other.csv",
            b"name,phone\nx,1\n",
            ("imp_missing_columns", {"columns": "audit_id, audited_at, agent_id, source"}),
        ),
    ],
    ids=["bad-xlsx", "empty", "header-only", "wrong-columns"],
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_unreadable_file_gives_one_message_and_writes_nothing(app_env, name, data, reason, lang):
    db = app_env
    at = imports_page("qa", lang)
    before = writes(db)
    upload(at, name, data)
    key, params = reason
    assert [shown(e.value) for e in at.error] == [
        shown(t("imp_cannot_use", lang, reason=t(key, lang, **params)))
    ]
    assert not at.metric
    assert "imp_commit" not in [b.key for b in at.button]
    assert writes(db) == before


# -- HR: training, appraisals, employees -------------------------------------------------------------


def hr_frame(kind: str, people, tag: str) -> pd.DataFrame:
    if kind == "training":
        return pd.DataFrame(
            [
                {
                    "employee_id": a,
                    "course": f"Course {tag}",
                    "kind": "in_service",
                    "taken_on": "2026-03-10",
                    "score": 80.0 + i,
                    "hours": 2.5,
                    "attempt": 1,
                }
                for i, a in enumerate(people["agents"][:3])
            ]
        )
    if kind == "appraisals":
        return pd.DataFrame(
            [
                {
                    "period": f"2031-Q{1 + (tag == 'xlsx')}",
                    "employee_id": a,
                    "satisfaction": 80.0,
                    "quality": 85.5,
                    "efficiency": 90.0,
                    "teamwork": 70.0,
                    "reviewer": people["auditor"],
                    "comment": None,
                }
                for a in people["agents"][:3]
            ]
        )
    return pd.DataFrame(
        [
            {
                "employee_id": f"E9{tag[:1].upper()}{i:03d}",
                "name": f"新员工{i}",
                "department": "customer_service",
                "team": people["team"],
                "client": people["client"],
                "position": "agent",
                "grade": "G1",
                "hire_date": "2026-04-01",
                "go_live_date": "2026-04-15",
                "status": "active",
                "left_on": None,
            }
            for i in range(3)
        ]
    )


TABLES = {"training": "training_results", "appraisals": "appraisals", "employees": "employees"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["training", "appraisals", "employees"])
def test_hr_imports_its_kinds(app_env, people, kind, fmt):
    db = app_env
    at = imports_page("hr")
    assert at.selectbox(key="imp_kind").options == [
        t(f"imp_kind_{k}", "en")
        for k in (
            "training",
            "appraisals",
            "employees",
            "pay_grades",
            "courses",
            "periods",
            "bonuses",
            "requisitions",
            "candidates",
            "actions",
            "coaching",
        )
    ]
    choose(at, kind)
    frame = hr_frame(kind, people, fmt)
    if kind == "appraisals":  # a new period: made by "create missing"
        at.checkbox(key="imp_create_missing").check().run()
    name, data = to_file(frame, fmt)
    wh = core._open(str(db))
    table = TABLES[kind]
    before = wh.scalar(f"SELECT count(*) FROM {table}")
    upload(at, name, data)
    assert not at.error, [e.value for e in at.error]
    assert metrics(at) == {"rows": 3, "new": 3, "present": 0, "rejected": 0}
    commit(at)
    assert metrics(at) == {"rows": 3, "imported": 3, "present": 0, "rejected": 0}
    assert wh.scalar(f"SELECT count(*) FROM {table}") == before + 3
    assert list(history(at)[t("imp_h_kind", "en")]) == [t(f"imp_kind_{kind}", "en")]
    if kind == "appraisals":
        assert wh.scalar("SELECT count(*) FROM appraisal_scores WHERE period = ?", [frame["period"][0]]) == 12
        assert [shown(c.value) for c in at.caption if c.value.startswith("created in")] == [
            t("imp_created", "en", table="appraisal_periods", values=frame["period"][0])
        ]
    if kind == "employees":
        assert wh.column("SELECT name FROM employees WHERE starts_with(employee_id, 'E9') ORDER BY 1") == [
            "新员工0",
            "新员工1",
            "新员工2",
        ]


def test_history_follows_the_role(app_env, people):
    at = imports_page("qa")
    upload(at, "a.csv", csv_bytes(audits(people, "TH", 2)))
    commit(at)
    hr = imports_page("hr")
    assert t("imp_history_empty", "en") in [c.value for c in hr.caption], "hr does not see audits imports"
    admin = imports_page("admin")
    assert list(history(admin)[t("imp_h_actor", "en")]) == ["qa"]


# -- templates and mapping -----------------------------------------------------------------------------


def test_templates_download_as_csv_and_excel(app_env, served):
    at = imports_page("admin")
    for kind in ingest.KINDS:  # the master data's templates too
        choose(at, kind)
        shipped = (ROOT / "sample_data" / f"{kind}.csv").read_bytes()
        assert download(at, "imp_template_csv", served) == shipped
        workbook = pd.read_excel(io.BytesIO(download(at, "imp_template_xlsx", served)), dtype=str)
        expected = pd.read_csv(io.BytesIO(shipped), encoding="utf-8-sig", dtype=str)
        assert list(workbook.columns) == list(expected.columns)
        assert len(workbook) == len(expected)


FOREIGN = pd.DataFrame(
    {
        "QA no.": ["TM0001", "TM0002"],
        "Day": ["2026-03-02", "2026-03-03"],
        "Clock": ["09:15", "10:30"],
        "Staff": [None, None],
        "Kind of check": ["recording", "spot_check"],
        "Manner": [90, 80],
        "客户姓名": ["张三", "李四"],
    }
)


def test_saved_mapping_is_used_and_can_be_downloaded(app_env, people, served):
    db = app_env
    frame = FOREIGN.copy()
    frame["Staff"] = people["agents"][:2]
    at = imports_page("qa")
    upload(at, "foreign.xlsx", xlsx_bytes(frame))
    assert [shown(e.value) for e in at.error] == [
        t(
            "imp_cannot_use",
            "en",
            reason=t("imp_missing_columns", "en", columns="audit_id, audited_at, agent_id, source"),
        )
    ]
    assert [i.value for i in at.info] == [t("imp_mapping_needed", "en")]
    assert [e.label for e in at.expander] == [t("imp_mapping", "en")]

    mapping = ingest.Mapping(
        kind="audits",
        columns={"audit_id": "QA no.", "agent_id": "Staff", "source": "Kind of check", "attitude": "Manner"},
        combine={"audited_at": ["Day", "Clock"]},
        constants={"channel": "phone"},
    )
    at.file_uploader(key="imp_mapping_file").set_value(
        ("mine.toml", mapping.to_toml().encode(), "application/toml")
    ).run()
    assert_clean(at)
    assert not at.error, [e.value for e in at.error]
    assert metrics(at) == {"rows": 2, "new": 2, "present": 0, "rejected": 0}
    assert [i.value for i in at.info] == [t("imp_dropped", "en", columns="客户姓名")]
    saved = ingest.Mapping.model_validate(
        __import__("tomllib").loads(download(at, "imp_mapping_download", served).decode())
    )
    assert saved == mapping
    commit(at)
    wh = core._open(str(db))
    assert wh.rows(
        "SELECT audit_id, audited_at, channel, source FROM audits WHERE starts_with(audit_id, 'TM') ORDER BY 1"
    ) == [
        ("TM0001", dt.date(2026, 3, 2), "phone", "recording"),
        ("TM0002", dt.date(2026, 3, 3), "phone", "spot_check"),
    ]


def test_mapping_edited_on_the_page(app_env, people):
    """The editor's cells (seeded through the editor's state, as a user's edits arrive)."""
    frame = FOREIGN.copy()
    frame["Staff"] = people["agents"][:2]
    at = imports_page("qa")
    data = csv_bytes(frame)
    upload(at, "foreign.csv", data)
    [editor] = at.data_editor
    order = list(editor.value["column"])
    edits = {
        order.index("audit_id"): {"file_column": "QA no."},
        order.index("audited_at"): {"file_column": "Day", "time_column": "Clock"},
        order.index("agent_id"): {"file_column": "Staff"},
        order.index("source"): {"constant": "recording"},
        order.index("attitude"): {"file_column": "Manner"},
    }
    at.session_state[editor.key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    at.run()
    assert_clean(at)
    assert not at.error, [e.value for e in at.error]
    assert metrics(at) == {"rows": 2, "new": 2, "present": 0, "rejected": 0}


def test_mapping_for_another_kind_is_not_used(app_env):
    at = imports_page("qa")
    upload(at, "a.csv", (ROOT / "sample_data" / "audits.csv").read_bytes())
    at.file_uploader(key="imp_mapping_file").set_value(
        ("t.toml", b'kind = "tickets"\n[columns]\nticket_id = "x"\n', "application/toml")
    ).run()
    assert_clean(at)
    assert [w.value for w in at.warning] == [
        t("imp_mapping_other_kind", "en", kind=t("imp_kind_tickets", "en"), chosen=t("imp_kind_audits", "en"))
    ]
    at.file_uploader(key="imp_mapping_file").set_value(("t.toml", b"kind = [", "application/toml")).run()
    assert_clean(at)
    assert len(at.error) == 1 and at.error[0].value.startswith(t("imp_bad_mapping", "en", detail=""))


# -- supervisor: their own teams only ------------------------------------------------------------------


def tickets(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "ticket_id": tid,
                "client": client,
                "channel": "phone",
                "type": "consultation",
                "agent_id": agent,
                "opened_at": f"2026-03-0{i + 1} 09:00:00",
                "first_response_at": f"2026-03-0{i + 1} 09:00:12",
                "handle_seconds": 240.0,
                "resolved": "Y",
                "csat": 5,
            }
            for i, (tid, client, agent) in enumerate(rows)
        ]
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_supervisor_cannot_import_other_teams_tickets(app_env, people, fmt):
    db = app_env
    (own, own_client), (other, other_client) = people["own"][0], people["other"]
    frame = tickets(
        [
            ("TS0001", own_client, own),
            ("TS0002", own_client, other),  # another team's agent
            ("TS0003", other_client, other),  # another team's agent and client
            ("TS0004", own_client, None),  # no agent, and the team's client has two teams
            ("TS0005", own_client, None),  # no agent, in one of the supervisor's queues
        ]
    )
    # The ticket's queue: blank, so the agent's team or the client's only one; TS0004's cannot be
    # told (the client has two teams) and would land outside every team of the supervisor's.
    assert len(people["own_teams"]) == 2
    frame["team"] = [None, None, None, None, people["own_teams"][1]]
    at = imports_page("supervisor")
    assert at.selectbox(key="imp_kind").options == [
        t(f"imp_kind_{k}", "en") for k in ("tickets", "actions", "coaching")
    ]
    name, data = to_file(frame, fmt)
    upload(at, name, data)
    assert metrics(at) == {"rows": 5, "new": 2, "present": 0, "rejected": 3}
    table = rejects_table(at)
    row, column, reason = (t(f"imp_col_{c}", "en") for c in ("row", "column", "reason"))
    assert [(r[row], r[column], r[reason]) for _, r in table.iterrows()] == [
        (3, "agent_id", t("imp_agent_out_of_scope", "en")),
        (4, "agent_id", t("imp_agent_out_of_scope", "en")),
        (4, "client", t("imp_client_out_of_scope", "en")),
        (5, "team", t("imp_team_needed", "en")),
    ]
    # Even when asked to create what is missing, nothing outside the teams goes in.
    at.checkbox(key="imp_create_missing").check().run()
    commit(at)
    assert metrics(at) == {"rows": 5, "imported": 2, "present": 0, "rejected": 3}
    wh = core._open(str(db))
    assert wh.rows(
        "SELECT ticket_id, team FROM tickets WHERE starts_with(ticket_id, 'TS') ORDER BY 1"
    ) == [("TS0001", wh.scalar("SELECT team FROM employees WHERE employee_id = ?", [own])),
          ("TS0005", people["own_teams"][1])]  # fmt: skip


def test_supervisor_reason_in_chinese(app_env, people):
    (_, own_client), (other, _) = people["own"][0], people["other"]
    at = imports_page("supervisor", "zh")
    upload(at, "t.csv", csv_bytes(tickets([("TZ0001", own_client, other)])))
    table = rejects_table(at, "zh")
    assert list(table[t("imp_col_reason", "zh")]) == ["不是您所带团队的人员:您只能导入本团队的数据"]


# -- a large file shows its progress ---------------------------------------------------------------------


def test_large_file_reports_progress(app_env, people, monkeypatch):
    steps: list[tuple[float, str]] = []
    real = ingest.import_file

    def watching(*args, progress=None, **kwargs):
        assert progress is not None, "no progress bar for a large file"

        def both(fraction, step):
            steps.append((fraction, step))
            progress(fraction, step)

        return real(*args, progress=both, **kwargs)

    monkeypatch.setattr(ingest, "import_file", watching)
    n = ingest.PROGRESS_ROWS + 1
    at = imports_page("qa")
    upload(at, "big.csv", csv_bytes(audits(people, "TB", n)))
    assert metrics(at) == {"rows": n, "new": n, "present": 0, "rejected": 0}
    assert [s for _, s in steps] == ["read", "check"]
    commit(at)
    assert [s for _, s in steps][-2:] == ["write", "done"]
    assert count_audits(app_env, "TB") == n
