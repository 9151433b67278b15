"""The import pipeline against the requirements of "Entering and importing data".

Every expected value here is worked out by hand from the rows written in the test (the audit
score: Σ(weight × score) ÷ Σ(weight) over the scored criteria with the default weights
attitude 25, responsiveness 20, accuracy 30, communication 15, compliance 10; 0 on a critical
error), never read back from the code under test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import random
from decimal import Decimal

import pytest
from conftest import ROOT, build_tiny, run_cli

from csdata.imports.ingest import ImportError_, Mapping, Table, import_file, rejects_frame
from csdata.store.stage import stage

D = dt.date
T = dt.datetime
WEIGHTS = {"attitude": 25, "responsiveness": 20, "accuracy": 30, "communication": 15, "compliance": 10}
ACTOR = "tester"


def by_hand(scores: dict[str, float | None], critical: bool) -> float | None:
    if critical:
        return 0.0
    scored = {k: v for k, v in scores.items() if v is not None}
    if not scored:
        return None
    return sum(WEIGHTS[k] * v for k, v in scored.items()) / sum(WEIGHTS[k] for k in scored)


def state(wh) -> dict[str, list[tuple]]:
    """Every stored table's full contents, in a stable order."""
    tables = wh.column(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        " AND table_type = 'BASE TABLE' ORDER BY 1"
    )
    return {t: wh.rows(f'SELECT * FROM "{t}" ORDER BY ALL') for t in tables}


def data_state(wh) -> dict[str, list[tuple]]:
    """As `state`, without the logs an import writes (the import log, the audit log and the
    records' trail) and the rollups that follow the tickets (tests/test_rollups.py)."""
    return {
        t: rows
        for t, rows in state(wh).items()
        if t not in ("import_log", "audit_log", "record_changes") and not t.startswith("rollup_")
    }


def csv_bytes(header: list[str], rows: list[list[str]], delim: str = ",", encoding: str = "utf-8") -> bytes:
    lines = [delim.join(header), *(delim.join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def reject_tuples(report, lang: str = "en") -> list[tuple]:
    return [(r.row, r.column, r.reason(lang)) for r in report.rejects]


# -- 1. one audit sheet in every encoding ------------------------------------------------------

AUDIT_HEADER_ZH = [
    "质检编号", "质检日期", "工号", "质检员", "工单号", "客户", "渠道", "来源",
    "服务态度", "响应时效", "解答准确性", "沟通表达", "合规规范", "致命错误", "问题类别", "备注", "电话",
]  # fmt: skip
AUDIT_ROWS_ZH = [
    # surrounding spaces must be trimmed
    [" C1 ", "2026-03-05", " A1", "Q1", "T1", "Acme", "电话", "录音", "90", "80", "100", "70", "60", "否", "", "语气亲切", "13800000000"],
    # responsiveness not applicable (blank)
    ["C2", "2026/3/6", "A2", "Q1", "", "Acme", "在线", "抽查", "80", "", "90", "100", "50", "N", "", "", ""],
    # a critical error: 0 whatever the criteria say
    ["C3", "2026-03-07", "B1", "Q1", "T5", "Beta", "邮件", "客户反馈", "100", "100", "100", "100", "100", "是", "辱骂客户", "", "13900000000"],
    # the bad row (line 5): attitude above 100
    ["C4", "2026-03-08", "A1", "Q1", "", "Acme", "phone", "recording", "120", "80", "100", "70", "60", "否", "", "", ""],
    # only two criteria scored
    ["C5", "2026-03-09", "A1", "", "", "", "", "录音", "75", "85", "", "", "", "0", "", "", ""],
    ["C6", "2026-03-10", "B1", "Q1", "T7", "Beta", "chat", "recording", "60", "70", "80", "90", "100", "false", "", "", ""],
]  # fmt: skip
C_SCORES = {
    "C1": ({"attitude": 90, "responsiveness": 80, "accuracy": 100, "communication": 70, "compliance": 60}, False),
    "C2": ({"attitude": 80, "accuracy": 90, "communication": 100, "compliance": 50}, False),
    "C3": ({"attitude": 100, "responsiveness": 100, "accuracy": 100, "communication": 100, "compliance": 100}, True),
    "C5": ({"attitude": 75, "responsiveness": 85}, False),
    "C6": ({"attitude": 60, "responsiveness": 70, "accuracy": 80, "communication": 90, "compliance": 100}, False),
}  # fmt: skip
# audit_id, audited_at, agent, auditor, ticket, client, channel, source, critical, category, comment
C_EXPECTED = [
    ("C1", D(2026, 3, 5), "A1", "Q1", "T1", "Acme", "phone", "recording", False, None, "语气亲切"),
    ("C2", D(2026, 3, 6), "A2", "Q1", None, "Acme", "chat", "spot_check", False, None, None),
    ("C3", D(2026, 3, 7), "B1", "Q1", "T5", "Beta", "email", "customer_feedback", True, "辱骂客户", None),
    ("C5", D(2026, 3, 9), "A1", None, None, None, None, "recording", False, None, None),
    ("C6", D(2026, 3, 10), "B1", "Q1", "T7", "Beta", "chat", "recording", False, None, None),
]
# The weighted scores, by hand: C1 (2250+1600+3000+1050+600)/100; C2 (2000+2700+1500+500)/80;
# C3 critical; C5 (1875+1700)/45; C6 (1500+1400+2400+1350+1000)/100.
C_SCORE_VALUES = {"C1": 85.0, "C2": 83.75, "C3": 0.0, "C5": 3575 / 45, "C6": 76.5}


def _text(delim: str, newline: str = "\n") -> str:
    return newline.join(delim.join(r) for r in [AUDIT_HEADER_ZH, *AUDIT_ROWS_ZH]) + newline


AUDIT_FILES = {
    "utf8-comma.csv": _text(",").encode("utf-8"),
    "utf8-bom-semicolon.csv": b"\xef\xbb\xbf" + _text(";").encode("utf-8"),
    "gb18030-crlf.csv": _text(",", "\r\n").encode("gb18030"),
    "utf16-bom-tab.txt": _text("\t", "\r\n").encode("utf-16"),  # Excel's "Unicode text"
    "utf16le-nobom-tab.txt": _text("\t", "\r\n").encode("utf-16-le"),
}


def test_hand_scores_agree_with_the_formula():
    for audit_id, (scores, critical) in C_SCORES.items():
        assert by_hand(scores, critical) == pytest.approx(C_SCORE_VALUES[audit_id])


def test_one_audit_sheet_in_every_encoding_gives_the_same_report_and_rows(tmp_path):
    assert AUDIT_FILES["gb18030-crlf.csv"] != AUDIT_FILES["utf8-comma.csv"]  # really a different encoding
    reports, stored = {}, {}
    for name, data in AUDIT_FILES.items():
        wh = build_tiny(tmp_path / f"{name}.duckdb")
        try:
            before = data_state(wh)
            preview = import_file(wh, "audits", data, name, ACTOR, dry_run=True)
            assert data_state(wh) == before, name
            assert (preview.rows, preview.imported, preview.duplicates, preview.rejected) == (6, 0, 0, 1)
            assert preview.rows - preview.rejected - preview.duplicates == 5  # rows to import
            report = import_file(wh, "audits", data, name, ACTOR)
            assert report.committed
            reports[name] = (
                report.rows,
                report.imported,
                report.duplicates,
                report.rejected,
                [(r.row, r.column, r.value, r.reason("en"), r.reason("zh")) for r in report.rejects],
                report.dropped,
                report.ignored,
            )
            version = wh.scalar("SELECT max(version) FROM policy_versions")
            audits = wh.rows(
                "SELECT audit_id, audited_at, agent_id, auditor_id, ticket_id, client, channel, source,"
                " critical_error, finding_category, comment, score, policy_version FROM audits"
                " WHERE audit_id LIKE 'C%' ORDER BY audit_id"
            )
            scores = wh.rows(
                "SELECT audit_id, criterion, score FROM audit_scores WHERE audit_id LIKE 'C%' ORDER BY ALL"
            )
            stored[name] = (audits, scores)
        finally:
            wh.close()
        assert [a[:11] for a in audits] == C_EXPECTED, name
        for a in audits:
            assert a[11] == pytest.approx(C_SCORE_VALUES[a[0]]), (name, a[0])
            assert a[12] == version
        expected_scores = sorted(
            (audit_id, criterion, float(value))
            for audit_id, (values, _) in C_SCORES.items()
            for criterion, value in values.items()
        )
        assert scores == expected_scores, name
    first = next(iter(reports.values()))
    assert first == (
        6,
        5,
        0,
        1,
        [(5, "attitude", "120", "must be at most 100", "不能大于 100")],
        ["电话"],
        [],
    )
    assert all(r == first for r in reports.values()), reports
    assert all(s == stored["utf8-comma.csv"] for s in stored.values())


def test_utf16_without_bom_of_mostly_chinese_text(tiny):
    """Few NUL bytes when nearly every character is Chinese: still recognised as UTF-16."""
    text = "工号\t姓名\t部门\t岗位\t入职日期\n" + "员工甲\t张三丰\t客服部\t坐席\t二〇二六年三月一日\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        report = import_file(tiny, "employees", text.encode(encoding), "e.txt", ACTOR, dry_run=True)
        # read correctly: the one row is rejected only for what it says, not for garbled columns
        assert report.rows == 1 and report.dropped == [] and report.ignored == [], encoding
        assert [(r.column, r.value) for r in report.rejects] == [
            ("department", "客服部"),
            ("hire_date", "二〇二六年三月一日"),
        ]


def test_quoted_line_break_in_a_cell(tiny):
    """Excel writes a comment typed with Alt+Enter as a quoted cell holding a line break."""
    data = b'audit_id,audited_at,agent_id,source,attitude,comment\nQB1,2026-03-05,A1,recording,90,"first line\nsecond line"\nQB2,2026-03-06,A2,recording,80,"say ""hi"", then go"\n'
    report = import_file(tiny, "audits", data, "qb.csv", ACTOR)
    assert (report.rows, report.imported, report.rejected) == (2, 2, 0)
    assert tiny.rows("SELECT audit_id, comment FROM audits WHERE audit_id LIKE 'QB%' ORDER BY 1") == [
        ("QB1", "first line\nsecond line"),
        ("QB2", 'say "hi", then go'),
    ]


# -- 2. every kind from CSV and from XLSX ------------------------------------------------------


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return f"{value.year}/{value.month}/{value.day}"
    if isinstance(value, dt.time):
        return f"{value.hour}:{value.minute:02d}:{value.second:02d}"
    return str(value)


KINDS_CASES = {
    "tickets": dict(
        header=[
            "ticket_id", "client", "channel", "type", "agent_id", "opened_at", "first_response_at",
            "resolved_at", "handle_seconds", "resolved", "first_contact_resolved", "csat", "reward_amount",
        ],
        rows=[
            ["NT1", "Acme", "phone", "consultation", "A1", T(2026, 3, 5, 14, 30), T(2026, 3, 5, 14, 30, 15),
             T(2026, 3, 5, 14, 40), dt.time(0, 4, 30), True, False, 5, None],
            ["NT2", "Beta", "email", "complaint", "B1", T(2026, 3, 6, 9, 0), None, None, 600, False, None,
             None, 12.5],
        ],
        sql="SELECT ticket_id, client, channel, type, agent_id, opened_at, first_response_at, resolved_at,"
        " handle_seconds, resolved, first_contact_resolved, csat, reward_amount FROM tickets"
        " WHERE ticket_id LIKE 'NT%' ORDER BY 1",
        expected=[
            ("NT1", "Acme", "phone", "consultation", "A1", T(2026, 3, 5, 14, 30), T(2026, 3, 5, 14, 30, 15),
             T(2026, 3, 5, 14, 40), 270.0, True, False, 5, None),
            ("NT2", "Beta", "email", "complaint", "B1", T(2026, 3, 6, 9, 0), None, None, 600.0, False, None,
             None, Decimal("12.50")),
        ],
        tables={"tickets": 2},
    ),
    "audits": dict(
        header=["audit_id", "audited_at", "agent_id", "auditor_id", "source", "attitude", "responsiveness",
                "accuracy", "communication", "compliance", "critical_error"],
        rows=[
            ["AX1", D(2026, 3, 5), "A1", "Q1", "recording", 90, 80, 100, 70, 60, False],
            ["AX2", T(2026, 3, 6, 0, 0), "B1", "Q1", "spot_check", 50, None, None, None, None, True],
        ],
        sql="SELECT a.audit_id, audited_at, agent_id, auditor_id, source, critical_error, a.score,"
        " list(s.criterion || '=' || CAST(CAST(s.score AS DECIMAL(6, 1)) AS VARCHAR) ORDER BY s.criterion)"
        " FROM audits a JOIN audit_scores s USING (audit_id) WHERE audit_id LIKE 'AX%' GROUP BY ALL ORDER BY 1",
        expected=[
            # (2250 + 1600 + 3000 + 1050 + 600) / 100 = 85
            ("AX1", D(2026, 3, 5), "A1", "Q1", "recording", False, 85.0,
             ["accuracy=100.0", "attitude=90.0", "communication=70.0", "compliance=60.0", "responsiveness=80.0"]),
            ("AX2", D(2026, 3, 6), "B1", "Q1", "spot_check", True, 0.0, ["attitude=50.0"]),
        ],
        tables={"audits": 2, "audit_scores": 6},
    ),
    "training": dict(
        header=["employee_id", "course", "kind", "taken_on", "score", "hours", "attempt"],
        rows=[
            ["N2", "Onboarding", "onboarding", D(2026, 3, 24), 90, 8, 2],
            ["A2", "Complaint handling", "in_service", D(2026, 3, 25), None, 1.5, None],  # attempt: 1
        ],
        sql="SELECT * FROM training_results WHERE taken_on >= '2026-03-24' AND taken_on <= '2026-03-25'"
        " ORDER BY 1",
        expected=[
            ("A2", "Complaint handling", "in_service", D(2026, 3, 25), None, 1.5, 1),
            ("N2", "Onboarding", "onboarding", D(2026, 3, 24), 90.0, 8.0, 2),
        ],
        tables={"training_results": 2},
    ),
    "appraisals": dict(
        header=["period", "employee_id", "satisfaction", "quality", "efficiency", "teamwork", "reviewer"],
        rows=[["2026-Q1", "A2", 80, 90, 70, 100, "S1"], ["2026-Q1", "N1", 95, 90, 92, 88, None]],
        sql="SELECT a.employee_id, a.score, a.grade, a.reviewer,"
        " list(s.indicator || '=' || CAST(CAST(s.score AS DECIMAL(6, 1)) AS VARCHAR) ORDER BY s.indicator) FROM appraisals a"
        " JOIN appraisal_scores s USING (period, employee_id) WHERE a.employee_id IN ('A2', 'N1')"
        " GROUP BY ALL ORDER BY 1",
        expected=[
            # (30×80 + 30×90 + 25×70 + 15×100) / 100 = 83.5 → B (80 ≤ score < 90)
            ("A2", 83.5, "B", "S1", ["efficiency=70.0", "quality=90.0", "satisfaction=80.0", "teamwork=100.0"]),
            # (30×95 + 30×90 + 25×92 + 15×88) / 100 = 91.7 → A
            ("N1", 91.7, "A", None, ["efficiency=92.0", "quality=90.0", "satisfaction=95.0", "teamwork=88.0"]),
        ],
        tables={"appraisals": 2, "appraisal_scores": 8},
    ),
    "employees": dict(
        header=["employee_id", "name", "department", "team", "client", "position", "grade", "hire_date",
                "go_live_date", "status", "left_on"],
        rows=[
            ["E1", "伊娃", "customer_service", "Acme-1", "Acme", "agent", "G1", D(2026, 3, 1), D(2026, 3, 15),
             "active", None],
            ["E2", "Leo", "customer_service", "Beta-1", "Beta", "agent", None, D(2025, 6, 1), None, "left",
             D(2026, 3, 20)],
        ],
        sql="SELECT * FROM employees WHERE employee_id LIKE 'E%' ORDER BY 1",
        expected=[
            ("E1", "伊娃", "customer_service", "Acme-1", "Acme", "agent", "G1", D(2026, 3, 1), D(2026, 3, 15),
             "active", None),
            ("E2", "Leo", "customer_service", "Beta-1", "Beta", "agent", None, D(2025, 6, 1), None, "left",
             D(2026, 3, 20)),
        ],
        tables={"employees": 2, "employee_history": 2},
    ),
}  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", list(KINDS_CASES))
def test_each_kind_imports_from_csv_and_xlsx(tiny, kind, fmt):
    case = KINDS_CASES[kind]
    if fmt == "csv":
        data = csv_bytes(case["header"], [[_csv_cell(v) for v in r] for r in case["rows"]])
    else:
        data = xlsx_bytes(case["header"], case["rows"])
    before = data_state(tiny)
    report = import_file(tiny, kind, data, f"{kind}.{fmt}", ACTOR)
    assert (report.rows, report.imported, report.duplicates, report.rejected) == (2, 2, 0, 0), reject_tuples(
        report
    )
    assert report.committed and report.rejects == []
    rows = tiny.rows(case["sql"])
    for got, want in zip(rows, case["expected"], strict=True):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert g == (pytest.approx(w) if isinstance(w, float) else w), (got, want)
    after = data_state(tiny)
    for table, rows_before in before.items():
        added = case["tables"].get(table, 0)
        assert len(after[table]) == len(rows_before) + added, table
        assert set(rows_before) <= set(after[table]), table  # nothing else changed


def test_xlsx_time_and_datetime_cells(tiny):
    """Real Excel cells: a datetime opened_at, a time-valued handle time (0:04:30 = 270 s) and a
    date cell; openpyxl stores them as serial numbers with a date/time number format."""
    from openpyxl import load_workbook

    data = xlsx_bytes(KINDS_CASES["tickets"]["header"], KINDS_CASES["tickets"]["rows"])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["F2"].is_date and sheet["I2"].is_date  # stored as Excel date/time, not text
    report = import_file(tiny, "tickets", data, "t.xlsx", ACTOR)
    assert report.imported == 2
    assert tiny.rows("SELECT opened_at, handle_seconds FROM tickets WHERE ticket_id = 'NT1'") == [
        (T(2026, 3, 5, 14, 30), 270.0)
    ]


# -- 3. rejects --------------------------------------------------------------------------------

R_HEADER = [
    "ticket_id",
    "client",
    "channel",
    "type",
    "agent_id",
    "opened_at",
    "first_response_at",
    "resolved",
    "csat",
]
R_ROWS = [
    ["R1", "Acme", "phone", "consultation", "A1", "2026-03-05 10:00", "2026-03-05 10:00:20", "Y", "5"],  # 2 ok
    ["R2", "Acme", "phone", "consultation", "A1", "2026-13-45 10:00", "", "", ""],  # 3 bad date
    ["R3", "Acme", "fax", "consultation", "A1", "2026-03-05 11:00", "", "", ""],  # 4 bad choice
    ["R4", "Acme", "chat", "complaint", "A2", "2026-03-05 12:00", "", "", "6"],  # 5 out of range
    ["R5", "Beta", "email", "consultation", "B1", "2026-03-05 13:00", "", "maybe", ""],  # 6 bad boolean
    ["R6", "Beta", "email", "", "B1", "2026-03-05 14:00", "", "", ""],  # 7 required value missing
    ["R1", "Acme", "chat", "consultation", "A2", "2026-03-05 10:30", "", "", ""],  # 8 duplicate id
    ["R7", "Acme", "phone", "consultation", "A2", "2026-03-05 15:00", "2026-03-05 14:59", "", ""],  # 9 answered before opened
    ["R8", "Acme", "phone", "consultation", "ZZ9", "2026-03-05 16:00", "", "", ""],  # 10 unknown agent
    ["R9", "Gamma", "phone", "consultation", "A1", "2026-03-05 17:00", "", "", ""],  # 11 unknown client
    ["R10", "Beta", "chat", "suggestion", "B1", "2026-03-05 18:00", "2026-03-05 18:01", "否", "4"],  # 12 ok
]  # fmt: skip
UNKNOWN_EN = "not in the warehouse (import it first, or choose to create missing entries)"
UNKNOWN_ZH = "数据仓库中不存在(请先导入,或选择自动创建缺失项)"
R_EXPECTED = [
    (3, "opened_at", "must be a date and time such as 2026-03-05 14:30", "须为日期时间,如 2026-03-05 14:30"),
    (4, "channel", "must be one of phone, chat, email", "须为以下之一:phone, chat, email"),
    (5, "csat", "must be at most 5", "不能大于 5"),
    (6, "resolved", "must be yes or no (Y/N, 是/否, 1/0, true/false)", "须为是或否(Y/N、是/否、1/0、true/false)"),
    (7, "type", "is required", "为必填项"),
    (8, "ticket_id", "the same record appears earlier in this file", "该记录在本文件中重复出现"),
    (9, "first_response_at", "first_response_at is before opened_at (2026-03-05 15:00)", "first_response_at 早于 opened_at(2026-03-05 15:00)"),
    (10, "agent_id", UNKNOWN_EN, UNKNOWN_ZH),
    # master data a company imports: the reason names it and how to create it
    (11, "client", "client Gamma does not exist: import clients first (or import with --create-missing)",
     "客户 Gamma 不存在:请先导入 clients(客户),或导入时选择自动创建缺失项(--create-missing)"),
]  # fmt: skip


def _check_rejects(report):
    assert [(r.row, r.column, r.reason("en"), r.reason("zh")) for r in report.rejects] == R_EXPECTED
    assert (report.rows, report.rejected) == (11, 9)


def test_rejects_are_reported_and_the_valid_rows_still_land(tiny):
    data = csv_bytes(R_HEADER, R_ROWS)
    before = data_state(tiny)
    preview = import_file(tiny, "tickets", data, "r.csv", ACTOR, dry_run=True)
    _check_rejects(preview)
    assert (preview.imported, preview.duplicates, preview.committed) == (0, 0, False)
    assert data_state(tiny) == before
    report = import_file(tiny, "tickets", data, "r.csv", ACTOR)
    _check_rejects(report)
    assert (report.imported, report.duplicates, report.committed) == (2, 0, True)
    assert tiny.rows(
        "SELECT ticket_id, channel, agent_id, resolved, csat FROM tickets WHERE ticket_id LIKE 'R%' ORDER BY 1"
    ) == [
        ("R1", "phone", "A1", True, 5),
        ("R10", "chat", "B1", False, 4),
    ]


def test_a_rejected_row_among_many_valid_ones_names_its_cells_as_the_file_gives_them(tiny):
    """The checks find the rejected rows without the file's text; the messages of those rows
    then name their cells as written (untrimmed spellings, not the typed values), and a row
    repeating a valid row's id far earlier in the file is still the duplicate."""
    valid = [
        [f"V{i}", "Acme", "phone", "consultation", "A1", "2026-03-05 10:00", "", "Y", "4"] for i in range(300)
    ]
    bad = [
        ["V7", "Acme", "chat", "consultation", "A1", "2026-03-05 11:00", "", "", ""],  # row 302: V7 is row 9
        ["W1", "Acme", "phone", "consultation", "A1", "2026-03-05 12:00", "", " perhaps ", "4.5"],  # 303
        [
            "W2",
            "Acme",
            "phone",
            "consultation",
            "A1",
            "2026/03/05 13:00",
            "2026-03-05 12:59",
            "N",
            "3",
        ],  # 304
    ]
    report = import_file(tiny, "tickets", csv_bytes(R_HEADER, valid + bad), "w.csv", ACTOR)
    assert (report.rows, report.imported, report.rejected) == (303, 300, 3)
    frame = rejects_frame(report, "en")
    assert frame[["row", "column", "value"]].values.tolist() == [
        [302, "ticket_id", "V7"],
        [303, "csat", "4.5"],
        [303, "resolved", "perhaps"],
        [304, "first_response_at", "2026-03-05 12:59"],
    ]
    assert frame["reason"].tolist() == [
        "the same record appears earlier in this file",
        "must be a whole number",
        "must be yes or no (Y/N, 是/否, 1/0, true/false)",
        "first_response_at is before opened_at (2026/03/05 13:00)",
    ]


def test_cells_lose_the_spaces_around_them_of_every_kind_and_only_those(tiny):
    """A space (ASCII, no-break, ideographic U+3000, thin U+2009) around a value is no part of
    it, however the cell is spelled; a tab is not such a space, and spaces inside stay."""
    header = [*R_HEADER, "category"]
    rows = [
        ["S1", " Acme", "phone ", "consultation", "\u3000A1\u3000", "2026-03-05 10:00", "", "Y", "5", "a b"],
        ["\u00a0S2", "Acme", "\u2009chat", "complaint", "A1", " 2026-03-05 11:00 ", "", "N", "", "\tx"],
        [
            "S3",
            "Acme",
            "email",
            "suggestion",
            "A1",
            "2026-03-05 12:00",
            "",
            "\u3000",
            "4",
            "\u3000维修\u00a0",
        ],
    ]
    report = import_file(tiny, "tickets", csv_bytes(header, rows), "s.csv", ACTOR)
    assert (report.imported, report.rejected) == (3, 0), reject_tuples(report)
    assert tiny.rows(
        "SELECT ticket_id, channel, agent_id, opened_at, resolved, category FROM tickets"
        " WHERE ticket_id LIKE 'S_' ORDER BY 1"
    ) == [
        ("S1", "phone", "A1", T(2026, 3, 5, 10), True, "a b"),
        ("S2", "chat", "A1", T(2026, 3, 5, 11), False, "\tx"),
        ("S3", "email", "A1", T(2026, 3, 5, 12), None, "维修"),
    ]


TYPED_HEADER = [*R_HEADER, "handle_seconds"]
TYPED_ROWS = [
    ["F1", "Acme", "phone", "consultation", "A1", "2026-03-05 10:00:00", "2026-03-05 10:00:20", "Y", "5", "1e2"],
    ["F2", "Acme", "phone", "consultation", "A1", "2026-3-5 9:05:07", "", "N", "4.0", " 30 "],
    ["F3", "Acme", "chat", "consultation", "A1", "2026-03-05 11:00:00", "", "", "4.5", ""],  # row 4
    ["F4", "Acme", "chat", "consultation", "A1", "2026-03-05 12:00:00", "", "", "", "inf"],  # row 5
]  # fmt: skip


@pytest.mark.parametrize("minutes_only", [False, True])
def test_dates_and_numbers_the_reader_types_land_as_their_text_would(tiny, minutes_only):
    """Times and numbers DuckDB's reader types as it reads the file, and the same file typed from
    its text (one time without seconds, which the reader does not take, makes the whole file
    text), land the same values and the same rejects, named as the file writes them."""
    rows = [list(r) for r in TYPED_ROWS]
    if minutes_only:
        rows[0][6] = "2026-03-05 10:00"  # 40 seconds earlier than in the other file
    data = csv_bytes(TYPED_HEADER, rows)
    with stage(tiny) as staged:  # (read as an import reads it, on either engine)
        table = Table(staged, data, "f.csv", lazy=True)
        try:
            table.load({"opened_at": "TIMESTAMP", "first_response_at": "TIMESTAMP", "csat": "DOUBLE"})
            assert bool(table.typed) is not minutes_only
        finally:
            table.close()
            staged.cursor().execute("DROP TABLE IF EXISTS _raw")
    report = import_file(tiny, "tickets", data, "f.csv", ACTOR)
    assert [(r.row, r.column, r.value, r.reason("en")) for r in report.rejects] == [
        (4, "csat", "4.5", "must be a whole number"),
        (5, "handle_seconds", "inf", "must be a number"),
    ]
    assert report.rejects[0].reason("zh") == "须为整数"
    assert (report.imported, report.rejected) == (2, 2)
    first = T(2026, 3, 5, 10, 0) if minutes_only else T(2026, 3, 5, 10, 0, 20)
    assert tiny.rows(
        "SELECT ticket_id, opened_at, first_response_at, resolved, csat, handle_seconds FROM tickets"
        " WHERE ticket_id LIKE 'F_' ORDER BY 1"
    ) == [
        ("F1", T(2026, 3, 5, 10), first, True, 5, 100.0),
        ("F2", T(2026, 3, 5, 9, 5, 7), None, False, 4, 30.0),
    ]


SPELLINGS = {
    "datetime": ["2025-11-01 08:00:00", " 2025-11-01 08:00:00 ", "2025-1-1 8:0:0", "2025-11-01  08:00:00",
                 "2024-02-29 10:00:00", "2025-02-29 10:00:00", "2025-11-01 24:00:00", "2025-11-01 23:59:60",
                 "2025-11-01T08:00:00", "2025-11-01 08:00", "2025-11-01", "2025-11-01 08:00:00.5",
                 "2025-11-01 08:00:00+08", "+2025-11-01 08:00:00", "12025-11-01 08:00:00", "0001-01-01 00:00:00"],
    "date": ["2025-11-01", " 2025-11-01", "2025-1-1", "2025-02-29", "2025-11-01 08:00:00", "2025/11/01"],
    "number": ["5", " 5 ", "+5", "-0", ".5", "5.", "1e3", "1E-2", "0x10", "1_000", "inf", "-inf", "nan",
               "Infinity", "1e400", "1,5", "１２", "5d", "--5"],
}  # fmt: skip


@pytest.mark.parametrize("field_kind", list(SPELLINGS))
def test_a_cell_the_reader_types_has_the_value_its_text_has(tiny, field_kind):
    """Every spelling DuckDB's reader takes as a date, a time or a number (`_typed_reads`) gives
    the value the checks give its text; one it does not take makes the file read as text."""
    from csdata.imports.ingest import _READ_TYPES, _Field, _read_sql, _typed_sql

    f = _Field("a", field_kind, False)
    with stage(tiny) as staged:  # DuckDB's reader, which reads a file on either engine
        taken = 0
        for spelling in SPELLINGS[field_kind]:
            table = Table(staged, f"a,b\n{spelling},x\n".encode(), "one.csv", lazy=True)
            try:
                table.load({"a": _READ_TYPES[field_kind]})
                text = staged.scalar("SELECT nullif(trim(a), '') FROM " + table.text_rows)
            finally:
                table.close()
            expected = staged.scalar(
                f"SELECT {_typed_sql(f, 'x', False)} FROM (SELECT CAST(? AS VARCHAR) AS x)", [text]
            )
            if table.typed:
                taken += 1
                value = staged.scalar(f"SELECT {_read_sql(f, 'a')} FROM _raw")
                assert value == expected or (value != value and expected != expected), spelling
            staged.cursor().execute("DROP TABLE IF EXISTS _raw")
        assert taken >= 3  # the usual spellings are taken


@pytest.mark.parametrize("create_missing", [False, True])
def test_strict_imports_nothing_when_anything_is_rejected(tiny, create_missing):
    before = state(tiny)
    report = import_file(
        tiny,
        "tickets",
        csv_bytes(R_HEADER, R_ROWS),
        "r.csv",
        ACTOR,
        strict=True,
        create_missing=create_missing,
    )
    assert report.imported == 0 and not report.committed
    assert report.rejected >= 7  # with create_missing the unknown agent and client are no rejects
    assert state(tiny) == before  # not a row anywhere, not even a log row


def test_strict_imports_a_clean_file(tiny):
    clean = [R_ROWS[0], R_ROWS[-1]]
    report = import_file(tiny, "tickets", csv_bytes(R_HEADER, clean), "r.csv", ACTOR, strict=True)
    assert (report.imported, report.rejected, report.committed) == (2, 0, True)


# -- 4. importing the same file again ----------------------------------------------------------

AU_HEADER = ["audit_id", "audited_at", "agent_id", "source", "attitude", "accuracy"]
AU_ROWS = [
    ["RA1", "2026-03-05", "A1", "recording", "90", "80"],
    ["RA2", "2026-03-06", "A2", "spot_check", "70", ""],
    ["RA3", "2026-03-07", "B1", "customer_feedback", "", "100"],
]


def test_reimport_adds_nothing_and_is_logged_each_time(tiny):
    data = csv_bytes(AU_HEADER, AU_ROWS)
    sha = hashlib.sha256(data).hexdigest()
    first = import_file(tiny, "audits", data, "ra.csv", ACTOR)
    assert (first.rows, first.imported, first.duplicates, first.rejected) == (3, 3, 0, 0)
    # RA1: (25×90 + 30×80) / 55; RA2: 70 (one criterion); RA3: 100
    assert tiny.rows("SELECT audit_id, score FROM audits WHERE audit_id LIKE 'RA%' ORDER BY 1") == [
        ("RA1", pytest.approx(4650 / 55)),
        ("RA2", 70.0),
        ("RA3", 100.0),
    ]
    after_first = data_state(tiny)
    second = import_file(tiny, "audits", data, "ra.csv", ACTOR)
    assert (second.rows, second.imported, second.duplicates, second.rejected) == (3, 0, 3, 0)
    assert data_state(tiny) == after_first
    preview = import_file(tiny, "audits", data, "ra.csv", ACTOR, dry_run=True)
    assert (preview.imported, preview.duplicates) == (0, 3)
    assert tiny.rows(
        "SELECT actor, kind, file_name, sha256, rows, imported, duplicates, rejected FROM import_log ORDER BY id"
    ) == [
        (ACTOR, "audits", "ra.csv", sha, 3, 3, 0, 0),
        (ACTOR, "audits", "ra.csv", sha, 3, 0, 3, 0),
    ]
    assert tiny.scalar("SELECT count(*) FROM import_log WHERE at_time IS NULL") == 0
    logged = tiny.rows(
        "SELECT actor, entity, detail FROM audit_log WHERE action = 'import.audits' ORDER BY id"
    )
    assert [(a, e) for a, e, _ in logged] == [(ACTOR, "audits"), (ACTOR, "audits")]
    details = [json.loads(d) for _, _, d in logged]
    assert [(d["sha256"], d["file"], d["imported"], d["duplicates"]) for d in details] == [
        (sha, "ra.csv", 3, 0),
        (sha, "ra.csv", 0, 3),
    ]


# -- 5. create_missing -------------------------------------------------------------------------


def test_unknown_client_and_agent_rejected_unless_created(tiny):
    header = ["audit_id", "audited_at", "agent_id", "client", "source", "attitude"]
    rows = [
        ["CM1", "2026-03-05", "Z9", "Gamma", "recording", "90"],
        ["CM2", "2026-03-06", "A1", "Acme", "recording", "80"],
    ]
    data = csv_bytes(header, rows)
    plain = import_file(tiny, "audits", data, "cm.csv", ACTOR, dry_run=True)
    assert [(r.row, r.column, r.value) for r in plain.rejects] == [
        (2, "agent_id", "Z9"),
        (2, "client", "Gamma"),
    ]
    assert plain.rejects[0].reason("en") == UNKNOWN_EN
    report = import_file(tiny, "audits", data, "cm.csv", ACTOR, create_missing=True)
    assert (report.imported, report.rejected) == (2, 0)
    assert report.created == {"clients": ["Gamma"], "employees": ["Z9"]}
    assert tiny.rows("SELECT name FROM clients ORDER BY 1") == [("Acme",), ("Beta",), ("Gamma",)]
    assert tiny.rows("SELECT employee_id, status FROM employees WHERE employee_id = 'Z9'") == [
        ("Z9", "active")
    ]
    assert tiny.rows(
        "SELECT audit_id, agent_id, client, score FROM audits WHERE audit_id LIKE 'CM%' ORDER BY 1"
    ) == [
        ("CM1", "Z9", "Gamma", 90.0),
        ("CM2", "A1", "Acme", 80.0),
    ]


def test_create_missing_never_makes_a_pay_grade(tiny):
    header = ["employee_id", "name", "department", "position", "grade", "hire_date"]
    rows = [
        ["E7", "Ann", "customer_service", "agent", "G9", "2026-03-01"],  # no grade G9
        ["E8", "Bob", "customer_service", "agent", "G1", "2026-03-02"],
    ]
    grades = tiny.rows("SELECT * FROM pay_grades")
    report = import_file(tiny, "employees", csv_bytes(header, rows), "e.csv", ACTOR, create_missing=True)
    assert [(r.row, r.column, r.value, r.reason("en")) for r in report.rejects] == [
        (
            2,
            "grade",
            "G9",
            "pay grade G9 does not exist: import pay_grades first (an import never creates pay grades)",
        )
    ]
    assert (report.imported, report.rejected) == (1, 1)
    assert tiny.rows("SELECT * FROM pay_grades") == grades
    assert tiny.column("SELECT employee_id FROM employees WHERE employee_id IN ('E7', 'E8')") == ["E8"]


# -- 6. dates, booleans, durations -------------------------------------------------------------


def test_day_first_dates(tiny):
    data = csv_bytes(AU_HEADER, [["DF1", "05-03-2026", "A1", "recording", "90", ""]])
    plain = import_file(tiny, "audits", data, "df.csv", ACTOR, dry_run=True)
    # Without day-first such a date is not guessed at: rejected, the reason saying what to do.
    hint = "this one is written day first (31-12-2026): import with dates day first (--day-first)"
    assert reject_tuples(plain) == [
        (2, "audited_at", f"must be a date such as 2026-03-05 or 2026/3/5; {hint}")
    ]
    assert [r.reason("zh") for r in plain.rejects] == [
        "须为日期,如 2026-03-05 或 2026/3/5;此值为日在前写法(31-12-2026):请按日期为日在前导入(--day-first)"
    ]
    report = import_file(tiny, "audits", data, "df.csv", ACTOR, day_first=True)
    assert report.imported == 1
    assert tiny.scalar("SELECT audited_at FROM audits WHERE audit_id = 'DF1'") == D(2026, 3, 5)


def test_a_day_first_time_is_rejected_saying_to_read_it_day_first(tiny):
    header = ["ticket_id", "client", "channel", "type", "opened_at"]
    rows = [
        ["DT1", "Acme", "chat", "consultation", "01-06-2026 12:15"],  # day first: 1 June
        ["DT2", "Acme", "chat", "consultation", "2026-06-01 12:15"],
        ["DT3", "Acme", "chat", "consultation", "32-06-2026 12:15"],  # no day 32: plainly wrong
        ["DT4", "Acme", "chat", "consultation", "06/13/2026 12:15"],  # month first: never read
    ]
    data = csv_bytes(header, rows)
    hint = "this one is written day first (31-12-2026 14:30): import with dates day first (--day-first)"
    plain = "must be a date and time such as 2026-03-05 14:30"
    report = import_file(tiny, "tickets", data, "dt.csv", ACTOR, dry_run=True)
    assert reject_tuples(report) == [
        (2, "opened_at", f"{plain}; {hint}"),
        (4, "opened_at", plain),
        (5, "opened_at", plain),
    ]
    assert report.rejects[0].reason("zh") == (
        "须为日期时间,如 2026-03-05 14:30;此值为日在前写法(31-12-2026 14:30):请按日期为日在前导入(--day-first)"
    )
    day_first = import_file(tiny, "tickets", data, "dt.csv", ACTOR, day_first=True)
    assert reject_tuples(day_first) == [(4, "opened_at", plain), (5, "opened_at", plain)]
    assert tiny.rows("SELECT ticket_id, opened_at FROM tickets WHERE ticket_id LIKE 'DT_' ORDER BY 1") == [
        ("DT1", T(2026, 6, 1, 12, 15)),
        ("DT2", T(2026, 6, 1, 12, 15)),
    ]


BOOL_SPELLINGS = [
    ("Y", True), ("N", False), ("y", True), ("n", False), ("yes", True), ("No", False), ("是", True),
    ("否", False), ("1", True), ("0", False), ("true", True), ("false", False), ("TRUE", True), ("False", False),
]  # fmt: skip


def test_date_time_boolean_and_duration_spellings(tiny):
    header = [
        "ticket_id",
        "client",
        "channel",
        "type",
        "opened_at",
        "first_response_seconds",
        "handle_seconds",
        "resolved",
    ]
    rows = [["F1", "Acme", "phone", "consultation", "2026/3/5", "15", "0:04:30", "Y"]]
    rows.append(["F2", "Acme", "phone", "consultation", "2026-03-05 14:30", "0:00:15", "270", "N"])
    for i, (word, _) in enumerate(BOOL_SPELLINGS):
        rows.append([f"B{i:02d}", "Beta", "chat", "consultation", "2026-03-06 09:00:05", "", "", word])
    report = import_file(tiny, "tickets", csv_bytes(header, rows), "f.csv", ACTOR)
    assert (report.imported, report.rejected) == (len(rows), 0), reject_tuples(report)
    assert tiny.rows(
        "SELECT ticket_id, opened_at, first_response_at, handle_seconds FROM tickets WHERE ticket_id LIKE 'F%' ORDER BY 1"
    ) == [
        ("F1", T(2026, 3, 5), T(2026, 3, 5, 0, 0, 15), 270.0),
        ("F2", T(2026, 3, 5, 14, 30), T(2026, 3, 5, 14, 30, 15), 270.0),
    ]
    got = dict(tiny.rows("SELECT ticket_id, resolved FROM tickets WHERE ticket_id LIKE 'B_%'"))
    assert got == {f"B{i:02d}": value for i, (_, value) in enumerate(BOOL_SPELLINGS)}


# -- 7. tickets without ids --------------------------------------------------------------------

NOID_HEADER = ["client", "channel", "type", "agent_id", "opened_at", "first_response_seconds", "csat"]
NOID_ROWS = [
    ["Acme", "phone", "consultation", "A1", "2026-03-05 09:00", "12", "5"],
    # differs from the first only in the answer time: a different call
    ["Acme", "phone", "consultation", "A1", "2026-03-05 09:00", "30", "5"],
    ["Beta", "email", "complaint", "B1", "2026-03-05 10:00", "", ""],
]


def test_tickets_without_ids_get_stable_hash_keys(tiny):
    data = csv_bytes(NOID_HEADER, NOID_ROWS)
    report = import_file(tiny, "tickets", data, "noid.csv", ACTOR)
    assert (report.rows, report.imported, report.duplicates, report.rejected) == (3, 3, 0, 0), reject_tuples(
        report
    )
    new = tiny.rows(
        "SELECT ticket_id, first_response_at FROM tickets WHERE opened_at BETWEEN '2026-03-05 09:00' AND '2026-03-05 10:00'"
        " ORDER BY opened_at, first_response_at"
    )
    assert [r[1] for r in new] == [T(2026, 3, 5, 9, 0, 12), T(2026, 3, 5, 9, 0, 30), None]
    ids = [r[0] for r in new]
    assert len(set(ids)) == 3 and all(i.startswith("H") for i in ids)
    after = data_state(tiny)
    again = import_file(tiny, "tickets", data, "noid.csv", ACTOR)
    assert (again.imported, again.duplicates, again.rejected) == (0, 3, 0)
    assert data_state(tiny) == after
    # The same rows with the columns in another order, semicolons and CRLF: still the same records.
    order = [6, 4, 0, 2, 1, 5, 3]
    moved = ("\r\n".join(";".join(r[i] for i in order) for r in [NOID_HEADER, *NOID_ROWS]) + "\r\n").encode(
        "gb18030"
    )
    third = import_file(tiny, "tickets", moved, "noid2.csv", ACTOR)
    assert (third.imported, third.duplicates) == (0, 3)
    assert data_state(tiny) == after


# -- 7b. a mapping that joins a date and a time -------------------------------------------------

# A call log as telephone systems write it: the date once, the call's time and the time it was
# answered in their own columns, the answer time blank when nobody answered.
LOG_HEADER = ["Call ID", "Call Date", "Call Time", "Time Answered", "Agent"]
LOG_MAPPING = Mapping(
    kind="tickets",
    columns={"ticket_id": "Call ID", "agent_id": "Agent"},
    combine={"opened_at": ["Call Date", "Call Time"], "first_response_at": ["Call Date", "Time Answered"]},
    constants={"client": "Acme", "channel": "phone", "type": "consultation"},
)


def test_a_joined_value_with_a_blank_part_is_blank_not_midnight(tiny):
    rows = [
        ["L1", "2026-03-05", "13:56:45", "13:57:02", "A1"],  # answered after 17 s
        ["L2", "2026-03-05", "15:10:00", "", "A1"],  # not answered: no first response
        ["L3", "2026-03-05", " ", " ", "A2"],  # no call time: no opening moment, not midnight
        ["L4", "", "09:00:00", "09:00:30", "A2"],  # no date: a time alone is no moment either
    ]
    report = import_file(tiny, "tickets", csv_bytes(LOG_HEADER, rows), "log.csv", ACTOR, mapping=LOG_MAPPING)
    assert reject_tuples(report) == [(4, "opened_at", "is required"), (5, "opened_at", "is required")]
    assert (report.rows, report.imported, report.rejected) == (4, 2, 2)
    assert tiny.rows(
        "SELECT ticket_id, opened_at, first_response_at FROM tickets WHERE ticket_id LIKE 'L_' ORDER BY 1"
    ) == [
        ("L1", T(2026, 3, 5, 13, 56, 45), T(2026, 3, 5, 13, 57, 2)),
        ("L2", T(2026, 3, 5, 15, 10), None),
    ]


def test_a_value_translated_to_blank_is_blank(tiny):
    """`values` may turn a file's word into a blank (unknown): it is then no bad value."""
    mapping = LOG_MAPPING.model_copy(
        update={
            "columns": {**LOG_MAPPING.columns, "resolved": "Outcome"},
            "values": {"resolved": {"Booked": "Y", "Full": "N", "Unanswered": ""}},
        }
    )
    header = [*LOG_HEADER, "Outcome"]
    rows = [
        ["V1", "2026-03-05", "10:00:00", "10:00:09", "A1", "Booked"],
        ["V2", "2026-03-05", "10:01:00", "10:01:30", "A1", "Full"],
        ["V3", "2026-03-05", "10:02:00", "", "A1", "Unanswered"],
        ["V4", "2026-03-05", "10:03:00", "10:03:05", "A1", "booked"],  # not in the table: as it is
    ]
    report = import_file(tiny, "tickets", csv_bytes(header, rows), "v.csv", ACTOR, mapping=mapping)
    assert reject_tuples(report) == [(5, "resolved", "must be yes or no (Y/N, 是/否, 1/0, true/false)")]
    assert tiny.rows("SELECT ticket_id, resolved FROM tickets WHERE ticket_id LIKE 'V_' ORDER BY 1") == [
        ("V1", True),
        ("V2", False),
        ("V3", None),
    ]


def test_a_mapping_for_another_kind_is_refused(tiny):
    data = csv_bytes(LOG_HEADER, [["K1", "2026-03-05", "10:00:00", "", "A1"]])
    before = data_state(tiny)
    other = LOG_MAPPING.model_copy(update={"kind": "audits"})
    with pytest.raises(ImportError_) as refused:
        import_file(tiny, "tickets", data, "k.csv", ACTOR, mapping=other)
    assert refused.value.text("en") == "the mapping is for audits, not for tickets"
    assert refused.value.text("zh") == "该映射用于 audits,不是 tickets"
    assert data_state(tiny) == before


def test_a_ticket_id_another_client_already_uses_is_rejected_not_taken_as_present(tiny):
    """Two clients' systems both number their tickets from 1: the second file's ticket 1 is not
    the first's, so it is neither skipped as already present nor stored over it."""
    first = csv_bytes(LOG_HEADER, [["C1", "2026-03-05", "10:00:00", "10:00:09", "A1"]])
    assert import_file(tiny, "tickets", first, "acme.csv", ACTOR, mapping=LOG_MAPPING).imported == 1
    beta = LOG_MAPPING.model_copy(update={"constants": {**LOG_MAPPING.constants, "client": "Beta"}})
    second = csv_bytes(
        LOG_HEADER,
        [["C1", "2026-03-06", "11:00:00", "", "B1"], ["C2", "2026-03-06", "11:05:00", "", "B1"]],
    )
    report = import_file(tiny, "tickets", second, "beta.csv", ACTOR, mapping=beta)
    assert reject_tuples(report) == [(2, "ticket_id", "another client's ticket already has this id")]
    assert report.rejects[0].reason("zh") == "该工单号已被另一客户的工单使用"
    assert (report.imported, report.duplicates, report.rejected) == (1, 0, 1)
    assert tiny.rows(
        "SELECT ticket_id, client, opened_at FROM tickets WHERE ticket_id IN ('C1', 'C2') ORDER BY 1"
    ) == [
        ("C1", "Acme", T(2026, 3, 5, 10)),
        ("C2", "Beta", T(2026, 3, 6, 11, 5)),
    ]
    again = import_file(tiny, "tickets", first, "acme.csv", ACTOR, mapping=LOG_MAPPING)
    assert (again.imported, again.duplicates, again.rejected) == (0, 1, 0)  # the same client's: present


def test_trailing_delimiters_make_no_column(tiny):
    """A telephony export ends every line with a comma: the empty column after it is no column
    of the file, so the report does not list it as unused. A blank heading over values stays."""
    text = "\ufeffCall ID,Call Date,Call Time,Time Answered,Agent,\n1,2026-03-05,10:00:00,10:00:09,A1,\n"
    report = import_file(tiny, "tickets", text.encode(), "log.csv", ACTOR, mapping=LOG_MAPPING)
    assert (report.imported, report.rejected, report.ignored) == (1, 0, [])
    kept = "Call ID,Call Date,Call Time,Time Answered,Agent,\n2,2026-03-05,10:01:00,,A1,note\n"
    report = import_file(tiny, "tickets", kept.encode(), "log2.csv", ACTOR, mapping=LOG_MAPPING)
    assert report.imported == 1 and len(report.ignored) == 1


# -- 8. files that cannot be read --------------------------------------------------------------


def _damaged_xlsx() -> bytes:
    whole = xlsx_bytes(AU_HEADER, AU_ROWS)
    return whole[: len(whole) // 2]


UNREADABLE = {
    "random.csv": (random.Random(7).randbytes(4096), "imp_cannot_decode"),
    "empty.csv": (b"", "imp_empty"),
    "header-only.csv": (b"audit_id,audited_at,agent_id,source\n", "imp_empty"),
    "damaged.xlsx": (_damaged_xlsx(), "imp_bad_xlsx"),
    "quote.csv": (
        b"audit_id,audited_at,agent_id,source,attitude,comment\n"
        b'U1,2026-03-05,A1,recording,90,"never closed\n'
        b"U2,2026-03-05,A1,recording,80,fine\n"
        b"U3,2026-03-05,A1,recording,70,fine\n",
        "imp_unreadable",
    ),
}


@pytest.mark.parametrize("name", list(UNREADABLE))
def test_unreadable_file_writes_nothing(tiny, name):
    data, key = UNREADABLE[name]
    before = state(tiny)
    with pytest.raises(ImportError_) as caught:
        import_file(tiny, "audits", data, name, ACTOR)
    assert caught.value.key == key
    for lang in ("en", "zh"):
        message = caught.value.text(lang)
        assert message and "\n" not in message and "{" not in message
        assert "/tmp" not in message  # no path the user never saw
    assert state(tiny) == before
    assert tiny.scalar("SELECT count(*) FROM import_log") == 0


def test_personal_data_columns_are_dropped_and_reported(tiny):
    header = [*AU_HEADER, "客户姓名", "手机号", "email", "备用"]
    rows = [[*AU_ROWS[0], "张三", "13800000000", "z@example.com", "x"]]
    report = import_file(tiny, "audits", csv_bytes(header, rows), "pd.csv", ACTOR)
    assert report.imported == 1
    assert report.dropped == ["客户姓名", "手机号", "email"]
    assert report.ignored == ["备用"]
    stored = json.dumps(state(tiny), default=str, ensure_ascii=False)
    assert "张三" not in stored and "13800000000" not in stored and "z@example.com" not in stored


def test_personal_data_columns_named_as_exports_name_them(tiny):
    """Helpdesk and telephony exports qualify the column: CustomerEmail, Booking Contact Name."""
    extra = ["CustomerEmail", "Booking Contact Name", "客户手机号", "Customer Phone Number", "Product name"]
    header = [*AU_HEADER, *extra]
    rows = [[*AU_ROWS[0], "z@example.com", "Meg Nerger", "13800000000", "+41 44 000 00 00", "Dell XPS"]]
    report = import_file(tiny, "audits", csv_bytes(header, rows), "pd2.csv", ACTOR)
    assert report.imported == 1
    assert report.dropped == extra[:4]
    assert report.ignored == ["Product name"]  # not stored either, but no one's personal data


# -- 9. the command line -----------------------------------------------------------------------


def test_cli_import_exit_codes_and_json(tmp_path):
    db = tmp_path / "cli.duckdb"
    build_tiny(db).close()
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(AU_HEADER, AU_ROWS))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes(
            AU_HEADER,
            [
                ["CB1", "2026-03-05", "A1", "recording", "90", ""],
                ["CB2", "2026-99-01", "A1", "recording", "80", ""],
            ],
        )
    )
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(_damaged_xlsx())

    done = run_cli("import", "audits", str(good), "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out) == {"kind", "file", "rows", "imported", "updated", "duplicates", "rejected", "rejects"}
    assert (out["kind"], out["file"], out["rows"], out["imported"], out["duplicates"], out["rejected"], out["rejects"]) == (
        "audits", "good.csv", 3, 3, 0, 0, []
    )  # fmt: skip

    again = run_cli("import", "audits", str(good), "--db", str(db), "--json")
    assert again.returncode == 0
    assert (json.loads(again.stdout)["imported"], json.loads(again.stdout)["duplicates"]) == (0, 3)

    strict = run_cli("import", "audits", str(bad), "--db", str(db), "--json", "--strict")
    assert strict.returncode == 1
    assert (json.loads(strict.stdout)["imported"], json.loads(strict.stdout)["rejected"]) == (0, 1)

    some = run_cli("import", "audits", str(bad), "--db", str(db), "--json", env={"CSDATA_LANG": "zh"})
    assert some.returncode == 1
    out = json.loads(some.stdout)
    assert (out["rows"], out["imported"], out["rejected"]) == (2, 1, 1)
    assert out["rejects"] == [
        {"line": 3, "column": "audited_at", "reason": "须为日期,如 2026-03-05 或 2026/3/5"}
    ]

    text = run_cli("import", "audits", str(bad), "--db", str(db))
    assert text.returncode == 1
    assert "2 rows read: 0 imported, 1 already present, 1 rejected" in text.stdout

    blank = tmp_path / "blank.csv"
    blank.write_bytes(csv_bytes(AU_HEADER, [["CB3", "", "A1", "recording", "70", ""]]))
    listed = run_cli("import", "audits", str(blank), "--db", str(db), "--strict")
    assert listed.returncode == 1
    assert "  row 2 · audited_at · '': is required\n" in listed.stdout  # a blank cell, not None

    broken = run_cli("import", "audits", str(junk), "--db", str(db), "--json")
    assert broken.returncode == 2
    assert broken.stdout == ""
    assert broken.stderr.strip() == "csdata: not a readable Excel (.xlsx) workbook"

    from csdata.store.warehouse import Warehouse

    wh = Warehouse(db, read_only=True)
    try:
        assert wh.rows("SELECT file_name, imported, duplicates, rejected FROM import_log ORDER BY id") == [
            ("good.csv", 3, 0, 0),
            ("good.csv", 0, 3, 0),
            ("bad.csv", 1, 0, 1),
            ("bad.csv", 0, 1, 1),
        ]
        assert wh.column(
            "SELECT audit_id FROM audits WHERE audit_id LIKE 'CB%' OR audit_id LIKE 'RA%' ORDER BY 1"
        ) == [
            "CB1",
            "RA1",
            "RA2",
            "RA3",
        ]
    finally:
        wh.close()


def test_cli_names_the_files_columns_and_the_mapping_when_ours_are_missing(tmp_path):
    db = tmp_path / "cols.duckdb"
    build_tiny(db).close()
    foreign = tmp_path / "foreign.csv"
    foreign.write_bytes(csv_bytes(LOG_HEADER, [["1", "2026-03-05", "10:00:00", "", "A1"]]))
    bare = run_cli("import", "tickets", str(foreign), "--db", str(db))
    assert bare.returncode == 2
    assert bare.stderr == (
        "csdata: required columns missing: client, channel, type, opened_at; the file has"
        " Call ID, Call Date, Call Time, Time Answered, Agent: map them to ours with --mapping FILE"
        " (examples in sample_data/mappings/)\n"
    )
    mapping = tmp_path / "partial.toml"
    mapping.write_text('kind = "tickets"\n[columns]\nticket_id = "Call ID"\n', encoding="utf-8")
    mapped = run_cli("import", "tickets", str(foreign), "--mapping", str(mapping), "--db", str(db))
    assert mapped.returncode == 2  # a mapping was given: it is what lacks the columns
    assert mapped.stderr == "csdata: required columns missing: client, channel, type, opened_at\n"


def test_an_import_whose_reader_stops_reading_says_nothing_false(tmp_path):
    """`csdata import ... | head -1`: the rows landed, so no line may claim "nothing was changed"."""
    import os
    import subprocess
    import sys

    db = tmp_path / "pipe.duckdb"
    build_tiny(db).close()
    data = tmp_path / "pipe.csv"
    data.write_bytes(csv_bytes(AU_HEADER, AU_ROWS))
    env = {k: v for k, v in os.environ.items() if k != "CSDATA_ADMIN_PASSWORD"}
    command = [sys.executable, "-m", "csdata.cli", "import", "audits", str(data), "--db", str(db)]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    run.stdout.close()  # the reader is gone before the command writes its first line
    _out, err = run.communicate(timeout=120)
    assert run.returncode == 141  # as a command killed by SIGPIPE reports itself
    assert err.decode() == ""
    from csdata.store.warehouse import Warehouse

    wh = Warehouse(db, read_only=True)
    try:
        assert wh.column("SELECT audit_id FROM audits WHERE audit_id LIKE 'RA%' ORDER BY 1") == [
            "RA1",
            "RA2",
            "RA3",
        ]
    finally:
        wh.close()


def test_two_sessions_importing_the_same_file_at_once_land_it_once(tiny):
    """The fact tables keep no key index: the loader's lock is what keeps ids unique when two
    browser sessions (threads of one process) commit the same rows at the same moment."""
    import threading

    rows = [[f"CONC{i:04d}", "2026-03-20", "A1", "Q1", "Acme", "phone", "recording", "90", "80", "100", "70", "60", "N"]
            for i in range(400)]  # fmt: skip
    header = ["audit_id", "audited_at", "agent_id", "auditor_id", "client", "channel", "source", "attitude",
              "responsiveness", "accuracy", "communication", "compliance", "critical_error"]  # fmt: skip
    data = csv_bytes(header, rows)
    reports: list = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        reports.append(import_file(tiny, "audits", data, "same.csv", "test"))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted((r.imported, r.duplicates) for r in reports) == [(0, 400), (400, 0)]
    assert tiny.scalar("SELECT count(*) FROM audits WHERE audit_id LIKE 'CONC%'") == 400
    assert tiny.scalar("SELECT count(DISTINCT audit_id) FROM audits") == tiny.scalar(
        "SELECT count(*) FROM audits"
    )
    assert tiny.scalar("SELECT count(*) FROM audit_scores WHERE audit_id LIKE 'CONC%'") == 400 * 5
