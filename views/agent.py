"""Agent: one agent's service numbers, QA audits with their comments, training and appraisals.
Reached from any table of agents (or by choosing one here, among the chosen clients' and teams'
agents); the agent is in the URL."""

import streamlit as st

from csdata import queries, ui
from csdata.ui import dashboard as dash

wh, user = ui.require("agent")
scope = user.scope
st.title(ui.tr("nav_agent"))
filters = dash.filter_bar(wh, scope)
people = queries.agents(wh, scope)
# The clients and teams chosen narrow the agents to pick from; the numbers are the agent's own.
if filters.clients:
    people = people[people["client"].isin(filters.clients)]
if filters.teams:
    people = people[people["team"].isin(filters.teams)]
if people.empty:
    st.info(ui.tr("no_data"))
    st.stop()
names = dict(zip(people["employee_id"], people["name"], strict=True))
agent = dash.pick_agent(names)
one = dash.only_agent(filters, agent)
frames = dash.data(wh, "agent", one, scope)
dash.agent_header(people, agent)
dash.kpi_cards(wh, frames, one, per_row=4)
st.subheader(ui.tr("trend_title"))
for column, metric in zip(st.columns(3), ("aht", "csat_pct", "qa_score"), strict=True):
    with column:
        dash.trend(wh, frames, metric, one, f"agent_{metric}")
st.subheader(ui.tr("agent_audits_title"))
dash.table(
    dash.by_finding(wh, frames["audits"], one, "finding_category"),
    "agent-audits",
    {"score": "points"},
    filters=one,
)
left, right = st.columns(2)
with left:
    st.subheader(ui.tr("agent_training_title"))
    dash.table(frames["training"], "agent-training", filters=one)
with right:
    st.subheader(ui.tr("agent_appraisals_title"))
    dash.table(frames["appraisals"], "agent-appraisals", {"score": "points"}, filters=one)
