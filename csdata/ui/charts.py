"""DataFrame -> plotly figure. Pure functions: aggregated frames in, figures out.

One colour-blind-safe palette (Okabe–Ito) with a fixed colour per channel, units on the axes,
targets as dashed lines. Labels arrive already translated, so charts know nothing of languages.

Plotly reads HTML-like tags (`<a href>`, `<b>`, `<br>`) in every text it draws, and names in
charts come from records; so each chart function hands back its figure through `_plain`, which
turns every text of the figure into inert text (hover templates, which the code writes, escape
the names they quote with `_text`).
"""

from __future__ import annotations

import functools
import html

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from csdata.ui.timing import timed_calls

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
CHANNEL_COLOURS = {"phone": "#0072B2", "chat": "#E69F00", "email": "#009E73"}
TARGET_COLOUR = "#D55E00"
# Ordered parts of a whole, best or earliest first: bluish green, sky blue, orange, vermillion...
STACK_COLOURS = ["#009E73", "#56B4E9", "#E69F00", "#D55E00", "#CC79A7", "#0072B2", "#000000"]

# A legend under the plot, its top below the x axis's title (never over it): plotly places the
# axis title within the margin, so the legend goes in paper coordinates past it.
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.32, "x": 0, "xanchor": "left"}

# How a unit is shown on an axis: (scale applied to the values, tick format, suffix)
_AXES = {
    "rate": (100.0, ".1f", "%"),
    "seconds": (1.0, ",.0f", " s"),
    "hours": (1.0, ",.1f", " h"),
    "days": (1.0, ",.1f", " d"),
    "count": (1.0, ",.0f", ""),
    "points": (1.0, ".1f", ""),
    "rating": (1.0, ".2f", ""),
    "money": (1.0, ",.0f", ""),
}


Axis = tuple[float, str, str]  # (scale applied to the values, tick format, suffix)


def _axis(unit: str, axis: Axis | None) -> Axis:
    return axis if axis is not None else _AXES[unit]


def _text(value: object) -> str:
    """A name shown by plotly as exactly its own characters."""
    return html.escape(str(value), quote=False)


def _texts(values):
    if isinstance(values, str):
        return _text(values)
    if values is None or not hasattr(values, "__iter__"):
        return values
    items = list(values)
    return (
        [_text(v) if isinstance(v, str) else v for v in items]
        if any(isinstance(v, str) for v in items)
        else values
    )


def _plain(chart):
    """Every text a figure draws (categories, trace names, titles, annotations) made inert."""

    @functools.wraps(chart)
    @timed_calls("drawing")
    def drawn(*args, **kwargs) -> go.Figure:
        fig = chart(*args, **kwargs)
        for trace in fig.data:
            for attr in ("x", "y", "labels", "text", "name"):
                if attr in trace and trace[attr] is not None:
                    trace[attr] = _texts(trace[attr])
        layout = fig.layout
        if layout.title.text:
            layout.title.text = _text(layout.title.text)
        for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
            if axis.title.text:
                axis.title.text = _text(axis.title.text)
        for note in layout.annotations:
            if note.text:
                note.text = _text(note.text)
        return fig

    return drawn


def _band(frame: pd.DataFrame, value_column: str) -> bool:
    """Whether the frame carries the 95 % interval of its values (`stats.with_intervals`)."""
    low = f"{value_column}_low"
    return low in frame and f"{value_column}_high" in frame and frame[low].notna().any()


def _interval_text(frame: pd.DataFrame, value_column: str, scale: float, fmt: str, suffix: str, label: str):
    """Each point's interval and n for its hover: "95 % 81.2–86.0% · n = 312" ("" without one)."""
    out = []
    for low, high, n in zip(
        frame.get(f"{value_column}_low", pd.Series([None] * len(frame))),
        frame.get(f"{value_column}_high", pd.Series([None] * len(frame))),
        frame.get(f"{value_column}_n", pd.Series([None] * len(frame))),
        strict=True,
    ):
        parts = []
        if pd.notna(low) and pd.notna(high):
            parts.append(f"{label} {low * scale:{fmt}}–{high * scale:{fmt}}{suffix}")
        if pd.notna(n):
            parts.append(f"n = {n:,.0f}")
        out.append(" · ".join(parts))
    return out


def _add_band(
    fig: go.Figure, frame: pd.DataFrame, value_column: str, scale: float, colour: str, **where
) -> None:
    """The 95 % interval of each point as a light band behind its line (no hover of its own: the
    line's hover names the interval)."""
    if not _band(frame, value_column):
        return
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    common = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False}
    fig.add_trace(go.Scatter(x=frame["key"], y=frame[f"{value_column}_high"] * scale, **common), **where)
    fig.add_trace(
        go.Scatter(
            x=frame["key"], y=frame[f"{value_column}_low"] * scale, fill="tonexty",
            fillcolor=f"rgba({r},{g},{b},0.15)", **common,
        ),
        **where,
    )  # fmt: skip


def _line_hover(prefix: str, fmt: str, suffix: str) -> str:
    return f"{prefix}%{{x|%Y-%m-%d}}: %{{y:{fmt}}}{suffix}<br>%{{text}}<extra></extra>"


@_plain
def trend(
    frame: pd.DataFrame,
    value_column: str,
    unit: str,
    title: str,
    x_title: str,
    target: float | None = None,
    target_label: str = "Target",
    axis: Axis | None = None,
    interval_label: str = "95 %",
) -> go.Figure:
    """A line over time (column `key`) with an optional dashed target line; `axis` overrides the
    unit's scale and suffix (a duration in the minutes or hours its card shows). Where the frame
    has `<value_column>_low`, `_high` and `_n` (`stats.with_intervals`), each week's 95 % interval
    is a light band around the line, and the hover gives it with n."""
    scale, fmt, suffix = _axis(unit, axis)
    fig = go.Figure()
    _add_band(fig, frame, value_column, scale, OKABE_ITO[0])
    fig.add_trace(
        go.Scatter(
            x=frame["key"],
            y=frame[value_column] * scale,
            mode="lines+markers",
            name=title,
            line={"color": OKABE_ITO[0], "width": 2},
            text=_interval_text(frame, value_column, scale, fmt, suffix, interval_label),
            hovertemplate=_line_hover("", fmt, suffix),
        )
    )
    if target is not None:
        _target_line(
            fig, target * scale, {"color": TARGET_COLOUR, "dash": "dash", "width": 2},
            f"{target_label} {target * scale:{fmt}}{suffix}",
        )  # fmt: skip
    _week_ticks(fig, frame["key"])
    _layout(fig, title, unit, x_title, legend=False, axis=axis)
    return fig


def _target_line(fig: go.Figure, y: float, line: dict, text: str, row: int | None = None) -> None:
    """A horizontal line across the plot (of subplot `row`) at `y`, its text above its left end:
    what plotly's `add_hline` draws, at a fraction of its cost (it looks through every subplot of
    the figure for each line)."""
    axes = fig.get_subplot(row, 1) if row is not None else None
    x = "x" + axes.xaxis.plotly_name[5:] if axes is not None else "x"
    y_ref = "y" + axes.yaxis.plotly_name[5:] if axes is not None else "y"
    fig.add_shape(type="line", xref=f"{x} domain", x0=0, x1=1, yref=y_ref, y0=y, y1=y, line=line)
    fig.add_annotation(
        text=text, xref=f"{x} domain", x=0, xanchor="left", yref=y_ref, y=y, yanchor="bottom",
        showarrow=False,
    )  # fmt: skip


def _week_ticks(fig: go.Figure, weeks: pd.Series) -> None:
    """Ticks on the weeks' own Mondays (plotly would pick Sundays), about a dozen at most."""
    step = max(1, -(-len(weeks) // 12))
    fig.update_xaxes(tickvals=list(weeks)[::step], tickformat="%m-%d")


@_plain
def channel_trends(
    frame: pd.DataFrame,
    value_column: str,
    panels: dict[str, tuple[str, Axis, float | None]],
    title: str,
    x_title: str,
    target_label: str = "Target",
    interval_label: str = "95 %",
) -> go.Figure:
    """A duration's weekly line per channel (column `key2`), one panel each (channel -> name, axis,
    target), stacked: seconds on the phone and hours by email share no axis, each panel speaks
    the unit of its channel's card. Each line has its band of 95 % intervals, as `trend`."""
    fig = make_subplots(
        rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=0.12,
        subplot_titles=[name for name, _, _ in panels.values()],
    )  # fmt: skip
    for row, (channel, (name, (scale, fmt, suffix), target)) in enumerate(panels.items(), start=1):
        part = frame[frame["key2"] == channel]
        colour = CHANNEL_COLOURS.get(channel, OKABE_ITO[-1])
        _add_band(fig, part, value_column, scale, colour, row=row, col=1)
        fig.add_trace(
            go.Scatter(
                x=part["key"], y=part[value_column] * scale, mode="lines+markers", name=name,
                line={"color": colour, "width": 2},
                text=_interval_text(part, value_column, scale, fmt, suffix, interval_label),
                hovertemplate=_line_hover(f"{_text(name)} ", fmt, suffix),
            ),
            row=row, col=1,
        )  # fmt: skip
        if target is not None:
            _target_line(
                fig, target * scale, {"color": TARGET_COLOUR, "dash": "dash", "width": 1.5},
                f"{target_label} {target * scale:{fmt}}{suffix}", row=row,
            )  # fmt: skip
        fig.update_yaxes(ticksuffix=suffix, tickformat=fmt, rangemode="tozero", row=row, col=1)
    _week_ticks(fig, pd.Series(sorted(frame["key"].unique())))
    fig.update_xaxes(title_text=x_title, row=len(panels), col=1)
    fig.update_layout(
        title=title, margin={"l": 10, "r": 10, "t": 60, "b": 10}, height=150 + 130 * len(panels),
        showlegend=False,
    )  # fmt: skip
    return fig


SIGNAL_COLOUR = "#CC0000"  # red diamonds: told apart from the blue line by shape as well as colour
LIMIT_COLOUR = "#555555"


@_plain
def control_charts(
    panels: dict[str, tuple[str, Axis | None, pd.DataFrame, float | None]],
    unit: str,
    title: str,
    x_title: str,
    names: dict[str, str],
) -> go.Figure:
    """Control charts (`csdata.analytics.spc`), one panel per entry (key -> panel title, axis,
    points, centre; an axis of None: the unit's), stacked: the centre as a line, the upper and
    lower control limits as steps that follow each week's n, the weekly points (their hover: n,
    the limits, the signal), and the points that signal (`signal` not null) marked in red. `names`
    holds the translated "value", "center", "limits", "signal", "ucl", "lcl" and "signal_<kind>"
    labels; a single panel has no title of its own."""
    several = len(panels) > 1
    signalled = False
    fig = make_subplots(
        rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=0.12,
        subplot_titles=[name for name, _, _, _ in panels.values()] if several else None,
    )  # fmt: skip
    for row, (key, (name, axis, points, center)) in enumerate(panels.items(), start=1):
        scale, fmt, suffix = _axis(unit, axis)
        where = {"row": row, "col": 1}
        first = row == 1
        colour = CHANNEL_COLOURS.get(key, OKABE_ITO[0])
        weeks = points["week"]
        for column in ("ucl", "lcl"):
            fig.add_trace(
                go.Scatter(
                    x=weeks, y=points[column] * scale, mode="lines", line_shape="hvh", name=names["limits"],
                    line={"color": LIMIT_COLOUR, "dash": "dot", "width": 1.5}, legendgroup="limits",
                    showlegend=first and column == "ucl",
                    hovertemplate=f"{_text(names[column])} %{{y:{fmt}}}{suffix}<extra></extra>",
                ),
                **where,
            )  # fmt: skip
        if center is not None and len(weeks):
            fig.add_trace(
                go.Scatter(
                    x=[weeks.iloc[0], weeks.iloc[-1]], y=[center * scale] * 2, mode="lines",
                    name=(f"{name} · " if several else "") + f"{names['center']} {center * scale:{fmt}}{suffix}",
                    line={"color": LIMIT_COLOUR, "width": 1.5}, hoverinfo="skip", showlegend=True,
                ),
                **where,
            )  # fmt: skip
        hover = []
        for p in points.itertuples():
            parts = [f"n = {p.n:,.0f}"]
            if pd.notna(p.lcl) and pd.notna(p.ucl):
                parts.append(
                    f"{names['lcl']}–{names['ucl']} {p.lcl * scale:{fmt}}–{p.ucl * scale:{fmt}}{suffix}"
                )
            if isinstance(p.signal, str):
                parts.append(names[f"signal_{p.signal}"])
            hover.append(" · ".join(parts))
        fig.add_trace(
            go.Scatter(
                x=weeks, y=points["value"] * scale, mode="lines+markers", name=names["value"],
                line={"color": colour, "width": 2}, marker={"size": 6}, text=hover, showlegend=first,
                hovertemplate=_line_hover(f"{_text(name)} " if several else "", fmt, suffix),
            ),
            **where,
        )  # fmt: skip
        flagged = points[points["signal"].notna()]
        first_signal = not signalled and not flagged.empty  # named in the legend once, where first drawn
        signalled = signalled or first_signal
        fig.add_trace(
            go.Scatter(
                x=flagged["week"], y=flagged["value"] * scale, mode="markers", name=names["signal"],
                marker={"color": SIGNAL_COLOUR, "size": 12, "symbol": "diamond", "line": {"width": 1, "color": "#000"}},
                legendgroup="signal", showlegend=first_signal, hoverinfo="skip",
            ),
            **where,
        )  # fmt: skip
        # a rate's limits are cut at 0: no axis below it
        fig.update_yaxes(
            ticksuffix=suffix, tickformat=fmt, rangemode="nonnegative" if unit == "rate" else None, **where
        )
    weeks = sorted({w for _, _, points, _ in panels.values() for w in points["week"]})
    _week_ticks(fig, pd.Series(weeks))
    fig.update_xaxes(title_text=x_title, row=len(panels), col=1)
    fig.update_layout(
        title=title, margin={"l": 10, "r": 10, "t": 60 if title else 20, "b": 10},
        height=(220 + 200 * len(panels)) if several else 400,
        # below the x axis's title, which lies further under a tall stack in paper terms
        legend=LEGEND_BELOW | ({"y": -0.1} if several else {}),
    )  # fmt: skip
    return fig


def colours(kind: str, names, every_client=()) -> dict[str, str]:
    """A fixed colour per channel, and per client by its place among all clients, so a client
    keeps its colour on every page whatever the selection."""
    if kind == "channel":
        return {n: CHANNEL_COLOURS.get(n, OKABE_ITO[-1]) for n in names}
    order = list(every_client)
    return {n: OKABE_ITO[(order.index(n) if n in order else len(order)) % len(OKABE_ITO)] for n in names}


def _layout(
    fig: go.Figure,
    title: str | None,
    unit: str,
    x_title: str,
    height: int = 360,
    legend: bool = True,
    axis: Axis | None = None,
) -> None:
    _, fmt, suffix = _axis(unit, axis)
    fig.update_layout(
        title=title,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        height=height,
        showlegend=legend,
        legend=LEGEND_BELOW,
        xaxis_title=x_title,
        yaxis={"ticksuffix": suffix, "tickformat": fmt},
    )


@_plain
def lines(
    frame: pd.DataFrame,
    value_column: str,
    unit: str,
    title: str,
    x_title: str,
    names: dict[str, str],
    targets: dict[str, float | None],
    colours_by_series: dict[str, str],
    target_label: str = "Target",
) -> go.Figure:
    """One line per series (column `key2`) over time (column `key`), each with its own target as a
    dashed line in the series' colour."""
    scale, fmt, suffix = _AXES[unit]
    fig = go.Figure()
    for series, part in frame.groupby("key2", sort=True):
        colour = colours_by_series.get(series, OKABE_ITO[-1])
        fig.add_trace(
            go.Scatter(
                x=part["key"],
                y=part[value_column] * scale,
                mode="lines+markers",
                name=names.get(series, str(series)),
                line={"color": colour, "width": 2},
                hovertemplate=f"{_text(names.get(series, series))} %{{x|%Y-%m-%d}}: %{{y:{fmt}}}{suffix}<extra></extra>",
            )
        )
        target = targets.get(series)
        if target is not None:
            fig.add_trace(
                go.Scatter(
                    x=[part["key"].min(), part["key"].max()],
                    y=[target * scale] * 2,
                    mode="lines",
                    name=f"{target_label} · {names.get(series, series)} {target * scale:{fmt}}{suffix}",
                    line={"color": colour, "dash": "dash", "width": 1.5},
                    hoverinfo="skip",
                )
            )
    fig.update_xaxes(tickformat="%m-%d")  # one line of ticks, as on the other trends
    _layout(fig, title, unit, x_title)
    return fig


@_plain
def heatmap(
    frame: pd.DataFrame,
    value_column: str,
    title: str | None,
    day_names: list[str],
    hour_title: str,
    unit_name: str,
) -> go.Figure:
    """Volume by weekday (column `key`, ISO 1-7) and hour of day (column `key2`, 0-23)."""
    grid = (
        frame.pivot_table(index="key", columns="key2", values=value_column, aggfunc="sum")
        .reindex(index=range(1, 8), columns=range(24))
        .fillna(0)
    )
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[f"{h:02d}" for h in range(24)],
            y=day_names,
            colorscale="Blues",
            colorbar={"title": unit_name},
            hovertemplate=f"%{{y}} %{{x}}:00 · %{{z:,.0f}} {_text(unit_name)}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        margin={"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
        height=300,
        xaxis_title=hour_title,
    )
    fig.update_yaxes(autorange="reversed")
    return fig


@_plain
def bars(
    frame: pd.DataFrame,
    category_column: str,
    value_columns: dict[str, str],
    unit: str,
    title: str | None,
    x_title: str,
    target: float | None = None,
    target_label: str = "Target",
    horizontal: bool = False,
) -> go.Figure:
    """Grouped bars: one bar per value column (name -> label) for each category."""
    scale, fmt, suffix = _AXES[unit]
    fig = go.Figure()
    for i, (column, label) in enumerate(value_columns.items()):
        x, y = frame[category_column], frame[column] * scale
        fig.add_trace(
            go.Bar(
                x=y if horizontal else x,
                y=x if horizontal else y,
                orientation="h" if horizontal else "v",
                name=label,
                marker_color=OKABE_ITO[i % len(OKABE_ITO)],
                hovertemplate=f"%{{{'y' if horizontal else 'x'}}}: %{{{'x' if horizontal else 'y'}:{fmt}}}{suffix}"
                f"<extra>{_text(label)}</extra>",
            )
        )
    if target is not None:
        # The target is named in the legend, not written on the plot, where it would sit on a bar.
        line = {"color": TARGET_COLOUR, "dash": "dash", "width": 2}
        if horizontal:
            fig.add_vline(x=target * scale, line=line)
        else:
            fig.add_hline(y=target * scale, line=line)
        fig.add_trace(
            go.Scatter(x=[None], y=[None], mode="lines", line=line, hoverinfo="skip",
                       name=f"{target_label} {target * scale:{fmt}}{suffix}")
        )  # fmt: skip
    _layout(fig, title, unit, x_title, height=max(300, 28 * len(frame) + 60) if horizontal else 360,
            legend=len(value_columns) > 1 or target is not None)  # fmt: skip
    if horizontal:
        fig.update_layout(xaxis={"ticksuffix": suffix, "tickformat": fmt}, yaxis={"autorange": "reversed"},
                          xaxis_title=x_title, yaxis_title=None)  # fmt: skip
    # Bars are lengths: they start at 0, so a bar twice as long means twice as much.
    fig.update_layout({"xaxis" if horizontal else "yaxis": {"rangemode": "tozero"}})
    return fig


@_plain
def stacked(
    frame: pd.DataFrame,
    x: str,
    stack: str,
    value: str,
    title: str | None,
    x_title: str,
    y_title: str,
    names: dict[str, str] | None = None,
    order: list[str] | None = None,
) -> go.Figure:
    """Counts of `value` per `x`, stacked by `stack` in `order` (first at the bottom), each part in
    the colour of its place in `order`, so a grade or a state keeps its colour on every chart."""
    names = names or {}
    order = order or sorted(frame[stack].dropna().unique())
    fig = go.Figure()
    for i, part_name in enumerate(order):
        part = frame[frame[stack] == part_name]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=part[x],
                y=part[value],
                name=names.get(part_name, str(part_name)),
                marker_color=STACK_COLOURS[i % len(STACK_COLOURS)],
            )
        )
    fig.update_layout(
        barmode="stack",
        title=title,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        height=340,
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend={**LEGEND_BELOW, "traceorder": "normal"},
    )
    fig.update_xaxes(type="category")
    return fig


@_plain
def funnel(stages: list[str], counts: list[int], title: str) -> go.Figure:
    """Each stage's count and its share of the first, on one line in a bar tall enough to read it."""
    fig = go.Figure(
        go.Funnel(
            y=stages,
            x=counts,
            texttemplate="%{value:,} · %{percentInitial:.0%}",
            textposition="inside",
            insidetextfont={"size": 13},
            constraintext="none",
            marker={"color": OKABE_ITO[0]},
        )
    )
    fig.update_layout(
        title=title, margin={"l": 10, "r": 10, "t": 50, "b": 10}, height=max(320, 80 + 40 * len(stages))
    )
    return fig


@_plain
def durations(
    frame: pd.DataFrame, labels: dict[str, str], channels: dict[str, str], units: dict[str, str], title: str
) -> go.Figure:
    """Bars of durations (columns `labels`, in seconds) per channel (column `key`), one panel per
    channel in the unit that suits it: seconds on the phone and hours by email share no axis."""
    fig = make_subplots(
        rows=1, cols=len(frame), subplot_titles=[channels[c] for c in frame["key"]], horizontal_spacing=0.14
    )
    for col, (_, row) in enumerate(frame.iterrows(), start=1):
        largest = max((row[m] for m in labels if pd.notna(row[m])), default=0)
        unit, scale = ("s", 1) if largest < 120 else ("min", 60) if largest < 7200 else ("h", 3600)
        for i, (metric, label) in enumerate(labels.items()):
            value = row[metric] / scale if pd.notna(row[metric]) else None
            fig.add_trace(
                go.Bar(
                    x=[label], y=[value], name=label, marker_color=OKABE_ITO[i], showlegend=col == 1,
                    hovertemplate=f"{_text(label)}: %{{y:,.1f}} {units[unit]}<extra>{_text(channels[row['key']])}</extra>",
                ),
                row=1, col=col,
            )  # fmt: skip
        fig.update_yaxes(ticksuffix=f" {units[unit]}", row=1, col=col)
        fig.update_xaxes(showticklabels=False, row=1, col=col)
    fig.update_layout(title=title, margin={"l": 10, "r": 10, "t": 60, "b": 10}, height=340,
                      legend=LEGEND_BELOW)  # fmt: skip
    return fig


@_plain
def effects(frame: pd.DataFrame, category_column: str, label: str, x_title: str) -> go.Figure:
    """Mean effects as horizontal bars from 0, each with its 95 % interval as an error bar
    (`qa_effect`, `qa_low`, `qa_high` in points; a category without an interval has no bar of error)."""
    low = (frame["qa_effect"] - frame["qa_low"]).fillna(0)
    high = (frame["qa_high"] - frame["qa_effect"]).fillna(0)
    fig = go.Figure(
        go.Bar(
            x=frame["qa_effect"],
            y=frame[category_column],
            orientation="h",
            name=label,
            marker_color=[OKABE_ITO[2] if v >= 0 else OKABE_ITO[5] for v in frame["qa_effect"]],
            error_x={"type": "data", "symmetric": False, "array": high, "arrayminus": low, "color": "#444"},
            hovertemplate=f"%{{y}}: %{{x:+.2f}}<extra>{_text(label)}</extra>",
        )
    )
    fig.add_vline(x=0, line={"color": "#888", "width": 1})
    _layout(fig, None, "points", x_title, height=max(260, 40 * len(frame) + 90), legend=False)
    fig.update_layout(xaxis={"tickformat": "+.0f", "zeroline": True}, xaxis_title=x_title, yaxis_title=None,
                      yaxis={"autorange": "reversed"})  # fmt: skip
    return fig
