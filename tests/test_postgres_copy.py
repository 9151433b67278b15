"""Moving a warehouse to PostgreSQL (`csdata copy`, `csdata init --db postgresql://...`).

The demo warehouse copied into a fresh PostgreSQL database must hold the same rows, keep its
rollups equal to its facts, and give every metric `csdata kpi` gives on the file; copied back
into a new DuckDB file it must give them again. A target that holds records is refused and
left as it was.
"""

from __future__ import annotations

import json
import math

import engines
import pandas as pd
import pytest
from conftest import run_cli

from csdata.store import transfer
from csdata.store.warehouse import Warehouse

ROLLUP_TABLES = {"rollup_tickets", "rollup_rounds", "rollup_hours", "rollup_histograms", "rollup_followups"}


def _counts(target) -> dict[str, int]:
    """Rows of every table but `schema_migrations` and the rollups, read on the warehouse itself."""
    wh = Warehouse(target, read_only=True)
    try:
        names = [n for n in wh.tables() if n != "schema_migrations" and n not in ROLLUP_TABLES]
        return {n: int(wh.scalar(f'SELECT count(*) FROM "{n}"')) for n in names}
    finally:
        wh.close()


def _kpi(db, *args: str) -> dict:
    result = run_cli("kpi", "--json", "--db", str(db), *args, env={"CSDATA_LANG": "en"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _same_metrics(got: dict, expected: dict) -> None:
    assert got.keys() == expected.keys()
    for metric, value in expected.items():
        if isinstance(value, float) and value is not None and not math.isnan(value):
            assert got[metric] == pytest.approx(value, rel=1e-9, abs=1e-12), metric
        else:
            assert got[metric] == value, metric


@pytest.fixture(scope="module")
def copied(sample_db, request) -> tuple[str, dict]:
    """The demo warehouse copied by `csdata copy` into a fresh PostgreSQL database: its address
    and the command's JSON."""
    url = engines.new_database(request)
    result = run_cli("copy", url, "--db", str(sample_db), "--json", env={"CSDATA_LANG": "en"})
    assert result.returncode == 0, result.stderr
    return url, json.loads(result.stdout)


def test_the_copy_holds_every_row_of_every_table(sample_db, copied):
    url, said = copied
    expected = _counts(sample_db)
    assert expected["tickets"] == 20_000 and expected["audit_log"] > 0  # (the demo, not an empty file)
    assert said["tables"] == expected
    # and the copy itself, in the target's audit log
    assert _counts(url) == {**expected, "audit_log": expected["audit_log"] + 1}
    assert said["seconds"] >= 0


def test_the_copy_keeps_its_rollups_and_its_ids_going_on(copied):
    url, _ = copied
    check = run_cli("rollups", "check", "--json", "--db", url)
    assert check.returncode == 0, check.stdout + check.stderr
    found = json.loads(check.stdout)
    assert found["ok"] and found["tables"]["rollup_tickets"]["rows"] > 0
    wh = Warehouse(url)
    try:
        last = wh.scalar("SELECT max(id) FROM audit_log")
        assert wh.scalar("SELECT action FROM audit_log WHERE id = ?", [last]) == "warehouse.copy"
        with wh.transaction("test", "test.next") as w:
            following = w.log_id()
        assert following == last + 1
    finally:
        wh.close()


def test_every_metric_is_the_same_on_postgresql(sample_db, copied):
    url, _ = copied
    _same_metrics(_kpi(url), _kpi(sample_db))
    wh = Warehouse(sample_db, read_only=True)
    client = wh.scalar("SELECT min(client) FROM tickets")
    wh.close()
    month = ("--from", "2026-08-01", "--to", "2026-08-31", "--client", client)
    on_file = _kpi(sample_db, *month)
    assert 0 < on_file["offered"] < 20_000  # a real slice of the history
    _same_metrics(_kpi(url, *month), on_file)


def test_copied_back_into_a_file_it_is_the_same_again(sample_db, copied, tmp_path):
    url, _ = copied
    back = tmp_path / "back.duckdb"
    result = run_cli("copy", str(back), "--db", url)
    assert result.returncode == 0, result.stderr
    assert f"to {back}" in result.stdout and "tickets" in result.stdout
    on_postgres = _counts(url)
    assert _counts(back) == {**on_postgres, "audit_log": on_postgres["audit_log"] + 1}
    assert on_postgres["tickets"] == _counts(sample_db)["tickets"]
    assert json.loads(run_cli("rollups", "check", "--json", "--db", str(back)).stdout)["ok"]
    _same_metrics(_kpi(back), _kpi(sample_db))


def test_a_target_holding_records_is_refused_and_left_as_it_was(copied, tmp_path):
    url, _ = copied
    before = _counts(url)
    small = tmp_path / "small.duckdb"
    assert run_cli("init", "--sample", "--tickets", "1000", "--db", str(small)).returncode == 0
    for lang, words in (("en", "already holds records"), ("zh", "已有记录")):
        result = run_cli("copy", url, "--db", str(small), env={"CSDATA_LANG": lang})
        assert result.returncode == 2
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert _counts(url) == before
    taken = tmp_path / "taken.duckdb"
    taken.write_bytes(b"")
    result = run_cli("copy", str(taken), "--db", str(small))
    assert result.returncode == 2 and "already exists" in result.stderr


def test_bad_sources_and_unreachable_servers_are_one_line(sample_db, tmp_path, request):
    url = engines.new_database(request)
    result = run_cli("copy", url, "--db", str(tmp_path / "none.duckdb"))
    assert result.returncode == 2 and "no warehouse at" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    base, _, query = url.partition("?")
    missing = base.rsplit("/", 1)[0] + "/csdata_no_such_database" + (f"?{query}" if query else "")
    result = run_cli("copy", missing, "--db", str(sample_db))
    assert result.returncode == 2 and "cannot be reached" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_init_builds_the_demo_on_postgresql_and_force_replaces_only_ours(request):
    url = engines.new_database(request)
    built = run_cli("init", "--sample", "--tickets", "2000", "--db", url)
    assert built.returncode == 0, built.stderr
    assert "2,000 tickets" in built.stdout
    wh = Warehouse(url)
    try:
        assert wh.scalar("SELECT count(*) FROM tickets") == 2000
        assert wh.scalar("SELECT count(*) FROM users WHERE username = 'exec'") == 1
        with wh.transaction("test", "test.other") as w:  # a table of the company's own, not csdata's
            w.execute("CREATE TABLE other_notes (note VARCHAR)")
            w.execute("INSERT INTO other_notes VALUES ('kept')")
    finally:
        wh.close()
    again = run_cli("init", "--sample", "--tickets", "2000", "--db", url)
    assert again.returncode == 2 and "--force" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    forced = run_cli("init", "--sample", "--tickets", "1000", "--seed", "3", "--db", url, "--force")
    assert forced.returncode == 0, forced.stderr
    wh = Warehouse(url)
    try:
        assert wh.scalar("SELECT count(*) FROM tickets") == 1000
        assert wh.scalar("SELECT note FROM other_notes") == "kept"
        assert json.loads(run_cli("rollups", "check", "--json", "--db", url).stdout)["ok"]
    finally:
        wh.close()


def test_copy_keeps_empty_texts_gaps_and_awkward_characters(request):
    """COPY's CSV: an empty text stays empty, a gap stays a gap, quotes, commas and line breaks
    arrive as they were."""
    url = engines.new_database(request)
    wh = Warehouse(url)
    values = ["", None, 'say "hi", then\nleave', "\\N", "数据"]
    frame = pd.DataFrame({"key": [f"k{i}" for i in range(len(values))], "value": values})
    try:
        assert transfer.records(wh) == {}
        with wh.transaction("test", "test.insert") as w:
            w.execute("DELETE FROM meta")
            w.insert_df("meta", frame)
        got = dict(wh.rows("SELECT key, value FROM meta"))
    finally:
        wh.close()
    assert got == dict(zip(frame["key"], values, strict=True))


def test_bench_measures_a_postgresql_warehouse_as_it_is(copied):
    url, _ = copied
    done = run_cli("bench", "--db", url, "--repeat", "1", "--page", "overview", "--range", "90d", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["db"] == url and report["tickets"] == 20_000 and report["build_s"] is None
    (row,) = report["pages"]
    assert row["page"] == "overview" and row["range"] == "90d"
    assert row["script_s"] > 0 and row["query_s"] > 0 and row["queries"] > 0
