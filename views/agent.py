"""Agent: one agent's service numbers, QA audits with their comments, training, appraisals and
recognitions (表彰, recorded here by HR).
Reached from any table of agents (or by choosing one here, among the chosen clients' and teams'
agents); the agent is in the URL."""

import streamlit as st

from csdata.analytics import lookups
from csdata.ui import (
    actions,
    core,
    dashboard,
    filter_bar,
    kpi,
    panels,
    recognition,
    sections,
    signin,
    what_worked,
)

wh, user = signin.require("agent")
scope = user.scope
st.title(core.tr("nav_agent"))
filters = filter_bar.filter_bar(wh, scope)
people = lookups.agents(wh, scope)
# The clients and teams chosen narrow the agents to pick from; the numbers are the agent's own.
if filters.clients:
    people = people[people["client"].isin(filters.clients)]
if filters.teams:
    people = people[people["team"].isin(filters.teams)]
if people.empty:
    st.info(core.tr("no_data"))
    st.stop()
names = dict(zip(people["employee_id"], people["name"], strict=True))
agent = sections.pick_agent(names)
one = sections.only_agent(filters, agent)
frames = dashboard.data(wh, "agent", one, scope)
sections.agent_header(people, agent)
kpi.kpi_cards(wh, frames, one, per_row=4)
st.subheader(core.tr("trend_title"))
control = panels.trend_view("trend_view_agent")
for column, metric in zip(st.columns(3), ("aht", "csat_pct", "qa_score"), strict=True):
    with column:
        panels.trend(wh, frames, metric, one, f"agent_{metric}", control=control)
if control:
    panels.control_note()
st.subheader(core.tr("agent_audits_title"))
panels.table(
    sections.by_finding(wh, frames["audits"], one, "finding_category"),
    "agent-audits",
    {"score": "points"},
    filters=one,
)
left, right = st.columns(2)
with left:
    st.subheader(core.tr("agent_training_title"))
    panels.table(frames["training"], "agent-training", filters=one)
with right:
    st.subheader(core.tr("agent_appraisals_title"))
    panels.table(frames["appraisals"], "agent-appraisals", {"score": "points"}, filters=one)
coached = lookups.coaching(wh, scope, agent)
if not coached.empty:
    st.subheader(core.tr("agent_coaching_title"))
    actions.coaching_table(coached.drop(columns=["employee_id", "name"]))
what_worked.agent_effects(wh, scope, agent, one)
# Awards (表彰) the agent was given; HR records and voids them here.
recognition.recognitions_section(wh, user, agent)
# The agent's periods: a transfer or a new grade closes one and opens the next.
periods = lookups.employee_history(wh, agent, scope)
if not periods.empty:
    st.subheader(core.tr("agent_history_title"))
    panels.table(periods, "agent-history")
