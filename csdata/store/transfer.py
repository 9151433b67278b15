"""Moving a warehouse to another one: a DuckDB file into a PostgreSQL database (`csdata copy`).

A company that starts on one DuckDB file and later needs several app servers moves its history
into PostgreSQL without losing a row or an audit-log line. `copy_warehouse` does it through the
warehouse's own door on both sides, so either engine can be the source or the target:

- The target is a migrated warehouse that holds no records yet (`records` names what it holds);
  its schema is made by its own migrations, so only rows travel, never DDL of the other engine.
- Every table the migrations made is copied but `schema_migrations` (the target has its own);
  the rollups are not copied: the target recomputes them from the copied facts in the same
  transaction (`Writer.rolled_up`: every day), so they are right for its engine by
  construction. A table of the company's own in the same database is left alone.
- Rows travel in frames (`Warehouse.frames`), a chunk at a time, so ten million tickets never sit
  in memory at once; the parents of a foreign key are copied before their children.
- Each table's planner statistics are gathered once it is filled (`Writer.analyze`): PostgreSQL
  plans the rollups' statements from them, in the same transaction.
- The sequences are set on the target to continue after the copied ids.
- All of it is one transaction on the target: a failed or interrupted copy leaves it as it was.
  A long copy says how far it is (`say`).

`clear` drops csdata's own tables from a PostgreSQL database, for `csdata init --force`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from csdata.analytics import rollup_forms as forms
from csdata.store.warehouse import Warehouse, WarehouseError, _migrations
from csdata.text.i18n import t

ROWS = 200_000  # rows per frame: large enough for COPY to be efficient, small next to memory
SKIPPED = ("schema_migrations",)  # the target's own; `meta` travels (the source's keys replace it)
ROLLUPS = (*forms.ROLLUP_TABLES.values(), forms.HOURLY_TABLE, forms.HISTOGRAM_TABLE, forms.FOLLOWUPS_TABLE)
_KEPT_WHEN_EMPTY = ("schema_migrations", "meta")  # what a just-migrated warehouse already holds


def _schema() -> tuple[dict[str, set[str]], list[str]]:
    """From the migrations: each table with the tables its foreign keys name, and the sequences."""
    parents: dict[str, set[str]] = {}
    sequences: list[str] = []
    for _, _, sql in _migrations():
        for statement in sql.split(";"):
            if made := re.search(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", statement, re.I):
                parents[made.group(1)] = set(re.findall(r"REFERENCES\s+(\w+)", statement, re.I))
            if renamed := re.search(r"ALTER\s+TABLE\s+(\w+)\s+RENAME\s+TO\s+(\w+)", statement, re.I):
                parents[renamed.group(2)] = parents.pop(renamed.group(1), set())
            sequences += re.findall(r"CREATE\s+SEQUENCE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", statement, re.I)
    return parents, sequences


def ordered(tables: list[str]) -> list[str]:
    """The tables with every parent of a foreign key before its children (else by name)."""
    parents = _schema()[0]
    done: list[str] = []

    def visit(table: str) -> None:
        if table not in done:
            for parent in sorted(parents.get(table, ())):
                if parent in tables:
                    visit(parent)
            done.append(table)

    for table in sorted(tables):
        visit(table)
    return done


def copied_tables(wh: Warehouse) -> list[str]:
    """The tables a copy carries (csdata's own, made by its migrations: not another table of the
    same database), in the order it carries them."""
    ours = _schema()[0]
    return ordered([n for n in wh.tables() if n in ours and n not in SKIPPED])


def records(wh: Warehouse) -> dict[str, int]:
    """The tables of `wh` that hold records (rows beyond what its migrations put there), with rows."""
    found = {}
    for table in copied_tables(wh):
        if table not in _KEPT_WHEN_EMPTY and (n := int(wh.scalar(f'SELECT count(*) FROM "{table}"'))):
            found[table] = n
    return found


def copy_warehouse(
    source: Warehouse, target: Warehouse, say: Callable[[str], None] = print, lang: str = "en"
) -> dict[str, int]:
    """Copy every record of `source` into the empty warehouse `target`, in one transaction of the
    target; returns the rows copied per table. Refused (WarehouseError) when the target holds
    records, or its tables are not the source's (another csdata version)."""
    if held := records(target):
        table, rows = next(iter(held.items()))
        raise WarehouseError("mv_err_target_not_empty", path=target.address, table=table, rows=f"{rows:,}")
    tables = copied_tables(source)
    if missing := sorted(set(tables) - set(target.tables())):
        raise WarehouseError("mv_err_target_schema", path=target.address, tables=", ".join(missing))
    started = time.perf_counter()
    counts: dict[str, int] = {}
    with target.transaction("csdata", "warehouse.copy", detail={"source": source.address}) as w:
        w.rolled_up(every=True)  # the rollups recomputed from all the copied facts, before the commit
        for table in tables:
            w.execute(f'DELETE FROM "{table}"')  # (`meta`: the target's own keys give way)
            total = int(source.scalar(f'SELECT count(*) FROM "{table}"'))
            done = 0
            for frame in source.frames(f'SELECT * FROM "{table}"', ROWS):
                done += w.insert_df(table, frame)
                if total > ROWS:
                    say(t("mv_copy_progress", lang, table=table, done=f"{done:,}", total=f"{total:,}"))
            counts[table] = done
            w.analyze(table)
            say(t("mv_copy_table", lang, table=table, rows=f"{done:,}", seconds=_since(started)))
        for name, last in source.sequences().items():
            if last is not None and name in target.sequences():
                w.continue_sequence(name, last)
        w.detail["rows"] = sum(counts.values())
        say(t("mv_copy_rollups", lang, seconds=_since(started)))
    return counts


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f}"


def clear(wh: Warehouse) -> None:
    """Drop csdata's own tables and sequences from a PostgreSQL warehouse: those its migrations
    make, the rollups and `schema_migrations`, nothing else of the database (one transaction).
    Open the address again afterwards: that migrates it anew."""
    if wh.engine != "postgresql":
        raise ValueError("clear is for a PostgreSQL warehouse")
    parents, sequences = _schema()
    ours = set(wh.tables()) & {*parents, *ROLLUPS, "schema_migrations"}
    with wh.transaction("csdata", "warehouse.clear", logged=False) as w:
        for table in sorted(ours):
            w.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
        for name in sequences:
            w.execute(f"DROP SEQUENCE IF EXISTS {name}")
