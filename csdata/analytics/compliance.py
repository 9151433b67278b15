"""The compliance queue: every breach of the policy's loops, evaluated as of a day.

The policy is a set of loops (pass the exam, then go live; follow a complaint until the customer
accepts; keep a promised callback; close a corrective action; coach those below standard; train;
audit). Each rule of `csdata.policy.ComplianceRules` is one SQL statement over the warehouse here,
evaluated **as of a day** (today by default), never limited by a dashboard period: a breach is
whatever the records say is broken on that day, however old. A breach is not stored: it leaves the
queue by itself when its condition ends (the complaint accepted, the callback made, the action
closed). What people did about it is stored, as steps (`breach_steps`, migration 016):
acknowledged with who takes it on and a note, or excused with a reason; the latest step is its
state, none means open.

A breach is named by its rule, its subject (an employee, a ticket or a corrective action) and the
day it began (`since`), so that an employee breaking a rule again later is a new breach. Every
statement gives the same columns (rule, subject_kind, subject_id, employee_id, client, team, since)
and is limited by the account's scope through `Scope.where` on the relation of its subject: a
client company's account sees the complaint and callback rules of its own tickets and no rule
about the company's people (nor the agent or team of a ticket); a supervisor the breaches of their
teams.

Readings the issue leaves open, decided once here:
- the as-of day is whole: a callback promised any time on it is due by its end, a training or
  audit dated on it counts;
- a breach about a person counts only while they are employed on the as-of day (a leaver's
  breaches leave the queue with them);
- a breach's client and team are its ticket's (the queue it was offered to), else its person's
  current ones (an action's client is its audit's, when it names one), as the scope reads them;
- "active through" a quarter or month (training, audits) means live (go-live date, else the hire
  date) on its first day and not left before its end; only agents (current position) count;
- an agent's audits against the plan are those that measure them: a calibration audit (several
  auditors scoring one ticket to compare themselves) is not one;
- the ticket rules read what the warehouse keeps beside the tickets in every write
  (`csdata.store.rollups`): a complaint's or a promised callback's start and close from the
  follow-ups list, an agent's days of handling tickets from the tickets' rollup; the same answer
  as the tickets give, without reading every ticket (a hundred million of them, in time);
- `since` is the first day the rule is broken: the go-live day; the day of the first ticket handled
  before passing; the day a complaint's grace days run out (opened + days); the day of a promised
  callback; the day after an action's due day; the day after the coaching window; the day after
  the second period below standard; the day after the quarter or month measured.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from csdata.access.scope import EVERYTHING, Scope, owns_breach
from csdata.analytics.compiler import CALIBRATION, _Params
from csdata.analytics.rollup_forms import FOLLOWUPS_TABLE, ROLLUP_TABLES
from csdata.policy import RULES, Policy, load_policy
from csdata.text.i18n import Problem, text_key

if TYPE_CHECKING:
    from csdata.analytics.sampling import Plan

SUBJECT_KINDS = ("employee", "ticket", "action")
STATES = ("open", "acknowledged", "excused")
# The rule -> the kind of its subject, and the relation of `Scope.where` its rows are scoped as.
SUBJECT = {
    "went_live_before_passing": "employee",
    "handled_before_passing": "employee",
    "complaint_unaccepted": "ticket",
    "callback_overdue": "ticket",
    "action_overdue": "action",
    "below_standard_without_coaching": "employee",
    "below_standard_twice": "employee",
    "training_hours_short": "employee",
    "audits_below_plan": "employee",
}
_RELATION = {"employee": "employees", "ticket": "tickets", "action": "actions"}
# The columns of a breach, as the queue, its download and `csdata breaches --json` give them.
COLUMNS = (
    "rule",
    "subject_kind",
    "subject_id",
    "employee_id",
    "client",
    "team",
    "since",
    "age_days",
    "owner_role",
    "state",
)

# A person employed on the as-of day (hired by it, not left before its end).
_EMPLOYED = "e.hire_date <= $asof AND coalesce(e.left_on > $asof, e.status = 'active')"
# Each employee's first onboarding result at or above its course's pass mark (the policy's
# onboarding pass mark for a course without one), taken by the as-of day.
_PASSED = """(SELECT r.employee_id, min(r.taken_on) AS passed_on
              FROM training_results r LEFT JOIN courses k ON k.course = r.course
              WHERE r.kind = 'onboarding' AND r.taken_on <= $asof
                AND r.score >= coalesce(k.pass_mark, $onboarding_pass_mark)
              GROUP BY r.employee_id)"""
# Below standard: a confirmed appraisal in the lowest grade band of the policy's scheme (an
# appraisal is confirmed once its period is over, so its confirmation day is not asked for).
_LOW = """(SELECT a.employee_id, a.period, p.ends_on,
                  (SELECT count(*) FROM appraisal_periods q WHERE q.ends_on < p.ends_on) AS n
           FROM appraisals a JOIN appraisal_periods p USING (period)
           WHERE a.confirmed_at IS NOT NULL AND a.grade = $lowest AND p.ends_on < $asof)"""
# An agent live on the first day of [start, end] and not left before its end.
_ACTIVE_AGENT = """e.position = 'agent' AND coalesce(e.go_live_date, e.hire_date) <= {start}
                   AND coalesce(e.left_on > {end}, e.status = 'active')"""

_PERSON = "e.employee_id AS subject_id, e.employee_id, e.client, e.team"
_SQL = {
    "went_live_before_passing": f"""
        SELECT {_PERSON}, e.go_live_date AS since
        FROM employees e LEFT JOIN {_PASSED} p USING (employee_id)
        WHERE e.go_live_date <= $asof AND (p.passed_on IS NULL OR e.go_live_date < p.passed_on)
          AND {_EMPLOYED}""",
    "handled_before_passing": f"""
        SELECT {_PERSON}, min(t.day) AS since
        FROM {ROLLUP_TABLES["tickets"]} t JOIN employees e ON e.employee_id = t.agent_id
        LEFT JOIN {_PASSED} p ON p.employee_id = t.agent_id
        WHERE t.day <= $asof AND (p.passed_on IS NULL OR t.day < p.passed_on) AND {_EMPLOYED}
        GROUP BY ALL""",
    "complaint_unaccepted": f"""
        SELECT f.ticket_id AS subject_id, f.agent_id AS employee_id, f.client, f.team,
               f.day + $complaint_days AS since
        FROM {FOLLOWUPS_TABLE} f
        WHERE f.kind = 'complaint' AND f.day + $complaint_days <= $asof
          AND coalesce(f.closed_at >= $asof_end, TRUE)""",
    "callback_overdue": f"""
        SELECT f.ticket_id AS subject_id, f.agent_id AS employee_id, f.client, f.team,
               CAST(f.started_at AS DATE) AS since
        FROM {FOLLOWUPS_TABLE} f
        WHERE f.kind = 'callback' AND f.started_at < $asof_end AND coalesce(f.closed_at >= $asof_end, TRUE)""",
    "action_overdue": """
        SELECT c.action_id AS subject_id, c.agent_id AS employee_id,
               coalesce(a.client, e.client) AS client, e.team, c.due_on + 1 AS since
        FROM corrective_actions c LEFT JOIN audits a ON a.audit_id = c.audit_id
        LEFT JOIN employees e ON e.employee_id = c.agent_id
        WHERE c.due_on < $asof AND coalesce(c.opened_on <= $asof, TRUE)
          AND NOT (c.status IN ('done', 'cancelled') AND coalesce(c.closed_on <= $asof, TRUE))""",
    "below_standard_without_coaching": f"""
        SELECT {_PERSON}, l.ends_on + $coach_days + 1 AS since
        FROM {_LOW} l JOIN employees e USING (employee_id)
        WHERE l.ends_on + $coach_days < $asof AND {_EMPLOYED}
          AND NOT EXISTS (SELECT 1 FROM coaching_sessions s WHERE s.employee_id = l.employee_id
                          AND s.held_on BETWEEN l.ends_on AND l.ends_on + $coach_days)
          AND NOT EXISTS (SELECT 1 FROM corrective_actions c WHERE c.agent_id = l.employee_id
                          AND c.kind = 'coaching'
                          AND c.opened_on BETWEEN l.ends_on AND l.ends_on + $coach_days)""",
    "below_standard_twice": f"""
        SELECT {_PERSON}, l.ends_on + 1 AS since
        FROM {_LOW} l JOIN {_LOW} k ON k.employee_id = l.employee_id AND k.n = l.n - 1
        JOIN employees e ON e.employee_id = l.employee_id
        WHERE {_EMPLOYED}""",
    "training_hours_short": f"""
        SELECT {_PERSON}, CAST($q_end AS DATE) + 1 AS since
        FROM employees e
        WHERE {_ACTIVE_AGENT.format(start="$q_start", end="$q_end")} AND {_EMPLOYED}
          AND coalesce((SELECT sum(r.hours) FROM training_results r
                        WHERE r.employee_id = e.employee_id AND r.kind = 'in_service'
                          AND r.taken_on BETWEEN $q_start AND $q_end), 0) < $hours_target""",
    "audits_below_plan": f"""
        SELECT * FROM (
            SELECT {_PERSON}, CAST($m_end AS DATE) + 1 AS since,
                   (SELECT count(*) FROM audits x WHERE x.agent_id = e.employee_id
                    AND x.audited_at BETWEEN $m_start AND $m_end
                    AND x.source <> '{CALIBRATION}') AS audits
            FROM employees e
            WHERE {_ACTIVE_AGENT.format(start="$m_start", end="$m_end")} AND {_EMPLOYED})
        WHERE audits < $audit_plan""",
}
_STEPS = """(SELECT rule, subject_kind, subject_id, since,
                    arg_max(state, at_time) AS state, arg_max(owner, at_time) AS owner,
                    arg_max(note, at_time) AS note, arg_max(reason, at_time) AS reason
             FROM breach_steps GROUP BY ALL)"""


def last_quarter(day: dt.date) -> tuple[dt.date, dt.date]:
    """The last calendar quarter that ended before `day`'s quarter began."""
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end = first - dt.timedelta(days=1)
    return dt.date(end.year, end.month - 2, 1), end


def last_month(day: dt.date) -> tuple[dt.date, dt.date]:
    """The last calendar month that ended before `day`'s month began."""
    end = day.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


@dataclass(frozen=True)
class AuditNumber:
    """The audits an agent needs in the month the rule `audits_below_plan` measures, and where the
    number comes from: the sampling plan (`plan`, when the policy's `plan_sets_audit_rule` is on
    and the plan has a number) or the rule's own `audits_per_agent_month` (`plan` None)."""

    n: int
    month_start: dt.date
    month_end: dt.date
    plan: Plan | None = None

    def phrase(self) -> tuple[str, dict]:
        """The text key and its values saying the number in force and where it comes from (the
        Compliance page and `csdata breaches` state it)."""
        month = {"start": self.month_start, "end": self.month_end, "n": self.n}
        if self.plan is None:
            return text_key("compliance_audit_plan_policy"), month
        plan = self.plan
        return text_key("compliance_audit_plan_sampling"), month | {
            "sd": f"{plan.sd:.2f}",
            "from_": plan.start,
            "to": plan.end,
            "margin": f"{plan.margin:g}",
        }


def audit_number(wh, policy: Policy, as_of: dt.date) -> AuditNumber:
    """The number `audits_below_plan` uses as of `as_of`. The plan is the company's (every audit,
    whoever looks): a breach is the same breach for every account that sees it, and the steps
    taken on it must not depend on who looks. Its spread is of the `sample_days` days up to the
    end of the month measured, so the Quality page of a period ending that day shows the same n
    to an account that sees everything."""
    m_start, m_end = last_month(as_of)
    if policy.statistics.plan_sets_audit_rule:
        from csdata.analytics import sampling  # sampling reads this module's notion of an agent

        plan = sampling.plan(wh, m_end, policy=policy)
        if plan.n is not None:
            return AuditNumber(plan.n, m_start, m_end, plan)
    return AuditNumber(policy.compliance.audits_below_plan.audits_per_agent_month, m_start, m_end)


def below_plan_sql(scope: Scope, start: dt.date, end: dt.date, n: int) -> tuple[str, dict]:
    """The agents in the scope live from `start` and employed through `end` (the rule's notion of
    an agent of the month) with fewer than `n` audits (calibration audits not counted) dated
    `start` to `end`, fewest first: employee_id, client, team, audits."""
    params = _Params({"asof": end, "m_start": start, "m_end": end, "audit_plan": n})
    where = scope.where(_RELATION["employee"], params, "b", carried=True)
    sql = f"""
        SELECT b.employee_id, b.client, b.team, b.audits
        FROM ({_SQL["audits_below_plan"]}) b WHERE {where}
        ORDER BY b.audits, b.employee_id"""
    return sql, params.used_in(sql)


def _params(policy: Policy, as_of: dt.date, audit_plan: int | None = None) -> _Params:
    rules = policy.compliance
    q_start, q_end = last_quarter(as_of)
    m_start, m_end = last_month(as_of)
    return _Params(
        {
            "asof": as_of,
            "asof_end": dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()),
            "onboarding_pass_mark": policy.onboarding_pass_mark,
            "complaint_days": rules.complaint_unaccepted.days,
            "coach_days": rules.below_standard_without_coaching.days,
            "lowest": policy.appraisal.bands[-1].grade,
            "q_start": q_start,
            "q_end": q_end,
            "hours_target": policy.training_hours_per_quarter,
            "m_start": m_start,
            "m_end": m_end,
            "audit_plan": rules.audits_below_plan.audits_per_agent_month
            if audit_plan is None
            else audit_plan,
        }
    )


def evaluate_sql(
    policy: Policy,
    as_of: dt.date,
    scope: Scope,
    rules: tuple[str, ...] = (),
    audit_plan: int | None = None,
    *,
    listed: bool = True,
) -> tuple[str, dict]:
    """One statement listing every breach of the rules switched on (or only those of `rules`), in
    the scope, with its state: the columns of `COLUMNS` but owner_role and age_days, and the
    latest step's owner, note and reason. `audit_plan`: the audits an agent needs in the month
    (`audit_number`; by default the rule's own `audits_per_agent_month`). Not `listed`: the
    breaches only (rule, subject, since ...), unordered and without their steps, to be counted."""
    params = _params(policy, as_of, audit_plan)
    chosen = [r for r in policy.compliance.active() if not rules or r in rules]
    parts = []
    for rule in chosen:
        kind = SUBJECT[rule]
        where = scope.where(_RELATION[kind], params, "b", carried=True)
        parts.append(
            f"SELECT '{rule}' AS rule, '{kind}' AS subject_kind, b.subject_id, b.employee_id, b.client,"
            f" b.team, CAST(b.since AS DATE) AS since FROM ({_SQL[rule]}) b WHERE {where}"
        )
    if not parts:
        parts = [
            "SELECT NULL::VARCHAR AS rule, NULL::VARCHAR AS subject_kind, NULL::VARCHAR AS subject_id,"
            " NULL::VARCHAR AS employee_id, NULL::VARCHAR AS client, NULL::VARCHAR AS team,"
            " NULL::DATE AS since WHERE FALSE"
        ]
    if not listed:
        sql = " UNION ALL ".join(parts)
        return sql, params.used_in(sql)
    order = params.add(list(RULES))
    sql = f"""
        SELECT b.*, coalesce(s.state, 'open') AS state, s.owner, s.note, s.reason
        FROM ({" UNION ALL ".join(parts)}) b
        LEFT JOIN {_STEPS} s USING (rule, subject_kind, subject_id, since)
        ORDER BY b.since, list_position({order}, b.rule), b.subject_id"""
    return sql, params.used_in(sql)


def breaches(
    wh,
    scope: Scope = EVERYTHING,
    as_of: dt.date | None = None,
    rules: tuple[str, ...] = (),
    clients: tuple[str, ...] = (),
    teams: tuple[str, ...] = (),
    owners: tuple[str, ...] = (),
    policy: Policy | None = None,
) -> pd.DataFrame:
    """Every breach in the scope as of `as_of` (today), oldest first, with the columns of
    `COLUMNS` and the latest step's owner, note and reason; optionally only those of some rules,
    clients, teams or owning roles. The rules and their numbers are the policy's in force on the
    as-of day (or `policy`); `audits_below_plan` takes its number from `audit_number`."""
    as_of = as_of or dt.date.today()
    if policy is None:
        policy = load_policy(wh, as_of)[1]
    frame = wh.df(*_statement(wh, policy, as_of, scope, rules))
    frame["since"] = pd.to_datetime(frame["since"]).dt.date
    frame["age_days"] = [(as_of - d).days for d in frame["since"]]
    frame["owner_role"] = [policy.compliance.rule(r).owner for r in frame["rule"]]
    if not scope.agents_visible:  # a client company's account: no agent, no team of the company
        frame["employee_id"] = None
        frame["team"] = None
    if clients:
        frame = frame[frame["client"].isin(clients)]
    if teams:
        frame = frame[frame["team"].isin(teams)]
    if owners:
        frame = frame[frame["owner_role"].isin(owners)]
    return frame[[*COLUMNS, "owner", "note", "reason"]].reset_index(drop=True)


def _statement(
    wh, policy: Policy, as_of: dt.date, scope: Scope, rules: tuple[str, ...] = (), listed: bool = True
) -> tuple[str, dict]:
    """`evaluate_sql` with the number of audits `audits_below_plan` asks for as of the day."""
    audit_plan = None
    if "audits_below_plan" in (rules or RULES) and policy.statistics.plan_sets_audit_rule:
        audit_plan = audit_number(wh, policy, as_of).n
    return evaluate_sql(policy, as_of, scope, rules, audit_plan, listed=listed)


def counts(wh, scope: Scope = EVERYTHING, as_of: dt.date | None = None) -> dict[str, int]:
    """The breaches in the scope per rule switched on (zero included), as of `as_of` (today):
    the rows of `breaches`, counted in the database (the Overview shows the counts only, and the
    queue can hold a hundred thousand rows)."""
    as_of = as_of or dt.date.today()
    policy = load_policy(wh, as_of)[1]
    sql, params = _statement(wh, policy, as_of, scope, listed=False)
    found = dict(wh.rows(f"SELECT rule, count(*) FROM ({sql}) GROUP BY rule", params))
    return {r: int(found.get(r, 0)) for r in policy.compliance.active() if _visible(r, scope)}


def _visible(rule: str, scope: Scope) -> bool:
    """Whether the scope can have breaches of this rule at all (a client account: ticket rules)."""
    return SUBJECT[rule] == "ticket" or scope.agents_visible


def visible_rules(wh, scope: Scope, as_of: dt.date | None = None) -> list[str]:
    """The rules switched on whose breaches the scope may see, in order."""
    policy = load_policy(wh, as_of or dt.date.today())[1]
    return [r for r in policy.compliance.active() if _visible(r, scope)]


def step(
    wh,
    actor: str,
    role: str,
    scope: Scope,
    rule: str,
    subject_id: str,
    since: dt.date,
    state: str,
    *,
    owner: str | None = None,
    note: str | None = None,
    reason: str | None = None,
    as_of: dt.date | None = None,
) -> None:
    """Acknowledge (who takes it on, a note) or excuse (a reason) one breach that is open as of
    `as_of` (today) in the scope, by a role that owns its rule (or an administrator): one
    transaction with its step and the audit-log row `breaches:RULE/SUBJECT`. Refused with a
    `Problem`: an unknown rule or state, a breach not in the queue, a role not owning it, an
    excused breach, an acknowledgement without its owner, an excuse without its reason."""
    owner, note, reason = ((v or "").strip() or None for v in (owner, note, reason))
    if rule not in RULES:
        raise Problem("breach_unknown_rule", value=rule, known=", ".join(RULES))
    if state not in ("acknowledged", "excused"):
        raise Problem("breach_bad_state", value=state)
    if state == "acknowledged" and owner is None:
        raise Problem("breach_needs_owner")
    if state == "excused" and reason is None:
        raise Problem("breach_needs_reason")
    as_of = as_of or dt.date.today()
    policy = load_policy(wh, as_of)[1]
    if not owns_breach(role, policy.compliance.rule(rule).owner):
        raise Problem("breach_not_owner", rule=rule)
    kind = SUBJECT[rule]
    with wh.transaction(actor, f"breach.{'acknowledge' if state == 'acknowledged' else 'excuse'}") as w:
        # Read inside the transaction, under the write lock: two owners' steps follow each other.
        found = breaches(wh, scope, as_of, rules=(rule,), policy=policy)
        row = found[(found["subject_id"] == subject_id) & (found["since"] == since)]
        if row.empty:
            raise Problem("breach_not_found", rule=rule, subject=subject_id, since=since)
        before = row.iloc[0]["state"]
        if before == "excused":
            raise Problem("breach_already_excused", rule=rule, subject=subject_id)
        w.entity = f"breaches:{rule}/{subject_id}"
        log_id = w.log_id()
        w.execute(
            "INSERT INTO breach_steps (rule, subject_kind, subject_id, since, state, owner, note, reason,"
            " actor, audit_log_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [rule, kind, subject_id, since, state, owner, note, reason, actor, log_id],
        )
        w.detail.update(
            {"since": str(since), "before": before, "after": state}
            | {k: v for k, v in (("owner", owner), ("note", note), ("reason", reason)) if v}
        )


def steps_of(wh, frame: pd.DataFrame) -> pd.DataFrame:
    """Every step taken on the breaches of `frame` (rows of `breaches`, so already in a scope),
    newest first."""
    keys = [list(k) for k in zip(frame["rule"], frame["subject_id"], frame["since"].astype(str), strict=True)]
    if not keys:
        keys = [["", "", ""]]
    return wh.df(
        "SELECT rule, subject_id, since, state, owner, note, reason, actor, at_time FROM breach_steps"
        " WHERE list_contains(?, [rule, subject_id, CAST(since AS VARCHAR)]) ORDER BY at_time DESC",
        [keys],
    )


def history(wh, rule: str, subject_id: str, since: dt.date | None = None) -> pd.DataFrame:
    """Every step taken on a breach (or on every breach of this rule and subject), oldest first."""
    cond = " AND since = ?" if since is not None else ""
    return wh.df(
        "SELECT rule, subject_kind, subject_id, since, state, owner, note, reason, actor, at_time, audit_log_id"
        f" FROM breach_steps WHERE rule = ? AND subject_id = ?{cond} ORDER BY at_time",
        [rule, subject_id, *([since] if since is not None else [])],
    )
