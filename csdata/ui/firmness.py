"""How firm a figure is, as the pages show it: a 95 % interval as text, the "few data" mark, the
columns a table's download carries (low, high, n) and the sentence that says what an interval means.

The statistics are `csdata.analytics.stats`; this module only words and places them, once, so the
cards (`csdata.ui.kpi`), the metric tables (`csdata.ui.panels`), the drill-down
(`csdata.ui.drilldown`) and the scorecard (`csdata.ui.sections`) say it the same way. It sits
below all of them and imports none of them.
"""

from __future__ import annotations

import pandas as pd

from csdata.analytics import stats
from csdata.analytics.metrics import CATALOG
from csdata.text.i18n import duration_unit, fmt_value, text_key
from csdata.ui.core import tr

# The columns `stats.with_intervals` adds beside a metric, and their text keys.
INTERVAL_PARTS = {"low": text_key("ci_low"), "high": text_key("ci_high"), "n": text_key("ci_n")}


def interval_part(column: str) -> tuple[str, str] | None:
    """("qa_score", "low") for the column `qa_score_low`; None for any other column."""
    metric, _, part = column.rpartition("_")
    return (metric, part) if part in INTERVAL_PARTS and metric in CATALOG else None


def part_heading(label: str, part: str) -> str:
    """The heading of an interval column beside the metric headed `label`: "CSAT · 95 % low"."""
    return f"{label} · {tr(INTERVAL_PARTS[part])}"


def part_unit(metric: str, part: str) -> str:
    """The unit of an interval column: the metric's for its bounds, a whole count for its n."""
    return "count" if part == "n" else CATALOG[metric].unit


def interval_text(low, high, unit: str, language: str, duration: str | None = None) -> str:
    """An interval as text ("84.9% – 85.3%"); empty where there is none."""
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    return f"{fmt_value(float(low), unit, language, duration)} – {fmt_value(float(high), unit, language, duration)}"


def few(n, min_n: int | None) -> bool:
    """Whether a figure resting on `n` cases is below the policy's `statistics.min_n`."""
    return min_n is not None and n is not None and not pd.isna(n) and n < min_n


def few_mark() -> str:
    """The "few data" mark of a card's caption, in orange and kept whole: a narrow card wraps its
    caption before the mark, never inside it (no "数据 / 少")."""
    unbroken = "\u2060".join(tr("few_data").replace(" ", "\u00a0"))
    return f":orange[{unbroken}]"


def interval_cell(
    low, high, n, unit: str, language: str, min_n: int | None, duration: str | None = None
) -> str:
    """A table cell of an interval: "few data" first where it rests on fewer than `min_n` cases."""
    text = interval_text(low, high, unit, language, duration)
    if not few(n, min_n):
        return text
    return f"{tr('few_data')} · {text}" if text else tr("few_data")


def interval_texts(
    frame: pd.DataFrame, metric: str, language: str, min_n: int | None, duration: str | None = None
) -> list[str]:
    """Each row's interval cell of `metric`, from the `<metric>_low/_high/_n` columns of
    `stats.with_intervals`; a duration in `duration`, else in the unit its row's value reads best in."""
    unit = CATALOG[metric].unit
    values = frame[metric] if metric in frame else [None] * len(frame)
    columns = (frame[f"{metric}_{part}"] for part in INTERVAL_PARTS)
    return [
        interval_cell(low, high, n, unit, language, min_n, _duration(unit, value, duration))
        for value, low, high, n in zip(values, *columns, strict=True)
    ]


def _duration(unit: str, value, duration: str | None) -> str | None:
    if unit != "seconds" or duration is not None:
        return duration
    return duration_unit(None if value is None or pd.isna(value) else float(value))


def interval_heading(metric: str, language: str) -> str:
    """The heading of a metric's interval column on screen: "CSAT · 95 % interval"."""
    return f"{CATALOG[metric].short_label(language)} · {tr('ci_95')}"


def interval_help(estimate: stats.Estimate, unit: str, language: str, duration: str | None = None) -> str:
    """A figure's interval and n in one line with what the interval means; n alone for a figure
    with no interval (a percentile); empty for one that rests on no sample (a count)."""
    if estimate.n is None:
        return ""
    n = int(estimate.n)
    text = interval_text(estimate.low, estimate.high, unit, language, duration)
    if not text:
        return tr("card_n", n=n)
    return tr("card_interval", interval=text, n=n) + " " + tr("interval_meaning")


def beside(frame: pd.DataFrame, heading: str, columns: dict[str, list]) -> pd.DataFrame:
    """`frame` with `columns` inserted after the column `heading` and any that follow it with
    `heading · ` in their name (its target): a metric's interval next to the metric."""
    names = list(frame.columns)
    at = max(i for i, c in enumerate(names) if c == heading or str(c).startswith(f"{heading} · ")) + 1
    out = frame.copy()
    for offset, (name, values) in enumerate(columns.items()):
        out.insert(at + offset, name, values)
    return out


def with_parts(
    raw: pd.DataFrame, bounds: pd.DataFrame, labels: dict[str, str], units: dict[str, str]
) -> pd.DataFrame:
    """A table by headings (`raw`, each metric headed `labels[metric]`) with each metric's low, high
    and n from `bounds` (`stats.with_intervals`, same rows) beside it, their units added to `units`:
    what its download carries."""
    for metric, label in labels.items():
        if f"{metric}_n" not in bounds:
            continue
        parts = {part_heading(label, part): list(bounds[f"{metric}_{part}"]) for part in INTERVAL_PARTS}
        raw = beside(raw, label, parts)
        units.update(
            {heading: part_unit(metric, part) for part, heading in zip(INTERVAL_PARTS, parts, strict=True)}
        )
    return raw
