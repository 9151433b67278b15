"""Quality: QA results against target over time, where points are lost, agents ranked on enough
audits, auditors side by side, and corrective actions until they are closed."""

import streamlit as st

from csdata import ui
from csdata.dashboards import QUALITY_TREND
from csdata.ui import dashboard as dash

wh, scope, filters, frames = dash.start("quality", per_row=4)

st.subheader(ui.tr("trend_title"))
for column, metric in zip(st.columns(len(QUALITY_TREND)), QUALITY_TREND, strict=True):
    with column:
        dash.trend(wh, frames, metric, filters, f"trend_{metric}")

left, right = st.columns(2)
with left:
    st.subheader(ui.tr("criteria_title"))
    dash.criteria(wh, frames["criteria"], filters)
with right:
    st.subheader(ui.tr("findings_title"))
    dash.findings(wh, frames["findings"], filters)

if "agents" in frames:
    st.subheader(ui.tr("ranking_title"))
    dash.ranking(wh, frames["agents"], filters)
    st.subheader(ui.tr("auditors_title"))
    st.caption(ui.tr("auditors_caption"))
    dash.auditors(wh, frames["auditors"], filters)

st.subheader(ui.tr("actions_title"))
dash.actions(frames["actions"], filters)
