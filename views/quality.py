"""Quality: QA results against target over time, where points are lost, the sampling plan (audits
each agent needs a month) and who is below it, agents ranked on enough audits with a narrow enough
interval, auditors side by side, corrective actions until they are closed, what worked (the
measured effect of the actions and coaching sessions done in the period) and calibration (whether
the auditors score alike)."""

import streamlit as st

from csdata.analytics.page_queries import QUALITY_TREND
from csdata.ui import calibration_section, core, dashboard, panels, sections, what_worked

wh, scope, filters, frames = dashboard.start("quality", per_row=4)

st.subheader(core.tr("trend_title"))
control = panels.trend_view("trend_view_quality")
for column, metric in zip(st.columns(len(QUALITY_TREND)), QUALITY_TREND, strict=True):
    with column:
        panels.trend(wh, frames, metric, filters, f"trend_{metric}", control=control)
if control:
    panels.control_note()

left, right = st.columns(2)
with left:
    st.subheader(core.tr("criteria_title"))
    sections.criteria(wh, frames["criteria"], filters)
with right:
    st.subheader(core.tr("findings_title"))
    sections.findings(wh, frames["findings"], filters)

if "agents" in frames:
    st.subheader(core.tr("plan_title"))
    sections.sampling_plan(wh, scope, filters)
    st.subheader(core.tr("ranking_title"))
    sections.ranking(wh, frames["agents"], filters)
    st.subheader(core.tr("auditors_title"))
    st.caption(core.tr("auditors_caption"))
    sections.auditors(wh, frames["auditors"], filters)

st.subheader(core.tr("actions_title"))
sections.actions(frames["actions"], filters)

if scope.agents_visible:
    st.subheader(core.tr("eff_title"))
    what_worked.what_worked(wh, scope, filters)
    st.subheader(core.tr("calib_title"))
    calibration_section.calibration_section(wh, scope, filters)
