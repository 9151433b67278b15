"""PostgreSQL as the warehouse: the one module that imports psycopg.

A company that outgrows one machine keeps its warehouse in a PostgreSQL server: several app
servers and a nightly import then share it, which one DuckDB file cannot allow. The warehouse
(`csdata.store.warehouse`) stays the only door; for a `postgresql://` address it talks through
`Cursor` here instead of a DuckDB cursor, with the same small surface the rest of the store uses
(`execute(...)` then `fetchone`, `fetchall` or `df`), so the transactions, migrations and rollups
are one code for both engines.

- Connections come from a psycopg pool, in autocommit; a read takes one for its statement and
  gives it back, a transaction holds one from BEGIN to COMMIT.
- Every statement is written in the house dialect and translated by `csdata.store.dialect`
  (cached per text); parameters go as PostgreSQL's `$1, $2, ...` through psycopg's raw cursor.
- Frames come back typed the way DuckDB's do (dates and times as datetime64, nullable integers
  as Int32/Int64, numeric as float), so the pages and the metric tests see no difference.
- A frame is inserted with COPY (`insert_frame`), PostgreSQL's bulk path; a large result is read
  in frames through a server-side cursor (`frames`), so it never sits in memory whole.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
from psycopg import errors
from psycopg.types.numeric import FloatLoader
from psycopg.types.string import StrDumper, TextLoader
from psycopg_pool import ConnectionPool
from pyarrow import csv as pa_csv

from csdata.store import dialect

# A key for the advisory lock that lets one writer at a time into the warehouse, across every
# process that shares the database (the app servers and an import): see `Cursor.begin`.
WRITE_LOCK = 0x6373_6461_7461  # "csdata"

# Indexes a row store needs where DuckDB's column store does without (its high-volume facts keep
# no key index, for the speed of bulk inserts): a ticket or an audit looked up by its id, the
# facts of a period, a record's trail, the rollups of a day. Made on PostgreSQL only, at every
# read-write open (`Warehouse._index`).
INDEXES = """
CREATE INDEX IF NOT EXISTS csdata_tickets_id ON tickets (ticket_id);
CREATE INDEX IF NOT EXISTS csdata_tickets_opened ON tickets (opened_at);
CREATE INDEX IF NOT EXISTS csdata_tickets_agent ON tickets (agent_id, opened_at);
CREATE INDEX IF NOT EXISTS csdata_audits_id ON audits (audit_id);
CREATE INDEX IF NOT EXISTS csdata_audits_day ON audits (audited_at);
CREATE INDEX IF NOT EXISTS csdata_audits_agent ON audits (agent_id, audited_at);
CREATE INDEX IF NOT EXISTS csdata_audit_scores_id ON audit_scores (audit_id);
CREATE INDEX IF NOT EXISTS csdata_record_changes ON record_changes (kind, record_id);
CREATE INDEX IF NOT EXISTS csdata_rollup_tickets_day ON rollup_tickets (day);
CREATE INDEX IF NOT EXISTS csdata_rollup_rounds_day ON rollup_rounds (day);
CREATE INDEX IF NOT EXISTS csdata_rollup_hours_day ON rollup_hours (day);
CREATE INDEX IF NOT EXISTS csdata_rollup_histograms_day ON rollup_histograms (day);
"""

_DATES = {1082}
_TIMES = {1114, 1184}
_INTS = {21: "int32", 23: "int32", 20: "int64"}
_FLOATS = {700, 701, 1700}
_BOOLS = {16}


def is_url(target: object) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def shown(url: str) -> str:
    """The address without its password, for messages and cache keys."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[1]}"))


class Error(Exception):
    """A database problem, classified for the warehouse's messages."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(detail)
        self.kind = kind  # "conflict", "unreachable", "failed"


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


class _Text(str):
    """A string sent as `text` (a lone string goes as `unknown`, for PostgreSQL to read as a date
    or a number where the column is one); a list of them is `text[]`, so `unnest($1)` knows its
    type."""


def _configure(conn: psycopg.Connection) -> None:
    # No JIT compilation: the statements are many and short, over estimated costs that reach the
    # server's threshold, and compiling one took up to 4 s of a page's 8 (10 M tickets, PG 15).
    conn.execute("SET jit = off")
    conn.adapters.register_dumper(_Text, StrDumper)
    conn.adapters.register_loader("numeric", FloatLoader)  # DuckDB's DECIMALs come back as floats
    for name in ("json", "jsonb"):  # and its JSON as text, which the callers parse
        conn.adapters.register_loader(name, TextLoader)


class Database:
    """One PostgreSQL database shared by the threads of this process (a pool of connections)."""

    def __init__(self, url: str, *, max_size: int = 8) -> None:
        self.url = url
        try:  # one connection first: an unreachable server or a missing database is said at once
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.Error as exc:
            raise Error("unreachable", _first_line(exc)) from None
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            # (no statement prepared on the server: an import's temporary tables change their
            # columns from one import to the next, which a prepared plan would refuse)
            kwargs={"autocommit": True, "cursor_factory": psycopg.RawCursor, "prepare_threshold": None},
            configure=_configure,
            open=False,
            name="csdata",
        )
        try:
            self._pool.open(wait=True, timeout=10)
        except Exception as exc:
            self._pool.close()
            raise Error("unreachable", _first_line(exc)) from None
        self._local = threading.local()

    def cursor(self) -> Cursor:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = Cursor(self._pool)
        return cur

    def close(self) -> None:
        self._pool.close()


class Cursor:
    """The surface of a DuckDB cursor the store uses, over pooled PostgreSQL connections."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool
        self._held: psycopg.Connection | None = None
        self._names: list[str] = []
        self._types: list[int] = []
        self._rows: list[tuple] = []

    # -- transactions ------------------------------------------------------------------------

    def begin(self) -> None:
        """Hold a connection and open a transaction on it; wait for the warehouse's write lock
        (taken for the transaction, released by its end), so writers of every process follow
        each other as the threads of one process do."""
        self._held = self._pool.getconn()
        try:
            self._held.execute("BEGIN")
            self._held.execute("SELECT pg_advisory_xact_lock($1)", [WRITE_LOCK])
        except BaseException:
            self._release()
            raise

    def commit(self) -> None:
        try:
            self._run(self._held, "COMMIT", [])
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            if self._held is not None and not self._held.closed:
                self._held.execute("ROLLBACK")
        finally:
            self._release()

    def _release(self) -> None:
        """Give the transaction's connection back, without the temporary tables the transaction
        made (an import's rows): the next user of the connection starts without them."""
        held, self._held = self._held, None
        if held is None:
            return
        try:
            if not held.closed and held.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
                held.execute("DISCARD TEMP")
        finally:
            self._pool.putconn(held)

    # -- statements --------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Cursor:
        text, order = dialect.postgres(sql)
        values = [_value(v) for v in dialect.bind(order, params)]
        if self._held is not None:
            self._run(self._held, text, values)
        else:
            with self._pool.connection() as conn:
                self._run(conn, text, values)
        return self

    def script(self, sql: str) -> None:
        """A house script (a migration), statement by statement, in the open transaction."""
        for text in dialect.script(sql):
            self._run(self._held, text, [])

    def raw(self, sql: str) -> None:
        """PostgreSQL's own text, untranslated, in the open transaction."""
        self._run(self._held, sql, [])

    def _run(self, conn: psycopg.Connection, text: str, values: list[Any]) -> None:
        try:
            cur = conn.execute(text, values)
        except (errors.SerializationFailure, errors.DeadlockDetected, errors.LockNotAvailable) as exc:
            raise Error("conflict", str(exc)) from None
        except psycopg.OperationalError as exc:
            raise Error("unreachable", str(exc).splitlines()[0]) from None
        if cur.description is None:
            # INSERT, UPDATE and DELETE answer with the count of their rows, as DuckDB's do
            counted = (cur.statusmessage or "").split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE")
            self._names, self._types = (["Count"], [20]) if counted else ([], [])
            self._rows = [(cur.rowcount,)] if counted else []
            return
        self._names = [d.name for d in cur.description]
        self._types = [d.type_code for d in cur.description]
        self._rows = cur.fetchall()

    def frames(self, sql: str, rows: int) -> Iterator[pd.DataFrame]:
        """The result of a house statement in frames of `rows` rows, read through a server-side
        cursor on a connection of its own (in a read-only transaction: one consistent moment)."""
        text, _ = dialect.postgres(sql)
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION READ ONLY")
            with psycopg.RawServerCursor(conn, "csdata_frames") as cur:
                cur.execute(text)
                names = [d.name for d in cur.description]
                types = [d.type_code for d in cur.description]
                while batch := cur.fetchmany(rows):
                    yield frame(names, types, batch)

    def fetchone(self) -> tuple | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[tuple]:
        return list(self._rows)

    def df(self) -> pd.DataFrame:
        return frame(self._names, self._types, self._rows)

    # -- bulk --------------------------------------------------------------------------------

    def insert_frame(self, table: str, data: pd.DataFrame) -> None:
        """Append a frame to a table by COPY, inside the open transaction, as CSV in pieces.

        Arrow writes the CSV (about ten times faster than pandas: at millions of rows, pandas'
        formatting was most of a copy's time): every text is quoted, so an empty one stays
        empty, and a gap is an unquoted empty field, COPY's NULL. A column of mixed Python objects,
        which Arrow cannot type, goes as text."""
        cols = ", ".join('"' + str(c).replace('"', '""') + '"' for c in data.columns)
        with self._held.cursor().copy(f'COPY "{table}" ({cols}) FROM STDIN (FORMAT csv)') as copy:
            for start in range(0, len(data), _PIECE):
                copy.write(_csv(_plain(data.iloc[start : start + _PIECE])))


_PIECE = 100_000  # rows written to COPY at a time
_ARROW_CSV = pa_csv.WriteOptions(include_header=False, quoting_style="needed")


def _csv(piece: pd.DataFrame) -> bytes:
    try:
        table = pa.Table.from_pandas(piece, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):  # a column of mixed Python objects: as text
        texts = {c: "string" for c in piece.columns if piece[c].dtype == object}
        table = pa.Table.from_pandas(piece.astype(texts), preserve_index=False)
    out = pa.BufferOutputStream()
    pa_csv.write_csv(table, out, _ARROW_CSV)
    return out.getvalue().to_pybytes()


def _plain(data: pd.DataFrame) -> pd.DataFrame:
    """A frame as COPY reads it: a float column of whole numbers as integers (pandas holds an
    integer column with a gap as floats), lists and dicts as JSON."""
    out = {}
    for name in data.columns:
        col = data[name]
        if pd.api.types.is_float_dtype(col) and _whole(col):
            col = col.astype("Int64")
        elif col.dtype == object and col.map(lambda v: isinstance(v, (list, dict))).any():
            col = col.map(lambda v: v if v is None or not isinstance(v, (list, dict)) else json.dumps(v))
        out[name] = col
    return pd.DataFrame(out, index=data.index)


def _whole(col: pd.Series) -> bool:
    values = col.to_numpy(dtype="float64", na_value=np.nan)
    values = values[~np.isnan(values)]
    return bool(np.all(values == np.trunc(values)))


def _value(v: Any) -> Any:
    """A parameter psycopg can send: numpy scalars and pandas' missing values made plain."""
    if v is None:
        return None
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_Text(x) if isinstance(x, str) else _value(x) for x in v]
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, np.generic):
        return v.item()
    if v is pd.NaT or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    return v


def frame(names: list[str], types: list[int], rows: list[tuple]) -> pd.DataFrame:
    """A result as DuckDB's `df()` gives it: typed columns, nullable integers and booleans."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    data = {}
    for i, (name, oid) in enumerate(zip(names, types, strict=True)):
        values = list(columns[i])
        key = name if name not in data else f"{name}_{i}"
        if oid in _DATES or oid in _TIMES:
            series = pd.Series(pd.to_datetime(values), dtype="datetime64[us]")
        elif oid in _INTS:
            kind = _INTS[oid]
            nulls = any(v is None for v in values)
            series = pd.Series(values, dtype=kind.capitalize() if nulls else kind)
        elif oid in _FLOATS:
            series = pd.Series(values, dtype="float64")
        elif oid in _BOOLS:
            series = pd.Series(values, dtype="boolean" if any(v is None for v in values) else "bool")
        elif values and all(v is None for v in values):
            series = pd.Series(values, dtype="object")
        else:
            series = pd.Series(values)
        data[key] = series
    out = pd.DataFrame(data)
    out.columns = names
    return out
