"""QA calibration: do the auditors score alike? Agreement per criterion and each auditor's lean.

A calibration session is several auditors scoring the same ticket: audits whose `source` is
`calibration` and that share a `ticket_id` (a *set*). They measure the auditors, not the agent,
so no QA figure of an agent counts them (`csdata.analytics.compiler.CALIBRATION`); here they are
the whole point. Over the sets of a period (by `audited_at`) within the account's scope that at
least two different auditors scored:

- **Agreement**: Krippendorff's alpha at the interval level (`krippendorff.alpha`), per criterion
  of the scorecard found in the sets' criterion scores and for the audit score (`score`): the
  reliability data has a row per auditor and a column per set, NaN where the auditor did not
  score the set or marked the criterion not applicable. 1 is perfect agreement, 0 agreement no
  better than chance; the policy's `statistics.calibration_alpha` (0.667) is the acceptable
  level. None where alpha cannot be computed: fewer than two sets with two scores of it, or no
  variation at all (the library refuses a single value).
- **Lean**: each audit score minus the mean score of the *other* auditors of the same set; an
  auditor's mean deviation with its 95 % t interval (`csdata.analytics.stats.mean_interval`: mean ±
  t(0.975, n − 1) · sd / √n, none for fewer than two sets). An auditor is flagged when the whole
  interval lies beyond ± `statistics.calibration_tolerance` points: consistently harsher or more
  lenient than the others, not by chance.

Calibration is about the company's own auditors: a client company's account sees none. The
rows are read in one query; the statistics are numpy and the two libraries on the few rows a
period holds.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics.compiler import CALIBRATION, _Params
from csdata.analytics.stats import mean_interval
from csdata.policy import Policy, load_policy

SCORE = "score"  # the audit score's key among the criteria's in `alpha`
# The columns of an auditor's row, in the order `csdata calibration --json` gives them.
AUDITOR_COLUMNS = ["auditor_id", "audits", "mean_deviation", "low", "high", "flag"]

# One row per calibration audit and criterion scored (a criterion not applicable has no row; an
# audit with none scored, a critical error, one row with a NULL criterion).
_SQL = """
SELECT a.ticket_id, a.auditor_id, a.audit_id, a.score, s.criterion, s.score AS criterion_score
FROM audits a LEFT JOIN audit_scores s ON s.audit_id = a.audit_id
WHERE a.source = $calibration AND a.ticket_id IS NOT NULL AND a.auditor_id IS NOT NULL
  AND a.audited_at BETWEEN $start AND $end AND {scope}
ORDER BY a.ticket_id, a.auditor_id, a.audit_id
"""


@dataclass
class Calibration:
    """The agreement of a period's calibration sets and each auditor's lean (see the module)."""

    alpha: dict[str, float | None] = field(default_factory=dict)
    sets: int = 0
    auditors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AUDITOR_COLUMNS))

    def as_json(self) -> dict:
        """What `csdata calibration --json` prints: floats, null where undefined."""

        def number(value) -> float | None:
            return None if value is None or pd.isna(value) else float(value)

        return {
            "alpha": {k: number(v) for k, v in self.alpha.items()},
            "sets": int(self.sets),
            "auditors": [
                {
                    "auditor_id": r.auditor_id,
                    "audits": int(r.audits),
                    "mean_deviation": number(r.mean_deviation),
                    "low": number(r.low),
                    "high": number(r.high),
                    "flag": bool(r.flag),
                }
                for r in self.auditors.itertuples()
            ],
        }


def rows(wh, scope: Scope, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The calibration audits dated `start`..`end` within the scope, one row per criterion scored."""
    params = _Params({"calibration": CALIBRATION, "start": start, "end": end})
    within = "FALSE" if not scope.agents_visible else scope.where("audits", params, "a")
    return wh.df(_SQL.format(scope=within), params.values)


def measure(
    wh,
    scope: Scope = EVERYTHING,
    start: dt.date | None = None,
    end: dt.date | None = None,
    policy: Policy | None = None,
) -> Calibration:
    """The calibration of the sets dated `start`..`end` (default: all) within the scope."""
    start = start or dt.date.min
    end = end or dt.date.max
    if policy is None:
        policy = load_policy(wh, None if end == dt.date.max else end)[1]
    return compute(rows(wh, scope, start, end), policy)


def compute(long: pd.DataFrame, policy: Policy) -> Calibration:
    """Alpha per criterion and for the score, and the auditors' deviations, from `rows`' frame."""
    nothing = Calibration({SCORE: None}, 0, pd.DataFrame(columns=AUDITOR_COLUMNS))
    if long.empty:
        return nothing
    audits = long.drop_duplicates("audit_id")
    # An auditor scores a set once (imports and forms refuse a second); should two slip in, the
    # auditor's scores of the set are averaged, so no one counts twice.
    scored = audits.groupby(["ticket_id", "auditor_id"], sort=True)["score"].mean().unstack("ticket_id")
    sets = [s for s in scored.columns if scored[s].notna().sum() >= 2]
    if not sets:  # tickets one auditor scored so far: no set yet
        return nothing
    scored = scored[sets]
    order = [c.key for c in policy.scorecard.criteria]
    found = set(long["criterion"].dropna())
    criteria = [c for c in order if c in found] + sorted(found - set(order))
    alpha: dict[str, float | None] = {}
    for criterion in criteria:
        marks = long[long["criterion"] == criterion]
        matrix = (
            marks.groupby(["ticket_id", "auditor_id"])["criterion_score"]
            .mean()
            .unstack("ticket_id")
            .reindex(index=scored.index, columns=sets)
        )
        alpha[criterion] = _alpha(matrix)
    alpha[SCORE] = _alpha(scored)
    return Calibration(alpha, len(sets), _deviations(scored, audits, policy.statistics.calibration_tolerance))


def _alpha(matrix: pd.DataFrame) -> float | None:
    """Krippendorff's alpha (interval) of auditors × sets; None with fewer than two sets holding two
    scores, or where the library cannot compute it (a single value throughout)."""
    import krippendorff

    if int((matrix.notna().sum(axis=0) >= 2).sum()) < 2:
        return None
    try:
        value = krippendorff.alpha(
            reliability_data=matrix.to_numpy(dtype=float), level_of_measurement="interval"
        )
    except (ValueError, ZeroDivisionError):
        return None
    return None if value is None or math.isnan(value) else float(value)


def _deviations(scored: pd.DataFrame, audits: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """Each auditor's audit score minus the mean of the other auditors' in the same set, its mean
    and 95 % interval, and the flag (the whole interval beyond ± `tolerance`)."""
    values = scored.to_numpy(dtype=float)
    present = ~np.isnan(values)
    totals = np.nansum(values, axis=0)
    counts = present.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        others = (totals - np.where(present, values, 0.0)) / (counts - present)
    deviation = pd.DataFrame(np.where(present, values - others, np.nan), index=scored.index)
    in_sets = audits[audits["ticket_id"].isin(scored.columns)]
    counted = in_sets.groupby("auditor_id")["audit_id"].nunique()
    out = []
    for auditor in scored.index:
        n, mean, low, high = mean_interval(deviation.loc[auditor])
        if n == 0:
            continue
        flag = low is not None and (low > tolerance or high < -tolerance)
        out.append([auditor, int(counted.get(auditor, n)), mean, low, high, bool(flag)])
    frame = pd.DataFrame(out, columns=AUDITOR_COLUMNS)
    return frame.astype({"mean_deviation": float, "low": float, "high": float})
