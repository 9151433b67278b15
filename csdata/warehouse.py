"""The warehouse: the one module that imports duckdb.

It opens the file, applies the numbered migrations in `csdata/migrations/` (recording each in
`schema_migrations`), hands each thread its own cursor (Streamlit serves every browser session
from a thread of one process, and a DuckDB connection must not be shared across threads), and
runs every write as one transaction together with its audit-log row. Everything above it speaks
SQL text with bound parameters and gets pandas frames back; nothing above it sees a duckdb type
or a duckdb exception.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from csdata.i18n import Problem


class WarehouseError(Problem):
    """A warehouse problem a user can act on; `key` names its message in `csdata.i18n`."""

    def __str__(self) -> str:
        from csdata.i18n import t

        return t(self.key, "en", **self.params)


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("csdata.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Warehouse:
    """One DuckDB database file, shared by the threads of one process."""

    def __init__(self, path: str | Path, *, create: bool = False, read_only: bool = False) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise WarehouseError("err_no_warehouse", path=str(self.path))
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                raise WarehouseError("err_locked", path=str(self.path)) from None
            raise WarehouseError("err_not_a_warehouse", path=str(self.path)) from None
        except duckdb.Error:
            raise WarehouseError("err_not_a_warehouse", path=str(self.path)) from None
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self.read_only = read_only
        if not read_only:
            self.migrate()
        elif not self._has_table("schema_migrations"):
            raise WarehouseError("err_not_a_warehouse", path=str(self.path))

    # -- connections -------------------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor (created on first use)."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def close(self) -> None:
        self._con.close()

    # -- reading -----------------------------------------------------------------------------

    def df(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        return self.cursor().execute(sql, params or []).df()

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple]:
        return self.cursor().execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        row = self.cursor().execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def column(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[Any]:
        return [r[0] for r in self.rows(sql, params)]

    def _has_table(self, name: str) -> bool:
        return bool(
            self.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name])
        )

    # -- writing -----------------------------------------------------------------------------

    @contextmanager
    def transaction(
        self,
        actor: str,
        action: str,
        entity: str | None = None,
        detail: dict[str, Any] | None = None,
        at: dt.datetime | None = None,
    ) -> Iterator[Writer]:
        """Run the caller's writes and one audit-log row as a single transaction.

        Either everything the block wrote lands, with the log row saying who did what, or
        nothing does.
        """
        cur = self.cursor()
        # One writer at a time in this process (the only process that may write the file): a
        # block reads the state it decides on inside its own transaction, under this lock, so
        # two users' steps on one record follow each other instead of racing, and ids taken
        # inside the block are not taken twice. A nested block on the same thread is refused.
        if getattr(self._local, "writing", False):
            raise RuntimeError("nested warehouse transaction")
        with self._write_lock:
            self._local.writing = True
            try:
                cur.execute("BEGIN TRANSACTION")
                writer = Writer(cur)
                try:
                    yield writer
                    payload = {**(detail or {}), **writer.detail}
                    cur.execute(
                        "INSERT INTO audit_log (at_time, actor, action, entity, detail)"
                        " VALUES (coalesce(?, current_localtimestamp()), ?, ?, ?, ?)",
                        [at, actor, action, entity, json.dumps(payload, default=str, ensure_ascii=False)],
                    )
                    cur.execute("COMMIT")
                except duckdb.TransactionException:
                    # A write conflict with another connection: nothing of the block landed.
                    cur.execute("ROLLBACK")
                    raise WarehouseError("err_write_conflict") from None
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
            finally:
                self._local.writing = False

    def migrate(self) -> list[str]:
        """Apply migrations not yet recorded; return the names applied."""
        cur = self.cursor()
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())"
        )
        done = {r[0] for r in cur.execute("SELECT version FROM schema_migrations").fetchall()}
        applied = []
        for version, name, sql in _migrations():
            if version in done:
                continue
            cur.execute("BEGIN TRANSACTION")
            try:
                cur.execute(sql)
                cur.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            applied.append(name)
        return applied

    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])


class Writer:
    """What a transaction block may do: run statements and insert frames into tables."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self._cur = cur
        self.detail: dict[str, Any] = {}

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> None:
        self._cur.execute(sql, params or [])

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        row = self._cur.execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def insert_df(self, table: str, frame: pd.DataFrame) -> int:
        """Append a frame to a table, matching columns by name."""
        if frame.empty:
            return 0
        self._cur.register("_incoming", frame)
        try:
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            self._cur.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _incoming')
        finally:
            self._cur.unregister("_incoming")
        return len(frame)
