"""Clients: one client's scorecard against its own contracted targets, with the weekly trend of
each headline metric: the page an account manager opens for a client meeting."""

import streamlit as st

from csdata import queries, ui
from csdata.ui import dashboard as dash

wh, user = ui.require("clients")
scope = user.scope
st.title(ui.tr("nav_clients"))
filters = dash.filter_bar(wh, scope)
names = list(filters.clients) or queries.clients(wh, scope)
if not names:
    st.info(ui.tr("no_data"))
    st.stop()
if st.session_state.get("client_pick") not in names:
    st.session_state["client_pick"] = names[0]
client = st.selectbox(ui.tr("client"), names, key="client_pick")
one = dash.only_client(filters, client)
dash.caption(wh, one, scope)
frames = dash.data(wh, "clients", one, scope)
dash.kpi_cards(wh, frames, one)
dash.scorecard(wh, frames, one)
st.subheader(ui.tr("client_trends_title"))
dash.small_trends(wh, frames, one)
