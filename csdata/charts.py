"""DataFrame -> plotly figure. Pure functions: aggregated frames in, figures out.

One colour-blind-safe palette (Okabe–Ito) with a fixed colour per channel, units on the axes,
targets as dashed lines. Labels arrive already translated, so charts know nothing of languages.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
CHANNEL_COLOURS = {"phone": "#0072B2", "chat": "#E69F00", "email": "#009E73"}
TARGET_COLOUR = "#D55E00"

# How a unit is shown on an axis: (scale applied to the values, tick format, suffix)
_AXES = {
    "rate": (100.0, ".1f", "%"),
    "seconds": (1.0, ",.0f", " s"),
    "hours": (1.0, ",.1f", " h"),
    "count": (1.0, ",.0f", ""),
    "points": (1.0, ".1f", ""),
    "rating": (1.0, ".2f", ""),
}


def trend(
    frame: pd.DataFrame,
    value_column: str,
    unit: str,
    title: str,
    x_title: str,
    target: float | None = None,
    target_label: str = "Target",
) -> go.Figure:
    """A line over time (column `key`) with an optional dashed target line."""
    scale, fmt, suffix = _AXES[unit]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=frame["key"],
            y=frame[value_column] * scale,
            mode="lines+markers",
            name=title,
            line={"color": OKABE_ITO[0], "width": 2},
            hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:{fmt}}}{suffix}<extra></extra>",
        )
    )
    if target is not None:
        fig.add_hline(
            y=target * scale,
            line={"color": TARGET_COLOUR, "dash": "dash", "width": 2},
            annotation_text=f"{target_label} {target * scale:{fmt}}{suffix}",
            annotation_position="top left",
        )
    # Ticks on the weeks' own Mondays (plotly would pick Sundays), about a dozen at most.
    step = max(1, -(-len(frame) // 12))
    fig.update_xaxes(tickvals=list(frame["key"])[::step], tickformat="%m-%d")
    fig.update_layout(
        title=title,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=360,
        showlegend=False,
        xaxis_title=x_title,
        yaxis={"ticksuffix": suffix, "tickformat": fmt},
    )
    return fig
