"""The rollups: the fact tables that grow with the tickets, kept summed per day, in every write.

`csdata.analytics.rollup_forms` derives from the metric catalog what each rollup holds (one
column per partial aggregate, a histogram per median or quantile, the few measures kept per
hour of day), and names the one list kept beside them (the follow-ups of complaints and
callbacks, a row per ticket, for the compliance queue); this module keeps the tables:

- `refresh(cur, days)` recomputes the cells of the given days from the facts. The warehouse calls
  it inside every transaction that wrote tickets or complaint rounds, before its commit
  (`Writer.rolled_up`), so a page never reads a rollup older than the facts. A day is small (its
  tickets, not the history), which keeps a form's save cheap; an import refreshes the days its
  file touched.
- `rebuild(cur)`: every table recreated from all the facts. The warehouse calls it on a
  read-write open when it has none, or their shape is not the catalog's (`current`: the
  signature `rollup_forms.signature` kept in `meta`), in one transaction
  (`Warehouse._ensure_rollups`).
- `check(wh)` compares every cell with the facts (`csdata rollups check`); `rebuild` is
  `csdata rollups rebuild`.

Refreshing from the facts instead of adding each write's difference keeps one code path for
inserts, corrections and voids alike, and makes a rebuild the same statement over all days.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import Any

from csdata.analytics import rollup_forms as forms
from csdata.analytics.compiler import fact_relation

SIGNATURE_KEY = "rollups_signature"
DAYS = "$$days$$"  # where a statement's condition on the days goes
_ALL = (dt.date(1, 1, 1), dt.date(9999, 12, 30))


def _select(src: str, hourly: bool = False) -> str:
    keys = ", ".join(
        "date_trunc('hour', opened_at) AS opened_at" if k == "opened_at" else k
        for k in (forms.HOURLY_KEYS if hourly else forms.ROLLUP_KEYS)
    )
    partials = forms.hourly_partials() if hourly else forms.partials(src)
    cols = ", ".join(f"{p} AS {forms.column(p)}" for p in partials)
    return f"SELECT {keys}, {cols} FROM ({fact_relation(src)}) s WHERE {DAYS} GROUP BY ALL"


def _histograms() -> str:
    keys = ", ".join(forms.HISTOGRAM_KEYS)
    parts = []
    for name, h in forms.histograms().items():
        where = f"({h.where}) AND " if h.where else ""
        parts.append(
            f"SELECT {keys}, '{name}' AS measure, {forms.bin_sql(h.value, h.resolution)} AS bin, count(*) AS n"
            f" FROM ({fact_relation('tickets')}) s WHERE {where}({h.value}) IS NOT NULL AND {DAYS} GROUP BY ALL"
        )
    return " UNION ALL ".join(parts)


@functools.cache
def _statements() -> tuple[tuple[str, str], ...]:
    """(table, SELECT of its rows with a `DAYS` condition) for every rollup table."""
    found = [(forms.ROLLUP_TABLES[src], _select(src)) for src in forms.ROLLUP_TABLES]
    followups = f"SELECT * FROM ({forms.FOLLOWUPS_SQL}) s WHERE {DAYS}"
    return (
        *found,
        (forms.HOURLY_TABLE, _select("tickets", hourly=True)),
        (forms.HISTOGRAM_TABLE, _histograms()),
        (forms.FOLLOWUPS_TABLE, followups),
    )


def _days_params(days: Iterable[dt.date] | None) -> tuple[str, dict[str, Any]]:
    if days is None:
        return "TRUE", {"start": _ALL[0], "end": _ALL[1], "end_excl": _ALL[1] + dt.timedelta(days=1)}
    days = sorted(set(days))
    return "day BETWEEN $start AND $end AND list_contains($days, day)", {
        "days": days,
        "start": days[0],
        "end": days[-1],
        "end_excl": days[-1] + dt.timedelta(days=1),
    }


def _used(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


def refresh(cur, days: Iterable[dt.date] | None = None) -> None:
    """Recompute the rollups' cells of `days` (all of them when None) from the facts, on `cur`
    inside the caller's transaction."""
    if days is not None and not (days := set(days)):
        return
    cond, params = _days_params(days)
    for table, select in _statements():
        sql = select.replace(DAYS, cond)
        # (the day range first: the cells are stored about in day order, so it skips most of them)
        cur.execute(f"DELETE FROM {table} WHERE {cond}", _used(cond, params))
        cur.execute(f"INSERT INTO {table} {sql}", _used(sql, params))


def create(cur) -> None:
    """(Re)create the empty tables in the catalog's current shape (inside a transaction)."""
    for table, select in _statements():
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        sql = select.replace(DAYS, "FALSE")
        cur.execute(f"CREATE TABLE {table} AS {sql}", _used(sql, _days_params(None)[1]))


def current(cur) -> bool:
    """Whether the stored rollups are of the catalog's current shape."""
    row = cur.execute("SELECT value FROM meta WHERE key = ?", [SIGNATURE_KEY]).fetchone()
    return row is not None and row[0] == forms.signature()


def rebuild(cur) -> None:
    """Every rollup table recreated and recomputed from all the facts (inside a transaction)."""
    create(cur)
    refresh(cur, None)
    cur.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [SIGNATURE_KEY, forms.signature()],
    )


def sizes(wh) -> dict[str, int]:
    """Rows of each rollup table."""
    return {table: int(wh.scalar(f"SELECT count(*) FROM {table}")) for table, _ in _statements()}


def _keys(table: str) -> tuple[str, ...]:
    """The columns that name a cell (or a row) of a rollup table; the others are its values."""
    special = {
        forms.HISTOGRAM_TABLE: (*forms.HISTOGRAM_KEYS, "measure", "bin"),
        forms.HOURLY_TABLE: forms.HOURLY_KEYS,
        forms.FOLLOWUPS_TABLE: forms.FOLLOWUPS_KEYS,
    }
    return special.get(table, forms.ROLLUP_KEYS)


def _same(column: str, kind: str) -> str:
    """A stored value equal to the one computed now: numbers within rounding, anything else equal."""
    if not any(n in kind for n in ("INT", "DOUBLE", "DECIMAL", "NUMERIC", "FLOAT", "REAL")):
        return f"f.{column} IS NOT DISTINCT FROM r.{column}"
    c = column
    return f"((f.{c} IS NULL AND r.{c} IS NULL) OR abs(f.{c} - r.{c}) <= 1e-9 * greatest(1, abs(f.{c}), abs(r.{c})))"


def check(wh) -> dict[str, int]:
    """Cells that differ between each rollup table and the same cells computed from the facts
    now, table -> count (0 everywhere: the rollups are right). Sums of fractional values may
    differ in their last bits with the order of adding; closer than one part in 10^9 is equal."""
    found = {}
    cond, params = _days_params(None)
    for table, select in _statements():
        sql = select.replace(DAYS, cond)
        keys = _keys(table)
        values = [
            r
            for r in wh.rows(
                "SELECT column_name, upper(data_type) FROM information_schema.columns WHERE table_name = ?"
                " ORDER BY ordinal_position",
                [table],
            )
            if r[0] not in keys
        ]
        # (NULL-safe equality as plain equalities, which PostgreSQL can hash for a full join)
        same_key = " AND ".join(
            f"coalesce(CAST(f.{k} AS VARCHAR), '') = coalesce(CAST(r.{k} AS VARCHAR), '')"
            f" AND (f.{k} IS NULL) = (r.{k} IS NULL)"
            for k in keys
        )
        close = " AND ".join(_same(c, kind) for c, kind in values) or "TRUE"
        diff = (
            f"SELECT count(*) FROM (SELECT *, TRUE AS _f FROM ({sql})) f"
            f" FULL OUTER JOIN (SELECT *, TRUE AS _r FROM {table}) r ON {same_key}"
            f" WHERE f._f IS NULL OR r._r IS NULL OR NOT ({close})"
        )
        found[table] = int(wh.scalar(diff, _used(sql, params)))
    return found
