"""The import pipeline under hostile input and sudden death.

- A property test: random audit and ticket sheets with malformed cells, in random encodings,
  sometimes cut short, strict or not. Every case ends in a `Report` or an `ImportError_`, and a
  run either writes exactly what its report says or nothing at all.
- A kill test: `csdata import` of a large file is killed with SIGKILL part-way; the warehouse
  then holds nothing from that file (one transaction per file).
"""

from __future__ import annotations

import csv
import io
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, build_tiny
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from csdata.imports.ingest import IMPORT_TRAIL, ImportError_, Report, import_file
from csdata.store.warehouse import Warehouse

EXAMPLES = 200  # hypothesis examples of the property test (about 30 s)
KILL_ROWS = 300_000  # audit rows of the file the kill test imports
KILL_AT = (0.4, 0.7)  # when to kill, as fractions of a full import's duration


def state(wh) -> dict[str, list[tuple]]:
    tables = wh.column(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        " AND table_type = 'BASE TABLE' ORDER BY 1"
    )
    return {t: wh.rows(f'SELECT * FROM "{t}" ORDER BY ALL') for t in tables}


# -- the property test -------------------------------------------------------------------------

safe_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)  # any text but lone surrogates


USUAL = ["", " ", "x", "-1", "101", "1e400", "nan", "NULL", '"', "a,b", "a;b", "a\tb", "line\nbreak", "是"]


def cell(*valid: str, tricky: tuple[str, ...] = (), fresh: str | None = None) -> list[st.SearchStrategy[str]]:
    """A column's cells at four levels of mess: valid values only (with `fresh`, also new ids
    with that prefix), also one time in ten a tricky one, also the usual mistakes, also any text."""
    good = st.sampled_from(valid)
    if fresh:
        good = st.one_of(good, st.integers(0, 10**9).map(lambda i: f"{fresh}{i}"))
    own = good
    if tricky:
        bad = st.sampled_from(tricky)
        own = st.integers(0, 9).flatmap(lambda i: bad if i == 0 else good)
    usual = st.sampled_from(USUAL)
    return [good, own, st.one_of(own, own, usual), st.one_of(own, usual, safe_text)]


AUDIT_COLUMNS = {
    "audit_id": (("质检编号",), cell("P1", "P2", "P3", fresh="P")),
    "audited_at": (("质检日期",), cell("2026-03-05", "2026/3/5", "2026-03-05 14:30", tricky=("05-03-2026", "2026-02-30"))),
    "agent_id": (("工号",), cell("A1", "A2", "B1", tricky=("ZZ",))),
    "client": (("客户",), cell("Acme", "Beta", "", tricky=("Gamma",))),
    "source": (("来源",), cell("recording", "录音", "spot_check", "客户反馈")),
    "attitude": (("服务态度",), cell("90", "0", "100", "85.5", "", tricky=("0:04:30", "100.5"))),
    "accuracy": (("解答准确性",), cell("80", "100", "", tricky=("1,000",))),
    "critical_error": (("致命错误",), cell("Y", "N", "是", "否", "1", "0", "true", "", tricky=("maybe",))),
    "comment": (("备注",), cell("ok", "好", "", '"quoted, with comma"')),
}  # fmt: skip
TICKET_COLUMNS = {
    "ticket_id": (("工单号",), cell("K1", "K2", "K3", fresh="K")),
    "client": (("客户",), cell("Acme", "Beta", tricky=("Gamma",))),
    "channel": (("渠道",), cell("phone", "chat", "email", "电话", tricky=("fax",))),
    "type": (("类型",), cell("consultation", "complaint", "投诉", tricky=("x",))),
    "agent_id": (("工号",), cell("A1", "B1", "", tricky=("ZZ",))),
    "opened_at": (("受理时间",), cell("2026-03-05 10:00", "2026/3/5", "2026-03-05T10:00:00", tricky=("2026-13-01",))),
    "first_response_at": (("首次响应时间",), cell("2026-03-05 10:00:20", "", tricky=("2026-03-05 09:00",))),
    "first_response_seconds": (("应答时长",), cell("20", "0:00:20", "", tricky=("-5",))),
    "handle_seconds": (("处理时长",), cell("270", "0:04:30", "4:30", "", tricky=("-1", "1e400"))),
    "resolved": (("是否解决",), cell("Y", "否", "", tricky=("maybe",))),
    "csat": (("满意度",), cell("1", "5", "", tricky=("6", "4.5", "99999999999999999999"))),
    "reward_amount": (("奖励金额",), cell("12.5", "", tricky=("1e30",))),
}  # fmt: skip
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"]


@st.composite
def sheets(draw):
    kind = draw(st.sampled_from(["audits", "tickets"]))
    spec = AUDIT_COLUMNS if kind == "audits" else TICKET_COLUMNS
    mess = draw(st.sampled_from([0, 1, 1, 2, 3]))  # 0: a clean file
    # Usually every column; sometimes a random subset in a random order (a required one may be missing).
    names = list(spec)
    if mess and draw(st.integers(0, 3)) == 0:
        names = draw(st.permutations(names))
        names = names[: draw(st.integers(1, len(names)))]
    headers = [draw(st.sampled_from([n, *spec[n][0]])) for n in names]
    rows = draw(
        st.lists(st.fixed_dictionaries({n: spec[n][1][mess] for n in names}), min_size=1, max_size=8).map(
            lambda rs: [[r[n] for n in names] for r in rs]
        )
    )
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    if mess == 0 or draw(st.integers(0, 3)):  # properly quoted
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(
            [headers, *rows]
        )
        text = out.getvalue()
    else:  # cells joined as they are: quotes, delimiters and line breaks in a cell break the table
        text = "\n".join(delimiter.join(r) for r in [headers, *rows]) + "\n"
    data = text.encode(draw(st.sampled_from(ENCODINGS)))
    if mess and draw(st.integers(0, 5)) == 0:  # cut short anywhere, even inside a character
        data = data[: draw(st.integers(0, len(data)))]
    if mess and draw(st.integers(0, 11)) == 0:
        data += draw(st.binary(max_size=40))
    return kind, data, mess == 0


@pytest.fixture(scope="module")
def shared_tiny(tmp_path_factory):
    wh = build_tiny(tmp_path_factory.mktemp("robust") / "tiny.duckdb")
    yield wh
    wh.close()


MAIN_TABLE = {"audits": "audits", "tickets": "tickets"}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(sheet=sheets(), strict=st.booleans(), create_missing=st.booleans(), day_first=st.booleans())
def test_any_sheet_ends_in_a_report_or_a_clear_error_and_never_a_partial_write(
    shared_tiny, sheet, strict, create_missing, day_first
):
    wh = shared_tiny
    kind, data, clean = sheet
    before = state(wh)
    try:
        report = import_file(
            wh,
            kind,
            data,
            "fuzz.csv",
            "fuzz",
            strict=strict,
            create_missing=create_missing,
            day_first=day_first,
        )
    except ImportError_ as exc:
        event(f"ImportError_ {exc.key}")
        assert not clean, exc.text("en")  # every column, properly quoted, whole: must be readable
        assert exc.text("en") and exc.text("zh")
        assert state(wh) == before
        return
    assert isinstance(report, Report)
    after = state(wh)
    table = MAIN_TABLE[kind]
    event("rejected some" if report.rejected else "no rejects")
    event("imported some" if report.imported else "imported none")
    if strict and report.rejected:
        assert not report.committed and report.imported == 0
        assert after == before
        return
    assert report.committed
    assert len(after[table]) - len(before[table]) == report.imported
    assert set(before[table]) <= set(after[table])
    assert len(after["import_log"]) == len(before["import_log"]) + 1
    assert report.imported + report.duplicates + report.rejected == report.rows
    if kind == "audits":  # a criterion row for each new audit's scored criteria, none for others
        new_ids = {r[0] for r in after["audits"]} - {r[0] for r in before["audits"]}
        added_scores = set(after["audit_scores"]) - set(before["audit_scores"])
        assert {s[0] for s in added_scores} <= new_ids
    # The trail: one creation for each record imported; a ticket's is the import it carries.
    trail = set(after["record_changes"]) - set(before["record_changes"])
    if kind in IMPORT_TRAIL:
        import_id = max(r[0] for r in after["import_log"])
        assert not trail
        assert wh.scalar("SELECT count(*) FROM tickets WHERE import_id = ?", [import_id]) == report.imported
    else:
        assert len(trail) == report.imported and {r[5] for r in trail} <= {"create"}
    untouched = {
        "audits",
        "audit_scores",
        "tickets",
        "import_log",
        "audit_log",
        "record_changes",
        "clients",
        "employees",
        "employee_history",  # a person created for a row begins their history
    }
    rollups = {name for name in before if name.startswith("rollup_")}  # follow the tickets (test_rollups.py)
    for name in before.keys() - untouched - rollups:
        assert after[name] == before[name], name
    if not create_missing:
        for name in ("clients", "employees", "employee_history"):
            assert after[name] == before[name], name
    created = {r[0] for r in after["employees"]} - {r[0] for r in before["employees"]}
    assert {r[0] for r in set(after["employee_history"]) - set(before["employee_history"])} == created


# -- the kill test -----------------------------------------------------------------------------


def _big_audits_csv(path) -> None:
    agents = ["A1", "A2", "B1", "N1", "N2", "N3"]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "audit_id,audited_at,agent_id,auditor_id,source,attitude,responsiveness,accuracy,critical_error\n"
        )
        for i in range(KILL_ROWS):
            day = 1 + i % 28
            out.write(
                f"KILL{i:07d},2026-02-{day:02d},{agents[i % 6]},Q1,recording,{60 + i % 41},{i % 101},90,N\n"
            )


def _run_import(csv_path, db):
    return subprocess.Popen(
        [sys.executable, "-m", "csdata.cli", "import", "audits", str(csv_path), "--db", str(db), "--json"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_killed_import_leaves_nothing_behind(tmp_path):
    original = tmp_path / "tiny.duckdb"
    wh = build_tiny(original)
    expected = state(wh)
    wh.close()
    big = tmp_path / "big_audits.csv"
    _big_audits_csv(big)

    full = tmp_path / "full.duckdb"
    shutil.copy(original, full)
    started = time.perf_counter()
    proc = _run_import(big, full)
    out, err = proc.communicate(timeout=600)
    duration = time.perf_counter() - started
    assert proc.returncode == 0, err.decode()
    wh = Warehouse(full, read_only=True)
    try:  # the full import did land: the kill runs below interrupt real work
        assert wh.scalar("SELECT count(*) FROM audits WHERE audit_id LIKE 'KILL%'") == KILL_ROWS
        assert wh.scalar("SELECT count(*) FROM import_log WHERE file_name = 'big_audits.csv'") == 1
        full_scores = wh.scalar("SELECT count(*) FROM audit_scores WHERE audit_id LIKE 'KILL%'")
        assert full_scores >= KILL_ROWS
    finally:
        wh.close()

    for fraction in KILL_AT:
        db = tmp_path / f"killed-{fraction}.duckdb"
        # The machine's load moves the import's duration. A kill that lands after the commit (the
        # process is still closing) must find the whole file landed; one that lands before must
        # find nothing. Either way nothing half-done may show. Try again on a fresh copy, a
        # little earlier each time, until a kill really interrupts the import.
        for attempt in range(6):
            shutil.copy(original, db)
            Path(str(db) + ".wal").unlink(missing_ok=True)
            proc = _run_import(big, db)
            time.sleep(duration * fraction * 0.7**attempt)
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=60)
            wh = Warehouse(db)  # opens (and replays its log) as the app would
            try:
                landed = wh.scalar("SELECT count(*) FROM import_log WHERE file_name = 'big_audits.csv'")
                audits = wh.scalar("SELECT count(*) FROM audits WHERE audit_id LIKE 'KILL%'")
                scores = wh.scalar("SELECT count(*) FROM audit_scores WHERE audit_id LIKE 'KILL%'")
                if landed:  # the kill came after the commit: all of it is there
                    assert (landed, audits, scores) == (1, KILL_ROWS, full_scores)
                else:
                    assert (audits, scores) == (0, 0)
                    assert state(wh) == expected
            finally:
                wh.close()
            if proc.returncode == -signal.SIGKILL and not landed:
                break
        assert proc.returncode == -signal.SIGKILL and not landed, (
            f"the import always finished before the kill at {fraction:.0%}"
        )
