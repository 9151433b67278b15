"""What followed each corrective action and coaching session: its effect, measured against the team.

The policy asks to analyse problems, act, and track the effect (五(一)3), and to coach those
below standard (五(二)4). An agent's scores move for many reasons (a new product, a harsh month,
a lenient auditor), so the change after an action says little on its own. Here it is measured as
a difference in differences against the agent's own team:

- the effect date `d` of an action is the day it was done (`closed_on`, status done), of a
  coaching session the day it was held;
- the agent's audits dated `d − before` .. `d − 1` and `d + 1` .. `d + after` (the policy's
  `effects` windows, 30 days by default) make the agent's two windows;
- the control is the other people of the agent's team on `d` (`employee_periods`, as the
  compiler joins a record to the team of its day; not one who had left by then) with no corrective action (opened or closed)
  and no coaching session dated `d − before` .. `d + after`; their audits in the same two
  windows are pooled;
- the change of a group is its mean audit score after minus before; the effect is the agent's
  change minus the control's, measured only where the agent and the control each have at least
  the policy's `min_audits` audits in each window (otherwise the reason says why).

Every scored audit of the agent counts (a recording, a spot check, customer feedback), but not
a calibration audit: several auditors scoring one ticket measure the auditors, not the agent.

The same is done beside it for the top-2-box CSAT of the agent's tickets (opened in the windows;
the share of rated tickets whose rating is in the top two boxes, as `csat_pct` of the metric
catalog defines it, with the same minimum of rated tickets). Per action kind (coaching sessions
as the kind `coaching_session`) and per finding category of the action's audit, `summary` gives
the number measured, the mean effect and its 95 % confidence interval (mean ± t(0.975, n − 1) ·
sd / √n, none when fewer than two are measured).

The windows are one set-based query in DuckDB (every event's audits and tickets at once); the
statistics are pandas and scipy on the few rows it returns. Events are read within the account's
scope: corrective actions and coaching sessions are the company's own records, so a client
company's account measures none.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics import rollup_forms as forms
from csdata.analytics.compiler import CALIBRATION, _on_day, _Params
from csdata.analytics.stats import mean_interval
from csdata.policy import EffectWindows, load_policy
from csdata.text.i18n import family_key, t, text_key

COACHING_SESSION = "coaching_session"  # the kind a coaching session is counted under
# Why an effect is not measured (a key of the text catalogs).
NOT_ENOUGH = text_key("effect_not_enough_audits")

# One row per event and side (before/after): the agent's and the control's audits and rated
# tickets in the windows. `$before`/`$after` are the windows' days.
_SQL = """
WITH events AS (
    SELECT c.action_id AS event_id, c.agent_id AS employee_id, c.kind, c.closed_on AS d,
           x.finding_category AS category, x.client AS audit_client
    FROM corrective_actions c LEFT JOIN audits x ON x.audit_id = c.audit_id
    WHERE c.status = 'done' AND c.closed_on IS NOT NULL AND {actions_scope}
    UNION ALL
    SELECT s.session_id, s.employee_id, '{session}', s.held_on, x.finding_category, x.client
    FROM coaching_sessions s LEFT JOIN audits x ON x.audit_id = s.audit_id
    WHERE {coaching_scope}
),
placed AS (
    SELECT ev.*, e.team, coalesce(ev.audit_client, e.client) AS client
    FROM events ev {on_day}
    WHERE {chosen}
),
-- Every day someone was acted on: an action opened or closed (unless cancelled), a session held.
acted AS (
    SELECT agent_id AS employee_id, opened_on AS day FROM corrective_actions
    WHERE status <> 'cancelled' AND opened_on IS NOT NULL
    UNION ALL
    SELECT agent_id, closed_on FROM corrective_actions WHERE status <> 'cancelled' AND closed_on IS NOT NULL
    UNION ALL
    SELECT employee_id, held_on FROM coaching_sessions
),
members AS (
    SELECT p.event_id, 'agent' AS grp, p.employee_id AS member, p.d FROM placed p
    UNION ALL
    SELECT p.event_id, 'control', m.employee_id, p.d
    FROM placed p JOIN employee_periods m
         ON m.team = p.team AND m.employee_id <> p.employee_id
        AND m.valid_from <= p.d AND (m.valid_to IS NULL OR p.d < m.valid_to)
    JOIN employees pe ON pe.employee_id = m.employee_id AND (pe.left_on IS NULL OR pe.left_on >= p.d)
    WHERE NOT EXISTS (SELECT 1 FROM acted a WHERE a.employee_id = m.employee_id
                      AND a.day BETWEEN p.d - $before AND p.d + $after)
),
-- Each member's scored audits per day (counted and summed once), summed over each window below.
audit_days AS (
    SELECT a.agent_id, a.audited_at AS day, count(*) AS audits, sum(a.score) AS total
    FROM audits a
    WHERE a.score IS NOT NULL AND a.source <> '{calibration}' AND a.agent_id IN (SELECT member FROM members)
      AND a.audited_at BETWEEN (SELECT min(d) FROM members) - $before AND (SELECT max(d) FROM members) + $after
    GROUP BY ALL
),
scored AS (
    SELECT m.event_id, m.grp, CASE WHEN a.day < m.d THEN 'before' ELSE 'after' END AS side,
           CAST(sum(a.audits) AS BIGINT) AS audits, sum(a.total) / sum(a.audits) AS qa
    FROM members m JOIN audit_days a ON a.agent_id = m.member
         AND a.day BETWEEN m.d - $before AND m.d + $after AND a.day <> m.d
    GROUP BY ALL
),
-- The rated tickets of each member's day, from the tickets' rollup (the catalog's `rated` and
-- `csat_good` summed per agent and day: a few rows a day instead of a year of tickets for every
-- event a member is in), summed over each window below.
rated_days AS (
    SELECT t.agent_id, t.day, {rated} AS rated, {top} AS top
    FROM {rollup} t
    WHERE t.agent_id IN (SELECT member FROM members)
      AND t.day BETWEEN (SELECT min(d) FROM members) - $before AND (SELECT max(d) FROM members) + $after
    GROUP BY ALL
    HAVING {rated} > 0
),
rated AS (
    SELECT m.event_id, m.grp,
           CASE WHEN r.day < m.d THEN 'before' ELSE 'after' END AS side,
           CAST(sum(r.rated) AS BIGINT) AS rated, CAST(sum(r.top) AS DOUBLE) / sum(r.rated) AS csat
    FROM members m JOIN rated_days r ON r.agent_id = m.member
         AND r.day BETWEEN m.d - $before AND m.d + $after AND r.day <> m.d
    GROUP BY ALL
)
SELECT p.event_id, p.employee_id, p.kind, p.d, p.category, p.team, p.client,
       g.grp, g.side, s.audits, s.qa, r.rated, r.csat
FROM placed p
CROSS JOIN (VALUES ('agent', 'before'), ('agent', 'after'), ('control', 'before'),
                   ('control', 'after')) g(grp, side)
LEFT JOIN scored s ON s.event_id = p.event_id AND s.grp = g.grp AND s.side = g.side
LEFT JOIN rated r ON r.event_id = p.event_id AND r.grp = g.grp AND r.side = g.side
ORDER BY p.d, p.event_id
"""


def kind_label(kind: str, lang: str) -> str:
    """An event's kind in words: a corrective action's kind as the forms name it, or a coaching session."""
    return (
        t("effect_coaching_session", lang)
        if kind == COACHING_SESSION
        else t(family_key("choice_", kind), lang)
    )


# The columns of `measure`, in order.
COLUMNS = [
    "action_id", "employee_id", "kind", "category", "team", "client", "effect_date",
    "before_n", "before_mean", "after_n", "after_mean",
    "control_before_n", "control_before_mean", "control_after_n", "control_after_mean",
    "qa_effect", "csat_before", "csat_after", "control_csat_before", "control_csat_after",
    "csat_effect", "reason",
]  # fmt: skip


def measure(
    wh,
    scope: Scope = EVERYTHING,
    start: dt.date | None = None,
    end: dt.date | None = None,
    clients: tuple[str, ...] = (),
    teams: tuple[str, ...] = (),
    employee_id: str | None = None,
    windows: EffectWindows | None = None,
) -> pd.DataFrame:
    """Every done corrective action and coaching session within the scope (effect date in
    `start`..`end`, of the chosen clients, teams or one person), one row each: the agent's and
    the control's audits and means in each window, the QA effect (points) and the CSAT effect
    (top-2-box share, a fraction), and `reason` (None, or why the QA effect is not measured)."""
    windows = windows or load_policy(wh, end)[1].effects
    params = _Params({"before": windows.days_before, "after": windows.days_after})
    chosen = ["TRUE"]
    if start is not None:
        chosen.append(f"ev.d >= {params.add(start)}")
    if end is not None:
        chosen.append(f"ev.d <= {params.add(end)}")
    if clients:
        chosen.append(f"list_contains({params.add(list(clients))}, coalesce(ev.audit_client, e.client))")
    if teams:
        chosen.append(f"list_contains({params.add(list(teams))}, e.team)")
    if employee_id is not None:
        chosen.append(f"ev.employee_id = {params.add(employee_id)}")
    sql = _SQL.format(
        actions_scope=scope.where("actions", params, "c"),
        coaching_scope=scope.where("coaching", params, "s"),
        session=COACHING_SESSION,
        calibration=CALIBRATION,
        on_day=_on_day("ev.d", "ev.employee_id"),
        chosen=" AND ".join(chosen),
        rollup=forms.ROLLUP_TABLES["tickets"],
        rated=forms.form("rated").read,
        top=forms.form("csat_good").read,
    )
    return _effects(wh.df(sql, params.values), windows.min_audits)


def _effects(long: pd.DataFrame, least: int) -> pd.DataFrame:
    """The long rows of the query (event × group × side) as one row per event, with its effects."""
    if long.empty:
        return pd.DataFrame(columns=COLUMNS)
    keys = ["event_id", "employee_id", "kind", "category", "team", "client", "d"]
    wide = long.pivot_table(
        index="event_id", columns=["grp", "side"], values=["audits", "qa", "rated", "csat"], aggfunc="first",
        dropna=False,
    )  # fmt: skip
    first = long.drop_duplicates("event_id").set_index("event_id")[keys[1:]]

    def col(value: str, grp: str, side: str) -> pd.Series:
        if (value, grp, side) in wide.columns:
            return wide[(value, grp, side)].reindex(first.index)
        return pd.Series(float("nan"), index=first.index)

    def count(grp: str, side: str, value: str = "audits") -> pd.Series:
        return col(value, grp, side).fillna(0).astype(int)

    out = pd.DataFrame(
        {
            "action_id": first.index,
            "employee_id": first["employee_id"].to_numpy(),
            "kind": first["kind"].to_numpy(),
            "category": first["category"].to_numpy(),
            "team": first["team"].to_numpy(),
            "client": first["client"].to_numpy(),
            "effect_date": first["d"].to_numpy(),
        }
    )
    for prefix, grp in (("", "agent"), ("control_", "control")):
        for side in ("before", "after"):
            out[f"{prefix}{side}_n"] = count(grp, side).to_numpy()
            out[f"{prefix}{side}_mean"] = col("qa", grp, side).astype(float).to_numpy()
            out[f"{prefix}csat_{side}"] = col("csat", grp, side).astype(float).to_numpy()
            out[f"_{prefix}rated_{side}"] = count(grp, side, "rated").to_numpy()
    enough = (out[["before_n", "after_n", "control_before_n", "control_after_n"]] >= least).all(axis=1)
    qa = (out["after_mean"] - out["before_mean"]) - (out["control_after_mean"] - out["control_before_mean"])
    out["qa_effect"] = qa.where(enough)
    rated = out[["_rated_before", "_rated_after", "_control_rated_before", "_control_rated_after"]]
    csat = (out["csat_after"] - out["csat_before"]) - (out["control_csat_after"] - out["control_csat_before"])
    out["csat_effect"] = csat.where((rated >= least).all(axis=1))
    out["reason"] = [None if ok else NOT_ENOUGH for ok in enough]
    out["effect_date"] = pd.to_datetime(out["effect_date"]).dt.date
    return out[COLUMNS].sort_values(["effect_date", "action_id"], ignore_index=True)


def summary(effects: pd.DataFrame, by: str = "kind") -> pd.DataFrame:
    """Per `by` (kind, or category: the finding category of the action's audit): the number
    measured, the mean QA effect with its interval, and the same for CSAT; a group is listed when
    it has an event, measured or not (its n is then 0; a missing number is NaN). Sorted by `by`."""
    rows = []
    frame = effects.assign(**{by: effects[by].fillna("")}) if by in effects else effects
    for key, group in frame.groupby(by, sort=True, dropna=False) if len(frame) else []:
        n, mean, low, high = mean_interval(group["qa_effect"])
        cn, cmean, clow, chigh = mean_interval(group["csat_effect"])
        rows.append(
            {
                by: key,
                "events": len(group),
                "n": n,
                "qa_effect": mean,
                "qa_low": low,
                "qa_high": high,
                "csat_n": cn,
                "csat_effect": cmean,
                "csat_low": clow,
                "csat_high": chigh,
            }
        )
    columns = [by, "events", "n", "qa_effect", "qa_low", "qa_high", "csat_n", "csat_effect", "csat_low",
               "csat_high"]  # fmt: skip
    numbers = ["qa_effect", "qa_low", "qa_high", "csat_effect", "csat_low", "csat_high"]
    return pd.DataFrame(rows, columns=columns).astype(dict.fromkeys(numbers, float))


def as_json(effects: pd.DataFrame) -> dict:
    """What `csdata effects --json` prints: every event and the per-kind means with intervals."""

    def number(value) -> float | None:
        return None if value is None or pd.isna(value) else round(float(value), 6)

    actions = [
        {
            "action_id": r.action_id,
            "employee_id": r.employee_id,
            "kind": r.kind,
            "effect_date": r.effect_date.isoformat(),
            "before_n": int(r.before_n),
            "after_n": int(r.after_n),
            "control_before_n": int(r.control_before_n),
            "control_after_n": int(r.control_after_n),
            "qa_effect": number(r.qa_effect),
            "csat_effect": number(r.csat_effect),
        }
        for r in effects.itertuples()
    ]
    by_kind = [
        {
            "kind": r.kind,
            "n": int(r.n),
            "qa_effect": number(r.qa_effect),
            "qa_low": number(r.qa_low),
            "qa_high": number(r.qa_high),
        }
        for r in summary(effects, "kind").itertuples()
    ]
    return {"actions": actions, "by_kind": by_kind}
