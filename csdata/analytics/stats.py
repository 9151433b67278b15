"""How firm a figure is: 95 % intervals, the few-data mark and whether a change is clear.

The metric catalog says what each figure rests on (`metrics.Sample`: the cases, and the cases
counted for a rate or the standard deviation for a mean); the compiler returns those beside the
values when asked (`metric_table(..., detail=True)`: columns `<metric>__n`, `__hits`, `__sd`). This
module turns them into statistics with the well-kept libraries rather than formulas of its own:

- a rate's interval is Wilson's (statsmodels `proportion_confint(method="wilson")`), which stays
  inside 0–1 and behaves with few cases or a rate near 0 or 1;
- a mean's is Student's t (scipy `stats.t`): mean ± t(0.975, n − 1) · sd / √n;
- a change between two periods is clear when a two-proportion z test (statsmodels
  `proportions_ztest`) or, for a mean, Welch's t test (scipy `ttest_ind_from_stats`) gives
  p < 0.05. Anything else (a count, a percentile) has no test and no interval.

Everything works on frames, one row per group, so a ranking of a thousand agents is one
vectorised call, not a loop of library calls.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from csdata.analytics.compiler import DETAIL
from csdata.analytics.metrics import CATALOG

CONFIDENCE = 0.95
ALPHA = 1 - CONFIDENCE  # the level a change must clear


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


@dataclass(frozen=True)
class Estimate:
    """One figure with its 95 % interval (None where it has none) and the cases it rests on."""

    value: float | None
    low: float | None = None
    high: float | None = None
    n: float | None = None

    def few(self, min_n: int) -> bool:
        """Whether it rests on fewer cases than the policy's `statistics.min_n`."""
        return self.n is not None and self.n < min_n

    def as_json(self) -> dict:
        n = None if self.n is None else int(self.n)
        return {"value": self.value, "low": self.low, "high": self.high, "n": n}


def wilson(hits, n) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's 95 % interval of hits/n, element-wise; NaN where n is 0 or unknown."""
    hits, n = np.asarray(hits, dtype=float), np.asarray(n, dtype=float)
    ok = np.isfinite(hits) & np.isfinite(n) & (n > 0)
    low, high = np.full(hits.shape, np.nan), np.full(hits.shape, np.nan)
    if ok.any():
        low[ok], high[ok] = proportion_confint(hits[ok], n[ok], alpha=ALPHA, method="wilson")
    return low, high


def t_interval(mean, sd, n) -> tuple[np.ndarray, np.ndarray]:
    """Student's t 95 % interval of a mean, element-wise; NaN with fewer than two cases. A spread of
    0 (every case the same) gives an interval of no width."""
    mean, sd, n = (np.asarray(x, dtype=float) for x in (mean, sd, n))
    ok = np.isfinite(mean) & np.isfinite(sd) & np.isfinite(n) & (n >= 2)
    low, high = np.full(mean.shape, np.nan), np.full(mean.shape, np.nan)
    spread = ok & (sd > 0)  # scipy takes no scale of 0: no spread is an interval of no width
    if spread.any():
        low[spread], high[spread] = sps.t.interval(
            CONFIDENCE, n[spread] - 1, loc=mean[spread], scale=sd[spread] / np.sqrt(n[spread])
        )
    still = ok & (sd == 0)
    low[still], high[still] = mean[still], mean[still]
    return low, high


def mean_interval(values: pd.Series) -> tuple[int, float | None, float | None, float | None]:
    """(n, mean, low, high) of measured values (gaps left out): the mean's 95 % t interval from
    the values themselves, none for fewer than two (what an action's effect and an auditor's
    deviation report)."""
    measured = values.dropna().astype(float)
    n = len(measured)
    if n == 0:
        return 0, None, None, None
    mean = float(measured.mean())
    low, high = t_interval([mean], [measured.std(ddof=1) if n > 1 else math.nan], [n])
    return n, mean, _num(low[0]), _num(high[0])


def _columns(frame: pd.DataFrame, metric: str) -> tuple[pd.Series | None, ...]:
    def col(part: str) -> pd.Series | None:
        name = f"{metric}{DETAIL}{part}"
        return frame[name].astype(float) if name in frame else None

    return col("n"), col("hits"), col("sd")


def bounds(frame: pd.DataFrame, metric: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """low, high and n of `metric` for every row of a detail table (NaN where there is none)."""
    nan = np.full(len(frame), np.nan)
    sample = CATALOG[metric].sample
    n, hits, sd = _columns(frame, metric)
    if sample is None or n is None:
        return nan, nan.copy(), nan.copy()
    if sample.kind == "wilson" and hits is not None:
        low, high = wilson(hits, n)
        if sample.complement:
            low, high = 1 - high, 1 - low
    elif sample.kind == "t" and sd is not None:
        low, high = t_interval(frame[metric].astype(float), sd, n)
    else:
        low, high = nan, nan.copy()
    return low, high, n.to_numpy(dtype=float)


def with_intervals(frame: pd.DataFrame, metrics: list[str] | None = None) -> pd.DataFrame:
    """A detail table with `<metric>_low`, `<metric>_high` and `<metric>_n` beside each metric that
    has a sample, and without the raw sample columns: what a table shows and a download carries."""
    out = frame[[c for c in frame.columns if DETAIL not in c]].copy()
    for metric in metrics or [c for c in out.columns if c in CATALOG]:
        if metric not in frame or CATALOG[metric].sample is None:
            continue
        low, high, n = bounds(frame, metric)
        out[f"{metric}_low"], out[f"{metric}_high"], out[f"{metric}_n"] = low, high, n
    return out


def estimates(frame: pd.DataFrame) -> dict[str, Estimate]:
    """The metrics of a one-row detail table as estimates (what `csdata kpi --ci` prints)."""
    out = {}
    for metric in (c for c in frame.columns if DETAIL not in c and c in CATALOG):
        low, high, n = bounds(frame.iloc[:1], metric)
        out[metric] = Estimate(_num(frame[metric].iloc[0]), _num(low[0]), _num(high[0]), _num(n[0]))
    return out


@dataclass(frozen=True)
class Change:
    """A change between two periods and whether the test says it is clear (p < 0.05)."""

    delta: float
    p_value: float | None  # None: no test applies (a count, a percentile) or too few cases

    @property
    def clear(self) -> bool | None:
        return None if self.p_value is None else self.p_value < ALPHA


def _row(frame: pd.DataFrame | Mapping, metric: str) -> dict[str, float | None]:
    get = frame.iloc[0] if isinstance(frame, pd.DataFrame) else frame
    return {part: _num(get.get(f"{metric}{DETAIL}{part}")) for part in ("n", "hits", "sd")} | {
        "value": _num(get.get(metric))
    }


def change(metric: str, now: pd.DataFrame | Mapping, before: pd.DataFrame | Mapping) -> Change | None:
    """The change of `metric` from `before` to `now` (one-row detail tables, or rows of them) with
    its test; None when either value is missing."""
    a, b = _row(now, metric), _row(before, metric)
    if a["value"] is None or b["value"] is None:
        return None
    delta = a["value"] - b["value"]
    sample = CATALOG[metric].sample
    return Change(delta, None if sample is None else _p_value(sample.kind, a, b))


def _p_value(kind: str | None, a: dict, b: dict) -> float | None:
    if kind == "wilson":
        if not (a["n"] and b["n"]) or a["hits"] is None or b["hits"] is None:
            return None
        if a["hits"] * b["n"] == b["hits"] * a["n"]:  # the same rate: nothing to test
            return 1.0
        pooled = (a["hits"] + b["hits"]) / (a["n"] + b["n"])
        if pooled in (0.0, 1.0):
            return None
        _, p = proportions_ztest([a["hits"], b["hits"]], [a["n"], b["n"]])
        return float(p)
    if kind == "t":
        if any(x is None for x in (a["sd"], b["sd"], a["n"], b["n"])) or a["n"] < 2 or b["n"] < 2:
            return None
        if a["sd"] == 0 and b["sd"] == 0:
            return 1.0 if a["value"] == b["value"] else 0.0
        result = sps.ttest_ind_from_stats(
            a["value"], a["sd"], a["n"], b["value"], b["sd"], b["n"], equal_var=False
        )
        p = float(result.pvalue)
        return None if math.isnan(p) else p
    return None
