"""Complaints and suggestions: the complaint path from record to the customer's acceptance, how
long open complaints have waited, and what the departments made of the suggestions."""

import streamlit as st

from csdata.ui import core, dashboard, panels, sections

wh, scope, filters, frames = dashboard.start("complaints", per_row=4)

st.subheader(core.tr("complaint_path_title"))
left, right = st.columns(2)
with left:
    sections.complaint_funnel(frames["path"])
with right:
    sections.complaint_ageing(frames["path"])

st.subheader(core.tr("open_complaints_title"))
st.caption(core.tr("open_complaints_caption"))
panels.table(
    sections.by_department(wh, frames["open"], "department"),
    "open-complaints",
    {"age_days": "days"},
    filters=filters,
)

st.subheader(core.tr("departments_title"))
departments = sections.by_department(wh, frames["departments"], "key")
panels.table(
    departments, "departments", panels.metric_units(departments), key_label="department", filters=filters
)
