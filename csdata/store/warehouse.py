"""The warehouse: the one door to the data, and the one module that imports duckdb.

A warehouse is a DuckDB file (the default: one command, no server) or, for a company that runs
several app servers and imports while they serve, a PostgreSQL database named by a
`postgresql://` address (`csdata.store.postgres`, with the SQL translated by
`csdata.store.dialect`). Either way it opens the database, applies the numbered migrations in `csdata/store/migrations/` (recording each in
`schema_migrations`), hands each thread its own cursor (Streamlit serves every browser session
from a thread of one process, and a DuckDB connection must not be shared across threads), and
runs every write as one transaction together with its audit-log row. Everything above it speaks
SQL text with bound parameters and gets pandas frames back; nothing above it sees a duckdb type
or a duckdb exception.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from csdata.store import dialect, postgres, rollups
from csdata.text.i18n import Problem, text_key


class WarehouseError(Problem):
    """A warehouse problem a user can act on; `key` names its message in `csdata.text.i18n`."""

    def __str__(self) -> str:
        from csdata.text.i18n import t

        return t(self.key, "en", **self.params)


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("csdata.store.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


ROLLUPS_FROM = 18  # the migration from which a warehouse keeps rollups


class Warehouse:
    """One warehouse (a DuckDB file or a PostgreSQL database), shared by the threads of one process."""

    def __init__(self, path: str | Path, *, create: bool = False, read_only: bool = False) -> None:
        self.engine = "postgresql" if postgres.is_url(path) else "duckdb"
        self._db: postgres.Database | None = None
        self._con = None
        if self.engine == "postgresql":
            self.path = None  # no file: `address` names it
            self.address = postgres.shown(str(path))
            try:
                self._db = postgres.Database(str(path))
            except postgres.Error as exc:
                raise WarehouseError("err_pg_unreachable", path=self.address, detail=str(exc)) from None
        else:
            self.path = Path(path)
            self.address = str(self.path)
            self._open_file(create, read_only)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self.read_only = read_only
        self._rolled_up = False  # keeps rollups: from migration 018 on (`csdata.store.rollups`)
        if not read_only:
            self.migrate()
            self._ensure_rollups()
            if self._db is not None:
                self._index()
            return
        refused = None
        if not self._has_table("schema_migrations"):
            refused = text_key("err_not_a_warehouse")
        elif self.pending() or not rollups.current(self.cursor()):  # (a file before 018 has pending ones)
            # a reader cannot apply them, and the queries expect their schema and rollups
            refused = text_key("err_needs_update")
        if refused:
            self.close()  # else this process could not open the file again another way
            raise WarehouseError(refused, path=self.address)

    def _open_file(self, create: bool, read_only: bool) -> None:
        if not create and not self.path.exists():
            raise WarehouseError("err_no_warehouse", path=str(self.path))
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            if _held_by_another(exc):
                raise WarehouseError("err_locked", path=str(self.path)) from None
            raise WarehouseError("err_not_a_warehouse", path=str(self.path)) from None
        except duckdb.Error:
            raise WarehouseError("err_not_a_warehouse", path=str(self.path)) from None

    # -- connections -------------------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection | postgres.Cursor:
        """This thread's cursor (created on first use)."""
        if self._db is not None:
            return self._db.cursor()
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
        else:
            self._con.close()

    def _begin(self, cur) -> None:
        if self._db is not None:
            cur.begin()
        else:
            cur.execute("BEGIN TRANSACTION")

    def _commit(self, cur) -> None:
        if self._db is not None:
            cur.commit()
        else:
            cur.execute("COMMIT")

    def _rollback(self, cur) -> None:
        if self._db is not None:
            cur.rollback()
        else:
            cur.execute("ROLLBACK")

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

    def frames(self, sql: str, rows: int = 100_000) -> Iterator[pd.DataFrame]:
        """The result of `sql` (no parameters) in frames of about `rows` rows, one at a time: a
        table of millions of rows is read without holding it whole (`csdata.store.transfer`)."""
        if self._db is not None:
            yield from self._db.cursor().frames(sql, rows)
            return
        cur = self._con.cursor()  # a stream of its own, beside this thread's cursor
        try:
            cur.execute(sql)
            vectors = max(1, rows // 2048)  # DuckDB hands out results in vectors of 2,048 rows
            while len(chunk := cur.fetch_df_chunk(vectors)):
                yield chunk
        finally:
            cur.close()

    def tables(self) -> list[str]:
        """The names of the warehouse's tables (not views), sorted."""
        return self.column(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_type = 'BASE TABLE' ORDER BY table_name"
        )

    def sequences(self) -> dict[str, int | None]:
        """Each sequence of the warehouse and the last value it gave (None: never used)."""
        if self._db is not None:
            sql = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"
        else:
            sql = "SELECT sequence_name, last_value FROM duckdb_sequences() WHERE schema_name = current_schema()"
        return {name: None if last is None or last != last else int(last) for name, last in self.rows(sql)}

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
        *,
        logged: bool = True,
    ) -> Iterator[Writer]:
        """Run the caller's writes and one audit-log row as a single transaction.

        Either everything the block wrote lands, with the log row saying who did what, or
        nothing does. `logged=False` is for bookkeeping that is nobody's action and would only
        flood the log (a session's last-seen time); it is still one transaction under the lock.
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
                self._begin(cur)
                writer = Writer(cur)
                try:
                    yield writer
                    if (
                        writer.touched and self._rolled_up
                    ):  # the rollups of the days the block changed, in its transaction
                        rollups.refresh(cur, writer.rollup_days())
                    if logged:
                        payload = {**(detail or {}), **writer.detail}
                        cur.execute(
                            "INSERT INTO audit_log (id, at_time, actor, action, entity, detail)"
                            " VALUES (coalesce(?, nextval('audit_log_seq')), coalesce(?, current_localtimestamp()),"
                            " ?, ?, ?, ?)",
                            [
                                writer._log_id,
                                at,
                                actor,
                                action,
                                writer.entity or entity,
                                json.dumps(payload, default=str, ensure_ascii=False),
                            ],
                        )
                    self._commit(cur)
                except (duckdb.TransactionException, postgres.Error) as exc:
                    self._rollback(cur)
                    if isinstance(exc, postgres.Error) and exc.kind != "conflict":
                        raise WarehouseError(
                            "err_pg_unreachable", path=self.address, detail=str(exc)
                        ) from None
                    # A write conflict with another connection: nothing of the block landed.
                    raise WarehouseError("err_write_conflict") from None
                except BaseException:
                    self._rollback(cur)
                    raise
            finally:
                self._local.writing = False

    def _ensure_rollups(self) -> None:
        """Build the rollups when this warehouse has none, or none of the catalog's current shape
        (`csdata.store.rollups`), in one transaction."""
        cur = self.cursor()
        self._rolled_up = bool(
            cur.execute(f"SELECT count(*) FROM schema_migrations WHERE version = {ROLLUPS_FROM}").fetchone()[
                0
            ]
        )
        if not self._rolled_up or rollups.current(cur):
            return
        with self._write_lock, self._bookkeeping() as cur:
            if not rollups.current(cur):  # (another process may have built them meanwhile)
                rollups.rebuild(cur)

    @contextmanager
    def _bookkeeping(self) -> Iterator[duckdb.DuckDBPyConnection | postgres.Cursor]:
        """One transaction of the warehouse's own upkeep (a migration, the rollups' rebuild, the
        indexes), on this thread's cursor, with no audit-log row: committed at the end of the
        block, rolled back on any exception."""
        cur = self.cursor()
        self._begin(cur)
        try:
            yield cur
            self._commit(cur)
        except BaseException:
            self._rollback(cur)
            raise

    def pending(self) -> list[str]:
        """The migrations this warehouse has not had yet (a file made by an older csdata)."""
        done = set(self.column("SELECT version FROM schema_migrations"))
        return [name for version, name, _ in _migrations() if version not in done]

    def migrate(self) -> list[str]:
        """Apply migrations not yet recorded; return the names applied."""
        # (each step on PostgreSQL under the write lock: one process migrates at a time)
        with self._bookkeeping() as cur:
            if self._db is not None:
                cur.raw(dialect.COMPAT)
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                " applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())"
            )
        applied = []
        for version, name, sql in _migrations():
            with self._bookkeeping() as cur:
                if cur.execute("SELECT 1 FROM schema_migrations WHERE version = ?", [version]).fetchone():
                    continue
                if self._db is not None:
                    cur.script(sql)
                else:
                    cur.execute(sql)
                cur.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
                applied.append(name)
        return applied

    def _index(self) -> None:
        """On PostgreSQL, the indexes of `postgres.INDEXES` (a rebuild of the rollups drops
        theirs, so this runs at every read-write open, after the migrations and the rollups)."""
        with self._write_lock, self._bookkeeping() as cur:
            cur.raw(postgres.INDEXES)

    # -- backup ----------------------------------------------------------------------------

    def backup_to(self, target: str | Path) -> int:
        """A consistent copy of the warehouse at `target`, while it serves; returns its bytes.

        DuckDB copies it (`COPY FROM DATABASE` into a new attached file: schema, sequences and
        rows, read in one transaction, so one consistent moment), under the write lock, so no
        write of this process, the only one that may write the file, is half done. The file is
        not copied byte by byte: opening and closing it here would drop DuckDB's own lock on it.
        The copy is written beside the target, checked, and moved into place.
        """
        if self._db is not None:
            raise WarehouseError("err_pg_backup", path=self.address)
        target = Path(target)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        cur = self.cursor()
        with self._write_lock:
            name = cur.execute("SELECT current_database()").fetchone()[0]
            cur.execute("ATTACH ? AS csdata_backup", [str(partial)])
            try:
                cur.execute(f'COPY FROM DATABASE "{name}" TO csdata_backup')
            finally:
                cur.execute("DETACH csdata_backup")
        try:
            check_warehouse(partial)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
            Path(str(partial) + ".wal").unlink(missing_ok=True)
        return target.stat().st_size

    def serve_backups(self, every: float = 0.5) -> None:
        """Answer `csdata backup` from another process: that process cannot open a file this one
        holds, so it leaves a request beside the warehouse and this thread makes the copy through
        this connection (see `request_backup`). Started once per process by the app."""
        if self.read_only or self._db is not None or getattr(self, "_backups", None) is not None:
            return

        def loop() -> None:
            request = _backup_file(self.path, "request")
            while True:
                time.sleep(every)
                try:
                    body = json.loads(request.read_text(encoding="utf-8"))
                    request.unlink()
                except (OSError, ValueError):
                    continue
                try:
                    result = {"id": body.get("id"), "bytes": self.backup_to(body["target"])}
                except Exception as exc:  # told to the waiting command, which says it in one line
                    result = {"id": body.get("id"), "error": f"{type(exc).__name__}: {exc}"[:300]}
                done = _backup_file(self.path, "done")
                done.with_name(done.name + ".partial").write_text(json.dumps(result), encoding="utf-8")
                done.with_name(done.name + ".partial").replace(done)

        self._backups = threading.Thread(target=loop, name="csdata-backups", daemon=True)
        self._backups.start()

    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])


def _backup_file(db: Path, what: str) -> Path:
    return db.with_name(f"{db.name}.backup-{what}")


def check_warehouse(path: str | Path) -> None:
    """Raise WarehouseError unless `path` opens read-only as a csdata warehouse."""
    Warehouse(path, read_only=True).close()


def is_held(path: str | Path) -> bool:
    """Whether another process holds the file (DuckDB's lock), so it may not be replaced."""
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as exc:
        return _held_by_another(exc)
    except duckdb.Error:
        return False
    return False


def _held_by_another(exc: duckdb.IOException) -> bool:
    """Whether DuckDB refused to open a file because another process holds its lock."""
    return "lock" in str(exc).lower()


def backup(db: str | Path, target: str | Path, wait_seconds: float = 60) -> int:
    """Copy the warehouse `db` to `target` consistently; returns the copy's bytes.

    When no other process holds the file, this process opens it and copies it itself; when the
    app holds it, the app makes the copy through its own connection (`serve_backups`), asked by a
    request file beside the warehouse, and this waits for its answer.
    """
    db, target = Path(db).resolve(), Path(target).resolve()
    if not db.exists():
        raise WarehouseError("err_no_warehouse", path=str(db))
    if target == db:
        raise WarehouseError("err_backup_onto_itself", path=str(db))
    if not is_held(db):
        wh = Warehouse(db)
        try:
            return wh.backup_to(target)
        finally:
            wh.close()
    request, done = _backup_file(db, "request"), _backup_file(db, "done")
    ticket = secrets.token_hex(8)
    done.unlink(missing_ok=True)
    request.write_text(json.dumps({"id": ticket, "target": str(target)}), encoding="utf-8")
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            answer = json.loads(done.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if answer.get("id") != ticket:
            continue
        done.unlink(missing_ok=True)
        if "error" in answer:
            raise WarehouseError("err_backup_failed", detail=answer["error"])
        return int(answer["bytes"])
    request.unlink(missing_ok=True)
    raise WarehouseError("err_backup_no_answer", path=str(db), seconds=int(wait_seconds))


def restore(copy: str | Path, db: str | Path) -> None:
    """Put a backup in place of the warehouse `db`; refused while any process holds `db`."""
    copy, db = Path(copy).resolve(), Path(db).resolve()
    if not copy.exists():
        raise WarehouseError("err_no_warehouse", path=str(copy))
    check_warehouse(copy)
    if db.exists() and is_held(db):
        raise WarehouseError("err_held", path=str(db))
    partial = db.with_name(db.name + ".partial")
    try:
        shutil.copyfile(copy, partial)
        check_warehouse(partial)
        Path(str(db) + ".wal").unlink(missing_ok=True)  # a log of the replaced file must not replay
        partial.replace(db)
    finally:
        partial.unlink(missing_ok=True)


# A statement that writes a table the rollups sum (`csdata.store.rollups`).
_ROLLED_UP = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?:tickets|complaint_rounds)\b', re.I
)


class Writer:
    """What a transaction block may do: run statements and insert frames into tables.

    A block that writes tickets or complaint rounds names what it changes (`rolled_up`), and the
    transaction recomputes the rollups of those days before it commits. A frame inserted into
    either table names itself. A write to them that nothing named makes every day recomputed:
    never wrong, only slower."""

    def __init__(self, cur: duckdb.DuckDBPyConnection | postgres.Cursor) -> None:
        self._cur = cur
        self.detail: dict[str, Any] = {}
        self.entity: str | None = None  # names the record in the audit-log row, when set in the block
        self._log_id: int | None = None
        self._days: set[dt.date] = set()
        self._tickets: set[str] = set()
        self._unnamed = False

    def rolled_up(
        self, *, days: Iterable[dt.date] = (), tickets: Iterable[str] = (), every: bool = False
    ) -> None:
        """Name the days, or the tickets (by id: their days now and at the commit, for a
        correction that moves one), whose tickets or complaint rounds the block changes; or
        `every` day (a block that writes all the facts: the rollups are recomputed whole). Call
        it before the writes."""
        if every:
            self._unnamed = True
        if self._unnamed:
            return
        self._days.update(days)
        ids = [i for i in tickets if i not in self._tickets]
        if ids:
            self._tickets.update(ids)
            self._days.update(self._ticket_days(ids))

    def _ticket_days(self, ids: list[str]) -> list[dt.date]:
        return self.column(
            "SELECT DISTINCT CAST(t.opened_at AS DATE) FROM tickets t"
            " JOIN (SELECT unnest(?) AS ticket_id) i USING (ticket_id)",
            [ids],
        )

    @property
    def touched(self) -> bool:
        return self._unnamed or bool(self._days)

    def rollup_days(self) -> set[dt.date] | None:
        """The days whose rollups the block changed (None: every day)."""
        if self._unnamed:
            return None
        return self._days | set(self._ticket_days(list(self._tickets))) if self._tickets else self._days

    def _watch(self, sql: str) -> None:
        if not self._days and not self._tickets and _ROLLED_UP.match(sql):
            self._unnamed = True

    def log_id(self) -> int:
        """The id the block's audit-log row will have (taken now, so rows written in the block can
        point at it)."""
        if self._log_id is None:
            self._log_id = int(self.scalar("SELECT nextval('audit_log_seq')"))
        return self._log_id

    def continue_sequence(self, name: str, last: int) -> None:
        """Make the sequence `name`, unused so far, give `last + 1` next (after a copy of rows
        whose ids it gave up to `last`)."""
        if isinstance(self._cur, postgres.Cursor):
            self._cur.execute("SELECT setval(?, ?)", [name, last])
        else:  # (DuckDB cannot set a sequence, nor replace one a column's default uses)
            self._cur.execute(f"SELECT max(nextval('{name}')) FROM range(?)", [last])

    def analyze(self, table: str) -> None:
        """Bring the planner's statistics of a table just filled up to date, for the statements
        after it in the block (the rollups'). PostgreSQL plans from them and would otherwise see
        ten million new tickets as an empty table; DuckDB keeps its own as it writes."""
        if isinstance(self._cur, postgres.Cursor):
            self._cur.raw(f'ANALYZE "{table}"')

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> None:
        self._watch(sql)
        self._cur.execute(sql, params or [])

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        self._watch(sql)
        row = self._cur.execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple]:
        return self._cur.execute(sql, params or []).fetchall()

    def column(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[Any]:
        return [r[0] for r in self.rows(sql, params)]

    def insert_df(self, table: str, frame: pd.DataFrame) -> int:
        """Append a frame to a table, matching columns by name."""
        if frame.empty:
            return 0
        if table == "tickets":
            self.rolled_up(days=pd.to_datetime(frame["opened_at"]).dt.date.unique())
        elif table == "complaint_rounds":
            self.rolled_up(tickets=frame["ticket_id"].astype(str).unique())
        if isinstance(self._cur, postgres.Cursor):
            self._cur.insert_frame(table, frame)
            return len(frame)
        self._cur.register("_incoming", frame)
        try:
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            self._cur.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _incoming')
        finally:
            self._cur.unregister("_incoming")
        return len(frame)
