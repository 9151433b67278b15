"""Clients: one client's scorecard against its own contracted targets, with the weekly trend of
each headline metric: the page an account manager opens for a client meeting."""

import streamlit as st

from csdata.analytics import lookups
from csdata.ui import core, dashboard, filter_bar, kpi, sections, signin

wh, user = signin.require("clients")
scope = user.scope
st.title(core.tr("nav_clients"))
filters = filter_bar.filter_bar(wh, scope)
names = list(filters.clients) or lookups.clients(wh, scope)
if not names:
    st.info(core.tr("no_data"))
    st.stop()
if st.session_state.get("client_pick") not in names:
    st.session_state["client_pick"] = names[0]
client = st.selectbox(core.tr("client"), names, key="client_pick")
one = sections.only_client(filters, client)
filter_bar.caption(wh, one, scope)
frames = dashboard.data(wh, "clients", one, scope)
kpi.kpi_cards(wh, frames, one)
sections.scorecard(wh, frames, one)
st.subheader(core.tr("client_trends_title"))
sections.small_trends(wh, frames, one)
