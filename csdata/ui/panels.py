"""The charts and tables of a dashboard: trends (with each week's 95 % interval as a band, or as
control charts), heatmaps, spreads, and tables with their downloads as numbers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csdata.analytics import lookups, spc, stats
from csdata.analytics.compiler import DETAIL, Filters
from csdata.analytics.metrics import CATALOG
from csdata.policy import CHANNELS
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import (
    DURATION_UNITS,
    channel_label,
    column_label,
    duration_unit,
    family_key,
    fmt_value,
)
from csdata.ui import charts
from csdata.ui.core import figure, lang, policy, tr
from csdata.ui.datatable import blank, download, readable
from csdata.ui.drilldown import CLICKABLE, blank_key, drill_on_click
from csdata.ui.firmness import interval_heading, interval_part, interval_texts, part_heading, part_unit
from csdata.ui.kpi import card_value, one_or_none, target_for
from csdata.ui.timing import timed_calls

# -- charts and tables ---------------------------------------------------------------------------


def empty(frame: pd.DataFrame | None, *columns: str) -> bool:
    """True (and a plain message shown) when there is nothing to draw."""
    if frame is None or frame.empty or any(frame[c].isna().all() for c in columns if c in frame):
        st.info(tr("no_data"))
        return True
    return False


def duration_axis(metric: str, reference: float | None) -> charts.Axis | None:
    """The axis of a duration metric in the unit its card shows (`reference`: the card's value)."""
    if CATALOG[metric].unit != "seconds":
        return None
    unit = duration_unit(reference)
    size, digits = DURATION_UNITS[unit]
    return (1 / size, f",.{digits}f", f" {tr(family_key('unit_', unit))}")


TREND_VIEWS = ("trend", "control")
CONTROL_PARTS = ("value", "center", "limits", "signal", "ucl", "lcl")  # `spc_<part>`: a chart's labels


def trend_view(key: str) -> bool:
    """The choice above a page's weekly trends: the trend with its bands, or control charts.
    True when control charts are asked for."""
    chosen = st.segmented_control(
        tr("trend_view"),
        TREND_VIEWS,
        default="trend",
        format_func=lambda v: tr(family_key("trend_view_", v)),
        key=key,
        label_visibility="collapsed",
    )
    return chosen == "control"


def control_note() -> None:
    """What the control charts' signals mean, in one plain sentence under them."""
    st.caption(tr("spc_note"))


def _control_names() -> dict[str, str]:
    names = {
        part: tr(family_key("spc_", part)) for part in ("value", "center", "limits", "signal", "ucl", "lcl")
    }
    return names | {f"signal_{s}": tr(family_key("spc_signal_", s)) for s in spc.SIGNALS}


def trend(
    wh: Warehouse,
    frames: dict[str, pd.DataFrame],
    metric: str,
    filters: Filters,
    key: str,
    title: str | None = None,
    control: bool = False,
) -> None:
    """A metric's weekly line against its target, each week's 95 % interval a band around it; a
    wait or handle time one panel per channel where the page splits it, each in the unit of its
    card. With `control`, the metric's control chart instead (one per channel where split), when
    it is a rate or a mean; any other metric says it has none and keeps its trend."""
    if control and not spc.has_chart(metric):
        st.caption(tr("spc_none", metric=CATALOG[metric].label(lang())))
        control = False
    by_channel = frames.get("trend_by_channel")
    split = by_channel is not None and metric in by_channel
    if empty(by_channel if split else frames.get("trend"), metric):
        return
    fig = figure(
        _trend_figure, wh, frames, ("trend_by_channel", "trend", "cards", "by_channel"),
        metric, filters, title, control, lang(),
    )  # fmt: skip
    st.plotly_chart(fig, width="stretch", key=key)


def _trend_figure(
    wh: Warehouse,
    frames: dict[str, pd.DataFrame],
    metric: str,
    filters: Filters,
    title: str | None,
    control: bool,
    language: str,
):
    """The figure of `trend` (its frame not empty), worked out of the frames alone: cached with
    them (`core.figure`)."""
    pol = policy(wh, filters.end)
    label = CATALOG[metric].label(language)
    interval = tr("interval_95")
    by_channel = frames.get("trend_by_channel")
    if by_channel is not None and metric in by_channel:
        panels = {
            c: (
                channel_label(c, language),
                duration_axis(metric, card_value(frames, metric, c)),
                pol.target(metric, one_or_none(filters.clients), c, days=filters.days),
            )
            for c in CHANNELS
            if c in set(by_channel["key2"])
        }
        if control:
            charted = {
                c: (name, axis, *_chart(by_channel[by_channel["key2"] == c], metric))
                for c, (name, axis, _) in panels.items()
            }
            return charts.control_charts(
                charted, CATALOG[metric].unit, title or label, tr("week"), _control_names()
            )
        shown = stats.with_intervals(by_channel, [metric])
        return charts.channel_trends(
            shown, metric, panels, title or label, tr("week"), tr("target"), interval
        )
    frame = frames["trend"]
    axis = duration_axis(metric, card_value(frames, metric))
    if control:
        chart = {"": ("", axis, *_chart(frame, metric))}
        return charts.control_charts(
            chart, CATALOG[metric].unit, title or label, tr("week"), _control_names()
        )
    target = target_for(pol, metric, filters)
    if metric == "training_hours" and target is not None:
        target = pol.target(metric, days=7)
    return charts.trend(
        stats.with_intervals(frame, [metric]), metric, CATALOG[metric].unit, title or label, tr("week"), target,
        tr("target"), axis, interval,
    )  # fmt: skip


def _chart(frame: pd.DataFrame, metric: str) -> tuple[pd.DataFrame, float | None]:
    chart = spc.control_chart(frame, metric)
    return chart.points, chart.center


def split_trend(
    wh: Warehouse, frame: pd.DataFrame, metric: str, filters: Filters, split: str, key: str
) -> None:
    """A metric's weekly line per channel or client, each against its own target."""
    if empty(frame, metric):
        return
    pol = policy(wh, filters.end)
    language = lang()
    series = sorted(frame["key2"].dropna().unique())
    names = {s: channel_label(s, language) if split == "channel" else s for s in series}
    targets = {
        s: pol.target(
            metric,
            s if split == "client" else one_or_none(filters.clients),
            s if split == "channel" else one_or_none(filters.channels),
            days=filters.days,
        )
        for s in series
    }
    colours = charts.colours(split, series, lookups.clients(wh) if split == "client" else ())
    fig = charts.lines(
        frame, metric, CATALOG[metric].unit, CATALOG[metric].label(language), tr("week"), names, targets, colours,
        tr("target"),
    )  # fmt: skip
    st.plotly_chart(fig, width="stretch", key=key)


@timed_calls("drawing")
def table(
    frame: pd.DataFrame,
    name: str,
    units: dict[str, str] | None = None,
    agent: str | None = None,
    key_label: str | None = None,
    filters: Filters | None = None,
    intervals: tuple[str, ...] = (),
    min_n: int | None = None,
) -> None:
    """A table with translated headings (metric columns formatted), and CSV / Excel downloads of
    the same rows as numbers (see `download`). With `agent` (the column holding employee IDs), a
    click on a row opens that agent's page; `key_label` names a metric table's `key` column (a
    channel's values are translated).

    A metric table fetched with its samples (`detail=True`) carries each metric's 95 % interval
    and n: the downloads have them as columns (low, high, n), and the metrics in `intervals` show
    theirs on screen beside the value, marked "few data" below `min_n` cases."""
    language = lang()
    if empty(frame):
        return
    units = dict(units or {})
    if any(DETAIL in c for c in frame.columns):
        frame = stats.with_intervals(frame)
    for column in frame.columns:
        if (found := interval_part(column)) and found[0] in units:
            units[column] = part_unit(*found) if found[1] == "n" else units[found[0]]
    base = readable(frame)
    if key_label is not None:
        if key_label == "channel":
            base["key"] = [channel_label(c, language) for c in base["key"]]
        base["key"] = [k if k != "" else blank_key(key_label) for k in base["key"]]
        base = base.rename(columns={"key": key_label})
    shown = base.copy()
    for column, unit in units.items():
        shown[column] = [fmt_value(None if pd.isna(v) else float(v), unit, language) for v in shown[column]]
    for metric in intervals:
        if f"{metric}_low" in shown:
            at = list(shown.columns).index(metric) + 1
            shown.insert(at, f"{metric}_ci", interval_texts(base, metric, language, min_n))
    shown = shown.drop(columns=[c for c in shown.columns if interval_part(c)])

    def heading(column: str) -> str:
        if column.endswith("_ci") and column[:-3] in CATALOG:
            return interval_heading(column[:-3], language)
        if found := interval_part(column):
            return part_heading(CATALOG[found[0]].short_label(language), found[1])
        return CATALOG[column].short_label(language) if column in CATALOG else column_label(column, language)

    shown = shown.rename(columns=heading)
    clickable = {}
    if agent is not None:
        st.caption(tr("drill_hint_agent"))
        clickable = {"key": f"t_{name}", "on_select": "rerun", "selection_mode": CLICKABLE}
    config = {column_label("comment", language): st.column_config.TextColumn(width="large")}
    event = st.dataframe(
        blank(shown, numbers_too=True), hide_index=True, width="stretch", column_config=config, **clickable
    )
    if agent is not None:
        drill_on_click(event, "agent", tuple(str(v) for v in frame[agent]))
    download(base, units, heading, name, filters, f"dl_{name}")


def heatmap(frame: pd.DataFrame) -> None:
    """Tickets offered by weekday and hour of day."""
    if empty(frame, "offered"):
        return
    days = [tr(family_key("weekday_", d)) for d in range(1, 8)]
    fig = charts.heatmap(frame, "offered", None, days, tr("hour_of_day"), tr("tickets_unit"))
    st.plotly_chart(fig, width="stretch", key="heatmap")


def spread(frame: pd.DataFrame, metrics: tuple[str, ...], key: str) -> None:
    """Mean, median and 90th percentile of a duration per channel, as grouped bars."""
    if empty(frame, *metrics):
        return
    language = lang()
    labels = {m: CATALOG[m].label(language) for m in metrics}
    channels = {c: channel_label(c, language) for c in frame["key"]}
    units = {u: tr(family_key("unit_", u)) for u in ("s", "min", "h")}
    fig = charts.durations(frame, labels, channels, units, CATALOG[metrics[0]].label(language))
    st.plotly_chart(fig, width="stretch", key=key)


def metric_units(frame: pd.DataFrame) -> dict[str, str]:
    return {c: CATALOG[c].unit for c in frame.columns if c in CATALOG}
