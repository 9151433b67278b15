"""Benchmark: importing a large file, against DuckDB's own CSV loader as the yardstick.

`python -m csdata.demo.bench_import --rows 1000000 [--kind audits|tickets]` builds a small demo
warehouse (for the clients and people the rows name), writes a CSV of that many valid audits (or
tickets: a year of them, every channel and type, the rollups of their days recomputed in the
import's transaction) in the canonical columns, and times

(a) DuckDB loading the same file into a table (`CREATE TABLE … AS SELECT * FROM read_csv(…)`),
    the least any import of it can cost (the median of three runs), and
(b) `csdata.imports.ingest.import_file` of the file into the warehouse, as `csdata import FILE`
    calls it: the whole pipeline (read the bytes, hash them, check they are UTF-8, map, type and
    check every cell, commit with the derived criterion scores, the import log and the audit log),

then prints both, the ratio (b) / (a), the time of each step of (b) and the peak memory of the
process. For scale it also times

(c) DuckDB alone putting the same rows into `audits` and `audit_scores` (or `tickets`) of an
    identical copy of the warehouse in one transaction: no checks, no score and no rollups, the
    floor an import into this schema cannot go below.

With `--db postgresql://...` (an empty database) the demo is copied there and (b) imports into
PostgreSQL: the file checked in the import's DuckDB stage, its rows sent by COPY and written in
PostgreSQL's transaction (its step `write` is how long the write lock was held); (c) is not
measured then.
Nothing here imports duckdb: SQL goes through `csdata.store.warehouse.Warehouse`.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from csdata.store.warehouse import Warehouse

# The audit file: canonical columns, rows valid against the demo warehouse (known agents, QA
# staff and clients), some criteria blank (not applicable), some critical errors.
_ROWS_SQL = """
WITH people AS (
    SELECT list(employee_id ORDER BY employee_id) FILTER (WHERE position = 'agent') AS agents,
           list(employee_id ORDER BY employee_id) FILTER (WHERE position = 'qa') AS auditors
    FROM employees
), names AS (SELECT list(name ORDER BY name) AS clients FROM clients)
SELECT 'BA' || lpad(CAST(i AS VARCHAR), 8, '0') AS audit_id,
       CAST(DATE '2025-11-01' + CAST(i % 365 AS INTEGER) AS VARCHAR) AS audited_at,
       agents[1 + i % len(agents)] AS agent_id,
       auditors[1 + (i // 7) % len(auditors)] AS auditor_id,
       CASE WHEN i % 4 = 0 THEN 'TK' || lpad(CAST(i AS VARCHAR), 8, '0') END AS ticket_id,
       clients[1 + (i // 3) % len(clients)] AS client,
       ['phone', 'chat', 'email'][1 + i % 3] AS channel,
       ['recording', 'spot_check', 'customer_feedback'][1 + (i // 5) % 3] AS source,
       60 + hash(i, 1) % 41 AS attitude,
       CASE WHEN i % 10 <> 0 THEN 50 + hash(i, 2) % 51 END AS responsiveness,
       55 + hash(i, 3) % 46 AS accuracy,
       CAST(60 + hash(i, 4) % 400 / 10 AS DECIMAL(4, 1)) AS communication,
       CASE WHEN i % 7 <> 0 THEN 70 + hash(i, 5) % 31 END AS compliance,
       CASE WHEN i % 50 = 0 THEN 'Y' ELSE 'N' END AS critical_error,
       CASE WHEN i % 3 = 0 THEN ['greeting', 'hold', 'accuracy', 'closing'][1 + i % 4] END AS finding_category,
       CASE WHEN i % 11 = 0 THEN '复核: 语速偏快, "请稍等" 未说' END AS comment
FROM range(?) r(i), people, names
"""


# The ticket file: agents with their own client and team, waits by channel, complaints fed back.
_TICKETS_SQL = """
WITH agents AS (
    SELECT list(employee_id ORDER BY employee_id) AS ids, list(client ORDER BY employee_id) AS clients
    FROM employees WHERE position = 'agent' AND client IS NOT NULL AND team IS NOT NULL
), t AS (
    SELECT i, ['phone', 'chat', 'email'][1 + i % 3] AS channel,
           ['consultation', 'consultation', 'consultation', 'complaint', 'suggestion'][1 + (i // 3) % 5] AS type,
           1 + (i // 15) % len(ids) AS a, ids, clients,
           TIMESTAMP '2025-11-01 08:00:00' + to_seconds(CAST(i * 31536000 // ? AS BIGINT)) AS opened
    FROM range(?) r(i), agents
)
SELECT 'BT' || lpad(CAST(i AS VARCHAR), 9, '0') AS ticket_id, clients[a] AS client, channel, type,
       CASE WHEN i % 17 <> 0 THEN ids[a] END AS agent_id, strftime(opened, '%Y-%m-%d %H:%M:%S') AS opened_at,
       CASE WHEN i % 17 <> 0 THEN strftime(opened + to_seconds(CASE channel WHEN 'email' THEN 600 + hash(i) % 86400
            ELSE 2 + hash(i) % 240 END), '%Y-%m-%d %H:%M:%S') END AS first_response_at,
       CASE WHEN i % 17 <> 0 THEN 30 + hash(i, 1) % 900 END AS handle_seconds,
       CASE WHEN i % 17 <> 0 THEN ['Y', 'N'][1 + CAST(hash(i, 2) % 4 = 0 AS INTEGER)] END AS resolved,
       CASE WHEN i % 5 = 0 THEN 1 + hash(i, 3) % 5 END AS csat,
       CASE WHEN type <> 'consultation' THEN 'customer_service' END AS department,
       CASE WHEN type = 'complaint' AND i % 2 = 0 THEN strftime(opened + INTERVAL 2 DAY, '%Y-%m-%d %H:%M:%S') END AS feedback_at,
       CASE WHEN type = 'complaint' AND i % 2 = 0 THEN ['Y', 'N'][1 + CAST(i % 6 = 0 AS INTEGER)] END AS customer_accepted
FROM t
"""

_TICKETS_FLOOR_SQL = [
    "BEGIN TRANSACTION",
    "INSERT INTO tickets (ticket_id, client, channel, type, agent_id, opened_at, first_response_at,"
    " handle_seconds, resolved, csat, department, feedback_at, customer_accepted)"
    " SELECT ticket_id, client, channel, type, agent_id, opened_at, first_response_at, handle_seconds,"
    " resolved = 'Y', csat, department, feedback_at, customer_accepted = 'Y' FROM read_csv(?)",
    "COMMIT",
]

_FLOOR_SQL = [
    "BEGIN TRANSACTION",
    "CREATE TEMP TABLE _bench_rows AS SELECT * FROM read_csv(?, all_varchar = true)",
    "INSERT INTO audits (audit_id, audited_at, agent_id, auditor_id, ticket_id, client, channel, source,"
    " critical_error, finding_category, comment) SELECT audit_id, CAST(audited_at AS DATE), agent_id,"
    " auditor_id, ticket_id, client, channel, source, critical_error = 'Y', finding_category, comment"
    " FROM _bench_rows",
    "INSERT INTO audit_scores SELECT * FROM (SELECT audit_id,"
    " unnest(['attitude', 'responsiveness', 'accuracy', 'communication', 'compliance']),"
    " unnest([CAST(attitude AS DOUBLE), CAST(responsiveness AS DOUBLE), CAST(accuracy AS DOUBLE),"
    " CAST(communication AS DOUBLE), CAST(compliance AS DOUBLE)]) AS score FROM _bench_rows)"
    " WHERE score IS NOT NULL",
    "DROP TABLE _bench_rows",
    "COMMIT",
]


def write_audits(wh: Warehouse, path: Path, rows: int) -> None:
    """Write `rows` valid audits for the people and clients in `wh` to the CSV file `path`."""
    wh.cursor().execute(f"COPY ({_ROWS_SQL}) TO '{path}' (HEADER, DELIMITER ',')", [rows])


def write_tickets(wh: Warehouse, path: Path, rows: int) -> None:
    """Write `rows` valid tickets, a year of them, for the agents and clients in `wh` to `path`."""
    wh.cursor().execute(f"COPY ({_TICKETS_SQL}) TO '{path}' (HEADER, DELIMITER ',')", [rows, rows])


def main(argv: list[str] | None = None) -> int:
    from csdata.demo.sample import build_sample
    from csdata.imports import ingest

    p = argparse.ArgumentParser(prog="python -m csdata.demo.bench_import", description=__doc__)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--kind", choices=("audits", "tickets"), default="audits", help="what the file holds")
    p.add_argument("--dir", type=Path, help="work in this folder (default: a temporary one)")
    p.add_argument(
        "--db",
        type=str,
        help="import into this empty PostgreSQL database (postgresql://...) instead, the demo copied in first",
    )
    args = p.parse_args(argv)
    kind = args.kind

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        db, floor_db, csv = (Path(tmp) / name for name in ("bench.duckdb", "floor.duckdb", f"{kind}.csv"))
        wh = Warehouse(db, create=True)
        try:
            build_sample(wh, tickets=1000)
            started = time.perf_counter()
            (write_tickets if kind == "tickets" else write_audits)(wh, csv, args.rows)
            write_s = time.perf_counter() - started
        finally:
            wh.close()
        shutil.copyfile(db, floor_db)  # the same starting point for (c)
        size_mib = csv.stat().st_size / 2**20
        print(f"{kind} file: {args.rows:,} rows, {size_mib:,.0f} MiB, written in {write_s:.1f} s")

        wh = Warehouse(db)
        try:
            runs = []  # (a) three times: one run of it alone varies by a third on a shared machine
            for _ in range(3):
                started = time.perf_counter()
                wh.cursor().execute("CREATE TABLE _bench_read_csv AS SELECT * FROM read_csv(?)", [str(csv)])
                runs.append(time.perf_counter() - started)
                loaded = wh.scalar("SELECT count(*) FROM _bench_read_csv")
                wh.cursor().execute("DROP TABLE _bench_read_csv")
                assert loaded == args.rows, loaded
            duckdb_s = statistics.median(runs)
            print(
                f"(a) DuckDB read_csv into a table: {duckdb_s:.2f} s"
                f" (median of {', '.join(f'{r:.2f}' for r in runs)})"
            )

            into = wh
            if args.db:  # the same demo company in PostgreSQL, then the file imported there
                from csdata.store import transfer

                into = Warehouse(args.db)
                transfer.copy_warehouse(wh, into, say=lambda _line: None)
            steps: list[tuple[str, float]] = []
            started = time.perf_counter()
            report = ingest.import_file(  # (the file as `csdata import` reads it)
                into,
                kind,
                ingest.read_file(csv.read_bytes(), csv.name, csv),
                csv.name,
                "bench",
                progress=lambda _fraction, step: steps.append((step, time.perf_counter())),
            )
            import_s = time.perf_counter() - started
            assert (report.imported, report.rejected) == (args.rows, 0), report.as_json()
            if into is not wh:
                into.close()
        finally:
            wh.close()
        marks = [("start", started), *steps]
        split = ", ".join(
            f"{name} {end - begin:.2f} s"
            for (name, begin), (_next, end) in zip(marks[1:], marks[2:], strict=False)
        )
        engine = " into PostgreSQL" if args.db else ""
        print(f"(b) csdata import_file{engine} (decode, check, commit): {import_s:.2f} s ({split})")
        print(f"ratio (b) / (a): {import_s / duckdb_s:.2f}")
        if args.db:  # (c) is DuckDB's own floor: not measured for PostgreSQL
            print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
            return 0

        wh = Warehouse(floor_db)
        try:
            started = time.perf_counter()
            for sql in _TICKETS_FLOOR_SQL if kind == "tickets" else _FLOOR_SQL:
                wh.cursor().execute(sql, [str(csv)] if "?" in sql else [])
            floor_s = time.perf_counter() - started
        finally:
            wh.close()
        print(
            f"(c) DuckDB alone, the same rows into {'tickets' if kind == 'tickets' else 'audits + audit_scores'},"
            f" no checks: {floor_s:.2f} s"
            f" = {floor_s / duckdb_s:.2f} x (a)"
        )
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {peak_mib:,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
