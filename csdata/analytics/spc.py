"""Control charts: whether a week's figure is ordinary noise or a change in the process.

A weekly trend always wobbles; a control chart draws the band within which a stable process
wobbles, week by week, from the weeks shown, so a reader can tell a real shift from noise
(Shewhart's charts, as every quality handbook draws them):

- a **rate** has a p-chart: the centre p̄ = Σ hits ÷ Σ n over the weeks, and each week's limits
  p̄ ± 3·√(p̄(1 − p̄) ÷ nᵢ), cut at 0 and 1 (the abandon rate, whose sample counts the answered
  tickets, works on n − hits);
- a **mean** has an X̄ chart: the centre x̄̄ = Σ nᵢx̄ᵢ ÷ Σ nᵢ, σ the pooled standard deviation within
  weeks √(Σ(nᵢ − 1)sᵢ² ÷ Σ(nᵢ − 1)), each week's limits x̄̄ ± 3σ ÷ √nᵢ.

Each week's limits follow its own n, so a quiet week has a wider band. A point is signalled
"above" or "below" outside its limits, and "run" when it is the 8th or later consecutive point
on the same side of the centre (a point on the centre belongs to neither side and ends a run);
outside wins over a run. Weeks with no cases are not drawn.

It reads the weekly detail table of the query layer (`metric_table(..., "week", detail=True)`,
the metric's sample from the catalog's `Sample`) and returns a small frame: the dashboard draws
it, `csdata spc` prints it, and the tests check it against raw rows. Only metrics with a Wilson
or t sample (rates and means) have a chart; a count, a sum or a percentile has none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csdata.analytics.compiler import DETAIL
from csdata.analytics.metrics import CATALOG
from csdata.text.i18n import Problem

SIGMAS = 3.0  # limits at three standard errors of the centre
RUN = 8  # consecutive points on one side of the centre that make a run
SIGNALS = ("above", "below", "run")
POINT_COLUMNS = ("week", "value", "n", "lcl", "ucl", "signal")


def has_chart(metric: str) -> bool:
    """Whether `metric` is a rate or a mean, whose control chart this module draws."""
    sample = CATALOG[metric].sample if metric in CATALOG else None
    return sample is not None and sample.kind in ("wilson", "t")


@dataclass(frozen=True)
class ControlChart:
    """A metric's centre and its points (`POINT_COLUMNS`, one row per week with cases, oldest
    first); `center` and the limits are None where they cannot be worked out (a mean whose weeks
    hold one case each has no spread within weeks)."""

    metric: str
    center: float | None
    points: pd.DataFrame

    def as_json(self) -> dict:
        """What `csdata spc --json` prints: weeks as YYYY-MM-DD, missing numbers as null."""

        def num(value) -> float | None:
            return None if value is None or pd.isna(value) else float(value)

        return {
            "metric": self.metric,
            "center": num(self.center),
            "points": [
                {
                    "week": pd.Timestamp(r.week).date().isoformat(),
                    "value": num(r.value),
                    "n": int(r.n),
                    "lcl": num(r.lcl),
                    "ucl": num(r.ucl),
                    "signal": r.signal,
                }
                for r in self.points.itertuples()
            ],
        }


def _column(frame: pd.DataFrame, metric: str, part: str) -> pd.Series:
    name = f"{metric}{DETAIL}{part}"
    if name not in frame:
        raise KeyError(f"{name}: the chart needs a detail table (metric_table(..., detail=True))")
    return frame[name].astype(float)


def control_chart(frame: pd.DataFrame, metric: str, week: str = "key") -> ControlChart:
    """The control chart of `metric` over the weeks of a detail table (column `week`, one row per
    week). A metric that is neither a rate nor a mean is refused with `err_spc_no_chart`."""
    if not has_chart(metric):
        raise Problem("err_spc_no_chart", metric=metric)
    sample = CATALOG[metric].sample
    rows = frame.sort_values(week)
    n = _column(rows, metric, "n")
    value = rows[metric].astype(float)
    kept = (n > 0) & value.notna()
    rows, n, value = rows[kept], n[kept].to_numpy(), value[kept].to_numpy()
    if sample.kind == "wilson":
        hits = _column(rows, metric, "hits").to_numpy()
        if sample.complement:
            hits = n - hits
        center = float(hits.sum() / n.sum()) if len(n) else None
        spread = np.sqrt(center * (1 - center) / n) if center is not None else None
        floor, ceiling = 0.0, 1.0
    else:
        sd = _column(rows, metric, "sd").to_numpy()
        center = float((n * value).sum() / n.sum()) if len(n) else None
        dof = (n - 1).sum()
        # a week of one case has no spread of its own (its sd is undefined) and weighs 0 in σ
        pooled = np.sqrt(np.nansum((n - 1) * np.where(n > 1, sd, 0.0) ** 2) / dof) if dof > 0 else None
        spread = pooled / np.sqrt(n) if pooled is not None else None
        floor, ceiling = -np.inf, np.inf
    if spread is None:
        lcl = ucl = np.full(len(n), np.nan)
    else:
        lcl = np.clip(center - SIGMAS * spread, floor, ceiling)
        ucl = np.clip(center + SIGMAS * spread, floor, ceiling)
    points = pd.DataFrame(
        {
            "week": rows[week].to_numpy(),
            "value": value,
            "n": n,
            "lcl": lcl,
            "ucl": ucl,
            # object, not pandas' string type, so "no signal" stays None rather than NaN
            "signal": pd.Series(signals(value, lcl, ucl, center), dtype=object),
        },
        columns=list(POINT_COLUMNS),
    )
    return ControlChart(metric, center, points)


def signals(values, lcl, ucl, center: float | None) -> list[str | None]:
    """Each point's signal: "above" / "below" its limits, else "run" from the 8th consecutive
    point on one side of the centre, else None. Missing limits signal nothing outside them."""
    out: list[str | None] = []
    side, length = 0, 0
    for value, low, high in zip(values, lcl, ucl, strict=True):
        here = 0 if center is None else int(np.sign(value - center))
        length = length + 1 if here != 0 and here == side else (1 if here != 0 else 0)
        side = here
        if not np.isnan(high) and value > high:
            out.append("above")
        elif not np.isnan(low) and value < low:
            out.append("below")
        elif length >= RUN:
            out.append("run")
        else:
            out.append(None)
    return out
