"""Complaints and suggestions: the complaint path from record to the customer's acceptance, how
long open complaints have waited, and what the departments made of the suggestions."""

import streamlit as st

from csdata import ui
from csdata.ui import dashboard as dash

wh, scope, filters, frames = dash.start("complaints", per_row=4)

st.subheader(ui.tr("complaint_path_title"))
left, right = st.columns(2)
with left:
    dash.complaint_funnel(frames["path"])
with right:
    dash.complaint_ageing(frames["path"])

st.subheader(ui.tr("open_complaints_title"))
st.caption(ui.tr("open_complaints_caption"))
dash.table(
    dash.by_department(wh, frames["open"], "department"),
    "open-complaints",
    {"age_days": "days"},
    filters=filters,
)

st.subheader(ui.tr("departments_title"))
departments = dash.by_department(wh, frames["departments"], "key")
dash.table(
    departments, "departments", dash.metric_units(departments), key_label="department", filters=filters
)
