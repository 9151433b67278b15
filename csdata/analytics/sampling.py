"""The QA sampling plan: how many audits each agent needs a month for their monthly QA score to be
known to ± E points, 95 % of the time, and which agents have fewer this month.

The plan is the textbook sample size of a mean, n = ⌈(1.96 · σ / E)²⌉, with E the policy's
`statistics.sample_margin` and σ the sample standard deviation of the audit scores of the
`statistics.sample_days` days up to the end of the period shown, within the account's scope. σ is
the catalog's own (`qa_score`'s sample, `audit_sd` = `stddev_samp(score)`, through the compiler),
so the plan reads the very audits the QA score does (calibration audits are not agents' work and
are not among them); it is taken over every audit of those days rather than per agent, since a
single agent's handful of audits would give a σ as uncertain as the score it is meant to plan for.
With fewer than two scored audits there is no σ, and no plan.

The agents' ranking by QA score leans on the same idea from the other side: an agent is placed
only when their score's 95 % interval is no wider than the policy's `ranking_max_width`, since a
place between two agents whose intervals overlap by most of their width says nothing (`ranked`).

Who is below plan uses the compliance rule `audits_below_plan`'s notion of an agent of a month
(`csdata.analytics.compliance.below_plan_sql`: an agent live on the month's first day and employed
through it, in the scope): the month is that of the period's end, counted from its first day to
the period's end, so a month still running shows who is behind so far.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics import compiler, compliance, lookups, stats
from csdata.analytics.compiler import DETAIL, Filters
from csdata.policy import Policy, load_policy

Z = 1.96  # the normal quantile of a two-sided 95 % interval, as the formula is written


def audits_needed(sd: float, margin: float) -> int:
    """n = ⌈(1.96 · σ / E)²⌉: the audits that measure a mean to ± `margin` at 95 %."""
    return math.ceil((Z * sd / margin) ** 2)


@dataclass(frozen=True)
class Plan:
    """The plan as of `end`: σ of `audits` scores dated `start` to `end`, the margin E, and n
    (None, with σ, when there are fewer than two scored audits)."""

    start: dt.date
    end: dt.date
    margin: float
    audits: int
    sd: float | None
    n: int | None

    def as_json(self) -> dict:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "audits": self.audits,
            "sd": self.sd,
            "margin": self.margin,
            "n": self.n,
        }


def plan(wh, end: dt.date, scope: Scope = EVERYTHING, policy: Policy | None = None) -> Plan:
    """The sampling plan from the audits of the policy's `sample_days` days up to `end`."""
    if policy is None:
        policy = load_policy(wh, on=end)[1]
    stats = policy.statistics
    start = end - dt.timedelta(days=stats.sample_days - 1)
    row = compiler.metric_table(wh, ["qa_score"], Filters(start, end), None, scope, policy, detail=True)
    sd, count = row[f"qa_score{DETAIL}sd"].iloc[0], row[f"qa_score{DETAIL}n"].iloc[0]
    sd = None if pd.isna(sd) else float(sd)
    n = None if sd is None else audits_needed(sd, stats.sample_margin)
    return Plan(start, end, stats.sample_margin, 0 if pd.isna(count) else int(count), sd, n)


def month_of(end: dt.date) -> tuple[dt.date, dt.date]:
    """The month of the period's end, from its first day to that end."""
    return end.replace(day=1), end


def below_plan(wh, found: Plan, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """The agents in the scope with fewer audits than the plan's n in the month of its end (so
    far): employee_id, name, client, team, audits, shortfall (n − audits), fewest audits first.
    Empty when there is no plan."""
    columns = ["employee_id", "name", "client", "team", "audits", "shortfall"]
    if found.n is None:
        return pd.DataFrame(columns=columns)
    start, end = month_of(found.end)
    frame = wh.df(*compliance.below_plan_sql(scope, start, end, found.n))
    names = lookups.employee_names(wh, list(frame["employee_id"]))
    frame["name"] = [names.get(e, "") for e in frame["employee_id"]]
    frame["audits"] = frame["audits"].astype(int)
    frame["shortfall"] = found.n - frame["audits"]
    return frame[columns].reset_index(drop=True)


@dataclass(frozen=True)
class Ranking:
    """The agents placed by QA score, best first (the rows of the detail table they came from),
    and how many were left out for too few audits and for too wide an interval."""

    ranked: pd.DataFrame
    few: int
    wide: int


def ranked(frame: pd.DataFrame, least: int, widest: float) -> Ranking:
    """The agents of a detail table by agent (`metric_table(..., by="agent", detail=True)` with
    `audits` and `qa_score`) with at least `least` audits and a QA score interval no wider
    (high − low) than `widest` points, best score first (more audits first on a tie). An agent
    whose score has no interval (fewer than two scored audits) is not narrow enough."""
    low, high, _ = stats.bounds(frame, "qa_score")
    enough = (frame["audits"] >= least) & (frame["key"] != "")
    narrow = pd.Series(high - low <= widest, index=frame.index)  # NaN compares False
    chosen = frame[enough & narrow].sort_values(["qa_score", "audits"], ascending=[False, False])
    return Ranking(chosen, int((frame["audits"] < least).sum()), int((enough & ~narrow).sum()))
