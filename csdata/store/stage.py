"""Where a file's rows are read, typed and checked before they are written: an import's stage.

An import reads a file with DuckDB's CSV reader, types its cells and checks every row in SQL
(`csdata.imports.ingest`), in temporary tables beside the warehouse's own: on a DuckDB warehouse
that is the warehouse's connection itself. A PostgreSQL warehouse has no DuckDB connection, and
its server cannot read the file the user uploaded; rather than a second text of every check in
PostgreSQL's SQL, the checks run in a `Stage`: a private in-memory DuckDB warehouse (the same
migrations, so the same tables and types) holding copies of what the checks read. That is the
small master data whole (clients, people, teams, periods, requisitions, candidates) and, of the
large facts, only the rows the file's own keys name (`bring`): the stored tickets with the
file's ticket ids, the audits it refers to. The checked rows (`_typed`) then go to PostgreSQL by
COPY inside the import's transaction (`adopt`), where the same statements as on DuckDB, translated,
find what is already present, insert, correct and keep the trail, under the write lock. So a
form and a file obey exactly the same rules on either engine. The checks see the master data as
it was when the file was read (before the lock: a long file does not hold up other users while
it is checked); whether a row's record is already present is decided again under the lock, so
two processes importing the same rows at once insert them once. The stage lives in the store
because it is a warehouse of its own, and the one place an import meets the engines.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from csdata.store import transfer
from csdata.store.sql import ident, literal
from csdata.store.warehouse import Warehouse


class Stage(Warehouse):
    """A PostgreSQL warehouse's import stage: an in-memory DuckDB warehouse with copies of the
    tables `tables` (whole) of `source`; more rows come in by `bring`."""

    def __init__(self, source: Warehouse, tables: Iterable[str] = ()) -> None:
        super().__init__(":memory:", create=True)
        self.source = source
        self.address = source.address
        # (what does not fit in memory goes to a folder of its own, removed by `close`)
        self._spill = tempfile.mkdtemp(prefix="csdata-stage-")
        self.cursor().execute(f"SET temp_directory = {literal(self._spill)}")
        for table in transfer.ordered(list(dict.fromkeys(tables))):  # (parents of a foreign key first)
            self.bring(table)

    def _ensure_rollups(self) -> None:
        """None: a stage serves no page, and its rows are only the checks'."""

    def bring(self, table: str, where: str = "", params: list[Any] | None = None) -> int:
        """Copy the rows of the source's `table` (those matching `where`, SQL over it with
        `params`) into the stage's; the count copied."""
        rows = self.source.df(f"SELECT * FROM {ident(table)} {where}", params or [])
        with self.transaction("csdata", "stage", logged=False) as w:  # (a stage keeps no rollups)
            return w.insert_df(table, rows)

    def frames(self, sql: str, rows: int = 100_000) -> Iterator[pd.DataFrame]:
        """As the warehouse's, but on this thread's cursor, whose temporary tables (the import's)
        another cursor would not see."""
        cur = self.cursor()
        cur.execute(sql)
        vectors = max(1, rows // 2048)
        while len(chunk := cur.fetch_df_chunk(vectors)):
            yield chunk

    def close(self) -> None:
        super().close()
        shutil.rmtree(self._spill, ignore_errors=True)


@contextmanager
def stage(wh: Warehouse, tables: Iterable[str] = ()) -> Iterator[Warehouse]:
    """The stage of an import into `wh`: `wh` itself when it is a DuckDB file, else a `Stage`
    holding copies of `tables`, closed at the end."""
    if wh.engine == "duckdb":
        yield wh
        return
    staged = Stage(wh, tables)
    try:
        yield staged
    finally:
        staged.close()


def bring(staged: Warehouse, table: str, column: str, keys: str) -> None:
    """Into a stage, the rows of the source's `table` whose `column` is among the values of the
    stage's query `keys` (the file's ids, say); nothing on a warehouse that is its own stage."""
    if not isinstance(staged, Stage):
        return
    values = [v for v in staged.column(keys) if v is not None]
    if values:
        staged.bring(table, f"WHERE {ident(column)} IN (SELECT unnest(?))", [values])


def adopt(w, staged: Warehouse, table: str) -> None:
    """Make the stage's temporary table `table` one of the transaction `w`'s (a PostgreSQL
    warehouse's: created there and filled by COPY, dropped when the transaction ends); on a
    warehouse that is its own stage it is there already."""
    if not isinstance(staged, Stage):
        return
    columns = staged.rows(f"SELECT column_name, column_type FROM (DESCRIBE {table})")
    # (a column DuckDB typed NULL, every value of it missing, is text: PostgreSQL has no such type)
    untyped = ("NULL", '"NULL"')
    typed = ", ".join(f"{ident(c)} {'VARCHAR' if t in untyped else t}" for c, t in columns)
    w.execute(f"CREATE TEMP TABLE {table} ({typed})")
    for piece in staged.frames(f"SELECT * FROM {table}"):
        w.insert_df(table, piece)
    w.analyze(table)
