"""The query layer: (metrics, filters, grouping, scope) -> one SQL statement with bound parameters.

This is the one place that assembles read SQL. Every source is a relation with the same
dimension columns (`day, client, channel, team, agent_id`), so filters, the user's scope and the
groupings are written once for all of them. Each source a request needs is aggregated in its own
CTE, the CTEs are joined on the group key, and the metric expressions of `csdata.metrics` are
evaluated on top: DuckDB does all the aggregation and a page receives at most one row per group.

The user's scope (which clients and teams they may see) is intersected with the filters here,
so no page can forget it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from csdata.metrics import CATALOG, MEASURES
from csdata.policy import CHANNELS, Policy, load_policy

# How each source is filtered by date: the column and whether it is a timestamp.
# `staff` has no day of its own: it counts people employed at some time in the range.
_SOURCES: dict[str, str] = {
    "tickets": """
        SELECT CAST(t.opened_at AS DATE) AS day, t.client, t.channel, e.team, t.agent_id, t.type,
               epoch(t.first_response_at - t.opened_at) AS wait_s,
               coalesce(sc.sla_s, sd.sla_s) AS sla_s,
               t.handle_seconds, t.resolved, t.first_contact_resolved, t.csat,
               t.opened_at, t.feedback_at, t.customer_accepted
        FROM tickets t
        LEFT JOIN employees e ON e.employee_id = t.agent_id
        LEFT JOIN sla_default sd ON sd.channel = t.channel
        LEFT JOIN sla_contract sc ON sc.client = t.client AND sc.channel = t.channel
        WHERE t.opened_at >= $start AND t.opened_at < $end_excl""",
    "audits": """
        SELECT a.audited_at AS day, coalesce(a.client, e.client) AS client, a.channel, e.team,
               a.agent_id, a.score, a.critical_error
        FROM audits a LEFT JOIN employees e ON e.employee_id = a.agent_id
        WHERE a.audited_at BETWEEN $start AND $end""",
    "onboarding": """
        SELECT r.first_day AS day, e.client, CAST(NULL AS VARCHAR) AS channel, e.team,
               r.employee_id AS agent_id, r.passed
        FROM (SELECT employee_id, min(taken_on) AS first_day,
                     max(score) >= $onboarding_pass_mark AS passed
              FROM training_results WHERE kind = 'onboarding' GROUP BY employee_id) r
        LEFT JOIN employees e ON e.employee_id = r.employee_id
        WHERE r.first_day BETWEEN $start AND $end""",
    "training": """
        SELECT r.taken_on AS day, e.client, CAST(NULL AS VARCHAR) AS channel, e.team,
               r.employee_id AS agent_id, r.hours, r.kind
        FROM training_results r JOIN employees e ON e.employee_id = r.employee_id
        WHERE r.taken_on BETWEEN $start AND $end AND e.team IS NOT NULL""",
    "staff": """
        SELECT CAST(NULL AS DATE) AS day, e.client, CAST(NULL AS VARCHAR) AS channel, e.team,
               e.employee_id AS agent_id
        FROM employees e
        WHERE e.team IS NOT NULL AND e.hire_date <= $end
          AND (e.left_on IS NULL OR e.left_on >= $start)""",
    "appraisals": """
        SELECT p.ends_on AS day, e.client, CAST(NULL AS VARCHAR) AS channel, e.team,
               a.employee_id AS agent_id, a.score
        FROM appraisals a
        JOIN appraisal_periods p ON p.period = a.period
        LEFT JOIN employees e ON e.employee_id = a.employee_id
        WHERE p.ends_on BETWEEN $start AND $end""",
}

# Dimensions a source does not have: grouping by one of them leaves that source's metrics empty
# (a training hour has no channel). `staff` has no day: over time it gives the range's headcount.
_MISSING: dict[str, set[str]] = {
    "onboarding": {"channel"},
    "training": {"channel"},
    "staff": {"channel", "day", "week", "month"},
    "appraisals": {"channel"},
}

GROUPINGS: dict[str, str] = {
    "day": "day",
    "week": "CAST(date_trunc('week', day) AS DATE)",
    "month": "CAST(date_trunc('month', day) AS DATE)",
    "client": "client",
    "channel": "channel",
    "team": "team",
    "agent": "agent_id",
}
TIME_GROUPINGS = ("day", "week", "month")


@dataclass(frozen=True)
class Filters:
    """What the user asked for: an inclusive date range and optional dimension values."""

    start: dt.date
    end: dt.date
    clients: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Filters:
        """The period of the same length just before this one."""
        length = dt.timedelta(days=self.days)
        return Filters(
            self.start - length, self.end - length, self.clients, self.channels, self.teams, self.agents
        )


@dataclass(frozen=True)
class Scope:
    """What a user may see. None means unrestricted on that dimension."""

    clients: tuple[str, ...] | None = None
    teams: tuple[str, ...] | None = None
    agents_visible: bool = True


EVERYTHING = Scope()


@dataclass
class _Params:
    values: dict[str, Any] = field(default_factory=dict)

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"


def _restrict(chosen: tuple[str, ...], allowed: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The values a query may return: the user's choice within their scope; None = any."""
    if allowed is None:
        return chosen or None
    return tuple(v for v in chosen if v in allowed) if chosen else allowed


def _where(filters: Filters, scope: Scope, source: str, params: _Params) -> str:
    conds = []
    dims = {
        "client": _restrict(filters.clients, scope.clients),
        "team": _restrict(filters.teams, scope.teams),
        "channel": filters.channels or None,
        "agent_id": filters.agents or None,
    }
    for column, values in dims.items():
        if values is None or column in _MISSING.get(source, set()):
            continue
        conds.append(f"list_contains({params.add(list(values))}, {column})")
    return " AND ".join(conds) or "TRUE"


def _sla_ctes(policy: Policy, params: _Params) -> list[str]:
    defaults = ", ".join(f"('{c}', {int(policy.sla_seconds[c])})" for c in CHANNELS)
    overrides = [
        f"({params.add(contract.client)}, '{channel}', {int(seconds)})"
        for contract in policy.contracts
        for channel, seconds in contract.sla_seconds.items()
    ]
    contract_sql = (
        f"SELECT * FROM (VALUES {', '.join(overrides)}) v(client, channel, sla_s)"
        if overrides
        else "SELECT CAST(NULL AS VARCHAR) client, CAST(NULL AS VARCHAR) channel, NULL::INTEGER sla_s "
        "WHERE FALSE"
    )
    return [
        f"sla_default(channel, sla_s) AS (VALUES {defaults})",
        f"sla_contract AS ({contract_sql})",
    ]


def build_sql(
    metrics: list[str], filters: Filters, by: str | None, scope: Scope, policy: Policy
) -> tuple[str, dict[str, Any]]:
    """The SQL text and parameters for `metric_table` (also for reading and reviewing)."""
    unknown = [m for m in metrics if m not in CATALOG]
    if unknown:
        raise KeyError(f"unknown metric: {', '.join(unknown)}")
    if by is not None and by not in GROUPINGS:
        raise KeyError(f"unknown grouping: {by}")
    if by in ("agent", "team") and not scope.agents_visible:
        raise PermissionError(f"grouping by {by} is outside this account's scope")
    params = _Params(
        {
            "start": filters.start,
            "end": filters.end,
            "end_excl": filters.end + dt.timedelta(days=1),
            "qa_pass_mark": policy.scorecard.pass_mark,
            "onboarding_pass_mark": policy.onboarding_pass_mark,
        }
    )
    needed: dict[str, list[str]] = {}
    for metric in metrics:
        for name in CATALOG[metric].measures:
            src = MEASURES[name].source
            if name not in needed.setdefault(src, []):
                needed[src].append(name)

    ctes = _sla_ctes(policy, params)
    joined: list[str] = []  # sources whose CTE carries the group key
    crossed: list[str] = []  # sources without it (one row each)
    empty: set[str] = set()  # sources that cannot be split this way
    for src, names in needed.items():
        measures = ", ".join(f"{MEASURES[n].sql} AS {n}" for n in names)
        where = _where(filters, scope, src, params)
        relation = f"({_SOURCES[src]}) s WHERE {where}"
        if by is None:
            ctes.append(f"m_{src} AS (SELECT {measures} FROM {relation})")
            crossed.append(src)
        elif by in _MISSING.get(src, set()):
            if by in TIME_GROUPINGS:
                ctes.append(f"m_{src} AS (SELECT {measures} FROM {relation})")
                crossed.append(src)
            else:
                empty.add(src)
        else:
            ctes.append(
                f"m_{src} AS (SELECT {GROUPINGS[by]} AS key, {measures} FROM {relation} GROUP BY ALL)"
            )
            joined.append(src)

    def expr(metric: str) -> str:
        m = CATALOG[metric]
        return "CAST(NULL AS DOUBLE)" if m.sources & empty else f"CAST({m.expr} AS DOUBLE)"

    select = ", ".join(f"{expr(m)} AS {m}" for m in metrics)
    if joined:
        frm = f"m_{joined[0]}" + "".join(f" FULL OUTER JOIN m_{s} USING (key)" for s in joined[1:])
        frm += "".join(f" CROSS JOIN m_{s}" for s in crossed)
        sql = f"WITH {', '.join(ctes)} SELECT key, {select} FROM {frm} WHERE key IS NOT NULL ORDER BY key"
    elif by is None:
        frm = " CROSS JOIN ".join(f"m_{s}" for s in crossed) if crossed else "(SELECT 1)"
        sql = f"WITH {', '.join(ctes)} SELECT {select} FROM {frm}"
    else:  # every requested source lacks this dimension
        sql = f"WITH {', '.join(ctes)} SELECT NULL AS key, {select} WHERE FALSE"
    # DuckDB refuses parameters the statement does not use (a source left out, say).
    used = {name: v for name, v in params.values.items() if re.search(rf"\${name}\b", sql)}
    return sql, used


def metric_table(
    wh,
    metrics: list[str],
    filters: Filters,
    by: str | None = None,
    scope: Scope = EVERYTHING,
    policy: Policy | None = None,
) -> pd.DataFrame:
    """Metric values for the filters: one row, or one row per `by` key (column `key`)."""
    if policy is None:
        policy = load_policy(wh, on=filters.end)[1]
    sql, params = build_sql(metrics, filters, by, scope, policy)
    return wh.df(sql, params)


def metric_values(
    wh, metrics: list[str], filters: Filters, scope: Scope = EVERYTHING, policy: Policy | None = None
) -> dict[str, float | None]:
    """One value per metric (None where undefined): what `csdata kpi` prints and the cards show."""
    row = metric_table(wh, metrics, filters, None, scope, policy).iloc[0]
    return {m: (None if pd.isna(row[m]) else float(row[m])) for m in metrics}


# -- dimension look-ups for filter choices, all within the scope ------------------------------


def clients(wh, scope: Scope = EVERYTHING) -> list[str]:
    """Client names within the scope: an account limited to teams sees only those teams' clients."""
    names = wh.column("SELECT name FROM clients ORDER BY name")
    if scope.teams is not None:
        served = set(wh.column("SELECT client FROM teams WHERE list_contains(?, name)", [list(scope.teams)]))
        names = [c for c in names if c in served]
    return [c for c in names if scope.clients is None or c in scope.clients]


def teams(wh, scope: Scope = EVERYTHING, clients: tuple[str, ...] = ()) -> list[str]:
    if not scope.agents_visible:
        return []
    rows = wh.rows("SELECT name, client FROM teams ORDER BY name")
    allowed_clients = _restrict(clients, scope.clients)
    return [
        name
        for name, client in rows
        if (scope.teams is None or name in scope.teams)
        and (allowed_clients is None or client in allowed_clients)
    ]


def ticket_date_range(wh) -> tuple[dt.date, dt.date] | None:
    """First and last day with tickets, or None for an empty warehouse."""
    row = wh.rows("SELECT CAST(min(opened_at) AS DATE), CAST(max(opened_at) AS DATE) FROM tickets")[0]
    return None if row[0] is None else (row[0], row[1])


def employee_names(wh, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(wh.rows("SELECT employee_id, name FROM employees WHERE list_contains(?, employee_id)", [ids]))


# -- canonical exports -------------------------------------------------------------------------

EXPORTS = ("tickets", "audits", "training", "appraisals", "employees")


def _pivot(keys: list[str], params: _Params, key_column: str) -> str:
    return ", ".join(f"max(s.score) FILTER (WHERE s.{key_column} = {params.add(k)}) AS {k}" for k in keys)


def export_sql(table: str, policy: Policy, scope: Scope = EVERYTHING) -> tuple[str, dict[str, Any]]:
    """SQL for one record kind in its canonical format (`csdata.models`), within the scope."""
    from csdata.models import KINDS

    params = _Params()

    def client_ok(column: str) -> str:
        return (
            "TRUE" if scope.clients is None else f"list_contains({params.add(list(scope.clients))}, {column})"
        )

    cols = ", ".join(KINDS[table].columns()) if table in KINDS else ""
    if table == "tickets":
        sql = f"SELECT {cols} FROM tickets WHERE {client_ok('client')} ORDER BY opened_at, ticket_id"
    elif table == "audits":
        criteria = [c.key for c in policy.scorecard.criteria]
        sql = (
            "SELECT a.audit_id, a.audited_at, a.agent_id, a.auditor_id, a.ticket_id, a.client, a.channel, "
            f"a.source, {_pivot(criteria, params, 'criterion')}, a.critical_error, a.finding_category, a.comment "
            "FROM audits a LEFT JOIN audit_scores s ON s.audit_id = a.audit_id "
            f"WHERE {client_ok('a.client')} GROUP BY ALL ORDER BY a.audited_at, a.audit_id"
        )
    elif table == "training":
        sql = (
            f"SELECT {', '.join('r.' + c for c in KINDS[table].columns())} FROM training_results r "
            f"LEFT JOIN employees e ON e.employee_id = r.employee_id WHERE {client_ok('e.client')} "
            "ORDER BY r.taken_on, r.employee_id, r.course, r.attempt"
        )
    elif table == "appraisals":
        indicators = [i.key for i in policy.appraisal.indicators]
        sql = (
            f"SELECT a.period, a.employee_id, {_pivot(indicators, params, 'indicator')}, "
            "a.reviewer, a.comment FROM appraisals a "
            "LEFT JOIN appraisal_scores s ON s.period = a.period AND s.employee_id = a.employee_id "
            "LEFT JOIN employees e ON e.employee_id = a.employee_id "
            f"WHERE {client_ok('e.client')} GROUP BY ALL ORDER BY a.period, a.employee_id"
        )
    elif table == "employees":
        sql = f"SELECT {cols} FROM employees WHERE {client_ok('client')} ORDER BY employee_id"
    else:
        raise KeyError(table)
    return sql, params.values


# -- pay and the audit log ---------------------------------------------------------------------


def appraisal_periods(wh, appraised_only: bool = False) -> list[tuple[str, dt.date]]:
    """(period, last day), newest first; with `appraised_only`, periods that have appraisals."""
    having = "WHERE EXISTS (SELECT 1 FROM appraisals a WHERE a.period = p.period)" if appraised_only else ""
    return wh.rows(f"SELECT period, ends_on FROM appraisal_periods p {having} ORDER BY ends_on DESC")


def pay_table(wh, period: str, policy: Policy, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """Per appraised employee: monthly base pay, the appraisal grade's coefficient, monthly
    performance pay (= the pay grade's performance-pay base × coefficient) and the period's bonuses.

    Pay is confidential: callers check `User.sees_pay` before asking.
    """
    params = _Params({"period": period})
    coefficients = ", ".join(
        f"({params.add(b.grade)}, {float(b.coefficient)})" for b in policy.appraisal.bands
    )
    where = ["TRUE"]
    if scope.clients is not None:
        where.append(f"list_contains({params.add(list(scope.clients))}, e.client)")
    if scope.teams is not None:
        where.append(f"list_contains({params.add(list(scope.teams))}, e.team)")
    sql = f"""
        WITH coefficient(grade, value) AS (VALUES {coefficients}),
             bonus AS (SELECT employee_id, sum(amount) AS amount FROM bonuses WHERE period = $period
                       GROUP BY employee_id)
        SELECT e.employee_id, e.name, e.team, e.client, e.grade AS pay_grade,
               CAST(g.base_pay AS DOUBLE) AS base_pay, round(a.score, 1) AS appraisal_score,
               a.grade AS appraisal_grade, c.value AS coefficient,
               CAST(g.performance_base AS DOUBLE) * c.value AS performance_pay,
               CAST(coalesce(b.amount, 0) AS DOUBLE) AS bonus
        FROM appraisals a
        JOIN employees e ON e.employee_id = a.employee_id
        LEFT JOIN pay_grades g ON g.grade = e.grade
        LEFT JOIN coefficient c ON c.grade = a.grade
        LEFT JOIN bonus b ON b.employee_id = a.employee_id
        WHERE a.period = $period AND {" AND ".join(where)}
        ORDER BY e.team NULLS LAST, e.employee_id"""
    return wh.df(sql, params.values)


def audit_log(
    wh, start: dt.date, end: dt.date, actor: str = "", action: str = "", limit: int = 5000
) -> pd.DataFrame:
    """Writes and sign-ins between two days, newest first; `actor`/`action` match as substrings."""
    return wh.df(
        "SELECT id, at_time, actor, action, entity, CAST(detail AS VARCHAR) AS detail FROM audit_log"
        " WHERE at_time >= ? AND at_time < ? AND contains(lower(actor), lower(?))"
        " AND contains(lower(action), lower(?)) ORDER BY id DESC LIMIT ?",
        [start, end + dt.timedelta(days=1), actor, action, limit],
    )


# -- look-ups for the data-entry forms and the ticket workflow ---------------------------------


def agents(wh, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """Active agents (id, name, team, client) within the scope: a supervisor sees their teams' only."""
    sql = (
        "SELECT employee_id, name, team, client FROM employees WHERE position = 'agent' AND status = 'active'"
    )
    params: list = []
    if scope.teams is not None:
        sql += " AND list_contains(?, team)"
        params.append(list(scope.teams))
    if scope.clients is not None:
        sql += " AND list_contains(?, client)"
        params.append(list(scope.clients))
    return wh.df(sql + " ORDER BY employee_id", params)


def employees(wh, positions: tuple[str, ...] = ()) -> pd.DataFrame:
    """Active employees (id, name, team, position), optionally of some positions only."""
    sql = "SELECT employee_id, name, team, position FROM employees WHERE status = 'active'"
    params: list = []
    if positions:
        sql += " AND list_contains(?, position)"
        params.append(list(positions))
    return wh.df(sql + " ORDER BY employee_id", params)


def employee_exists(wh, employee_id: str) -> bool:
    return bool(wh.scalar("SELECT count(*) FROM employees WHERE employee_id = ?", [employee_id]))


def employee_team(wh, employee_id: str) -> str | None:
    return wh.scalar("SELECT team FROM employees WHERE employee_id = ?", [employee_id])


def team_members(wh, team: str) -> list[str]:
    return wh.column("SELECT employee_id FROM employees WHERE team = ? ORDER BY employee_id", [team])


def departments(wh) -> list[str]:
    """Departments a complaint or suggestion may be routed to: the org's and those used before."""
    return wh.column(
        "SELECT name FROM departments UNION SELECT DISTINCT department FROM tickets "
        "WHERE department IS NOT NULL ORDER BY 1"
    )


def ticket(wh, ticket_id: str) -> dict | None:
    """One ticket with its agent's team, as a dict (None when unknown)."""
    frame = wh.df(
        "SELECT t.*, e.team FROM tickets t LEFT JOIN employees e ON e.employee_id = t.agent_id "
        "WHERE t.ticket_id = ?",
        [ticket_id],
    )
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    return {k: (None if not isinstance(v, (list, tuple)) and pd.isna(v) else v) for k, v in row.items()}


def follow_ups(wh, scope: Scope = EVERYTHING, limit: int = 500) -> pd.DataFrame:
    """Tickets to follow up within the scope, oldest first: complaints not accepted, suggestions not
    decided, callbacks promised and not made."""
    where = [
        "((t.type = 'complaint' AND coalesce(t.customer_accepted, FALSE) = FALSE)"
        " OR (t.type = 'suggestion' AND t.suggestion_adopted IS NULL)"
        " OR (t.callback_promised_at IS NOT NULL AND t.callback_done_at IS NULL))"
    ]
    params: list = []
    if scope.clients is not None:
        where.append("list_contains(?, t.client)")
        params.append(list(scope.clients))
    if scope.teams is not None:
        where.append("list_contains(?, e.team)")
        params.append(list(scope.teams))
    return wh.df(
        "SELECT t.ticket_id, t.client, t.channel, t.type, t.agent_id, t.opened_at, t.department, t.routed_at,"
        " t.feedback_at, t.customer_accepted, t.reopened, t.callback_promised_at, t.callback_done_at,"
        " t.suggestion_adopted, CAST(t.reward_amount AS DOUBLE) AS reward_amount"
        " FROM tickets t LEFT JOIN employees e ON e.employee_id = t.agent_id"
        f" WHERE {' AND '.join(where)} ORDER BY t.opened_at, t.ticket_id LIMIT ?",
        [*params, limit],
    )


def next_id(wh, table: str, column: str, prefix: str, digits: int) -> str:
    """The next free id of the form prefix + zero-padded number (e.g. AU000123)."""
    if table not in ("audits", "corrective_actions") or column not in ("audit_id", "action_id"):
        raise KeyError(f"{table}.{column}")
    number = wh.scalar(
        f"SELECT coalesce(max(TRY_CAST(substr({column}, ?) AS BIGINT)), 0) + 1 FROM {table} "
        f"WHERE starts_with({column}, ?)",
        [len(prefix) + 1, prefix],
    )
    return f"{prefix}{number:0{digits}d}"


def courses(wh) -> pd.DataFrame:
    """Courses (course, kind, pass_mark), and courses results name without a course row."""
    return wh.df(
        "SELECT course, kind, pass_mark FROM courses UNION ALL "
        "SELECT DISTINCT course, kind, CAST(NULL AS DOUBLE) FROM training_results r "
        "WHERE NOT EXISTS (SELECT 1 FROM courses c WHERE c.course = r.course) ORDER BY 1"
    )


def course_pass_mark(wh, course: str) -> float | None:
    return wh.scalar("SELECT pass_mark FROM courses WHERE course = ?", [course])


def next_attempt(wh, employee_id: str, course: str) -> int:
    return wh.scalar(
        "SELECT coalesce(max(attempt), 0) + 1 FROM training_results WHERE employee_id = ? AND course = ?",
        [employee_id, course],
    )


def period_bounds(wh, period: str) -> tuple[dt.date, dt.date] | None:
    rows = wh.rows("SELECT starts_on, ends_on FROM appraisal_periods WHERE period = ?", [period])
    return None if not rows else (rows[0][0], rows[0][1])


def performance_base(wh, employee_id: str) -> float | None:
    """The monthly performance-pay base of the employee's pay grade (confidential: pay)."""
    return wh.scalar(
        "SELECT CAST(g.performance_base AS DOUBLE) FROM employees e JOIN pay_grades g ON g.grade = e.grade "
        "WHERE e.employee_id = ?",
        [employee_id],
    )


def appraisal_of(wh, period: str, employee_id: str) -> dict | None:
    """An existing appraisal (score, grade, confirmed_by, confirmed_at), or None."""
    frame = wh.df(
        "SELECT score, grade, reviewer, confirmed_by, confirmed_at FROM appraisals "
        "WHERE period = ? AND employee_id = ?",
        [period, employee_id],
    )
    return None if frame.empty else frame.iloc[0].to_dict()


# -- the imports page --------------------------------------------------------------------------


def import_log(
    wh, kinds: tuple[str, ...] | None = None, actor: str | None = None, limit: int = 1000
) -> pd.DataFrame:
    """Imported files, newest first: all of them, or those of some kinds and/or by one user."""
    where, params = ["TRUE"], []
    if kinds is not None:
        where.append("list_contains(?, kind)")
        params.append(list(kinds))
    if actor is not None:
        where.append("actor = ?")
        params.append(actor)
    return wh.df(
        "SELECT at_time, actor, kind, file_name, sha256, rows, imported, duplicates, rejected FROM import_log"
        f" WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
        [*params, limit],
    )


def team_people(wh, teams: tuple[str, ...]) -> list[str]:
    """Everyone in these teams (any position, present or past): whom a supervisor may import for."""
    return wh.column(
        "SELECT employee_id FROM employees WHERE list_contains(?, team) ORDER BY employee_id", [list(teams)]
    )
