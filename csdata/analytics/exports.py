"""Frames to files: CSV (UTF-8 with BOM, so Excel shows Chinese), XLSX and Parquet.

One writer for the CLI's `export` and the app's download buttons. Text cells that a spreadsheet
would run as a formula (starting with = + - @, tab or CR) get a leading apostrophe in CSV and XLSX,
and so do column headings (a rejected file's rows go back out under the file's own headings), so
an exported file can be opened safely whatever was typed into the warehouse or a file.

A dashboard's download holds numbers, not the text on the screen: a rate as a percentage in a
numeric cell (the heading says "(%)": 84.6 reads as the screen's 84.6 %, where a fraction would
need a cell format that CSV cannot carry), a duration in seconds, money in yuan, a blank where
there is no value. Its file name says what it holds, for which period and whom.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics.compiler import _Params
from csdata.policy import History, Policy
from csdata.store.sql import ident

FORMATS = ("csv", "xlsx", "parquet")
XLSX_MAX_ROWS = 1_048_575  # one header row
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# What a downloaded cell of each metric unit is multiplied by (the rest keep the stored unit).
DOWNLOAD_SCALE = {"rate": 100.0}
_UNSAFE = re.compile(r"[^\w.]+")


def as_numbers(frame: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """A copy whose columns in `units` hold plain numbers in the unit a download names
    (rates as percentages); a missing value stays missing (an empty cell)."""
    out = frame.copy()
    for column, unit in units.items():
        if column in out:
            values = pd.to_numeric(out[column], errors="coerce").astype("float64")
            out[column] = values * DOWNLOAD_SCALE.get(unit, 1.0)
            if unit == "count":  # a count is whole: 1589, not 1589.0 (a gap stays empty)
                out[column] = out[column].round().astype("Int64")
    return out


def slug(text: str) -> str:
    """A name made safe for a file name: letters, digits, dots and dashes only."""
    return _UNSAFE.sub("-", text).strip("-.")[:60]


def file_stem(what: str, start: dt.date, end: dt.date, scope: Iterable[str] = ()) -> str:
    """`csdata-<what>-<from>_<to>[-<scope>]` (the button adds `.csv` or `.xlsx`), e.g.
    csdata-clients-2026-08-03_2026-10-31."""
    parts = [slug(what), f"{start.isoformat()}_{end.isoformat()}", *(slug(s) for s in scope)]
    return "csdata-" + "-".join(p for p in parts if p)


def _inert(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def defuse(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose formula-looking text cells and headings are made inert."""
    out = frame.copy()
    out.columns = [_inert(c) if isinstance(c, str) else c for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            values = out[col]
            risky = values.astype("string").str.startswith(_FORMULA_START, na=False)
            if risky.any():
                out[col] = values.astype(object).where(~risky, "'" + values.astype("string"))
    return out


def to_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "csv":
        buf.write(defuse(frame).to_csv(index=False).encode("utf-8-sig"))
    elif fmt == "xlsx":
        defuse(frame).to_excel(buf, index=False, engine="openpyxl")
    elif fmt == "parquet":
        frame.to_parquet(buf, index=False)
    else:
        raise ValueError(fmt)
    return buf.getvalue()


def write(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    """Write to `path` through a temporary file, so a failed export leaves no half file."""
    tmp = path.with_name(path.name + ".partial")
    try:
        tmp.write_bytes(to_bytes(frame, fmt))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


# -- canonical exports -------------------------------------------------------------------------

EXPORTS = ("tickets", "audits", "training", "appraisals", "employees")


def _pivot(keys: list[str], params: _Params, key_column: str) -> str:
    return ", ".join(
        f"max(s.score) FILTER (WHERE s.{key_column} = {params.add(k)}) AS {ident(k)}" for k in keys
    )


def _listed(pivot: str) -> str:
    return pivot + ", " if pivot else ""


def record_items(wh, table: str) -> list[str] | None:
    """The criterion (audits) or indicator (appraisals) columns of an export: those of every policy
    version some record was scored under, and of the version in force today, newest first in
    policy order (see `History.items`); then any other one a stored score names, so no stored
    score is left out. None for the other tables."""
    if table not in ("audits", "appraisals"):
        return None
    history = History.load(wh)
    used = {
        r[0] for r in wh.rows(f"SELECT DISTINCT policy_version FROM {table} WHERE policy_version IS NOT NULL")
    }
    keys = [i.key for i in history.items(table, sorted(used | {history.in_force(dt.date.today())[0]}))]
    scores, column = ("audit_scores", "criterion") if table == "audits" else ("appraisal_scores", "indicator")
    stored = [r[0] for r in wh.rows(f"SELECT DISTINCT {column} FROM {scores} ORDER BY 1")]
    return keys + [k for k in stored if k not in keys]


def export_sql(
    table: str, policy: Policy, scope: Scope = EVERYTHING, items: Sequence[str] | None = None
) -> tuple[str, dict[str, Any]]:
    """SQL for one record kind in its canonical format (`csdata.records.models`), within the scope
    (`csdata.access.scope`: a client company's account gets its tickets and audits with no agent
    named, and none of the company's people).

    `items` are an audit's criterion or an appraisal's indicator columns, between the fixed ones
    as in an import file; by default those of `policy` (`record_items` gives those of every
    version with data, which `csdata export` uses)."""
    from csdata.records.models import KINDS

    params = _Params()
    columns = KINDS[table].columns() if table in KINDS else []
    if not scope.agents_visible:
        hidden = ("agent_id", "auditor_id")
        columns = [f"CAST(NULL AS VARCHAR) AS {c}" if c in hidden else c for c in columns]
    cols = ", ".join(columns)
    if table == "tickets":
        sql = f"SELECT {cols} FROM tickets t WHERE {scope.where('tickets', params, 't')} ORDER BY opened_at, ticket_id"
    elif table == "audits":
        criteria = list(items) if items is not None else [c.key for c in policy.scorecard.criteria]
        people = (
            "a.agent_id, a.auditor_id" if scope.agents_visible else "NULL AS agent_id, NULL AS auditor_id"
        )
        sql = (
            f"SELECT a.audit_id, a.audited_at, {people}, a.ticket_id, a.client, a.channel, "
            f"a.source, {_listed(_pivot(criteria, params, 'criterion'))}a.critical_error, a.finding_category, a.comment "
            "FROM audits a LEFT JOIN audit_scores s ON s.audit_id = a.audit_id "
            f"WHERE {scope.where('audits', params, 'a')} GROUP BY ALL ORDER BY a.audited_at, a.audit_id"
        )
    elif table == "training":
        sql = (
            f"SELECT {', '.join('r.' + c for c in KINDS[table].columns())} FROM training_results r "
            f"WHERE {scope.where('training', params, 'r')} ORDER BY r.taken_on, r.employee_id, r.course, r.attempt"
        )
    elif table == "appraisals":
        indicators = list(items) if items is not None else [i.key for i in policy.appraisal.indicators]
        sql = (
            f"SELECT a.period, a.employee_id, {_listed(_pivot(indicators, params, 'indicator'))}"
            "a.reviewer, a.comment FROM appraisals a "
            "LEFT JOIN appraisal_scores s ON s.period = a.period AND s.employee_id = a.employee_id "
            f"WHERE {scope.where('appraisals', params, 'a')} GROUP BY ALL ORDER BY a.period, a.employee_id"
        )
    elif table == "employees":
        sql = f"SELECT {cols} FROM employees e WHERE {scope.where('employees', params, 'e')} ORDER BY employee_id"
    else:
        raise KeyError(table)
    return sql, params.values
