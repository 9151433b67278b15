"""The look-ups pages and forms need besides metrics: filter choices, the data's span, names,
the audit log, a ticket and its rounds, the follow-up lists, courses, periods and
the import log. Each is one small query with bound parameters; those that list what a user may
see take the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics import rollup_forms as forms
from csdata.analytics.compiler import CALIBRATION, _Params

# -- dimension look-ups for filter choices, all within the scope ------------------------------


def clients(wh, scope: Scope = EVERYTHING) -> list[str]:
    """Client names within the scope: an account limited to teams sees only those teams' clients."""
    params = _Params()
    return wh.column(
        f"SELECT name FROM clients c WHERE {scope.where('clients', params, 'c')} ORDER BY name", params.values
    )


def teams(wh, scope: Scope = EVERYTHING, clients: tuple[str, ...] = ()) -> list[str]:
    """Team names within the scope (none for a client company's account), of some clients only."""
    params = _Params()
    chosen = f" AND list_contains({params.add(list(clients))}, t.client)" if clients else ""
    return wh.column(
        f"SELECT name FROM teams t WHERE {scope.where('teams', params, 't')}{chosen} ORDER BY name",
        params.values,
    )


def ticket_date_range(wh, today: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """First and last day with tickets, or None for an empty warehouse. The last day is the last
    one up to `today` (a ticket stored with a mistyped future date does not move every default
    period there), unless every ticket lies ahead."""
    row = wh.rows(  # from the rollup's cells, a day each (csdata.store.rollups), not every ticket
        f"SELECT min(day), coalesce(max(day) FILTER (WHERE day <= ?), max(day)) FROM {forms.ROLLUP_TABLES['tickets']}",
        [today or dt.date.today()],
    )[0]
    return None if row[0] is None else (row[0], row[1])


@dataclass(frozen=True)
class Span:
    """The days a picker offers and the period a dashboard opens on.

    `first`..`last` is every day that holds a ticket, audit or training result, and today (a
    record saved today can be looked at). `end` is the last complete day of ticket data: the
    latest day before today that holds tickets and at least half as many as the median of the
    same weekday in the four weeks before it. A day that is still running, or a tail of a few
    stray tickets after the data really stops, does not pull every default period into an
    almost empty week."""

    first: dt.date
    last: dt.date
    end: dt.date

    def default(self, days: int) -> tuple[dt.date, dt.date]:
        """The `days` days up to `end`, within the span."""
        return max(self.first, self.end - dt.timedelta(days=days - 1)), self.end


_LOOK_BACK = 150  # days of daily counts read to find the last complete day


def data_span(wh, today: dt.date | None = None) -> Span | None:
    """The span of the warehouse's records (see `Span`), or None when it holds no ticket."""
    today = today or dt.date.today()
    tickets = ticket_date_range(wh, today)
    if tickets is None:
        return None
    first, last_ticket = tickets
    other = wh.rows(
        "SELECT min(d), max(d) FROM (SELECT min(audited_at) AS d FROM audits UNION ALL "
        "SELECT max(audited_at) FROM audits UNION ALL SELECT min(taken_on) FROM training_results "
        "UNION ALL SELECT max(taken_on) FROM training_results)"
    )[0]
    first = min(d for d in (first, other[0]) if d is not None)
    last = max(d for d in (last_ticket, other[1], today) if d is not None)
    days = dict(
        wh.rows(
            f"SELECT day, sum({forms.stored('offered')}) FROM {forms.ROLLUP_TABLES['tickets']} "
            "WHERE day BETWEEN ? AND ? GROUP BY day",
            [last_ticket - dt.timedelta(days=_LOOK_BACK + 28), last_ticket],
        )
    )
    end = last_ticket
    for back in range(_LOOK_BACK):
        day = last_ticket - dt.timedelta(days=back)
        if day >= today or not days.get(day):
            continue
        weeks = sorted(days.get(day - dt.timedelta(days=7 * k), 0) for k in range(1, 5))
        if days[day] >= (weeks[1] + weeks[2]) / 4:  # half the median of four
            end = day
            break
    return Span(first, last, end)


def employee_names(wh, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(wh.rows("SELECT employee_id, name FROM employees WHERE list_contains(?, employee_id)", [ids]))


# -- appraisal periods and the audit log ---------------------------------------------------------------------


def appraisal_periods(wh, appraised_only: bool = False) -> list[tuple[str, dt.date]]:
    """(period, last day), newest first; with `appraised_only`, periods that have appraisals."""
    having = "WHERE EXISTS (SELECT 1 FROM appraisals a WHERE a.period = p.period)" if appraised_only else ""
    return wh.rows(f"SELECT period, ends_on FROM appraisal_periods p {having} ORDER BY ends_on DESC")


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
    params = _Params()
    return wh.df(
        "SELECT employee_id, name, team, client FROM employees WHERE position = 'agent' AND status = 'active'"
        f" AND {scope.where('employees', params)} ORDER BY employee_id",
        params.values,
    )


def employees(wh, positions: tuple[str, ...] = (), scope: Scope = EVERYTHING) -> pd.DataFrame:
    """Active employees (id, name, team, position) within the scope, optionally of some positions
    only. (The staff who audit or own an action serve the whole company: the audit form lists
    them whatever its user's scope.)"""
    params = _Params()
    sql = f"SELECT employee_id, name, team, position FROM employees WHERE status = 'active' AND {scope.where('employees', params)}"
    if positions:
        sql += f" AND list_contains({params.add(list(positions))}, position)"
    return wh.df(sql + " ORDER BY employee_id", params.values)


def agent_place(wh, agent_id: str) -> tuple[str | None, str | None] | None:
    """An active agent's client and team (None when no active agent has this id)."""
    rows = wh.rows(
        "SELECT client, team FROM employees WHERE employee_id = ? AND position = 'agent' AND status = 'active'",
        [agent_id],
    )
    return rows[0] if rows else None


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


def department_names(wh, lang: str) -> dict[str, str]:
    """Department code -> its name in the language: the Chinese name where the org gives one, in
    English the code written as words (`ground_services` -> Ground services, `it` -> IT)."""
    if lang == "zh":
        return dict(wh.rows("SELECT name, name_zh FROM departments WHERE name_zh IS NOT NULL"))
    codes = wh.column(
        "SELECT name FROM departments UNION SELECT DISTINCT department FROM tickets WHERE department IS NOT NULL"
    )
    return {c: c.upper() if len(c) <= 2 else c.replace("_", " ").capitalize() for c in codes}


def ticket(wh, ticket_id: str, scope: Scope = EVERYTHING) -> dict | None:
    """One ticket within the scope, its team (queue) among its columns, as a dict (None when
    unknown or outside the scope)."""
    params = _Params({"id": ticket_id})
    frame = wh.df(
        f"SELECT * FROM tickets t WHERE ticket_id = $id AND {scope.where('tickets', params, 't')}",
        params.values,
    )
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    return {k: (None if not isinstance(v, (list, tuple)) and pd.isna(v) else v) for k, v in row.items()}


_ROUND = ("round", "feedback_at", "answer", "answered_at")


def ticket_rounds(wh, ticket_id: str, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """A complaint's rounds in order: round, fed back at, answer (None: awaiting), answered at
    (none for a ticket outside the scope)."""
    params = _Params({"id": ticket_id})
    return wh.df(
        f"SELECT {', '.join(_ROUND)} FROM complaint_rounds WHERE ticket_id = $id AND ticket_id IN "
        f"(SELECT ticket_id FROM tickets t WHERE {scope.where('tickets', params, 't')}) ORDER BY round",
        params.values,
    )


def last_round(wh, ticket_id: str) -> dict | None:
    """A complaint's latest round as a dict (None for a value not recorded), or None before any."""
    rows = wh.rows(
        f"SELECT {', '.join(_ROUND)} FROM complaint_rounds WHERE ticket_id = ? ORDER BY round DESC LIMIT 1",
        [ticket_id],
    )
    return dict(zip(_ROUND, rows[0], strict=True)) if rows else None


# The lists of the follow-up page, each a condition on a ticket; "all" is any of the first four
# or a callback promised for later.
FOLLOW_LISTS: dict[str, str] = {
    "awaiting_feedback": "t.type = 'complaint' AND (t.feedback_at IS NULL OR t.customer_accepted = FALSE)",
    "awaiting_acceptance": "t.type = 'complaint' AND t.feedback_at IS NOT NULL AND t.customer_accepted IS NULL",
    "callbacks_due": "t.callback_promised_at < $due_before AND t.callback_done_at IS NULL",
    "suggestions": "t.type = 'suggestion' AND t.suggestion_adopted IS NULL",
    "all": "((t.type = 'complaint' AND coalesce(t.customer_accepted, FALSE) = FALSE)"
    " OR (t.type = 'suggestion' AND t.suggestion_adopted IS NULL)"
    " OR (t.callback_promised_at IS NOT NULL AND t.callback_done_at IS NULL))",
}


def _due_before(now: dt.datetime | None) -> dt.datetime:
    """Callbacks due today or overdue: promised before tomorrow's midnight."""
    today = (now or dt.datetime.now()).date()
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time())


def follow_ups(
    wh,
    scope: Scope = EVERYTHING,
    limit: int = 500,
    which: str = "all",
    newest_first: bool = False,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """Tickets to follow up within the scope, from one of `FOLLOW_LISTS`, oldest (or newest)
    first: complaints not accepted, suggestions not decided, callbacks promised and not made."""
    params = _Params({"limit": limit})
    if "$due_before" in FOLLOW_LISTS[which]:
        params.values["due_before"] = _due_before(now)
    order = "DESC" if newest_first else ""
    return wh.df(
        "SELECT t.ticket_id, t.client, t.channel, t.type, t.agent_id, t.opened_at, t.department, t.routed_at,"
        " t.feedback_at, t.customer_accepted, t.reopened, t.callback_promised_at, t.callback_done_at,"
        " t.suggestion_adopted, CAST(t.reward_amount AS DOUBLE) AS reward_amount"
        + f" FROM tickets t WHERE {FOLLOW_LISTS[which]} AND {scope.where('tickets', params, 't')}"
        f" ORDER BY t.opened_at {order}, t.ticket_id {order} LIMIT $limit",
        params.values,
    )


def follow_up_counts(wh, scope: Scope = EVERYTHING, now: dt.datetime | None = None) -> dict[str, int]:
    """How many tickets each of `FOLLOW_LISTS` holds within the scope (one pass)."""
    params = _Params({"due_before": _due_before(now)})
    counts = ", ".join(f"count_if({cond}) AS {name}" for name, cond in FOLLOW_LISTS.items())
    row = wh.rows(
        f"SELECT {counts} FROM tickets t WHERE " + scope.where("tickets", params, "t"), params.values
    )[0]
    return dict(zip(FOLLOW_LISTS, (int(n) for n in row), strict=True))


def ticket_in_scope(wh, ticket_id: str, scope: Scope = EVERYTHING) -> str | None:
    """The id of the ticket the user typed (spaces and letter case forgiven) when it is within the
    scope, else None."""
    params = _Params({"id": ticket_id.strip().upper()})
    return wh.scalar(
        "SELECT t.ticket_id FROM tickets t WHERE upper(t.ticket_id) = $id AND "
        f"{scope.where('tickets', params, 't')} LIMIT 1",
        params.values,
    )


def next_id(wh, table: str, column: str, prefix: str, digits: int) -> str:
    """The next free id of the form prefix + zero-padded number (e.g. AU000123)."""
    if table not in ("audits", "corrective_actions", "coaching_sessions") or column not in (
        "audit_id",
        "action_id",
        "session_id",
    ):
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


def teamwork_proposal(wh, period: str, employee_id: str) -> dict | None:
    """The teamwork a supervisor proposed for one person and period (teamwork, comment,
    proposed_by, proposed_at, used_by, used_at), or None. About one person already chosen within
    the scope (HR's review form, the supervisor's own save)."""
    frame = wh.df(
        "SELECT teamwork, comment, proposed_by, proposed_at, used_by, used_at FROM appraisal_proposals"
        " WHERE period = ? AND employee_id = ?",
        [period, employee_id],
    )
    return None if frame.empty else frame.iloc[0].to_dict()


def teamwork_proposals(
    wh, period: str, scope: Scope = EVERYTHING, waiting_only: bool = False
) -> pd.DataFrame:
    """The teamwork proposed for a period's people within the scope (employee_id, name, team,
    teamwork, comment, proposed_by, proposed_at, used_by, used_at); `waiting_only`: those HR has
    not used yet."""
    params = _Params({"period": period})
    waiting = " AND x.used_at IS NULL" if waiting_only else ""
    return wh.df(
        "SELECT x.employee_id, e.name, e.team, x.teamwork, x.comment, x.proposed_by, x.proposed_at,"
        " x.used_by, x.used_at FROM appraisal_proposals x LEFT JOIN employees e USING (employee_id)"
        f" WHERE x.period = $period{waiting} AND {scope.where('proposals', params, 'x')}"
        " ORDER BY x.employee_id",
        params.values,
    )


# -- the imports page --------------------------------------------------------------------------


def import_log(wh, scope: Scope = EVERYTHING, actor: str | None = None, limit: int = 1000) -> pd.DataFrame:
    """Imported files, newest first, that the scope shows (`actor`: the account asking, for a scope
    that shows only its own files): an administrator all, others the kinds they import."""
    params = _Params({"limit": limit})
    return wh.df(
        "SELECT at_time, actor, kind, file_name, sha256, rows, imported, updated, duplicates, rejected"
        " FROM import_log l"
        f" WHERE {scope.where('imports', params, 'l', actor=actor)} ORDER BY id DESC LIMIT $limit",
        params.values,
    )


def employee_history(wh, employee_id: str, scope: Scope = EVERYTHING, full: bool = False) -> pd.DataFrame:
    """A person's periods (team, client, position, grade, from, until: empty while current),
    oldest first; none when the person is outside the scope (by their current team and client).
    `full` adds each period's status, who recorded it and why."""
    params = _Params({"id": employee_id})
    more = ", h.status, h.actor, h.reason" if full else ""
    return wh.df(
        f"""SELECT h.team, h.client, h.position, h.grade, h.valid_from, h.valid_to{more}
            FROM employee_history h JOIN employees e ON e.employee_id = h.employee_id
            WHERE h.employee_id = $id AND {scope.where("employees", params, "e")}
            ORDER BY h.valid_from""",
        params.values,
    )


# Record kind -> how the scope limits its list (None: master data every reader of it may see whole).
_RECORD_RELATIONS = {
    "clients": "clients",
    "teams": "teams",
    "employees": "employees",
    "requisitions": "requisitions",
}


def records(wh, kind: str, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """The records of a kind of master data or of the staff, in the columns of its import file
    (`csdata.imports.ingest.stored_sql`), by their key: the clients, teams and people within the
    scope (and the requisitions of its clients and teams); pay grades only for a scope that sees
    pay."""
    from csdata.imports import ingest
    from csdata.policy import History
    from csdata.records.models import KINDS
    from csdata.store.sql import ident

    params = _Params()
    columns = ingest.stored_sql(kind, History.load(wh))
    relation = _RECORD_RELATIONS.get(kind)
    where = scope.where(relation, params, "x") if relation else "TRUE"
    if kind == "pay_grades" and not scope.sees_pay:
        where = "FALSE"
    select = ", ".join(f"{sql} AS {ident(c)}" for c, sql in columns.items())
    order = ", ".join(ident(k) for k in KINDS[kind].KEY)
    return wh.df(
        f"SELECT {select} FROM {ingest.table_of(kind)} x WHERE {where} ORDER BY {order}", params.values
    )


RECOGNITION_COLUMNS = (
    "id", "awarded_on", "award", "reason", "recorded_by", "recorded_at", "voided_at", "voided_by", "void_reason",
)  # fmt: skip


def recognitions(wh, employee_id: str, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """A person's recognitions (表彰), newest first, voided ones too (`voided_at` set); none when
    the person is outside the scope (by their current team and client)."""
    params = _Params({"id": employee_id})
    return wh.df(
        f"""SELECT {", ".join("r." + c for c in RECOGNITION_COLUMNS)}
            FROM recognitions r JOIN employees e ON e.employee_id = r.employee_id
            WHERE r.employee_id = $id AND {scope.where("employees", params, "e")}
            ORDER BY r.awarded_on DESC, r.id DESC""",
        params.values,
    )


def people_in_scope(wh, scope: Scope) -> list[str]:
    """Everyone (any position, present or past) within the scope: whom an account may import for."""
    params = _Params()
    return wh.column(
        f"SELECT employee_id FROM employees WHERE {scope.where('employees', params)} ORDER BY employee_id",
        params.values,
    )


# -- corrective actions and coaching --------------------------------------------------------------

ACTION_COLUMNS = (
    "action_id", "status", "overdue", "kind", "agent_id", "agent_name", "team", "owner_id", "owner_name",
    "due_on", "closed_on", "audit_id", "note",
)  # fmt: skip


def actions(
    wh,
    scope: Scope = EVERYTHING,
    statuses: tuple[str, ...] = (),
    owner: str | None = None,
    overdue_only: bool = False,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Corrective actions within the scope (a supervisor: of their teams' people), overdue first,
    then by due day: `ACTION_COLUMNS`. Overdue: still open or in progress after its due day.
    `statuses` (none: all), `owner` and `overdue_only` narrow the list."""
    params = _Params({"today": today or dt.date.today()})
    overdue = "(c.status IN ('open', 'in_progress') AND c.due_on < $today)"
    conds = [scope.where("actions", params, "c")]
    if statuses:
        conds.append(f"list_contains({params.add(list(statuses))}, c.status)")
    if owner:
        conds.append(f"c.owner_id = {params.add(owner)}")
    if overdue_only:
        conds.append(overdue)
    return wh.df(
        f"""SELECT c.action_id, c.status, {overdue} AS overdue, c.kind, c.agent_id, e.name AS agent_name, e.team,
                   c.owner_id, o.name AS owner_name, c.due_on, c.closed_on, c.audit_id, c.note
            FROM corrective_actions c LEFT JOIN employees e ON e.employee_id = c.agent_id
            LEFT JOIN employees o ON o.employee_id = c.owner_id
            WHERE {" AND ".join(conds)}
            ORDER BY {overdue} DESC, c.due_on NULLS LAST, c.action_id""",
        params.values,
    )


def action(wh, action_id: str, scope: Scope = EVERYTHING) -> dict | None:
    """One corrective action within the scope as a dict (None: unknown or outside the scope)."""
    params = _Params({"id": action_id})
    frame = wh.df(
        f"""SELECT c.*, a.audited_at FROM corrective_actions c LEFT JOIN audits a ON a.audit_id = c.audit_id
            WHERE c.action_id = $id AND {scope.where("actions", params, "c")}""",
        params.values,
    )
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()  # its days (due, closed, audited) as dates
    return {k: None if pd.isna(v) else v.date() if isinstance(v, pd.Timestamp) else v for k, v in row.items()}


def action_exists(wh, action_id: str) -> bool:
    return bool(wh.scalar("SELECT count(*) FROM corrective_actions WHERE action_id = ?", [action_id]))


STEP_COLUMNS = ("at_time", "actor", "status", "on_date", "note", "owner_id", "due_on")


def action_steps(wh, action_id: str, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """The steps of an action within the scope, oldest first (`STEP_COLUMNS`)."""
    params = _Params({"id": action_id})
    return wh.df(
        f"SELECT {', '.join(STEP_COLUMNS)} FROM action_steps WHERE action_id = $id AND action_id IN "
        f"(SELECT c.action_id FROM corrective_actions c WHERE {scope.where('actions', params, 'c')}) "
        "ORDER BY at_time, on_date",
        params.values,
    )


def last_step_day(wh, action_id: str) -> dt.date | None:
    return wh.scalar("SELECT max(on_date) FROM action_steps WHERE action_id = ?", [action_id])


COACHING_COLUMNS = ("held_on", "employee_id", "name", "coach_id", "topic", "audit_id", "period", "note")


def coaching(wh, scope: Scope = EVERYTHING, employee_id: str | None = None, limit: int = 500) -> pd.DataFrame:
    """Coaching sessions within the scope (of one person when given), newest first."""
    params = _Params({"limit": limit})
    cond = scope.where("coaching", params, "s")
    if employee_id:
        cond += f" AND s.employee_id = {params.add(employee_id)}"
    return wh.df(
        f"""SELECT s.held_on, s.employee_id, e.name, s.coach_id, s.topic, s.audit_id, s.period, s.note
            FROM coaching_sessions s LEFT JOIN employees e ON e.employee_id = s.employee_id
            WHERE {cond} ORDER BY s.held_on DESC, s.session_id DESC LIMIT $limit""",
        params.values,
    )


def audit_agent(wh, audit_id: str) -> str | None:
    return wh.scalar("SELECT agent_id FROM audits WHERE audit_id = ?", [audit_id])


def audits_of(wh, employee_id: str, limit: int = 50) -> list[str]:
    """A person's latest audits, newest first (what a coaching session may be about: not a
    calibration audit, which measures its auditor)."""
    return wh.column(
        "SELECT audit_id FROM audits WHERE agent_id = ? AND source <> ? ORDER BY audited_at DESC, audit_id DESC"
        " LIMIT ?",
        [employee_id, CALIBRATION, limit],
    )


def open_calibrations(wh, scope: Scope, today: dt.date | None = None, days: int = 30) -> pd.DataFrame:
    """The calibration sessions of the last `days` days (to `today`) within the scope, newest first:
    a ticket with calibration audits, its agent, client and channel, its last audit day and the
    auditors who scored it so far (what another auditor joins from the audit form). None for a
    client company's account: calibration is about the company's auditors."""
    today = today or dt.date.today()
    params = _Params({"calibration": CALIBRATION, "since": today - dt.timedelta(days=days), "today": today})
    within = scope.where("audits", params, "a") if scope.agents_visible else "FALSE"
    return wh.df(
        f"""SELECT a.ticket_id, any_value(a.agent_id ORDER BY a.audited_at, a.audit_id) AS agent_id,
                   any_value(a.client ORDER BY a.audited_at, a.audit_id) AS client,
                   any_value(a.channel ORDER BY a.audited_at, a.audit_id) AS channel,
                   max(a.audited_at) AS audited_at,
                   list(DISTINCT a.auditor_id ORDER BY a.auditor_id) AS auditors
            FROM audits a
            WHERE a.source = $calibration AND a.ticket_id IS NOT NULL
              AND a.audited_at BETWEEN $since AND $today AND {within}
            GROUP BY a.ticket_id ORDER BY audited_at DESC, a.ticket_id""",
        params.values,
    )


def appraised_periods(wh, employee_id: str) -> list[str]:
    """The periods a person was appraised in, latest first."""
    return wh.column(
        "SELECT a.period FROM appraisals a JOIN appraisal_periods p USING (period) WHERE a.employee_id = ?"
        " ORDER BY p.ends_on DESC",
        [employee_id],
    )


def appraised_in(wh, period: str, employee_id: str) -> bool:
    return bool(
        wh.scalar(
            "SELECT count(*) FROM appraisals WHERE period = ? AND employee_id = ?", [period, employee_id]
        )
    )
