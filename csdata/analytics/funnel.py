"""Recruitment's figures (policy 三(一)): where they are defined, and the funnel's conversion.

Every recruitment figure is a metric of the catalog (`csdata.analytics.metrics`, `recruit_*`) or a
listing of the query layer (`csdata.analytics.compiler`: `recruit_stage_days`,
`recruit_requisitions`), over five sources of the compiler, each one row per case with the
dimensions every source has (a candidate's client and team are its requisition's; the channel
it came through is `recruit_channel`, since `channel` is a ticket's):

- `requisitions`: the requisitions open now and opened by the period's end, with the hires made
  against each (open seats = headcount − hires). Like `staff` it has no day of its own.
- `candidates`: those who applied in the period: the funnel counts each stage they passed, so a
  period's funnel follows one cohort from application on.
- `hires`: those hired in the period, with the days from their requisition's opening (time to
  fill), their first onboarding attempts and whether they were still employed 180 days on.
- `hire_audits` and `hire_ratings`: the QA audits and the rated tickets of the period's hires in
  their first 90 days (a mean over audits and a rate over ratings need a row per audit and per
  rating, not per hire).

What is left here is arithmetic on those aggregates, too small to be worth SQL: each funnel
stage as a share of the stage before it and of the applicants.
"""

from __future__ import annotations

import pandas as pd

from csdata.analytics.metrics import FUNNEL

# The funnel's metrics, in the order of its stages.
FUNNEL_METRICS: tuple[str, ...] = tuple(f"recruit_{stage}" for stage, _ in FUNNEL)


def funnel(values: dict[str, float | None]) -> pd.DataFrame:
    """The funnel of one metric row (`compiler.row_values` of `FUNNEL_METRICS`): per stage the
    candidates who reached it, that count ÷ the stage before's (`of_previous`) and ÷ the
    applicants (`of_applied`); a share of nobody is undefined (None), not 0."""
    rows, before, applied = [], None, None
    for stage, _ in FUNNEL:
        n = int(values.get(f"recruit_{stage}") or 0)
        applied = n if applied is None else applied
        rows.append(
            {
                "stage": stage,
                "candidates": n,
                "of_previous": None if before is None else (n / before if before else None),
                "of_applied": n / applied if applied else None,
            }
        )
        before = n
    return pd.DataFrame(rows)
