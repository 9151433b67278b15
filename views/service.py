"""Service: when customers contact us, how fast and how well they are answered, per channel and
client, as distributions and against the thresholds and targets of the policy."""

import streamlit as st

from csdata import ui
from csdata.dashboards import SPREAD
from csdata.i18n import t
from csdata.ui import dashboard as dash

language = ui.lang()
split = st.session_state.get("service_split") or "channel"
wh, scope, filters, frames = dash.start("service", split, per_row=4)

st.subheader(ui.tr("heatmap_title"))
dash.heatmap(frames["heatmap"])

st.subheader(ui.tr("service_trend_title"))
st.segmented_control(
    ui.tr("split_by"),
    ["channel", "client"],
    format_func=lambda s: t(s, language),
    key="service_split",
    default=split,
    required=True,
)
left, right = st.columns(2)
with left:
    dash.split_trend(wh, frames["trend"], "answer_rate", filters, split, "trend_answer")
with right:
    dash.split_trend(wh, frames["trend"], "service_level", filters, split, "trend_sl")

st.subheader(ui.tr("spread_title"))
st.caption(ui.tr("spread_caption"))
left, right = st.columns(2)
with left:
    dash.spread(frames["by_channel"], SPREAD[:3], "spread_wait")
with right:
    dash.spread(frames["by_channel"], SPREAD[3:], "spread_handle")
dash.table(
    frames["by_channel"],
    "service-by-channel",
    dash.metric_units(frames["by_channel"]),
    key_label="channel",
    filters=filters,
)

dash.drill_table(wh, frames, filters, scope, "drill")
