"""Tickets: record a new consultation, complaint or suggestion, and follow up open ones
(route, feed back, customer accepted or reopened, callback made, suggestion decided).

Supervisors work within their own teams; every save and every step is one audited transaction.
"""

import streamlit as st

from csdata import ui
from csdata.ui import entry

wh, user = ui.require("tickets")
st.title(ui.tr("nav_tickets"))
new, follow = st.tabs([ui.tr("tickets_new"), ui.tr("tickets_follow_up")])
with new:
    entry.ticket_form(wh, user)
with follow:
    entry.follow_up(wh, user)
