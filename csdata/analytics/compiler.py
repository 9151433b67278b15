"""The query layer: (metrics, filters, grouping, scope) -> one SQL statement with bound parameters.

This is the one place that assembles read SQL. Every source is a relation with the same
dimension columns (`day, client, channel, team, agent_id`), so filters, the user's scope and the
groupings are written once for all of them. Each source a request needs is aggregated in its own
CTE, the CTEs are joined on the group key, and the metric expressions of `csdata.analytics.metrics` are
evaluated on top: DuckDB does all the aggregation and a page receives at most one row per group.

Where the rollups can answer (`csdata.analytics.rollup_forms`: a measure of the tickets or
complaint rounds, split by what the rollups keep), a source's measures are read from them instead
of the facts, in CTEs of their own (`r_<source>` for sums, `h_<measure>` for a median or
percentile from the histograms), joined like any other: a page's cost then follows the days and
cells it reads, not the tickets. `rollups=False` gives the same figures from the facts alone.

The user's scope (`csdata.access.scope`: which clients and teams they may see) is ANDed with the
filters on every source here, so no page can forget it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics import rollup_forms as forms
from csdata.analytics.metrics import CATALOG, MEASURES
from csdata.policy import CHANNELS, Policy, load_policy
from csdata.store.sql import literal


def _on_day(day: str, person: str, join: str = "LEFT JOIN") -> str:
    """The person's period of `employee_periods` (team, client, grade) in force on `day`."""
    return (
        f"{join} employee_periods e ON e.employee_id = {person}\n"
        f"             AND e.valid_from <= {day} AND (e.valid_to IS NULL OR {day} < e.valid_to)"
    )


# How each source is filtered by date: the column and whether it is a timestamp.
# `staff` has no day of its own: it counts people employed at some time in the range.
# A ticket's team is the queue it was offered to (`tickets.team`), answered or not, so a team's
# offered, answer and abandon rates and service level count the tickets nobody answered; the
# other sources are about a person, whose team and client they take as they were on the record's
# day (`employee_periods`: the `employee_history` of 009): a transfer moves no past figures. `staff` counts a
# person for the team they were in at the period's end (or on their last day, if they left within
# it). `{sla}` is filled only when a query needs the service-level threshold. A calibration audit
# (source `calibration`: several auditors scoring one ticket to compare themselves,
# `csdata.analytics.calibration`) measures the auditors, not the agent: the audit sources leave it
# out, so no QA figure of an agent, team or client counts it.
CALIBRATION = "calibration"
# A candidate's dimensions: its requisition's client and team, the person hired (if any) as the
# agent, and the channel it came through as `recruit_channel` (`channel` is a ticket's).
_RECRUIT_PLACE = "q.client, CAST(NULL AS VARCHAR) AS channel, q.team, c.employee_id AS agent_id, c.channel AS recruit_channel"
_SOURCES: dict[str, str] = {
    "tickets": """
        SELECT CAST(t.opened_at AS DATE) AS day, t.client, t.channel, t.team, t.agent_id, t.type,
               t.ticket_id, t.routed_at,
               epoch(t.first_response_at - t.opened_at) AS wait_s, {sla} AS sla_s,
               t.handle_seconds, t.resolved, t.first_contact_resolved, t.csat, t.department,
               t.opened_at, t.feedback_at, t.customer_accepted, t.reopened,
               t.callback_promised_at, t.callback_done_at, t.suggestion_adopted,
               CAST(t.reward_amount AS DOUBLE) AS reward
        FROM tickets t
        WHERE t.opened_at >= $start AND t.opened_at < $end_excl""",
    # One row per round of a complaint's feedback (`complaint_rounds`) with its ticket's dimensions:
    # every complaint fed back has a round 1, and at most one round is accepted, so the measures
    # need no grouping per complaint.
    "rounds": """
        SELECT CAST(t.opened_at AS DATE) AS day, t.client, t.channel, t.team, t.agent_id,
               t.department, t.opened_at, r.round, r.answer
        FROM complaint_rounds r JOIN tickets t ON t.ticket_id = r.ticket_id
        WHERE t.opened_at >= $start AND t.opened_at < $end_excl AND t.type = 'complaint'""",
    "audits": f"""
        SELECT a.audited_at AS day, coalesce(a.client, e.client) AS client, a.channel, e.team,
               a.agent_id, a.score, a.critical_error, a.auditor_id, a.finding_category,
               a.audit_id, a.source AS audit_source, a.comment
        FROM audits a {_on_day("a.audited_at", "a.agent_id")}
        WHERE a.audited_at BETWEEN $start AND $end AND a.source <> '{CALIBRATION}'""",
    "criteria": f"""
        SELECT a.audited_at AS day, coalesce(a.client, e.client) AS client, a.channel, e.team,
               a.agent_id, s.criterion, s.score
        FROM audit_scores s JOIN audits a ON a.audit_id = s.audit_id
        {_on_day("a.audited_at", "a.agent_id")}
        WHERE a.audited_at BETWEEN $start AND $end AND a.source <> '{CALIBRATION}'""",
    "onboarding": f"""
        SELECT r.first_day AS day, e.client, CAST(NULL AS VARCHAR) AS channel, e.team,
               r.employee_id AS agent_id, r.passed, r.attempts
        FROM (SELECT employee_id, min(taken_on) AS first_day,
                     max(score) >= $onboarding_pass_mark AS passed, count(*) AS attempts
              FROM training_results WHERE kind = 'onboarding' GROUP BY employee_id) r
        {_on_day("r.first_day", "r.employee_id")}
        WHERE r.first_day BETWEEN $start AND $end""",
    "training": f"""
        SELECT r.taken_on AS day, e.client, CAST(NULL AS VARCHAR) AS channel, e.team,
               r.employee_id AS agent_id, r.hours, r.kind
        FROM training_results r {_on_day("r.taken_on", "r.employee_id", "JOIN")}
        WHERE r.taken_on BETWEEN $start AND $end AND e.team IS NOT NULL""",
    "staff": """
        SELECT CAST(NULL AS DATE) AS day, e.client, CAST(NULL AS VARCHAR) AS channel, e.team,
               e.employee_id AS agent_id
        FROM employees p
        JOIN employee_periods e ON e.employee_id = p.employee_id
             AND e.valid_from <= least($end, coalesce(p.left_on, $end))
             AND (e.valid_to IS NULL OR least($end, coalesce(p.left_on, $end)) < e.valid_to)
        WHERE e.team IS NOT NULL AND p.hire_date <= $end
          AND (p.left_on IS NULL OR p.left_on >= $start)""",
    "appraisals": f"""
        SELECT p.ends_on AS day, e.client, CAST(NULL AS VARCHAR) AS channel, e.team,
               a.employee_id AS agent_id, a.score, a.grade, a.period
        FROM appraisals a
        JOIN appraisal_periods p ON p.period = a.period
        {_on_day("p.ends_on", "a.employee_id")}
        WHERE p.ends_on BETWEEN $start AND $end AND a.confirmed_at IS NOT NULL""",
    # Recruitment (`csdata.analytics.funnel` says why these five): the requisitions open now
    # (no day, like `staff`: the seats still to fill of those opened by the period's end), each
    # with the hires made against it.
    "requisitions": """
        SELECT CAST(NULL AS DATE) AS day, q.client, CAST(NULL AS VARCHAR) AS channel, q.team,
               CAST(NULL AS VARCHAR) AS agent_id, CAST(NULL AS VARCHAR) AS recruit_channel, q.headcount,
               (SELECT count(*) FROM candidates c WHERE c.requisition_id = q.requisition_id
                AND c.hired_on IS NOT NULL) AS hired
        FROM requisitions q WHERE q.status = 'open' AND q.opened_on <= $end""",
    # The candidates who applied in the period, with their requisition's client and team.
    "candidates": f"""
        SELECT c.applied_on AS day, {_RECRUIT_PLACE}, c.screen_passed, c.interview_passed,
               c.test_score, c.check_passed, c.offer_accepted, c.applied_on, c.screened_on,
               c.interviewed_on, c.test_on, c.checked_on, c.offered_on, c.hired_on
        FROM candidates c JOIN requisitions q USING (requisition_id)
        WHERE c.applied_on BETWEEN $start AND $end""",
    # The hires of the period (by the day hired) and how they did afterwards: days from the
    # requisition's opening, whether every onboarding course's first attempt reached the pass
    # mark (NULL: none sat yet), and whether they were still employed 180 days on (NULL until
    # those days have passed).
    "hires": f"""
        SELECT c.hired_on AS day, {_RECRUIT_PLACE},
               datediff('day', q.opened_on, c.hired_on) AS fill_days,
               (SELECT bool_and(r.score >= $onboarding_pass_mark) FROM training_results r
                WHERE r.employee_id = c.employee_id AND r.kind = 'onboarding' AND r.attempt = 1) AS first_passed,
               CASE WHEN c.hired_on + 180 <= current_date
                    THEN p.left_on IS NULL OR p.left_on >= c.hired_on + 180 END AS retained
        FROM candidates c JOIN requisitions q USING (requisition_id)
        LEFT JOIN employees p ON p.employee_id = c.employee_id
        WHERE c.hired_on BETWEEN $start AND $end""",
    # The QA audits of the period's hires in their first 90 days (calibration audits left out, as
    # in `audits`), and their tickets rated in those days.
    "hire_audits": f"""
        SELECT c.hired_on AS day, {_RECRUIT_PLACE}, a.score
        FROM candidates c JOIN requisitions q USING (requisition_id)
        JOIN audits a ON a.agent_id = c.employee_id AND a.audited_at >= c.hired_on
             AND a.audited_at < c.hired_on + 90 AND a.source <> '{CALIBRATION}'
        WHERE c.hired_on BETWEEN $start AND $end""",
    "hire_ratings": f"""
        SELECT c.hired_on AS day, {_RECRUIT_PLACE}, t.csat
        FROM candidates c JOIN requisitions q USING (requisition_id)
        JOIN tickets t ON t.agent_id = c.employee_id AND t.opened_at >= c.hired_on
             AND t.opened_at < c.hired_on + 90 AND t.csat IS NOT NULL
        WHERE c.hired_on BETWEEN $start AND $end""",
}

# Grouping name -> its SQL over a source's columns.
GROUPINGS: dict[str, str] = {
    "day": "day",
    "week": "CAST(date_trunc('week', day) AS DATE)",
    "month": "CAST(date_trunc('month', day) AS DATE)",
    "weekday": "isodow(day)",
    "hour": "hour(opened_at)",
    "client": "client",
    "channel": "channel",
    # A ticket whose queue is not known, or a person in no team, groups under '' (unassigned); a
    # ticket nobody answered has no agent and groups under '' by agent: the rows of a split add
    # up to the whole.
    "team": "coalesce(team, '')",
    "agent": "coalesce(agent_id, '')",
    "department": "department",
    "criterion": "criterion",
    "auditor": "auditor_id",
    "finding": "finding_category",
    "period": "period",
    "grade": "grade",
    "recruit_channel": "recruit_channel",
}
TIME_GROUPINGS = ("day", "week", "month", "weekday")
_COMMON = {"client", "team", "agent"}
_DATED = _COMMON | {"day", "week", "month", "weekday"}

# The groupings each source can be split by. Split by another, a source's metrics stay empty (a
# training hour has no channel), except that `staff`, which has no day, gives the whole range's
# headcount in every period.
_HAS: dict[str, set[str]] = {
    "tickets": _DATED | {"channel", "hour", "department"},
    "rounds": _DATED | {"channel", "hour", "department"},
    "audits": _DATED | {"channel", "auditor", "finding"},
    "criteria": _DATED | {"channel", "criterion"},
    "onboarding": _DATED,
    "training": _DATED,
    "staff": _COMMON,
    "appraisals": _DATED | {"period", "grade"},
    "requisitions": {"client", "team"},
    **{
        src: (_DATED - {"agent"}) | {"recruit_channel"}
        for src in ("candidates", "hires", "hire_audits", "hire_ratings")
    },
}
# Filters a source has no column for are not applied to it (training hours ignore a channel filter).
_FILTERABLE: dict[str, set[str]] = {src: {"channel"} & has for src, has in _HAS.items()}


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


@dataclass
class _Params:
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, filters: Filters, policy: Policy) -> _Params:
        """The named parameters every statement may use: the period and the policy's pass marks."""
        return cls(
            {
                "start": filters.start,
                "end": filters.end,
                "end_excl": filters.end + dt.timedelta(days=1),
                "qa_pass_mark": policy.scorecard.pass_mark,
                "onboarding_pass_mark": policy.onboarding_pass_mark,
                "agents": list(filters.agents),
            }
        )

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"

    def used_in(self, sql: str) -> dict[str, Any]:
        """Those the statement names: DuckDB refuses parameters a statement does not use."""
        return {name: v for name, v in self.values.items() if re.search(rf"\${name}\b", sql)}


# The relation of `csdata.access.scope` each source's rows belong to.
_RELATION = {
    "tickets": "tickets",
    "rounds": "tickets",
    "audits": "audits",
    "criteria": "audits",
    "onboarding": "training",
    "training": "training",
    "staff": "employees",
    "appraisals": "appraisals",
    "requisitions": "requisitions",
    **{src: "candidates" for src in ("candidates", "hires", "hire_audits", "hire_ratings")},
}


def _where(filters: Filters, scope: Scope, source: str, params: _Params, relation: str | None = None) -> str:
    """The filters and the scope (that of `relation`, by default the source's) on a source's
    rows, which carry their client and team as columns."""
    conds = []
    dims = {
        "client": filters.clients,
        "team": filters.teams,
        "channel": filters.channels if "channel" in _FILTERABLE[source] else (),
        "agent_id": filters.agents,
    }
    for column, values in dims.items():
        if values:
            conds.append(f"list_contains({params.add(list(values))}, {column})")
    within = scope.where(relation or _RELATION[source], params, carried=True)
    return " AND ".join([*conds, within]) if within != "TRUE" else " AND ".join(conds) or "TRUE"


def sla_thresholds(policy: Policy) -> dict[tuple[str, str], int]:
    """The service-level threshold in seconds by (client, channel), '' for the channel's default:
    the contracts' overrides within the company's default per channel."""
    found = {("", channel): int(policy.sla_seconds[channel]) for channel in CHANNELS}
    for c in policy.contracts:
        for channel in CHANNELS:
            if channel in c.sla_seconds:
                found[(c.client, channel)] = int(c.sla_seconds[channel])
    return found


def _sla_case(policy: Policy, params: _Params) -> str:
    """Each ticket's service-level threshold in seconds (`rollup_forms.threshold_case`)."""
    return forms.threshold_case(sla_thresholds(policy), str, params.add, "t.")


def _keys(by: str | tuple[str, ...] | None) -> tuple[str, ...]:
    keys = () if by is None else (by,) if isinstance(by, str) else tuple(by)
    unknown = [k for k in keys if k not in GROUPINGS]
    if unknown:
        raise KeyError(f"unknown grouping: {', '.join(unknown)}")
    return keys


def key_columns(by: str | tuple[str, ...] | None) -> list[str]:
    """The result's key columns: `key` for one grouping, `key`, `key2`, ... for several."""
    return ["key" if i == 0 else f"key{i + 1}" for i in range(len(_keys(by)))]


def _relation(
    src: str,
    filters: Filters,
    scope: Scope,
    measures,
    params,
    policy: Policy | None = None,
) -> str:
    sql = _SOURCES[src]
    if src == "tickets":
        sla = policy is not None and any("sla_s" in MEASURES[n].sql for n in measures)
        sql = sql.format(sla=_sla_case(policy, params) if sla else "CAST(NULL AS INTEGER)")
    return f"({sql}) s WHERE {_where(filters, scope, src, params)}"


def fact_relation(src: str) -> str:
    """A rolled-up source's rows for the period `$start`..`$end` (what `csdata.store.rollups` sums
    per day; the service-level threshold is not among them, the rollups keep its ladder)."""
    return _SOURCES[src].format(sla="CAST(NULL AS INTEGER)") if src == "tickets" else _SOURCES[src]


def _route(src, wanted, keys, filters: Filters, policy, params, rollups: bool) -> tuple[list, dict, list]:
    """Which of a source's measures the facts answer, which the sums of its rollup (with the SQL
    reading each), which its histograms (`csdata.analytics.rollup_forms`). Split by the hour of
    day, only the hourly measures come from a rollup (`rollup_forms.HOURLY_TABLE`)."""
    hourly = "hour" in keys
    if (
        not rollups
        or src not in forms.ROLLUP_TABLES
        or not set(keys) <= forms.groupings(src, keys)
        or (hourly and filters.agents)
    ):
        return list(wanted), {}, []
    facts, sums, histograms = [], {}, []
    thresholds = sla_thresholds(policy)
    for name in wanted:
        f = forms.form(name)
        if hourly and name not in forms.HOURLY_MEASURES:
            facts.append(name)
        elif isinstance(f, forms.Sums) and (read := forms.ladder_read(f, thresholds, params.add)) is not None:
            sums[name] = read
        elif isinstance(f, forms.Histogram) and set(keys) <= forms.HISTOGRAM_GROUPINGS and not filters.agents:
            histograms.append(name)
        else:
            facts.append(name)
    return facts, sums, histograms


def _rolled(table: str, src: str, filters: Filters, scope: Scope, params: _Params, extra: str = "") -> str:
    return (
        f"(SELECT * FROM {table} WHERE {extra}day BETWEEN $start AND $end) s"
        f" WHERE {_where(filters, scope, src, params)}"
    )


def _quantile(p: float) -> str:
    """The `p` quantile of a binned column, interpolated as `quantile_cont` does between the values
    of ranks floor(h) and floor(h) + 1 (h = (n - 1) p), each its bin's value (`rollup_forms.bin_sql`:
    the upper bound of a whole-unit bin, the midpoint of a wider one)."""
    h = f"((total - 1) * {p!r})"
    lo = f"min(bin) FILTER (WHERE cum > floor({h}))"
    hi = f"min(bin) FILTER (WHERE cum > least(floor({h}) + 1, total - 1))"
    return f"({lo} + (any_value({h}) - floor(any_value({h}))) * ({hi} - {lo}))"


def _histogram_cte(name: str, own, filters: Filters, scope: Scope, params: _Params) -> str:
    h = forms.form(name)
    names = [n for _, n in own]
    keyed = "".join(f"{expr} AS {n}, " for expr, n in own)
    relation = _rolled(forms.HISTOGRAM_TABLE, "tickets", filters, scope, params, f"measure = '{name}' AND ")
    over = f"PARTITION BY {', '.join(names)}" if names else ""
    ranked = (
        f"SELECT *, sum(n) OVER ({over} ORDER BY bin ROWS UNBOUNDED PRECEDING) AS cum, sum(n) OVER ({over}) AS total"
        f" FROM (SELECT {keyed}bin, sum(n) AS n FROM {relation} GROUP BY ALL)"
    )
    value = _quantile(0.5) if h.quantiles is None else f"[{', '.join(_quantile(q) for q in h.quantiles)}]"
    return f"SELECT {''.join(n + ', ' for n in names)}{value} AS {name} FROM ({ranked}){' GROUP BY ALL' if names else ''}"


def build_sql(
    metrics: list[str],
    filters: Filters,
    by: str | tuple[str, ...] | None,
    scope: Scope,
    policy: Policy,
    detail: bool = False,
    rollups: bool = True,
) -> tuple[str, dict[str, Any]]:
    """The SQL text and parameters for `metric_table` (also for reading and reviewing). Measures
    the rollups can answer are read from them (`csdata.analytics.rollup_forms`) unless `rollups`
    is False: the same figures from the facts alone, which the tests compare them with."""
    unknown = [m for m in metrics if m not in CATALOG]
    if unknown:
        raise KeyError(f"unknown metric: {', '.join(unknown)}")
    keys = _keys(by)
    if {"agent", "team"} & set(keys) and not scope.agents_visible:
        raise PermissionError(f"grouping by {by} is outside this account's scope")
    names = key_columns(keys)
    params = _Params.of(filters, policy)
    hidden = {m for m in metrics if not scope.allows(m, policy)}  # come back empty, never computed
    needed: dict[str, list[str]] = {}
    for metric in metrics:
        if metric in hidden:
            continue
        sample = CATALOG[metric].sample
        for name in CATALOG[metric].measures + (sample.measures if detail and sample else ()):
            src = MEASURES[name].source
            if name not in needed.setdefault(src, []):
                needed[src].append(name)

    ctes: list[str] = []
    joined: list[str] = []  # CTEs that carry every group key
    crossed: list[tuple[str, list[str]]] = []  # CTEs that carry only some (or none) of them
    empty: set[str] = set()  # sources that cannot be split this way
    for src, wanted in needed.items():
        lacking = [k for k in keys if k not in _HAS[src]]
        if lacking and not set(lacking) <= set(TIME_GROUPINGS):
            empty.add(src)
            continue
        own = [(GROUPINGS[k], n) for k, n in zip(keys, names, strict=True) if k not in lacking]
        keyed = [f"{expr} AS {n}" for expr, n in own]
        group = " GROUP BY ALL" if own else ""
        facts, sums, histograms = _route(src, wanted, keys, filters, policy, params, rollups)
        parts = []
        if facts:
            measures = [f"{MEASURES[n].sql} AS {n}" for n in facts]
            relation = _relation(src, filters, scope, facts, params, policy)
            parts.append((f"m_{src}", f"SELECT {', '.join(keyed + measures)} FROM {relation}{group}"))
        if sums:
            measures = [f"{read} AS {n}" for n, read in sums.items()]
            relation = _rolled(forms.table(src, keys), src, filters, scope, params)
            parts.append((f"r_{src}", f"SELECT {', '.join(keyed + measures)} FROM {relation}{group}"))
        parts += [(f"h_{n}", _histogram_cte(n, own, filters, scope, params)) for n in histograms]
        for cte, body in parts:
            ctes.append(f"{cte} AS ({body})")
            if lacking or not keys:
                crossed.append((cte, [n for _, n in own]))
            else:
                joined.append(cte)

    def expr(metric: str) -> str:
        m = CATALOG[metric]
        if metric in hidden or m.sources & empty:
            return "CAST(NULL AS DOUBLE)"
        return f"CAST({m.expr} AS DOUBLE)"

    def details(metric: str) -> list[str]:
        """A metric's sample (`metrics.Sample`) as columns `<metric>__n`, `__hits`, `__sd`."""
        sample = CATALOG[metric].sample
        if not detail or sample is None:
            return []
        hidden_ = metric in hidden or CATALOG[metric].sources & empty
        parts = {"n": sample.n, "hits": sample.hits, "sd": sample.sd}
        return [
            f"{'CAST(NULL AS DOUBLE)' if hidden_ else f'CAST({measure} AS DOUBLE)'} AS {metric}{DETAIL}{part}"
            for part, measure in parts.items()
            if measure
        ]

    select = ", ".join([f"{expr(m)} AS {m}" for m in metrics] + [c for m in metrics for c in details(m)])
    key_list = ", ".join(names)
    with_ = f"WITH {', '.join(ctes)} " if ctes else ""
    if joined:
        frm = joined[0] + "".join(f" FULL OUTER JOIN {c} USING ({key_list})" for c in joined[1:])
        for cte, own in crossed:  # a time-less source repeats its figures in every period
            frm += f" LEFT JOIN {cte} USING ({', '.join(own)})" if own else f" CROSS JOIN {cte}"
        not_null = " AND ".join(f"{n} IS NOT NULL" for n in names)
        sql = f"{with_}SELECT {key_list}, {select} FROM {frm} WHERE {not_null} ORDER BY {key_list}"
    elif not keys:
        frm = " CROSS JOIN ".join(c for c, _ in crossed) if crossed else "(SELECT 1)"
        sql = f"{with_}SELECT {select} FROM {frm}"
    else:  # no requested source has every key
        nulls = ", ".join(f"NULL AS {n}" for n in names)
        sql = f"{with_}SELECT {nulls}, {select} WHERE FALSE"
    return sql, params.used_in(sql)


# The separator of a metric's sample columns (`qa_score__n`, `qa_score__sd`): no metric name has it.
DETAIL = "__"


def metric_table(
    wh,
    metrics: list[str],
    filters: Filters,
    by: str | tuple[str, ...] | None = None,
    scope: Scope = EVERYTHING,
    policy: Policy | None = None,
    detail: bool = False,
    rollups: bool = True,
) -> pd.DataFrame:
    """Metric values for the filters: one row, or one row per `by` key (columns `key`, `key2`...).
    With `detail`, each metric with a sample also has the columns its interval and tests need
    (`<metric>__n`, `__hits` for a rate, `__sd` for a mean; see `csdata.analytics.stats`)."""
    if policy is None:
        policy = load_policy(wh, on=filters.end)[1]
    sql, params = build_sql(metrics, filters, by, scope, policy, detail, rollups)
    return wh.df(sql, params)


# -- dashboard listings: small result sets that are not metrics (a funnel, a list, a history) ------

# A candidate's stages and the days spent before each: from the day of the stage before to its own
# (`recruit_stage_days`; `start`: from the offer to the first day at work).
STAGE_DAYS: tuple[tuple[str, str, str], ...] = (
    ("screening", "applied_on", "screened_on"),
    ("interview", "screened_on", "interviewed_on"),
    ("test", "interviewed_on", "test_on"),
    ("check", "test_on", "checked_on"),
    ("offer", "checked_on", "offered_on"),
    ("start", "offered_on", "hired_on"),
)

# An open complaint's age at the end of the period, in buckets of days (bucket names from the bounds).
_AGE_BOUNDS = (1, 3, 7)
AGE_BUCKETS = tuple(f"{a}-{b}" for a, b in zip((0, *_AGE_BOUNDS[:-1]), _AGE_BOUNDS, strict=True)) + (
    f"{_AGE_BOUNDS[-1]}+",
)
_AGE = "epoch(CAST($end_excl AS TIMESTAMP) - opened_at) / 86400.0"
_AGE_BUCKET = (
    "CASE "
    + " ".join(f"WHEN {_AGE} < {b} THEN '{name}'" for b, name in zip(_AGE_BOUNDS, AGE_BUCKETS, strict=False))
    + f" ELSE '{AGE_BUCKETS[-1]}' END"
)
_STAGE = (
    "CASE WHEN coalesce(customer_accepted, FALSE) THEN 'accepted' WHEN feedback_at IS NOT NULL THEN 'fed_back'"
    " WHEN routed_at IS NOT NULL THEN 'routed' ELSE 'recorded' END"
)


def _listing_sql(name: str, filters: Filters, scope: Scope, policy: Policy, params: _Params) -> str:
    def rel(src: str) -> str:
        return _relation(src, filters, scope, [], params)

    if name == "complaint_path":  # complaints of the period by stage reached, and open ones by age;
        # complaints reopened at least once, and reopens in all, from their rounds
        return f"""
            SELECT {_STAGE} AS stage,
                   CASE WHEN NOT coalesce(customer_accepted, FALSE) THEN {_AGE_BUCKET} END AS age,
                   count(*) AS tickets, count_if(r.reopens > 0) AS reopened,
                   coalesce(sum(r.reopens), 0) AS reopens
            FROM (SELECT * FROM {rel("tickets")} AND type = 'complaint') s
            LEFT JOIN (SELECT ticket_id, count(*) AS reopens FROM complaint_rounds WHERE answer = 'reopened'
                       GROUP BY ticket_id) r USING (ticket_id)
            GROUP BY ALL ORDER BY ALL"""
    if name == "open_complaints":  # complaints of the period the customer has not accepted, oldest first
        return f"""
            SELECT ticket_id, client, channel, {"agent_id, " if scope.agents_visible else ""}opened_at, department,
                   {_STAGE} AS stage,
                   routed_at, feedback_at, coalesce(reopened, FALSE) AS reopened, {_AGE} AS age_days
            FROM {rel("tickets")} AND type = 'complaint' AND NOT coalesce(customer_accepted, FALSE)
            ORDER BY opened_at, ticket_id LIMIT 500"""
    if name == "actions":  # corrective actions of the period's audits, as they stood at its end
        # (closed_on: the day a step closed it; one in progress is open, or overdue past its due day)
        return f"""
            SELECT kind, CASE WHEN status = 'cancelled' AND coalesce(closed_on <= $end, TRUE) THEN 'cancelled'
                              WHEN status = 'done' AND closed_on <= $end THEN 'done'
                              WHEN due_on < $end THEN 'overdue' ELSE 'open' END AS state,
                   count(*) AS actions
            FROM (SELECT c.kind, c.status, c.due_on, c.closed_on, coalesce(a.audited_at, c.opened_on, c.due_on) AS day,
                         coalesce(a.client, e.client) AS client, a.channel, e.team, c.agent_id
                  FROM corrective_actions c LEFT JOIN audits a ON a.audit_id = c.audit_id
                  LEFT JOIN employees e ON e.employee_id = c.agent_id) s
            WHERE day BETWEEN $start AND $end AND {_where(filters, scope, "audits", params, "actions")}
            GROUP BY ALL ORDER BY ALL"""
    if name == "go_live":  # who went live in the period, and whether they had passed onboarding first
        return f"""
            WITH passed AS (
                SELECT employee_id, min(taken_on) FILTER (WHERE score >= $onboarding_pass_mark) AS passed_on,
                       count(*) AS attempts
                FROM training_results WHERE kind = 'onboarding' GROUP BY employee_id),
            s AS (SELECT employee_id AS agent_id, name, team, client, CAST(NULL AS VARCHAR) AS channel,
                         go_live_date FROM employees WHERE go_live_date BETWEEN $start AND $end),
            first_ticket AS (
                SELECT agent_id, min(opened_at) AS first_ticket FROM tickets
                WHERE agent_id IN (SELECT agent_id FROM s) GROUP BY agent_id)
            SELECT s.agent_id AS employee_id, s.name, s.team, s.go_live_date, p.attempts, p.passed_on,
                   f.first_ticket,
                   coalesce(f.first_ticket < p.passed_on OR (p.passed_on IS NULL AND f.first_ticket IS NOT NULL),
                            FALSE) AS worked_before_passing
            FROM s LEFT JOIN passed p ON p.employee_id = s.agent_id
            LEFT JOIN first_ticket f USING (agent_id)
            WHERE {_where(filters, scope, "training", params, "employees")} ORDER BY s.go_live_date, s.agent_id"""
    if name == "grades":  # appraisal grades per period ending in the range
        return f"""
            SELECT period, grade, count(*) AS people FROM {rel("appraisals")}
            GROUP BY ALL ORDER BY period, grade"""
    # The best ten of each period (with their awards: recognitions not voided, newest first), and
    # everyone below standard with coaching.
    if name == "appraised":
        lowest = params.add(policy.appraisal.bands[-1].grade)
        return f"""
            WITH r AS (
                SELECT s.period, s.agent_id AS employee_id, s.team, s.score, s.grade, p.starts_on,
                       rank() OVER (PARTITION BY s.period ORDER BY s.score DESC) AS place
                FROM (SELECT * FROM {rel("appraisals")}) s JOIN appraisal_periods p USING (period))
            SELECT r.period, r.place, r.employee_id, e.name, r.team, r.score, r.grade,
                   r.grade = {lowest} AS below_standard,
                   (EXISTS (SELECT 1 FROM corrective_actions c WHERE c.agent_id = r.employee_id
                            AND c.kind = 'coaching' AND c.due_on >= r.starts_on)
                    OR EXISTS (SELECT 1 FROM coaching_sessions k WHERE k.employee_id = r.employee_id
                               AND k.held_on >= r.starts_on)) AS coached,
                   coalesce((SELECT b.grade = {lowest} FROM appraisals b JOIN appraisal_periods bp USING (period)
                             WHERE b.employee_id = r.employee_id AND bp.ends_on < r.starts_on
                               AND b.confirmed_at IS NOT NULL
                             ORDER BY bp.ends_on DESC LIMIT 1), FALSE) AS below_before,
                   (SELECT string_agg(g.award || ' (' || strftime(g.awarded_on, '%Y-%m-%d') || ')', '; '
                                      ORDER BY g.awarded_on DESC, g.id DESC)
                    FROM recognitions g WHERE g.employee_id = r.employee_id AND g.voided_at IS NULL) AS awards
            FROM r LEFT JOIN employees e ON e.employee_id = r.employee_id
            WHERE r.place <= 10 OR r.grade = {lowest}
            ORDER BY r.period DESC, r.place"""
    if name == "agent_audits":  # one agent's audits of the period with their comments
        return f"""
            SELECT audit_id, day AS audited_at, auditor_id, audit_source AS source, score, critical_error,
                   finding_category, comment
            FROM {rel("audits")} ORDER BY day DESC, audit_id"""
    if name == "recruit_stage_days":  # days spent before each stage, candidates of the period
        stages = " UNION ALL ".join(
            f"SELECT {literal(s)} AS stage, datediff('day', {a}, {b}) AS days FROM c"
            for s, a, b in STAGE_DAYS
        )
        stages = f"WITH c AS (SELECT * FROM {rel('candidates')}) {stages}"
        order = ", ".join(literal(s) for s, _, _ in STAGE_DAYS)
        return f"""
            SELECT stage AS recruit_stage, count(days) AS candidates, quantile_cont(days, 0.5) AS median_days,
                   quantile_cont(days, 0.9) AS p90_days
            FROM ({stages}) s
            GROUP BY stage ORDER BY list_position([{order}], stage)"""
    if name == "recruit_requisitions":  # those open, and those opened in the period, newest first
        return f"""
            SELECT requisition_id, position, client, team, headcount, candidates, hired,
                   greatest(headcount - hired, 0) AS open_seats, opened_on, needed_by, status AS requisition_status,
                   CASE WHEN status = 'open' THEN datediff('day', opened_on, current_date) END AS days_open
            FROM (SELECT q.*, (SELECT count(*) FROM candidates c WHERE c.requisition_id = q.requisition_id) AS candidates,
                         (SELECT count(*) FROM candidates c WHERE c.requisition_id = q.requisition_id
                          AND c.hired_on IS NOT NULL) AS hired
                  FROM requisitions q) s
            WHERE opened_on <= $end AND (status = 'open' OR opened_on >= $start)
              AND {_where(filters, scope, "requisitions", params)}
            ORDER BY opened_on DESC, requisition_id LIMIT 1000"""
    # The agent's whole history, whatever the period, of an agent within the scope.
    people = (
        "(SELECT agent_id FROM (SELECT employee_id AS agent_id, client, team FROM employees) s "
        f"WHERE {_where(Filters(filters.start, filters.end, agents=filters.agents), scope, 'staff', params)})"
    )
    if name == "agent_training":
        return f"""
            SELECT taken_on, course, kind, score, hours, attempt FROM training_results
            WHERE employee_id IN {people} ORDER BY taken_on DESC, course"""
    if name == "agent_appraisals":
        return f"""
            SELECT a.period, a.score, a.grade, a.reviewer, a.confirmed_by, a.comment FROM appraisals a
            JOIN appraisal_periods p USING (period)
            WHERE a.employee_id IN {people} ORDER BY p.ends_on DESC"""
    raise KeyError(f"unknown listing: {name}")


# Listings of the company's own people (their QA, training, appraisals): never for a client account.
INTERNAL_LISTINGS = frozenset(
    {
        "actions",
        "go_live",
        "grades",
        "appraised",
        "agent_audits",
        "agent_training",
        "agent_appraisals",
        "recruit_stage_days",
        "recruit_requisitions",
    }  # fmt: skip
)


def listing_sql(name: str, filters: Filters, scope: Scope, policy: Policy) -> tuple[str, dict[str, Any]]:
    """The SQL text and parameters of one dashboard listing."""
    if scope.external and name in INTERNAL_LISTINGS:
        raise PermissionError(f"listing {name} is outside this account's scope")
    params = _Params.of(filters, policy)
    sql = _listing_sql(name, filters, scope, policy, params)
    return sql, params.used_in(sql)


def metric_values(
    wh, metrics: list[str], filters: Filters, scope: Scope = EVERYTHING, policy: Policy | None = None
) -> dict[str, float | None]:
    """One value per metric (None where undefined): what `csdata kpi` prints and the cards show."""
    return row_values(metric_table(wh, metrics, filters, None, scope, policy))


def row_values(frame: pd.DataFrame) -> dict[str, float | None]:
    """The one row of an unsplit metric table, metric -> value, None where undefined (a metric's
    sample columns, if any, are not metrics)."""
    row = frame.iloc[0]
    return {m: (None if pd.isna(row[m]) else float(row[m])) for m in frame.columns if DETAIL not in m}
