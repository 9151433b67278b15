"""Overview: headline KPIs against target, a weekly trend, and the drill-down from company to agent."""

import streamlit as st

from csdata.analytics.metrics import CATALOG
from csdata.ui import breaches, core, dashboard, drilldown, panels

language = core.lang()
metric = st.session_state.get("trend_metric", "service_level")
wh, scope, filters, frames = dashboard.start("overview", metric)
choices = dashboard.visible_metrics(wh, scope, filters, [m for m in CATALOG if m != "offered"] + ["offered"])
if metric not in choices:  # hidden from this account by the policy: the query layer answered empty
    metric = st.session_state["trend_metric"] = choices[0]
pick, view = st.columns([3, 2], vertical_alignment="bottom")
pick.selectbox(
    core.tr("trend_metric"),
    choices,
    index=choices.index(metric),
    format_func=lambda m: CATALOG[m].label(language),
    key="trend_metric",
)
with view:
    control = panels.trend_view("trend_view_overview")
title = f"{core.tr('trend_title')} · {CATALOG[metric].label(core.lang())}"
panels.trend(wh, frames, metric, filters, "trend_chart", title, control)
if control:
    panels.control_note()
drilldown.drill_table(wh, frames, filters, scope, "drill")
breaches.overview_counts(wh)
