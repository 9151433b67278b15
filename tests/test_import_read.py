"""How a text file is read for an import: in place when it lies on disk, on both cores, and its
rows still numbered as the user sees them (the heading being row 1).

DuckDB's parallel reader keeps the file's order in the table it makes, and the row numbers come
from that order; a file with a line break inside a quoted cell is read again by the serial reader.
These tests put rejected rows far apart in files large enough to be read in many pieces, and
check that every message names the right row, for both readers and through the real command.
"""

from __future__ import annotations

import json
import tempfile

import duckdb
import pytest
from conftest import build_tiny, run_cli

from csdata.imports import ingest

ROWS = 600_000  # ~37 MiB: read in several pieces at once (see the first test)
BAD = {2: "yesterday", 333_334: "2026-13-40 10:00", ROWS + 1: "soon"}  # row number -> a bad opened_at


def ticket_file(rows: int = ROWS, quoted_break_at: int | None = None) -> bytes:
    """`rows` valid tickets of the tiny warehouse's client Acme, but for the rows of `BAD` (row
    numbers as the user sees them: the heading is row 1), whose opening time is no time. With
    `quoted_break_at`, that row's category holds a line break inside quotes."""
    lines = ["ticket_id,client,channel,type,agent_id,opened_at,category"]
    for row in range(2, rows + 2):
        opened = BAD.get(row, f"2026-03-{1 + row % 28:02d} {row % 24:02d}:{row % 60:02d}:00")
        category = '"billing\nrefund"' if row == quoted_break_at else "billing"
        lines.append(f"RD{row},Acme,phone,consultation,A1,{opened},{category}")
    return ("\n".join(lines) + "\n").encode()


def opened_at_rejects(report: ingest.Report) -> dict[int, str]:
    return {r.row: r.value for r in report.rejects if r.column == "opened_at"}


def test_the_big_file_is_read_in_pieces_at_once(tmp_path):
    """The premise of the tests below: left free to, DuckDB's parallel reader puts this file's
    rows in another order, so the order kept is the reader's doing, not the file's size."""
    path = tmp_path / "tickets.csv"
    path.write_bytes(ticket_file())
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = false")
        con.execute(
            f"CREATE TABLE x AS SELECT * FROM read_csv('{path}', parallel = true, all_varchar = true)"
        )
        moved = con.execute("SELECT count(*) FROM x WHERE ticket_id <> 'RD' || CAST(rowid + 2 AS VARCHAR)")
        assert moved.fetchone()[0] > 0
    finally:
        con.close()


@pytest.mark.parametrize("quoted_break_at", [None, 5], ids=["parallel", "serial"])
def test_rejected_rows_are_named_by_their_row_in_a_big_file(tmp_path, quoted_break_at):
    wh = build_tiny(tmp_path / "t.duckdb")
    try:
        path = tmp_path / "tickets.csv"
        path.write_bytes(ticket_file(quoted_break_at=quoted_break_at))
        data = ingest.read_file(path.read_bytes(), path.name, path)
        report = ingest.import_file(wh, "tickets", data, path.name, "lead")
        assert report.rows == ROWS
        assert opened_at_rejects(report) == BAD
        assert (report.imported, report.rejected) == (ROWS - len(BAD), len(BAD))
        # the rows that landed are the others, each under its own id (row r is ticket RD<r>)
        stored = wh.scalar("SELECT count(*) FROM tickets WHERE ticket_id LIKE 'RD%'")
        assert stored == ROWS - len(BAD)
        assert not wh.scalar(
            "SELECT count(*) FROM tickets WHERE list_contains(?, ticket_id)", [[f"RD{r}" for r in BAD]]
        )
        if quoted_break_at:
            category = wh.scalar("SELECT category FROM tickets WHERE ticket_id = ?", [f"RD{quoted_break_at}"])
            assert category == "billing\nrefund"
        # the rows handed back to be fixed are those rows, as the file gives them
        rows = ingest.file_rows(wh, data, path.name, sorted(BAD))
        assert rows["_row"].tolist() == sorted(BAD)
        assert rows["ticket_id"].tolist() == [f"RD{r}" for r in sorted(BAD)]
        assert rows["opened_at"].tolist() == [BAD[r] for r in sorted(BAD)]
    finally:
        wh.close()


def test_a_file_given_by_its_path_is_read_there_without_a_copy(tmp_path, monkeypatch):
    wh = build_tiny(tmp_path / "t.duckdb")
    try:
        path = tmp_path / "nightly.csv.gz"  # (named as if compressed, but plain text: read as it is)
        path.write_bytes(b"\xef\xbb\xbf" + ticket_file(rows=3))
        data = ingest.read_file(path.read_bytes(), path.name, path)
        assert data.path == path

        def no_copy(*_args, **_kwargs):
            raise AssertionError("a copy of the file was made")

        monkeypatch.setattr(tempfile, "mkstemp", no_copy)
        report = ingest.import_file(wh, "tickets", data, path.name, "lead")
        assert (report.rows, report.imported, report.rejected) == (3, 2, 1)
        assert path.exists()  # the user's file is left where it was
    finally:
        wh.close()


def test_a_file_not_in_utf8_is_still_read_from_a_copy(tmp_path):
    wh = build_tiny(tmp_path / "t.duckdb")
    try:
        path = tmp_path / "gbk.csv"
        path.write_bytes(ticket_file(rows=3).decode().replace("billing", "账单").encode("gb18030"))
        data = ingest.read_file(path.read_bytes(), path.name, path)
        assert data.path is None  # DuckDB reads UTF-8 only: the decoded text goes to a copy
        report = ingest.import_file(wh, "tickets", data, path.name, "lead")
        assert (report.imported, report.rejected) == (2, 1)
        assert wh.scalar("SELECT category FROM tickets WHERE ticket_id = 'RD3'") == "账单"
    finally:
        wh.close()


def cli_import(tmp_path, source: str, text: str | None = None) -> dict:
    """`csdata import tickets SOURCE --json` into a new tiny warehouse (`text` its standard
    input), some rows rejected (exit 1): its report."""
    db = tmp_path / "t.duckdb"
    build_tiny(db).close()
    done = run_cli(
        "import", "tickets", source, "--db", str(db), "--json", input=text, env={"CSDATA_LANG": "en"}
    )
    assert done.returncode == 1, done.stderr
    return json.loads(done.stdout)


def test_the_command_names_the_rows_of_a_big_file(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_bytes(ticket_file())
    report = cli_import(tmp_path, str(path))
    assert (report["rows"], report["imported"], report["rejected"]) == (ROWS, ROWS - len(BAD), len(BAD))
    assert {r["line"] for r in report["rejects"]} == set(BAD)


def test_a_file_that_changes_while_it_is_imported_imports_nothing(tmp_path, monkeypatch):
    wh = build_tiny(tmp_path / "t.duckdb")
    try:
        path = tmp_path / "nightly.csv"
        path.write_bytes(ticket_file(rows=3))
        data = ingest.read_file(path.read_bytes(), path.name, path)
        real_check = ingest.check

        def check_then_append(*args, **kwargs):  # the export writes more rows during the checks
            checked = real_check(*args, **kwargs)
            with path.open("ab") as out:
                out.write(b"RD9,Acme,phone,consultation,A1,2026-03-05 10:00:00,billing\n")
            return checked

        monkeypatch.setattr(ingest, "check", check_then_append)
        with pytest.raises(ingest.ImportError_) as refused:
            ingest.import_file(wh, "tickets", data, path.name, "lead")
        assert refused.value.key == "imp_file_changed"
        assert "nightly.csv changed on disk" in refused.value.text("en")
        assert "nightly.csv 在磁盘上被改动" in refused.value.text("zh")
        assert not wh.scalar("SELECT count(*) FROM tickets WHERE ticket_id LIKE 'RD%'")
        assert not wh.scalar("SELECT count(*) FROM import_log")
        # and a file cut short (or grown) between its reading and the import is refused at once
        with pytest.raises(ingest.ImportError_):
            ingest.read_file(path.read_bytes()[:-10], path.name, path)
    finally:
        wh.close()


def test_a_file_piped_to_the_command_is_read_once_and_imported(tmp_path):
    """`… | csdata import tickets /dev/stdin`: a pipe cannot be read twice, so its bytes go to
    a copy as an upload's do."""
    report = cli_import(tmp_path, "/dev/stdin", ticket_file(rows=3).decode())  # (row 2 opened "yesterday")
    assert (report["rows"], report["imported"], report["rejected"]) == (3, 2, 1)
    assert [r["line"] for r in report["rejects"]] == [2]
