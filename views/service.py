"""Service: when customers contact us, how fast and how well they are answered, per channel and
client, as distributions and against the thresholds and targets of the policy."""

import streamlit as st

from csdata.analytics.page_queries import SPREAD
from csdata.text.i18n import t
from csdata.ui import core, dashboard, drilldown, panels

language = core.lang()
split = st.session_state.get("service_split") or "channel"
wh, scope, filters, frames = dashboard.start("service", split, per_row=4)

st.subheader(core.tr("heatmap_title"))
panels.heatmap(frames["heatmap"])

st.subheader(core.tr("service_trend_title"))
st.segmented_control(
    core.tr("split_by"),
    ["channel", "client"],
    format_func=lambda s: t(s, language),
    key="service_split",
    default=split,
    required=True,
)
left, right = st.columns(2)
with left:
    panels.split_trend(wh, frames["trend"], "answer_rate", filters, split, "trend_answer")
with right:
    panels.split_trend(wh, frames["trend"], "service_level", filters, split, "trend_sl")

st.subheader(core.tr("spread_title"))
st.caption(core.tr("spread_caption"))
left, right = st.columns(2)
with left:
    panels.spread(frames["by_channel"], SPREAD[:3], "spread_wait")
with right:
    panels.spread(frames["by_channel"], SPREAD[3:], "spread_handle")
panels.table(
    frames["by_channel"],
    "service-by-channel",
    panels.metric_units(frames["by_channel"]),
    key_label="channel",
    filters=filters,
    intervals=("asa", "aht"),
    min_n=core.policy(wh, filters.end).statistics.min_n,
)

drilldown.drill_table(wh, frames, filters, scope, "drill")
